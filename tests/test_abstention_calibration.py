"""How the abstention threshold is chosen (evals/fit_ranker.py): well under the dev answers whose gold passage ranks
first (SAFETY_Z deviations), on the ranking the product gives each kind of question, with the weights of the
closest bank question and of the closest unanswered question chosen by held-out folds."""

from __future__ import annotations

import json

import pytest

from evals import fit_ranker as F
from evals.dataset import load_dataset
from rag.ranker import BANK_RANKER_FILE, RANKER_FILE
from rag.service import CALIBRATION_FILE


def _rows(gold_first_scores, unanswerable_scores, wrong_scores=(), bank=None, unanswered=None):
    rows = [{"id": f"g{i}", "answerable": True, "gold_first": True, "score": s}
            for i, s in enumerate(gold_first_scores)]
    rows += [{"id": f"u{i}", "answerable": False, "gold_first": False, "score": s}
             for i, s in enumerate(unanswerable_scores)]
    rows += [{"id": f"w{i}", "answerable": True, "gold_first": False, "score": s} for i, s in enumerate(wrong_scores)]
    for r in rows:
        r["bank_similarity"] = (bank or {}).get(r["id"][0], 0.9)
        r["unanswered_similarity"] = (unanswered or {}).get(r["id"][0], 0.8)
    return rows


def test_the_threshold_sits_safety_z_deviations_under_the_gold_first_answers():
    gold = [0.80, 0.86, 0.87, 0.88, 0.9, 0.91, 0.92, 0.93, 0.95, 0.96]
    rows = _rows(gold, [0.70, 0.74, 0.9], wrong_scores=[0.77])
    chosen = F.choose_abstain_threshold(rows)
    mean = sum(gold) / len(gold)
    sd = (sum((g - mean) ** 2 for g in gold) / len(gold)) ** 0.5
    assert chosen["abstain_threshold"] == pytest.approx(mean - F.SAFETY_Z * sd, abs=1e-6)
    assert 0.74 < chosen["abstain_threshold"] < 0.77  # the wrong answer (0.77) and the gold-first ones stay answered
    assert chosen["recall"] == pytest.approx(2 / 3) and chosen["precision"] == 1.0


def test_held_out_counts_are_each_folds_threshold_from_the_others_applied_to_it():
    # Ten identical gold-first answers: every fold's threshold is 0.9, whatever is held out.
    rows = _rows([0.9] * 10, [0.5, 0.89, 0.95], wrong_scores=[0.7])
    assert F.refused_out_of_fold(rows) == {"gold_first": 0, "answerable": 1, "unanswerable": 2}
    # One answer far below the rest: held out, the others' threshold refuses it.
    rows = _rows([0.5] + [0.9] * 12, [])
    assert F.refused_out_of_fold(rows)["gold_first"] == 1


def test_the_bank_weight_is_the_one_whose_held_out_folds_refuse_most_unanswerable_questions():
    # Confidences alone can't tell the unanswerable from the answerable; how close the question comes to a bank
    # question can (0.9 against 0.6), so a weight on it refuses them without refusing an answerable one.
    rows = _rows([0.80, 0.82, 0.84, 0.85, 0.86, 0.88, 0.9, 0.91, 0.92, 0.95], [0.81, 0.83, 0.87, 0.9, 0.93],
                 bank={"g": 0.9, "u": 0.6})
    weights, table = F.choose_bank_weight(rows)
    assert table[0.0, 0.0]["held_out"]["unanswerable"] == 0
    assert weights[0] > 0 and table[weights]["held_out"] == {"gold_first": 0, "answerable": 0, "unanswerable": 5}
    assert table[weights]["recall"] == 1.0 and table[weights]["precision"] == 1.0
    assert weights[1] == 0.0  # every question is as close to an unanswered one: that weight tells nothing
    # no better than without: the smaller weights
    same = _rows([0.80, 0.82, 0.84, 0.85, 0.86, 0.88, 0.9, 0.91, 0.92, 0.95], [0.5], bank={"g": 0.9, "u": 0.9})
    assert F.choose_bank_weight(same)[0] == (0.0, 0.0)


def test_the_unanswered_weight_takes_off_how_close_a_question_comes_to_one_the_interviews_dont_answer():
    # As close to the bank as the answerable ones, but much closer to a question the interviews don't answer
    # (0.95 against 0.8): a weight on that cosine, subtracted, refuses them.
    rows = _rows([0.80, 0.82, 0.84, 0.85, 0.86, 0.88, 0.9, 0.91, 0.92, 0.95], [0.81, 0.83, 0.87, 0.9, 0.93],
                 unanswered={"g": 0.8, "u": 0.95})
    weights, table = F.choose_bank_weight(rows)
    assert weights[1] > 0 and table[weights]["held_out"] == {"gold_first": 0, "answerable": 0, "unanswerable": 5}
    assert table[0.0, 0.0]["held_out"]["unanswerable"] == 0
    scored = F.with_bank_weight(rows, 1.0, 2.0)
    assert scored[0]["score"] == pytest.approx(0.80 + 0.9)  # further from an unanswered question than from the bank
    assert scored[10]["score"] == pytest.approx(0.81 + 0.9 - 2 * (0.95 - 0.9))  # closer: by how much


