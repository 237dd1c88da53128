"""Outside truth for attribution: who really speaks in each stored chunk, from the curated, human-checked turn
maps (`turns.json`) and manifests on disk, never from the labels the index itself stored.

The eval scores attribution against this, so an ingest bug that labels an editor's note or a host turn as the
guest cannot also hide itself by mislabelling the index the metrics read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path


def expected_speaker(role: str, kind: str, manifest: Mapping) -> str:
    if role == "guest":
        return manifest["guest"]
    if role == "host":
        return manifest["host"]
    return manifest["outlet"] if kind == "turn" else f"{manifest['outlet']} ({kind})"


def load_curated(interviews_dir: Path) -> dict[str, tuple[dict, dict]]:
    """interview id -> (manifest, turn map), for every interview folder that has a curated turn map."""
    out = {}
    for folder in sorted(Path(interviews_dir).iterdir()) if Path(interviews_dir).is_dir() else []:
        if (folder / "manifest.json").exists() and (folder / "turns.json").exists():
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            out[manifest["id"]] = (manifest, json.loads((folder / "turns.json").read_text(encoding="utf-8")))
    return out


def curated_truth(chunks_by_id: Mapping[str, Mapping], interviews_dir: Path) -> dict[str, dict]:
    """The chunks with `role` and `speaker` replaced by the curated truth (the stored labels kept as
    `stored_role` / `stored_speaker`). Chunks of interviews without a curated map keep their labels; a chunk
    whose paragraphs the map gives different speakers, or that the map does not cover, gets role "unknown"."""
    curated = load_curated(interviews_dir)
    out: dict[str, dict] = {}
    for cid, chunk in chunks_by_id.items():
        chunk = dict(chunk)
        entry = curated.get(chunk.get("interview"))
        if entry is not None and chunk.get("paragraphs") is not None:
            manifest, turn_map = entry
            paras = turn_map["sections"].get(chunk.get("section") or chunk.get("lang")) or []
            try:
                who = {(paras[i]["role"], paras[i].get("kind", "turn")) for i in chunk["paragraphs"]}
            except (IndexError, TypeError):
                who = set()
            chunk["stored_role"], chunk["stored_speaker"] = chunk.get("role"), chunk.get("speaker")
            if len(who) == 1:
                role, kind = who.pop()
                chunk["role"], chunk["speaker"] = role, expected_speaker(role, kind, manifest)
            else:
                chunk["role"], chunk["speaker"] = "unknown", "unknown"
        out[cid] = chunk
    return out
