"""How the abstention threshold is chosen (evals/fit_ranker.py): below every dev answer whose gold passage ranks
first, by a margin that held-out folds also need, and on the ranking the product gives each kind of question."""

from __future__ import annotations

import json

import pytest

from evals import fit_ranker as F
from evals.dataset import load_dataset
from rag.ranker import BANK_RANKER_FILE, RANKER_FILE
from rag.service import ranked_with_bank


def _rows(gold_first_scores, unanswerable_scores, wrong_scores=()):
    rows = [{"id": f"g{i}", "answerable": True, "gold_first": True, "score": s}
            for i, s in enumerate(gold_first_scores)]
    rows += [{"id": f"u{i}", "answerable": False, "gold_first": False, "score": s}
             for i, s in enumerate(unanswerable_scores)]
    rows += [{"id": f"w{i}", "answerable": True, "gold_first": False, "score": s} for i, s in enumerate(wrong_scores)]
    return rows


def test_the_threshold_sits_a_margin_below_the_lowest_gold_first_answer():
    rows = _rows([0.80, 0.86, 0.87, 0.88, 0.9, 0.91, 0.92, 0.93, 0.95, 0.96], [0.70, 0.79, 0.9])
    chosen = F.choose_abstain_threshold(rows)
    assert chosen["abstain_threshold"] == pytest.approx(0.80 - chosen["margin"])
    assert chosen["margin"] in F.MARGIN_GRID
    assert not any(r["score"] < chosen["abstain_threshold"] for r in rows if r["gold_first"])
    assert chosen["recall"] == pytest.approx(1 / 3) and chosen["precision"] == 1.0


def test_the_margin_is_the_smallest_whose_held_out_folds_refuse_no_gold_first_answer():
    # One answer far below the others: whichever fold holds it out sets its threshold from the rest (0.84), so
    # only a margin that reaches below 0.80 keeps it answered; a plain "just under the minimum" rule would not.
    rows = _rows([0.80] + [0.84] * 12, [0.6])
    chosen = F.choose_abstain_threshold(rows)
    assert F.refused_out_of_fold(rows, F.MARGIN_GRID[0])["gold_first"] >= 1
    assert chosen["margin"] == 0.05 and chosen["margin_cv"]["0.05"]["gold_first"] == 0
    assert all(chosen["margin_cv"][str(m)]["gold_first"] > 0 for m in F.MARGIN_GRID if m < chosen["margin"])
    assert chosen["abstain_threshold"] == pytest.approx(0.75)


def test_held_out_counts_are_per_fold_thresholds_applied_to_the_held_out_rows():
    rows = _rows([0.9] * 10, [0.5, 0.89])
    assert F.refused_out_of_fold(rows, 0.001) == {"gold_first": 0, "unanswerable": 2}
    assert F.refused_out_of_fold(rows, 0.05) == {"gold_first": 0, "unanswerable": 1}


@pytest.fixture(scope="module")
def dev_groups(indexed_service):
    """The dev items, their training groups for the committed and the bank ranker, and both rankers' penalties."""
    index = indexed_service.index
    items = load_dataset("dev")
    return (items, F.training_groups(index, items), F.training_groups(index, items, True),
            json.loads(RANKER_FILE.read_text(encoding="utf-8"))["l2"],
            json.loads(BANK_RANKER_FILE.read_text(encoding="utf-8"))["l2"])


@pytest.mark.slow
def test_bank_ranked_questions_are_calibrated_on_the_bank_ranking_and_other_kinds_on_the_committed_one(indexed_service, dev_groups):
    index = indexed_service.index
    assert index.bank_ranker is not None
    items, groups, bank_groups, committed_l2, bank_l2 = dev_groups
    rankers = index.ranker, index.bank_ranker
    plain = {r["id"]: r for r in F.out_of_fold_confidences(indexed_service, items, groups, committed_l2)}
    banked = {r["id"]: r for r in F.out_of_fold_confidences(indexed_service, items, groups, committed_l2,
                                                            bank_groups, bank_l2)}
    by_id = {it["id"]: it for it in items}
    assert plain.keys() == banked.keys()
    bank_ids = [i for i in banked if ranked_with_bank(by_id[i]["question"])]
    other_ids = [i for i in banked if not ranked_with_bank(by_id[i]["question"])]
    assert len(bank_ids) > 50 and len(other_ids) > 50
    assert all(banked[i]["bank"] for i in bank_ids) and not any(banked[i]["bank"] for i in other_ids)
    # The bank ranking changes what open questions put first, and nothing else's confidence.
    assert sum(banked[i]["gold_first"] for i in bank_ids) > sum(plain[i]["gold_first"] for i in bank_ids)
    assert all(banked[i] | {"bank": False} == plain[i] for i in other_ids)
    # The committed rankers are back in place afterwards.
    assert (index.ranker, index.bank_ranker) == rankers


@pytest.mark.slow
def test_the_committed_threshold_is_the_one_the_calibration_chooses(indexed_service, dev_groups):
    """Recalibrated here from the dev split and the committed rankers' penalties (fold models refitted, as
    evals/fit_ranker.py --abstention does), without writing anything."""
    from rag.service import CALIBRATION_FILE

    items, groups, bank_groups, committed_l2, bank_l2 = dev_groups
    rows = F.out_of_fold_confidences(indexed_service, items, groups, committed_l2, bank_groups, bank_l2)
    chosen = F.choose_abstain_threshold(rows)
    committed = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    assert chosen["margin"] == committed["margin"]
    # fold models refitted on another machine may move a confidence by ~1e-4; a hand-moved threshold moves more
    assert chosen["abstain_threshold"] == pytest.approx(committed["abstain_threshold"], abs=2e-3)
