"""The frozen dev/test split of the eval questions (``evals/data/split.json``).

Rule (deterministic, append-only):
- v1 items (``questions.jsonl``, the set everything was tuned on) are always ``dev``.
- v2 items are split once, stratified by (question language, kind), with a share ``P_TEST`` = 3/5 of each
  stratum in ``test`` (so test is >= 40% of ALL items, old ones included). Items are taken in the order
  of a seeded hash of their id (sha256 of ``SEED:id``); each goes to the split that keeps its stratum
  closest to the 3/5 share, counting the stratum's items frozen earlier (a tie, which cannot happen
  with 3/5, would go by the hash).
- Leaks: an item whose ``history`` holds another item's question is one unit with that item (and
  transitively): the unit goes to one split, decided on the stratum of its follow-up item, or forced to
  the split of a member that already has one (an old item: dev).
- Freezing appends a *round*: items already in the file never move. New items that land later are
  assigned by the same rule in a new round (``python -m evals.split --freeze``); until then they have
  no split and are never evaluated.

``verify`` replays every round from the recorded strata and units and fails if any recorded assignment
differs from the rule, if a test id disappeared from the questions, or if the recorded sha256 of the test
ids does not match; ``tests/test_eval_split.py`` also pins the sha256 of the first round's test ids.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path

from evals.dataset import SPLIT_FILE, load_questions

SEED = "interview-qa eval split v1"
P_TEST = Fraction(3, 5)
RULE = ("v1 items dev; v2 items stratified by lang/kind, taken in sha256(SEED:id) order, each to the split that "
        "keeps its stratum's test share closest to P_TEST (ties by hash); follow-ups and the items their history "
        "asks are one unit; rounds are append-only")


class SplitError(ValueError):
    pass


def item_hash(item_id: str) -> int:
    return int(hashlib.sha256(f"{SEED}:{item_id}".encode()).hexdigest(), 16)


def stratum(item: Mapping) -> str:
    return f"{item.get('lang')}/{item.get('kind')}"


def ids_sha256(ids: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def _question_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def leak_units(items: Sequence[Mapping]) -> dict[str, frozenset[str]]:
    """id -> the ids that must share its split: an item is joined with every item whose question is one of
    its history questions (exact after NFKC, case folding and whitespace collapsing), transitively."""
    parent = {it["id"]: it["id"] for it in items}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_question = defaultdict(list)
    for it in items:
        by_question[_question_key(it["question"])].append(it["id"])
    for it in items:
        for h in it.get("history") or []:
            for other in by_question.get(_question_key(h), []):
                parent[find(other)] = find(it["id"])
    groups = defaultdict(set)
    for i in parent:
        groups[find(i)].add(i)
    return {i: frozenset(groups[find(i)]) for i in parent}


def _decide(t: int, n: int, h: int) -> str:
    """The split for the next item of a stratum holding `t` test items out of `n`."""
    target = P_TEST * (n + 1)
    gap_test, gap_dev = abs(t + 1 - target), abs(t - target)
    if gap_test != gap_dev:
        return "test" if gap_test < gap_dev else "dev"
    return "test" if Fraction(h % 10**6, 10**6) < P_TEST else "dev"


def _anchor(member_ids: Sequence[str], with_history: set[str]) -> str:
    pool = [i for i in member_ids if i in with_history] or list(member_ids)
    return min(pool, key=item_hash)


class _Counts:
    def __init__(self):
        self.test: Counter = Counter()
        self.n: Counter = Counter()

    def add(self, strat: str, split: str) -> None:
        self.n[strat] += 1
        self.test[strat] += split == "test"


def _assign_round(units: list[dict], counts: _Counts) -> dict[str, tuple[str, str | None]]:
    """units: {"anchor", "anchor_stratum", "members": [(id, stratum)], "forced": (split, by) | None}.
    Returns id -> (split, forced_by). Mutates `counts`."""
    out = {}
    for u in sorted(units, key=lambda u: item_hash(u["anchor"])):
        if u["forced"]:
            split, by = u["forced"]
        else:
            s = u["anchor_stratum"]
            split, by = _decide(counts.test[s], counts.n[s], item_hash(u["anchor"])), None
        for i, s in u["members"]:
            counts.add(s, split)
            out[i] = (split, by)
    return out


# --------------------------------------------------------------------------------------------
# The file
# --------------------------------------------------------------------------------------------

def empty_doc() -> dict:
    return {"rule": RULE, "seed": SEED, "p_test": str(P_TEST), "rounds": [], "items": {}, "test_ids_sha256": None}


def read_split(path: Path | None = SPLIT_FILE) -> dict:
    path = Path(path or SPLIT_FILE)
    if not path.exists():
        return empty_doc()
    doc = json.loads(path.read_text(encoding="utf-8"))
    if doc.get("seed") != SEED or doc.get("p_test") != str(P_TEST):
        raise SplitError(f"{path}: written with another seed or share ({doc.get('seed')!r}, {doc.get('p_test')!r})")
    return doc


def split_of(item: Mapping, doc: Mapping) -> str | None:
    if item.get("source") == "v1":
        return "dev"
    entry = (doc.get("items") or {}).get(item["id"])
    return entry["split"] if entry else None


def pending(items: Sequence[Mapping], doc: Mapping) -> dict[str, dict]:
    """The entries the next round would record for the items not in `doc` (id -> entry)."""
    frozen = doc.get("items") or {}
    units_of = leak_units(items)
    by_id = {it["id"]: it for it in items}
    with_history = {it["id"] for it in items if it.get("history")}
    counts = _Counts()
    for e in frozen.values():
        if e.get("round", 0) >= 1:
            counts.add(e["stratum"], e["split"])
    out: dict[str, dict] = {}
    new_v1 = [it["id"] for it in items if it.get("source") == "v1" and it["id"] not in frozen]
    for i in new_v1:
        out[i] = {"split": "dev", "stratum": stratum(by_id[i]), "round": 0}
    seen: set[frozenset] = set()
    units = []
    for it in items:
        if it.get("source") == "v1" or it["id"] in frozen:
            continue
        group = units_of[it["id"]]
        if group in seen:
            continue
        seen.add(group)
        fixed = {}
        for j in sorted(group):
            if j in frozen:
                fixed[j] = frozen[j]["split"]
            elif by_id[j].get("source") == "v1":
                fixed[j] = "dev"
        if len(set(fixed.values())) > 1:
            raise SplitError(f"items {sorted(group)} must share a split (history links) but are frozen apart: {fixed}")
        members = sorted(j for j in group if j not in fixed)
        anchor = _anchor(members, with_history)
        units.append({"anchor": anchor, "anchor_stratum": stratum(by_id[anchor]),
                      "members": [(j, stratum(by_id[j])) for j in members],
                      "forced": (next(iter(fixed.values())), min(fixed)) if fixed else None})
    round_no = max([r["round"] for r in doc.get("rounds") or []] + [0]) + 1
    for u in units:
        for j, _ in u["members"]:
            out[j] = {"split": None, "stratum": stratum(by_id[j]), "round": round_no, "unit": u["anchor"]}
    for j, (split, by) in _assign_round(units, counts).items():
        out[j]["split"] = split
        if by:
            out[j]["forced_by"] = by
    return out


def freeze(path: Path | None = SPLIT_FILE, items: Sequence[Mapping] | None = None) -> dict:
    """Append a round for every item not yet in the split file; write it; return the round record."""
    path = Path(path or SPLIT_FILE)
    doc = read_split(path)
    items = list(items) if items is not None else load_questions()
    new = pending(items, doc)
    v2_new = {i: e for i, e in new.items() if e["round"] >= 1}
    doc["items"].update(new)
    record = None
    if v2_new:
        test = [i for i, e in v2_new.items() if e["split"] == "test"]
        record = {"round": next(iter(v2_new.values()))["round"], "frozen_at": time.strftime("%Y-%m-%d"),
                  "n_items": len(v2_new), "n_test": len(test), "test_ids_sha256": ids_sha256(test)}
        doc["rounds"].append(record)
    doc["items"] = dict(sorted(doc["items"].items()))
    doc["test_ids_sha256"] = ids_sha256([i for i, e in doc["items"].items() if e["split"] == "test"])
    tmp = path.with_suffix(".tmp")
    tmp.write_text(dumps(doc), encoding="utf-8")
    os.replace(tmp, path)
    return {"round": record, "added": len(new)}


def dumps(doc: Mapping) -> str:
    """The split file's text: one line per item, so a diff shows exactly which assignments were added."""
    head = {k: v for k, v in doc.items() if k != "items"}
    lines = json.dumps(head, ensure_ascii=False, indent=1)[:-2].rstrip() + ',\n "items": {\n'
    rows = [f"  {json.dumps(i)}: {json.dumps(e, ensure_ascii=False)}" for i, e in doc["items"].items()]
    return lines + ",\n".join(rows) + "\n }\n}\n"