def test_weights_tied_on_dev_are_told_apart_by_the_unanswered_pool():
    # Dev's unanswerable questions are refused alike at unanswered weights 1 and 2 (and none answerable): the pool
    # of questions the interviews don't answer, each judged without its own source's, breaks the tie towards the
    # weight that refuses more of them.
    rows = _rows([0.80, 0.82, 0.84, 0.85, 0.86, 0.88, 0.9, 0.91, 0.92, 0.95], [0.81, 0.83],
                 unanswered={"g": 0.8, "u": 1.1})
    pool = [{"id": f"p{i}", "answerable": False, "gold_first": False, "score": 0.86, "bank_similarity": 0.9,
             "unanswered_similarity": 0.92} for i in range(5)]
    without = F.choose_bank_weight(rows)
    weights, table = F.choose_bank_weight(rows, pool)
    assert table[weights]["held_out"] == without[1][without[0]]["held_out"]  # no worse on dev
    assert table[weights]["pool_refused"] > without[1][without[0]]["pool_refused"] == 0
    assert weights[1] > without[0][1]


def test_weights_tied_on_dev_and_the_pool_keep_the_committed_ones():
    # Nothing tells the weights apart (every question as close to the bank and to the unanswered ones): the
    # smaller weights win, unless others are committed, which a tie gives no reason to change.
    same = _rows([0.80, 0.82, 0.84, 0.85, 0.86, 0.88, 0.9, 0.91, 0.92, 0.95], [0.5], bank={"g": 0.9, "u": 0.9})
    assert F.choose_bank_weight(same)[0] == (0.0, 0.0)
    assert F.choose_bank_weight(same, [], committed=(2.0, 8.0))[0] == (2.0, 8.0)
    # A committed weight that refuses fewer is not kept.
    rows = _rows([0.80, 0.82, 0.84, 0.85, 0.86, 0.88, 0.9, 0.91, 0.92, 0.95], [0.81, 0.83, 0.87, 0.9, 0.93],
                 bank={"g": 0.9, "u": 0.6})
    weights, table = F.choose_bank_weight(rows, [], committed=(0.0, 0.0))
    assert weights != (0.0, 0.0) and table[weights]["held_out"]["unanswerable"] == 5


@pytest.fixture(scope="module")
def dev_groups(indexed_service):
    """The dev items, their training groups for the committed and the bank ranker, and both rankers' penalties."""
    index = indexed_service.index
    items = load_dataset("dev")
    return (items, F.training_groups(index, items), F.training_groups(index, items, True),
            json.loads(RANKER_FILE.read_text(encoding="utf-8"))["l2"],
            json.loads(BANK_RANKER_FILE.read_text(encoding="utf-8"))["l2"])


@pytest.mark.slow
def test_the_calibration_ranks_every_question_with_the_bank_as_the_product_does(indexed_service, dev_groups):
    index = indexed_service.index
    assert index.bank_ranker is not None
    items, groups, bank_groups, committed_l2, bank_l2 = dev_groups
    rankers = index.ranker, index.bank_ranker
    plain = {r["id"]: r for r in F.out_of_fold_confidences(indexed_service, items, groups, committed_l2)}
    banked = {r["id"]: r for r in F.out_of_fold_confidences(indexed_service, items, groups, committed_l2,
                                                            bank_groups, bank_l2)}
    assert plain.keys() == banked.keys() and len(banked) > 250
    assert all(r["bank"] for r in banked.values()) and not any(r["bank"] for r in plain.values())
    # The bank ranking (with its query adapter) puts the gold passage first more often.
    assert sum(r["gold_first"] for r in banked.values()) > sum(r["gold_first"] for r in plain.values()) + 20
    # The committed rankers are back in place afterwards.
    assert (index.ranker, index.bank_ranker) == rankers


@pytest.mark.slow
def test_the_committed_threshold_is_the_one_the_calibration_chooses(indexed_service, dev_groups):
    """Recalibrated here from the dev split and the committed rankers' penalties (fold models refitted, as
    evals/fit_ranker.py --abstention does), without writing anything."""
    items, groups, bank_groups, committed_l2, bank_l2 = dev_groups
    committed = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    plain = F.choose_abstain_threshold(F.out_of_fold_confidences(indexed_service, items, groups, committed_l2))
    weights, table = F.choose_bank_weight(
        F.out_of_fold_confidences(indexed_service, items, groups, committed_l2, bank_groups, bank_l2),
        F.pool_rows(indexed_service), (committed["bank_weight"], committed["unanswered_weight"]))
    # the committed weights kept only as the tie-break after the held-out folds and the pool
    assert weights == (committed["bank_weight"], committed["unanswered_weight"])
    assert table[weights]["pool_refused"] == committed["pool_refused"]
    assert plain["held_out"] == committed["held_out"]
    # fold models refitted on another machine may move a confidence by ~1e-4; a hand-moved threshold moves more
    assert plain["abstain_threshold"] == pytest.approx(committed["abstain_threshold"], abs=2e-3)
    assert table[weights]["abstain_threshold"] == pytest.approx(committed["abstain_threshold_bank"], abs=2e-3)
    assert indexed_service.threshold == committed["abstain_threshold_bank"]
    assert indexed_service.bank_weight == committed["bank_weight"] > 0
    assert indexed_service.unanswered_weight == committed["unanswered_weight"] > 0
