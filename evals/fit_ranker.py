"""Fit the passage ranker (rag/ranker.json) on the `dev` split only, choosing its L2 penalty by grouped
cross-validation; the `test` split is never read here.

    .venv/bin/python -m evals.fit_ranker            # fit, print the CV table, write rag/ranker.json
    .venv/bin/python -m evals.fit_ranker --check    # refit and compare with the committed weights
    .venv/bin/python -m evals.fit_ranker --bank     # the ranker open questions get with the question bank
    .venv/bin/python -m evals.fit_ranker --abstention   # only the abstention threshold, for the committed rankers

Either fit also recalibrates the abstention threshold (rag/calibration.json) on the ranking the product uses.

Folds group questions by their gold passages, so no passage is asked about in both the training and the
held-out part of a fold: the CV figures estimate questions about passages the ranker never saw answered.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import defaultdict

import numpy as np

from evals.dataset import load_dataset
from evals.metrics import normalize_for_match

L2_GRID = (0.1, 1.0, 3.0, 10.0)
FOLDS = 5


def training_groups(index, items, use_bank: bool = False) -> list[tuple[dict, np.ndarray, np.ndarray]]:
    """(item, passage features, gold indicator) for every answerable dev item with gold passages."""
    from rag.query import search_query

    texts = [normalize_for_match(c.text) for c in index.chunks]
    out = []
    for it in items:
        if not it.get("answerable") or not it.get("gold_substrings") or it.get("expected_role") not in (None, "guest", "editor"):
            continue  # who-said traps are answered by the attribution path, not by ranking
        gold = [normalize_for_match(g) for g in it["gold_substrings"]]
        y = np.zeros(len(index.keys))
        for i, t in enumerate(texts):
            if any(g in t for g in gold):
                y[index._passage[i]] = 1.0
        if not y.any():
            continue
        query = search_query(it["question"], list(it.get("history") or []), index.framing)
        X, _, _ = index.features(query, use_bank)
        out.append((it, X, y))
    return out


def fold_of(y: np.ndarray) -> int:
    key = ",".join(map(str, np.nonzero(y)[0]))
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % FOLDS


def rank_of_gold(scores: np.ndarray, y: np.ndarray, k: int = 10) -> int | None:
    for r, j in enumerate(np.argsort(-scores)[:k], 1):
        if y[j]:
            return r
    return None


def summarise(ranks: dict[str, int | None], items_by_id: dict[str, dict]) -> dict:
    groups = defaultdict(list)
    for iid, r in ranks.items():
        it = items_by_id[iid]
        for key in ("overall", it["lang"], f"kind:{it['kind']}"):
            groups[key].append(r)
    return {key: {"n": len(rs), "hit@1": round(sum(r == 1 for r in rs) / len(rs), 4),
                  "hit@5": round(sum(1 for r in rs if r and r <= 5) / len(rs), 4),
                  "mrr@10": round(sum(1 / r for r in rs if r) / len(rs), 4)} for key, rs in sorted(groups.items())}


def cross_validate(groups, l2: float) -> dict[str, int | None]:
    from rag.ranker import fit_conditional_logit

    ranks = {}
    for f in range(FOLDS):
        train = [(X, y) for _, X, y in groups if fold_of(y) != f]
        model = fit_conditional_logit(train, l2=l2)
        for it, X, y in groups:
            if fold_of(y) == f:
                ranks[it["id"]] = rank_of_gold(model.score(X), y)
    return ranks


def fold_models(groups, l2: float) -> dict:
    from rag.ranker import fit_conditional_logit

    return {f: fit_conditional_logit([(X, y) for _, X, y in groups if fold_of(y) != f], l2=l2) for f in range(FOLDS)}


def out_of_fold_confidences(service, items, groups, l2: float, bank_groups=None, bank_l2: float | None = None
                            ) -> list[dict]:
    """For every dev item answered by ranking (traps excluded): the service's confidence when the ranker is
    the fold model that never saw the item, and whether the top passage is gold. The ranking is the one the
    product uses for that question: open questions get the bank ranker's fold model when `bank_groups` are
    given (rag.service.ranked_with_bank), every other kind the committed ranker's. Folds are the same for
    both (by gold passage). Unanswerable items are never trained on."""
    from rag.query import search_query
    from rag.service import ranked_with_bank

    index = service.index
    models = fold_models(groups, l2)
    bank_models = fold_models(bank_groups, bank_l2) if bank_groups is not None and index.bank_ranker else None
    gold = {it["id"]: y for it, _, y in groups}
    key_pos = {k: j for j, k in enumerate(index.keys)}
    committed, committed_bank = index.ranker, index.bank_ranker
    rows = []
    try:
        for it in items:
            if it.get("expected_role") not in (None, "guest", "editor"):
                continue
            y = gold.get(it["id"])
            fold = fold_of(y) if y is not None else 0
            index.ranker = models[fold]
            use_bank = bank_models is not None and ranked_with_bank(it["question"])
            if use_bank:
                index.bank_ranker = bank_models[fold]
            query = search_query(it["question"], list(it.get("history") or []), index.framing)
            passages = index.search(query, None, 3, use_bank=use_bank)
            rows.append({"id": it["id"], "answerable": bool(it.get("answerable")), "bank": use_bank,
                         "score": service._confidence(query, passages),
                         "gold_first": bool(y is not None and passages and y[key_pos[passages[0].key]])})
    finally:
        index.ranker, index.bank_ranker = committed, committed_bank
    return rows


MARGIN_GRID = (0.001, 0.005, 0.01, 0.02, 0.03, 0.05)


def threshold_below(rows: list[dict], margin: float) -> float:
    """`margin` under the lowest confidence of an answer whose gold passage ranks first."""
    return min((r["score"] for r in rows if r["gold_first"]), default=0.0) - margin


def refused_out_of_fold(rows: list[dict], margin: float) -> dict[str, int]:
    """Threshold from four folds of the rows, applied to the fifth: how many answers with gold ranked first,
    and how many unanswerable questions, it refuses (folds by question id)."""
    fold = {r["id"]: int(hashlib.sha256(r["id"].encode()).hexdigest(), 16) % FOLDS for r in rows}
    out = {"gold_first": 0, "unanswerable": 0}
    for f in range(FOLDS):
        t = threshold_below([r for r in rows if fold[r["id"]] != f], margin)
        held = [r for r in rows if fold[r["id"]] == f and r["score"] < t]
        out["gold_first"] += sum(r["gold_first"] for r in held)
        out["unanswerable"] += sum(not r["answerable"] for r in held)
    return out


def choose_abstain_threshold(rows: list[dict]) -> dict:
    """The highest threshold (abstain iff score < threshold) that refuses no answerable question whose gold
    passage ranks first, on dev and out of fold: the lowest such confidence minus the smallest margin of
    MARGIN_GRID whose held-out folds refuse none either. Just under the minimum is not enough: a new
    question falls below the minimum of n others with probability 1/(n+1), so about one per test split."""
    cv = {m: refused_out_of_fold(rows, m) for m in MARGIN_GRID}
    margin = next((m for m in MARGIN_GRID if cv[m]["gold_first"] == 0), MARGIN_GRID[-1])
    t = threshold_below(rows, margin)
    tp = sum(r["score"] < t and not r["answerable"] for r in rows)
    fp = sum(r["score"] < t and r["answerable"] for r in rows)
    fn = sum(r["score"] >= t and not r["answerable"] for r in rows)
    return {"abstain_threshold": round(t, 6), "margin": margin,
            "margin_cv": {str(m): cv[m] for m in MARGIN_GRID},
            "precision": tp / (tp + fp) if tp + fp else None,
            "recall": tp / (tp + fn) if tp + fn else None, "n_answerable": sum(r["answerable"] for r in rows),
            "n_unanswerable": sum(not r["answerable"] for r in rows)}


def calibrate_abstention(service, items, l2: float, bank_l2: float | None) -> dict:
    """Choose the abstention threshold on out-of-fold confidences (out_of_fold_confidences) under the ranking
    the product uses, write rag/calibration.json, and record how many dev unanswerable questions the committed
    rankers and threshold refuse (tests/test_abstention.py pins that count)."""
    from rag.service import CALIBRATION_FILE

    groups = training_groups(service.index, items)
    bank_groups = training_groups(service.index, items, True) if service.index.bank_ranker and bank_l2 else None
    calibration = choose_abstain_threshold(out_of_fold_confidences(service, items, groups, l2, bank_groups, bank_l2))
    calibration.update({"confidence": "top passage dense similarity + COVERAGE_WEIGHT x IDF coverage of the top 3",
                        "chosen_by": "evals/fit_ranker.py: confidences under out-of-fold rankers on the dev split "
                                     "(open questions ranked by the bank ranker's fold model, as the product ranks "
                                     "them); the highest threshold refusing no answerable question whose gold "
                                     "passage ranks first, on dev and in 5-fold CV (margin below the dev minimum)",
                        "embedder": service.settings.embedder, "mode": "extractive"})
    service.threshold = calibration["abstain_threshold"]
    unanswerable = [it for it in items if not it.get("answerable") and not it.get("history")]
    calibration["dev_unanswerable_abstained"] = [sum(not service.ask(it["question"]).grounded for it in unanswerable),
                                                 len(unanswerable)]
    calibration["dev_unanswerable_abstained_note"] = ("with the committed rankers and threshold: dev unanswerable "
                                                      "questions without history that abstain (tests/test_abstention.py "
                                                      "pins it)")
    CALIBRATION_FILE.write_text(json.dumps(calibration, indent=1) + "\n", encoding="utf-8")
    print(f"abstention on dev: threshold {calibration['abstain_threshold']:.3f}, precision {calibration['precision']}, "
          f"recall {calibration['recall']} -> {CALIBRATION_FILE}")
    return calibration


def main(argv: list[str] | None = None) -> int:
    from interview_qa.settings import Settings
    from rag import ranker as R
    from rag.service import QAService

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="refit and report, without writing rag/ranker.json")
    ap.add_argument("--bank", action="store_true", help="fit the ranker with the question-bank features "
                    "(rag/ranker_bank.json) instead")
    ap.add_argument("--abstention", action="store_true", help="only recalibrate the abstention threshold "
                    "(rag/calibration.json) for the committed rankers")
    args = ap.parse_args(argv)
    t0 = time.time()
    service = QAService.from_settings(Settings.from_env(), build_if_missing=True, progress=True)
    items = load_dataset("dev")

    def committed_l2(path) -> float | None:
        return json.loads(path.read_text(encoding="utf-8")).get("l2") if path.exists() else None

    if args.abstention:
        calibrate_abstention(service, items, committed_l2(R.RANKER_FILE), committed_l2(R.BANK_RANKER_FILE))
        return 0
    groups = training_groups(service.index, items, args.bank)
    by_id = {it["id"]: it for it in items}
    print(f"{len(groups)} dev questions with gold passages ({time.time() - t0:.0f} s)", file=sys.stderr)
    cv = {l2: summarise(cross_validate(groups, l2), by_id) for l2 in L2_GRID}
    for l2, table in cv.items():
        o = table["overall"]
        print(f"l2={l2:<5} CV hit@1 {o['hit@1']:.3f} hit@5 {o['hit@5']:.3f} MRR@10 {o['mrr@10']:.3f}")
    best = max(L2_GRID, key=lambda l2: (cv[l2]["overall"]["mrr@10"], -l2))
    model = R.fit_conditional_logit([(X, y) for _, X, y in groups], l2=best)
    record = model.to_json()
    record.update({
        "fitted_on": f"evals dev split: {len(groups)} answerable questions with gold passages (who-said traps excluded)",
        "chosen_by": f"{FOLDS}-fold cross-validation grouped by gold passage, max MRR@10 over l2 in {list(L2_GRID)}",
        "l2": best, "embedder": service.settings.embedder,
        "cv": cv[best],
        "weights_by_feature": dict(zip(model.features, record["weights"])),
    })
    for key in ("overall", "en", "ja", "zh"):
        row = cv[best].get(key)
        if row:
            print(f"  {key:8} n={row['n']:4d} hit@1 {row['hit@1']:.3f} hit@5 {row['hit@5']:.3f} MRR@10 {row['mrr@10']:.3f}")
    target = R.BANK_RANKER_FILE if args.bank else R.RANKER_FILE
    if args.check:
        committed = json.loads(target.read_text(encoding="utf-8")) if target.exists() else {}
        diff = max((abs(a - b) for a, b in zip(committed.get("weights", []), record["weights"])), default=float("inf"))
        print(f"largest weight difference from the committed ranker: {diff:.4f}")
        return 0
    target.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {target}")
    if args.bank:
        service.index.bank_ranker = model if service.index.bank_ranker else None
        calibrate_abstention(service, items, committed_l2(R.RANKER_FILE), best)
    else:
        service.index.ranker = model
        calibrate_abstention(service, items, best, committed_l2(R.BANK_RANKER_FILE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