def replay(doc: Mapping) -> dict[str, str]:
    """Every recorded v2 assignment recomputed from the rule, round by round (id -> split)."""
    entries = doc.get("items") or {}
    out = {i: "dev" for i, e in entries.items() if e.get("round", 0) == 0}
    counts = _Counts()
    for r in sorted({e["round"] for e in entries.values() if e.get("round", 0) >= 1}):
        in_round = {i: e for i, e in entries.items() if e.get("round") == r}
        units = defaultdict(list)
        for i, e in in_round.items():
            units[e.get("unit") or i].append(i)
        spec = []
        for anchor, members in units.items():
            by = next((in_round[m].get("forced_by") for m in members if in_round[m].get("forced_by")), None)
            forced = (out.get(by) or (entries.get(by) or {}).get("split"), by) if by else None
            spec.append({"anchor": anchor, "anchor_stratum": in_round[anchor]["stratum"] if anchor in in_round else
                         in_round[members[0]]["stratum"],
                         "members": [(m, in_round[m]["stratum"]) for m in sorted(members)], "forced": forced})
        for i, (split, _) in _assign_round(spec, counts).items():
            out[i] = split
    return out


def verify(doc: Mapping, items: Sequence[Mapping]) -> list[str]:
    """Problems with the frozen split ([] = fine): see the module docstring."""
    problems = []
    entries = doc.get("items") or {}
    expected = replay(doc)
    for i, e in sorted(entries.items()):
        if expected.get(i) != e["split"]:
            problems.append(f"{i}: recorded {e['split']!r} but the rule gives {expected.get(i)!r}")
    test_ids = [i for i, e in entries.items() if e["split"] == "test"]
    if doc.get("test_ids_sha256") != ids_sha256(test_ids):
        problems.append("test_ids_sha256 does not match the recorded test ids")
    for rec in doc.get("rounds") or []:
        ids = [i for i, e in entries.items() if e.get("round") == rec["round"] and e["split"] == "test"]
        if rec.get("test_ids_sha256") != ids_sha256(ids):
            problems.append(f"round {rec['round']}: its test ids changed (sha256 mismatch)")
    present = {it["id"] for it in items}
    for i in sorted(set(test_ids) - present):
        problems.append(f"{i}: a frozen test id is no longer in the questions")
    for it in items:
        e = entries.get(it["id"])
        if it.get("source") == "v1" and e and e["split"] != "dev":
            problems.append(f"{it['id']}: a v1 (tuned-on) item must be dev")
    splits = {it["id"]: split_of(it, doc) for it in items}
    for i, group in leak_units(items).items():
        got = {splits[j] for j in group} - {None}
        if len(got) > 1 and i == min(group):
            problems.append(f"history-linked items {sorted(group)} are split apart: {sorted(got)}")
    return problems


