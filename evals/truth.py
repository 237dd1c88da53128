"""Outside truth for the eval: who said each paragraph of the bundled captures, read from the curated turn
maps (``data/interviews/*/turns.json``) and manifests, never from the index's own labels.

Each turn-map entry gives a paragraph's role (guest / host / editor), its kind and its first characters;
the paragraph is that line of the raw capture. Translation paragraphs list the English paragraphs they
translate (``links``); here links go both ways. Speaker names come from the manifest: guest -> ``guest``,
host -> ``host``, editor -> ``outlet``.

Standard library only (``evals/data/check_questions.py`` runs it as a plain script).

Attribution is scored against it too (`curated_truth`): who really speaks in each stored chunk, never the
labels the index itself stored, so an ingest bug that labels an editor's note or a host turn as the guest
cannot also hide itself by mislabelling the index the metrics read.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INTERVIEWS_DIR = REPO / "data" / "interviews"

_WS = re.compile(r"\s+")
# A style attribute the web capture leaked into the middle of a sentence (`…Silicon Valley, ; --tw-ring-color: …;
# color: inherit;">and Gaza…`): page chrome, not words anyone wrote, so a quote running across it is still in
# the paragraph.
_INLINE_STYLE = re.compile(r"\s*;\s*--[\w-]+\s*:[^<>]*?\"\s*>\s*")


def normalize(text: str) -> str:
    """NFKC + collapsed whitespace (the same normalisation as gold containment in evals.metrics)."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


@dataclass(frozen=True)
class Para:
    interview: str
    lang: str
    index: int
    role: str  # guest | host | editor
    kind: str  # turn | intro | footnote | caption | chart | note
    speaker: str
    text: str  # the raw capture line
    start: int  # offset of the line in the raw capture
    links: tuple[int, ...] = ()  # English paragraph indices this translation paragraph renders

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.interview, self.lang, self.index)


@dataclass
class Interview:
    id: str
    manifest: dict
    raw: str
    paras: list[Para] = field(default_factory=list)
    _norm: list[str] = field(default_factory=list)

    def speaker_for(self, role: str) -> str:
        m = self.manifest
        return {"guest": m.get("guest"), "host": m.get("host")}.get(role) or m.get("outlet") or role


class TurnMapMismatch(ValueError):
    pass


class Truth:
    """The curated paragraphs of every bundled interview, searchable by (normalised) substring."""

    def __init__(self, interviews_dir: Path | None = None):
        self.dir = Path(interviews_dir or INTERVIEWS_DIR)
        self.interviews: dict[str, Interview] = {}
        for folder in sorted(p for p in self.dir.iterdir() if (p / "turns.json").exists()):
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            raw = (folder / manifest["source_file"]).read_text(encoding="utf-8")
            iv = Interview(manifest["id"], manifest, raw)
            turn_map = json.loads((folder / "turns.json").read_text(encoding="utf-8"))
            for lang, entries in turn_map["sections"].items():
                pos = 0
                for e in entries:
                    i = raw.find(e["starts"], pos)
                    if i < 0:
                        raise TurnMapMismatch(f"{folder.name}: {lang} paragraph {e['p']} ({e['starts']!r}) "
                                              "not found in the capture")
                    j = raw.find("\n", i)
                    j = len(raw) if j < 0 else j
                    iv.paras.append(Para(iv.id, lang, int(e["p"]), e["role"], e.get("kind", "turn"),
                                         iv.speaker_for(e["role"]), raw[i:j], i, tuple(e.get("links") or ())))
                    pos = j
            iv._norm = [normalize(_INLINE_STYLE.sub(" ", p.text)) for p in iv.paras]
            self.interviews[iv.id] = iv
        self._by_key = {p.key: p for iv in self.interviews.values() for p in iv.paras}

    # ---------------------------------------------------------------------------------------------

    def containing(self, text: str, interview: str | None = None) -> list[Para]:
        """Paragraphs whose (normalised) text contains `text` (normalised), in `interview` or in any."""
        needle = normalize(text)
        if not needle:
            return []
        ivs = [self.interviews[interview]] if interview in self.interviews else self.interviews.values()
        return [p for iv in ivs for p, t in zip(iv.paras, iv._norm) if needle in t]

    def linked(self, para: Para) -> list[Para]:
        """The same passage in the other language(s): a translation's English paragraphs, or the
        translation paragraphs that render this English one."""
        iv = self.interviews[para.interview]
        original = iv.manifest.get("original", "en")
        if para.lang != original:
            return [self._by_key[k] for k in ((para.interview, original, i) for i in para.links) if k in self._by_key]
        return [p for p in iv.paras if p.lang != original and para.index in p.links]

    def passage(self, para: Para) -> list[Para]:
        """A paragraph with its linked translations (and theirs: one level further, so ja -> en -> other ja)."""
        out = {para.key: para}
        for p in self.linked(para):
            out.setdefault(p.key, p)
            for q in self.linked(p):
                out.setdefault(q.key, q)
        return list(out.values())

    def roles_of(self, quote: str, interview: str | None = None) -> set[str]:
        """Roles of every paragraph containing the quote; an elided quote ("a … b") is looked up by its
        longest fragment. Empty when the quote is in no curated paragraph (page chrome, or not verbatim)."""
        frags = [f for f in re.split(r"\s*(?:\[\s*(?:\.\.\.|…)\s*\]|\.\.\.+|…+|⋯+)\s*", quote or "") if f.strip()]
        if not frags:
            return set()
        longest = max(frags, key=len)
        return {p.role for p in self.containing(longest, interview)}

    def speaker(self, interview: str, role: str) -> str | None:
        iv = self.interviews.get(interview)
        return iv.speaker_for(role) if iv else None

    def guest_names(self) -> set[str]:
        return {iv.manifest.get("guest") for iv in self.interviews.values()} - {None}


@lru_cache(maxsize=4)
def load_truth(interviews_dir: str | None = None) -> Truth:
    return Truth(Path(interviews_dir) if interviews_dir else None)


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
