"""The eval dataset: the old question file plus the v2 files, in one schema, each item tagged with its split.

- ``evals/data/questions.jsonl`` (111 items, schema v1): the questions the retrieval weights, thresholds
  and the coverage weight were tuned on. Their kinds are mapped to v2 kinds (:data:`OLD_KINDS`) and they are
  always ``dev``: they can never be used to report.
- ``evals/data/questions_v2/*.jsonl`` (schema v2, described in ``questions_v2/README.md``): written
  passage-first without running the system; split once into ``dev`` and a frozen ``test`` by
  :mod:`evals.split`, recorded in ``evals/data/split.json``.

Every item gets ``split`` ("dev" | "test" | None when a v2 item is not yet in the frozen split file) and
``source`` ("v1" | "v2"). Items without a split are never evaluated (see ``python -m evals.split --freeze``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
OLD_QUESTIONS = DATA_DIR / "questions.jsonl"
V2_DIR = DATA_DIR / "questions_v2"
SPLIT_FILE = DATA_DIR / "split.json"

LANGS = ("en", "ja", "zh")
SPLITS = ("dev", "test")
KINDS = ("fact", "number", "date", "opinion", "why", "yes_no", "compare", "who_said", "tail_only", "paraphrase",
         "followup_elliptical", "followup_self", "unanswerable")
VERDICT_KINDS = ("yes_no", "who_said")
FIGURE_KINDS = ("number", "date")
OLD_KINDS = {"direct": "fact", "paraphrase": "paraphrase", "followup": "followup_elliptical",
             "zh_only": "tail_only", "unanswerable": "unanswerable", "headline": "unanswerable",
             "trap_host": "who_said", "trap_editor": "who_said"}


class DatasetError(ValueError):
    pass


def _read_jsonl(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{n}: invalid JSON: {exc}") from None
        if not isinstance(obj, dict) or not obj.get("id"):
            raise DatasetError(f"{path}:{n}: not a question object with an id")
        out.append(obj)
    return out


def _speaker_names() -> dict[str, dict]:
    from evals.truth import INTERVIEWS_DIR

    out = {}
    for manifest in sorted(INTERVIEWS_DIR.glob("*/manifest.json")):
        m = json.loads(manifest.read_text(encoding="utf-8"))
        out[m["id"]] = m
    return out


def normalise_old(item: Mapping, manifests: Mapping[str, Mapping] | None = None) -> dict:
    """A v1 item in v2 terms: kind mapped (``old_kind`` keeps the original), who-said traps get
    ``expected_verdict`` "no" and ``expected_speaker`` (the manifest's host, or its outlet for editor notes)."""
    manifests = _speaker_names() if manifests is None else manifests
    it = dict(item)
    old = it["kind"]
    if old not in OLD_KINDS:
        raise DatasetError(f"{it['id']}: unknown v1 kind {old!r}")
    it["old_kind"] = old
    it["kind"] = OLD_KINDS[old]
    if old == "headline":
        it["answerable"] = False
    if it["kind"] == "who_said":
        it["expected_verdict"] = "no"
        m = manifests.get(it.get("interview")) or {}
        if old == "trap_host":
            it["expected_speaker"] = m.get("host")
        else:
            it["expected_speaker"] = re.sub(r"\s*\(.*\)$", "", m.get("outlet") or "") or None
    it["source"] = "v1"
    return it


def load_questions(old_path: Path | None = OLD_QUESTIONS, v2_dir: Path | None = V2_DIR) -> list[dict]:
    """Every question (old file first, then the v2 files in name order), without splits."""
    items: list[dict] = []
    if old_path is not None and Path(old_path).exists():
        manifests = _speaker_names()
        items += [normalise_old(it, manifests) for it in _read_jsonl(old_path)]
    if v2_dir is not None and Path(v2_dir).is_dir():
        for path in sorted(Path(v2_dir).glob("*.jsonl")):
            for it in _read_jsonl(path):
                it = dict(it)
                it["source"] = "v2"
                it["file"] = path.name
                items.append(it)
    seen: set[str] = set()
    for it in items:
        if it["id"] in seen:
            raise DatasetError(f"duplicate question id {it['id']!r}")
        seen.add(it["id"])
        if it.get("kind") not in KINDS:
            raise DatasetError(f"{it['id']}: unknown kind {it.get('kind')!r}")
    return items


def load_dataset(split: str = "all", *, old_path: Path | None = OLD_QUESTIONS, v2_dir: Path | None = V2_DIR,
                 split_path: Path | None = SPLIT_FILE) -> list[dict]:
    """The questions with their ``split`` from the frozen split file, selected by `split`:
    "dev", "test", "all" (dev + test) or "any" (also the items not yet frozen, ``split`` None)."""
    from evals import split as S

    items = load_questions(old_path, v2_dir)
    frozen = S.read_split(split_path)
    for it in items:
        it["split"] = S.split_of(it, frozen)
    return select(items, split)


def select(items: Iterable[Mapping], split: str) -> list[dict]:
    if split == "any":
        return list(items)
    if split == "all":
        return [it for it in items if it.get("split") in SPLITS]
    if split not in SPLITS:
        raise DatasetError(f"unknown split {split!r}; use dev, test or all")
    return [it for it in items if it.get("split") == split]


def unfrozen(items: Sequence[Mapping]) -> list[str]:
    return [it["id"] for it in items if it.get("split") is None]