def counts_table(items: Sequence[Mapping], doc: Mapping) -> str:
    """dev/test counts by lang x kind (frozen items), plus totals."""
    c = Counter((it["lang"], it["kind"], split_of(it, doc)) for it in items)
    kinds = sorted({k for _, k, _ in c})
    langs = ("en", "ja", "zh")
    head = f"{'kind':22}" + "".join(f"{lang + ' dev/test':>14}" for lang in langs) + f"{'all dev/test':>16}"
    lines = [head, "-" * len(head)]
    for k in kinds:
        row = f"{k:22}"
        for lang in langs:
            row += f"{c[(lang, k, 'dev')]:>9}/{c[(lang, k, 'test')]:<4}"
        row += f"{sum(c[(lg, k, 'dev')] for lg in langs):>11}/{sum(c[(lg, k, 'test')] for lg in langs):<4}"
        lines.append(row)
    dev = sum(v for (_, _, s), v in c.items() if s == "dev")
    test = sum(v for (_, _, s), v in c.items() if s == "test")
    none = sum(v for (_, _, s), v in c.items() if s is None)
    lines.append(f"total: {dev} dev, {test} test ({test / max(1, dev + test):.1%} of {dev + test} frozen), "
                 f"{none} not frozen")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.split", description="Show, check or extend the frozen eval split.")
    ap.add_argument("--freeze", action="store_true", help="assign the questions not yet in split.json (a new round)")
    ap.add_argument("--path", type=Path, default=SPLIT_FILE)
    args = ap.parse_args(argv)
    items = load_questions()
    if args.freeze:
        got = freeze(args.path, items)
        r = got["round"]
        print(f"froze round {r['round']}: {r['n_items']} items, {r['n_test']} test" if r else "no new v2 items to freeze")
    doc = read_split(args.path)
    print(counts_table(items, doc))
    problems = verify(doc, items)
    waiting = [it["id"] for it in items if split_of(it, doc) is None]
    if waiting:
        problems.append(f"{len(waiting)} question(s) not in the frozen split (run python -m evals.split --freeze): "
                        + ", ".join(waiting[:10]) + (" ..." if len(waiting) > 10 else ""))
    for p in problems:
        print(f"ERROR: {p}")
    print("OK" if not problems else f"FAILED: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
