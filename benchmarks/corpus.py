"""Synthetic corpora for the scale benchmark: k copies of a corpus with new ids and perturbed text.

Each copy keeps every paragraph and its first 30 characters (so the curated turn map still matches) and
swaps a few words (or, in Chinese and Japanese, characters) further in, so every passage is new text: the
embedding caches cannot help and ingest does the work a real corpus k times the size would need.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

from interview_qa.settings import Settings

KEEP = 30  # leading characters never touched (turn maps check a paragraph's first 24)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def perturb(line: str, rng: random.Random) -> str:
    """`line` with a few neighbours swapped after its first KEEP characters (a different text, same shape)."""
    head, tail = line[:KEEP], line[KEEP:]
    if len(tail) < 12:
        return line
    if len(_CJK.findall(tail)) > len(tail) / 3:
        chars = list(tail)
        for _ in range(max(1, len(chars) // 15)):
            i = rng.randrange(len(chars) - 1)
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        new = "".join(chars)
    else:
        words = tail.split(" ")
        if len(words) < 4:
            return line
        for _ in range(max(1, len(words) // 8)):
            i = rng.randrange(len(words) - 1)
            words[i], words[i + 1] = words[i + 1], words[i]
        new = " ".join(words)
    return head + (new if new != tail else tail[::-1])


def _quotable_lines(folder: Path, settings: Settings) -> set[str] | None:
    """The capture lines that are whole cleaned paragraphs (safe to perturb); None for labelled transcripts."""
    from ingest.pipeline import load_interview, resolve_source

    source = resolve_source(folder, settings)
    if source.manifest.layout == "transcript":
        return None
    interview = load_interview(source, settings)
    return {p.text for s in interview.sections.values() for p in s.paragraphs}


def make_corpus(source_dir: Path, out_dir: Path, copies: int, settings: Settings) -> Path:
    """`copies` perturbed copies of every interview folder in `source_dir` (ids `<id>-x<k>`), in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    folders = sorted(p for p in source_dir.iterdir() if (p / "manifest.json").exists())
    for folder in folders:
        quotable = _quotable_lines(folder, settings.with_(interviews_dir=source_dir))
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        lines = (folder / manifest["source_file"]).read_text(encoding="utf-8").split("\n")
        for k in range(1, copies + 1):
            new_id = f"{manifest['id']}-x{k}"
            dst = out_dir / new_id
            dst.mkdir()
            out = []
            for n, line in enumerate(lines):
                safe = line.strip() in quotable if quotable is not None else len(line) > 40
                out.append(perturb(line, random.Random(f"{k}:{n}")) if safe else line)
            (dst / manifest["source_file"]).write_text("\n".join(out), encoding="utf-8")
            (dst / "manifest.json").write_text(json.dumps({**manifest, "id": new_id,
                                                           "title": f"{manifest['title']} (copy {k})"},
                                                          ensure_ascii=False, indent=1), encoding="utf-8")
            if (folder / "turns.json").exists():
                turns = json.loads((folder / "turns.json").read_text(encoding="utf-8"))
                turns["interview"] = new_id
                (dst / "turns.json").write_text(json.dumps(turns, ensure_ascii=False), encoding="utf-8")
    return out_dir


def copy_corpus(source_dir: Path, out_dir: Path) -> Path:
    shutil.copytree(source_dir, out_dir)
    return out_dir
