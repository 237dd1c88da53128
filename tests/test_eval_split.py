"""The eval dataset and its frozen dev/test split (pure data: no index, no model)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from evals import split as S
from evals.dataset import DATA_DIR, OLD_KINDS, SPLIT_FILE, load_dataset, load_questions, normalise_old

# sha256 of the sorted test ids frozen in round 1 (2026-11-26, 495 v2 items, 296 test). Changing any of
# them changes this: the test split is frozen, never re-drawn.
ROUND1_TEST_SHA256 = "289dd57002473c5922b3e2ede1c499e0b655b0e513b856c3801da6e190279107"


@pytest.fixture(scope="module")
def questions():
    return load_questions()


@pytest.fixture(scope="module")
def doc():
    return S.read_split(SPLIT_FILE)


# --- the committed split -----------------------------------------------------------------------

def test_committed_split_replays_and_keeps_every_test_id(questions, doc):
    assert S.verify(doc, questions) == []


def test_round_one_test_ids_are_pinned(doc):
    r1 = [i for i, e in doc["items"].items() if e.get("round") == 1 and e["split"] == "test"]
    assert S.ids_sha256(r1) == ROUND1_TEST_SHA256
    assert doc["rounds"][0]["test_ids_sha256"] == ROUND1_TEST_SHA256


def test_every_question_is_frozen(questions, doc):
    waiting = [it["id"] for it in questions if S.split_of(it, doc) is None]
    assert not waiting, (f"{len(waiting)} question(s) have no split: run `python -m evals.split --freeze` and "
                         f"commit evals/data/split.json ({waiting[:5]}...)")


def test_test_share_and_old_items_dev(questions, doc):
    items = load_dataset("all")
    counts = Counter(it["split"] for it in items)
    assert counts["test"] >= 0.40 * len(items), counts
    assert all(it["split"] == "dev" for it in items if it["source"] == "v1")
    assert {it["id"] for it in load_dataset("test")} == {i for i, e in doc["items"].items() if e["split"] == "test"}
    assert not {it["id"] for it in load_dataset("dev")} & {it["id"] for it in load_dataset("test")}


def test_round_one_is_stratified(doc):
    per = Counter()
    test = Counter()
    for e in doc["items"].values():
        if e.get("round") == 1:
            per[e["stratum"]] += 1
            test[e["stratum"]] += e["split"] == "test"
    for s, n in per.items():
        # one unit of two history-linked items can push a stratum one further
        assert abs(test[s] - float(S.P_TEST) * n) <= 2, (s, test[s], n)
    langs = {s.split("/")[0] for s in per}
    assert langs == {"en", "ja", "zh"}


def test_history_linked_items_share_a_split(questions, doc):
    units = S.leak_units(questions)
    linked = {g for g in units.values() if len(g) > 1}
    assert linked, "expected some follow-ups whose history is itself an item"
    splits = {it["id"]: S.split_of(it, doc) for it in questions}
    for g in linked:
        assert len({splits[i] for i in g}) == 1, g


# --- the rule, on synthetic items ----------------------------------------------------------------

def _item(i, lang="en", kind="fact", question=None, history=()):
    return {"id": f"v2-t-{lang}-{i:03d}", "lang": lang, "kind": kind, "question": question or f"question {i}",
            "history": list(history), "source": "v2"}


def _synthetic(n=40):
    items = [_item(i, lang=("en", "ja", "zh")[i % 3], kind=("fact", "why")[i % 2]) for i in range(n)]
    items.append({"id": "old-1", "lang": "en", "kind": "fact", "question": "What about distillation?",
                  "history": [], "source": "v1"})
    return items


def test_freeze_is_append_only_and_deterministic(tmp_path):
    path = tmp_path / "split.json"
    first = _synthetic(40)
    S.freeze(path, first)
    before = json.loads(path.read_text(encoding="utf-8"))["items"]
    # a later batch: new items in the same strata, plus a follow-up whose history is an old (dev) item
    later = first + [_item(i, lang=("en", "ja", "zh")[i % 3], kind=("fact", "why")[i % 2]) for i in range(40, 70)]
    later.append(_item(99, kind="followup_elliptical", question="Why?", history=["What about distillation?"]))
    S.freeze(path, later)
    doc = S.read_split(path)
    assert all(doc["items"][i] == e for i, e in before.items())
    assert doc["items"]["v2-t-en-099"]["split"] == "dev"  # forced by the old item its history asks
    assert [r["round"] for r in doc["rounds"]] == [1, 2]
    assert S.verify(doc, later) == []
    # the same items in another order freeze to the same file
    other = tmp_path / "other.json"
    S.freeze(other, list(reversed(first)))
    S.freeze(other, list(reversed(later)))
    assert json.loads(other.read_text())["items"] == json.loads(path.read_text())["items"]


def test_followup_joins_the_split_of_its_history_item(tmp_path):
    items = _synthetic(30)
    path = tmp_path / "split.json"
    S.freeze(path, items)
    doc = S.read_split(path)
    test_item = next(it for it in items if doc["items"][it["id"]]["split"] == "test")
    dev_item = next(it for it in items if it["source"] == "v2" and doc["items"][it["id"]]["split"] == "dev")
    more = items + [_item(200, kind="followup_elliptical", question="And then?", history=[test_item["question"]]),
                    _item(201, kind="followup_elliptical", question="And so?", history=[dev_item["question"].upper()])]
    S.freeze(path, more)
    doc = S.read_split(path)
    assert doc["items"]["v2-t-en-200"]["split"] == "test"
    assert doc["items"]["v2-t-en-201"]["split"] == "dev"
    # new follow-up + new history item (both unfrozen) are one unit
    pair = [_item(300, kind="fact", question="What did he say about jobs?"),
            _item(301, kind="followup_elliptical", question="Why?", history=["what did he say about  jobs?"])]
    S.freeze(path, more + pair)
    doc = S.read_split(path)
    assert doc["items"]["v2-t-en-300"]["split"] == doc["items"]["v2-t-en-301"]["split"]
    assert S.verify(doc, more + pair) == []


def test_verify_catches_a_moved_item_a_lost_test_id_and_a_stale_hash(questions, doc):
    tampered = copy.deepcopy(doc)
    victim = next(i for i, e in tampered["items"].items() if e["split"] == "test")
    tampered["items"][victim]["split"] = "dev"
    got = S.verify(tampered, questions)
    assert any(victim in p and "the rule gives 'test'" in p for p in got)
    assert any("test_ids_sha256" in p for p in got)
    # fix the hashes too: the replay still catches the move
    tampered["test_ids_sha256"] = S.ids_sha256([i for i, e in tampered["items"].items() if e["split"] == "test"])
    assert any(victim in p for p in S.verify(tampered, questions))

    lost = [it for it in questions if it["id"] != victim]
    assert any(victim in p and "no longer in the questions" in p for p in S.verify(doc, lost))

    old = next(it for it in questions if it["source"] == "v1")
    promoted = copy.deepcopy(doc)
    promoted["items"][old["id"]]["split"] = "test"
    assert any(old["id"] in p for p in S.verify(promoted, questions))


def test_decide_keeps_a_stratum_at_three_fifths():
    t = 0
    for n in range(50):
        t += S._decide(t, n, S.item_hash(str(n))) == "test"
        assert abs(t - 0.6 * (n + 1)) <= 0.6
    assert t == 30


# --- loading and validating ----------------------------------------------------------------------

def test_old_items_are_normalised_to_v2_kinds():
    manifests = {"v": {"host": "Nilay Patel", "outlet": "The Verge (Decoder)"}}
    base = {"id": "en-x", "interview": "v", "answerable": True, "history": []}
    assert normalise_old(dict(base, kind="zh_only"), manifests)["kind"] == "tail_only"
    assert normalise_old(dict(base, kind="followup"), manifests)["kind"] == "followup_elliptical"
    assert normalise_old(dict(base, kind="direct"), manifests)["kind"] == "fact"
    head = normalise_old(dict(base, kind="headline"), manifests)
    assert head["kind"] == "unanswerable" and head["answerable"] is False
    host = normalise_old(dict(base, kind="trap_host"), manifests)
    assert (host["kind"], host["expected_verdict"], host["expected_speaker"]) == ("who_said", "no", "Nilay Patel")
    editor = normalise_old(dict(base, kind="trap_editor"), manifests)
    assert editor["expected_speaker"] == "The Verge" and editor["old_kind"] == "trap_editor"
    assert set(OLD_KINDS) == {"direct", "paraphrase", "followup", "zh_only", "unanswerable", "headline",
                              "trap_host", "trap_editor"}


def test_loader_reads_both_schemas(questions):
    src = Counter(it["source"] for it in questions)
    assert src["v1"] == 111 and src["v2"] >= 300
    assert all(it["kind"] in S.load_questions.__globals__["KINDS"] for it in questions)


def _check(*args):
    return subprocess.run([sys.executable, str(DATA_DIR / "check_questions.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_check_questions_passes_on_the_committed_sets():
    got = _check()
    assert got.returncode == 0, got.stdout[-3000:]


def test_check_questions_catches_planted_v2_errors(tmp_path):
    good = [json.loads(line) for line in (DATA_DIR / "questions_v2" / "verge.jsonl").read_text().splitlines()]
    number = next(it for it in good if it["kind"] == "number")
    trap = next(it for it in good if it["kind"] == "who_said" and it["expected_verdict"] == "no")
    cmp = json.loads((DATA_DIR / "questions_v2" / "compare.jsonl").read_text().splitlines()[0])
    planted = [
        dict(number, id="v2-x-en-001", gold_substrings=[number["gold_substrings"][0].replace("e", "3", 1)]),
        dict(number, id="v2-x-en-002", expected_figures=["9999 widgets"]),
        dict(trap, id="v2-x-en-003", expected_verdict="yes"),
        dict(trap, id="v2-x-en-004", expected_speaker="Mustafa Suleyman"),
        dict(cmp, id="v2-x-en-005", gold_by_interview={k: v[:1] for k, v in cmp["gold_by_interview"].items()}),
        dict(number, id="v2-x-en-006", kind="tail_only", expected_figures=None),
        dict(number, id="v2-x-en-007", gold_substrings=number["gold_substrings"][:1]),
    ]
    planted[5].pop("expected_figures")
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(json.dumps(it, ensure_ascii=False) for it in planted) + "\n", encoding="utf-8")
    out = _check("--questions", path).stdout
    assert "FAILED" in out
    for n in range(1, 8):
        assert f"v2-x-en-00{n}" in out, (n, out[-3000:])
    assert "not verbatim in the verge-decoder-2026-06-08 capture" in out
    assert "expected figure '9999 widgets'" in out
    assert "expected_verdict must be 'yes' when the guest said it" in out
    assert "is not who said it" in out
    assert "union of gold_by_interview" in out
    assert "Chinese-only tail" in out
    assert "also exists in" in out


def test_split_cli_reports_counts(tmp_path):
    got = subprocess.run([sys.executable, "-m", "evals.split"], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parent.parent)
    assert got.returncode == 0, got.stdout[-2000:]
    assert "total:" in got.stdout and "OK" in got.stdout
