"""Fit the passage ranker (rag/ranker.json) on the `dev` split only, choosing its L2 penalty by grouped
cross-validation; the `test` split is never read here.

    .venv/bin/python -m evals.fit_ranker            # fit, print the CV table, write rag/ranker.json
    .venv/bin/python -m evals.fit_ranker --check    # refit and compare with the committed weights
    .venv/bin/python -m evals.fit_ranker --bank     # the ranker of the questions ranked with the question bank
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
# (penalty, temperature) of the query adapter (rag.query_adapter), chosen by the bank ranker's CV MRR@10
ADAPTER_GRID = ((1e-4, 0.02), (1e-4, 0.05), (1e-3, 0.02), (1e-3, 0.05))


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


def adapter_training(index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bank question vectors, chunk vectors, question × chunk mask of the chunks of the passages each points
    at): what rag.query_adapter.fit_adapter learns from; the topic questions left out."""
    rows, passages = index.bank.pairs()
    positive = np.zeros((len(index.bank), len(index.chunks)), dtype=bool)
    for q, p in zip(rows, passages):
        positive[q, index._passage == p] = True
    return index.bank.vectors, index.vectors, positive


def choose_adapter(index, items, l2: float) -> tuple[np.ndarray, dict, list]:
    """The query adapter of ADAPTER_GRID whose features give the bank ranker (penalty `l2`) the best grouped-CV
    MRR@10 on `items` (dev), set on `index`; with what it was chosen from (the raw cosines, no adapter, beside)
    and the training groups under it (the bank ranker is refit on those, not on groups computed again)."""
    from rag.query_adapter import fit_adapter

    questions, chunks, positive = adapter_training(index)
    by_id = {it["id"]: it for it in items}
    index.adapter = None
    cv = {"none": summarise(cross_validate(training_groups(index, items, True), l2), by_id)["overall"]}
    fitted, groups = {}, {}
    for penalty, temperature in ADAPTER_GRID:
        t0 = time.time()
        index.adapter = fitted[penalty, temperature] = fit_adapter(questions, chunks, positive, penalty, temperature)
        groups[penalty, temperature] = training_groups(index, items, True)
        cv[f"{penalty},{temperature}"] = summarise(cross_validate(groups[penalty, temperature], l2), by_id)["overall"]
        print(f"adapter penalty {penalty} temperature {temperature}: CV {cv[f'{penalty},{temperature}']} "
              f"({time.time() - t0:.0f} s)", file=sys.stderr)
    best = max(ADAPTER_GRID, key=lambda k: (cv[f"{k[0]},{k[1]}"]["mrr@10"], k[0], k[1]))
    index.adapter = fitted[best]
    return fitted[best], {"penalty": best[0], "temperature": best[1], "steps": 300,
                          "bank_pairs": int(positive.any(axis=1).sum()), "cv_bank_ranker_l2": l2, "cv": cv}, groups[best]


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
    """For every dev item answered by ranking (traps excluded): the service's confidence (without the bank's
    term: its similarity to the closest bank question is given beside it) when the ranker is the fold model
    that never saw the item, and whether the top passage is gold. The ranking is the one the
    product uses (rag.service.QAService._retrieve): the bank ranker's fold model when `bank_groups` are given
    (every question, as the product ranks them all with the bank), else the committed ranker's. Folds are the same
    for both (by gold passage). Unanswerable items are never trained on."""
    from rag.query import search_query
    from rag.service import judged_by_unanswered

    index = service.index
    models = fold_models(groups, l2)
    bank_models = fold_models(bank_groups, bank_l2) if bank_groups is not None and index.bank_ranker else None
    gold = {it["id"]: y for it, _, y in groups}
    key_pos = {k: j for j, k in enumerate(index.keys)}
    committed, committed_bank = index.ranker, index.bank_ranker
    weights = service.bank_weight, service.unanswered_weight
    # the bank's terms are added by the weights being chosen (choose_bank_weight)
    service.bank_weight = service.unanswered_weight = 0.0
    rows = []
    try:
        for it in items:
            if it.get("expected_role") not in (None, "guest", "editor"):
                continue
            y = gold.get(it["id"])
            fold = fold_of(y) if y is not None else 0
            index.ranker = models[fold]
            use_bank = bank_models is not None
            if use_bank:
                index.bank_ranker = bank_models[fold]
            query = search_query(it["question"], list(it.get("history") or []), index.framing)
            passages = index.search(query, None, 3, use_bank=use_bank)
            rows.append({"id": it["id"], "answerable": bool(it.get("answerable")), "bank": use_bank,
                         "score": service._confidence(query, passages),
                         "bank_similarity": index.bank_similarity(index.parse(query)) if bank_models else 0.0,
                         "unanswered_similarity": index.unanswered_similarity(index.parse(query))
                         if bank_models and judged_by_unanswered(it["question"]) else 0.0,
                         "gold_first": bool(y is not None and passages and y[key_pos[passages[0].key]])})
    finally:
        index.ranker, index.bank_ranker = committed, committed_bank
        service.bank_weight, service.unanswered_weight = weights
    return rows


# How far below the mean confidence of dev answers whose gold passage ranks first the threshold sits, in their
# standard deviations. Fixed, not fitted: about 0.13% of such answers would fall below it were they normal, some
# 0.4 on a 300-question split. Just under the dev minimum is not enough: a new question falls below the minimum
# of n others with probability 1/(n+1), about one per split (dev in 5-fold CV: 2 held-out answers refused).
SAFETY_Z = 3.0


def threshold_below(rows: list[dict]) -> float:
    """SAFETY_Z standard deviations under the mean confidence of the answers whose gold passage ranks first."""
    scores = np.array([r["score"] for r in rows if r["gold_first"]], dtype=np.float64)
    return float(scores.mean() - SAFETY_Z * scores.std()) if len(scores) else 0.0


def refused_out_of_fold(rows: list[dict]) -> dict[str, int]:
    """The threshold from four folds of the rows, applied to the fifth: how many answers with gold ranked first,
    answerable questions and unanswerable ones it refuses there (folds by question id)."""
    fold = {r["id"]: int(hashlib.sha256(r["id"].encode()).hexdigest(), 16) % FOLDS for r in rows}
    out = {"gold_first": 0, "answerable": 0, "unanswerable": 0}
    for f in range(FOLDS):
        t = threshold_below([r for r in rows if fold[r["id"]] != f])
        held = [r for r in rows if fold[r["id"]] == f and r["score"] < t]
        out["gold_first"] += sum(r["gold_first"] for r in held)
        out["answerable"] += sum(r["answerable"] for r in held)
        out["unanswerable"] += sum(not r["answerable"] for r in held)
    return out


def choose_abstain_threshold(rows: list[dict]) -> dict:
    """The threshold (abstain iff score < threshold) SAFETY_Z standard deviations under the confidences of dev
    answers whose gold passage ranks first, with the abstention precision/recall it gives on dev and what it
    refuses in held-out folds."""
    t = threshold_below(rows)
    tp = sum(r["score"] < t and not r["answerable"] for r in rows)
    fp = sum(r["score"] < t and r["answerable"] for r in rows)
    fn = sum(r["score"] >= t and not r["answerable"] for r in rows)
    return {"abstain_threshold": round(t, 6), "safety_z": SAFETY_Z, "held_out": refused_out_of_fold(rows),
            "precision": tp / (tp + fp) if tp + fp else None,
            "recall": tp / (tp + fn) if tp + fn else None, "n_answerable": sum(r["answerable"] for r in rows),
            "n_unanswerable": sum(not r["answerable"] for r in rows)}


BANK_WEIGHT_GRID = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
UNANSWERED_WEIGHT_GRID = (0.0, 1.0, 2.0, 4.0, 8.0, 16.0)


def with_bank_weight(rows: list[dict], weight: float, unanswered: float = 0.0) -> list[dict]:
    """The rows' confidences with the closest bank question's cosine added at `weight`, and how much closer the
    closest unanswered question comes than that (if it does) taken off at `unanswered`."""
    return [dict(r, score=round(r["score"] + weight * r["bank_similarity"] - unanswered * max(
        0.0, r.get("unanswered_similarity", 0.0) - r["bank_similarity"]), 6)) for r in rows]


def choose_bank_weight(rows: list[dict], pool: list[dict] | None = None,
                       committed: tuple[float, float] | None = None
                       ) -> tuple[tuple[float, float], dict[tuple[float, float], dict]]:
    """The weights (bank question's cosine, unanswered question's cosine) of the confidence whose threshold
    (choose_abstain_threshold) refuses the most unanswerable questions in held-out folds and no answerable one;
    on ties, the most of the `pool` rows (pool_rows: the unanswered questions, each judged without its own
    source's), then the `committed` weights (a tie is no evidence for changing them), then the smaller weights.
    With every threshold chosen for it (and the pool refusals it gives), by weights."""
    grid = [(w, v) for w in BANK_WEIGHT_GRID for v in UNANSWERED_WEIGHT_GRID]
    table = {(w, v): choose_abstain_threshold(with_bank_weight(rows, w, v)) for w, v in grid}
    for (w, v), chosen in table.items():
        chosen["pool_refused"] = sum(r["score"] < chosen["abstain_threshold"] for r in with_bank_weight(pool or [], w, v))
    best = max(grid, key=lambda wv: (table[wv]["held_out"]["answerable"] == 0, table[wv]["held_out"]["unanswerable"],
                                     table[wv]["pool_refused"], wv == committed, -wv[0] - wv[1], -wv[1]))
    return best, table


def pool_rows(service) -> list[dict]:
    """The questions these interviews don't answer (rag/data/unanswered_questions.jsonl) as held-out unanswerable
    rows: each one's confidence under the committed rankers, as out_of_fold_confidences gives it, with its closest
    unanswered question sought among those of other sources only (a helper's part, a probe set: the same question
    in another language, or its near twin, is not there to find). 25 dev unanswerable questions rarely tell the
    weights apart; some 700 of these do."""
    from rag.query import search_query
    from rag.question_bank import load_unanswered
    from rag.service import judged_by_unanswered

    index = service.index
    vectors = index.bank.unanswered  # in load_unanswered()'s order
    pool = load_unanswered()
    if len(pool) != len(vectors):
        return []
    sources = np.array([q.source for q in pool])
    weights = service.bank_weight, service.unanswered_weight
    service.bank_weight = service.unanswered_weight = 0.0
    rows = []
    try:
        for n, asked in enumerate(pool):
            query = search_query(asked.question, [], index.framing)
            parsed = index.parse(query)
            passages = index.search(query, None, 3, use_bank=True)
            others = vectors[sources != sources[n]]
            vector = service.store.embeddings.query_vector(parsed.dense_text)
            rows.append({"id": f"pool-{n}", "answerable": False, "gold_first": False,
                         "score": service._confidence(query, passages),
                         "bank_similarity": index.bank_similarity(parsed),
                         "unanswered_similarity": float(np.max(others @ vector)) if len(others)
                         and judged_by_unanswered(asked.question) else 0.0})
    finally:
        service.bank_weight, service.unanswered_weight = weights
    return rows


def choose_off_topic_floor(service, items) -> tuple[float, int]:
    """(SAFETY_Z standard deviations under the mean closest-bank-question cosine of the dev questions that are
    answerable, have no history and name nothing of the interviews, how many there are): under it, such a
    question is taken to be about something else (rag.service.QAService.off_topic)."""
    index = service.index
    cosines = np.array([index.bank_similarity(service._search_query(it["question"], None)) for it in items
                        if it.get("answerable") and not it.get("history")
                        and not index.framing.refers_to_interviews(it["question"])])
    return round(float(cosines.mean() - SAFETY_Z * cosines.std()), 4), len(cosines)


def calibrate_abstention(service, items, l2: float, bank_l2: float | None) -> dict:
    """Choose the abstention threshold on out-of-fold confidences (out_of_fold_confidences) under the ranking
    the product uses, write rag/calibration.json, and record how many dev unanswerable questions the committed
    rankers and threshold refuse (tests/test_abstention.py pins that count)."""
    from rag.service import CALIBRATION_FILE

    committed = (service.bank_weight, service.unanswered_weight)
    groups = training_groups(service.index, items)
    # For an index the bank doesn't know: the committed ranking for every question, no bank term.
    calibration = choose_abstain_threshold(out_of_fold_confidences(service, items, groups, l2))
    calibration.update({"confidence": "top passage dense similarity + COVERAGE_WEIGHT x IDF coverage of the top 3",
                        "chosen_by": "evals/fit_ranker.py: confidences under out-of-fold rankers on the dev split; "
                                     "SAFETY_Z standard deviations under the mean confidence of the answers whose "
                                     "gold passage ranks first (held_out: the same rule in 5-fold CV)",
                        "embedder": service.settings.embedder, "mode": "extractive"})
    if service.index.bank_ranker and bank_l2:
        # The product on the bundled interviews: every question ranked by the bank ranker's fold model, and the
        # closest bank question's cosine in the confidence, its weight chosen by the same held-out folds.
        rows = out_of_fold_confidences(service, items, groups, l2, training_groups(service.index, items, True), bank_l2)
        (weight, unanswered), table = choose_bank_weight(rows, pool_rows(service), committed)
        chosen = table[weight, unanswered]
        calibration.update({
            "abstain_threshold_bank": chosen["abstain_threshold"], "bank_weight": weight,
            "unanswered_weight": unanswered,
            "precision_bank": chosen["precision"], "recall_bank": chosen["recall"], "held_out_bank": chosen["held_out"],
            "bank_weight_cv": {f"{w},{v}": dict(table[w, v]["held_out"], pool=table[w, v]["pool_refused"])
                               for w, v in table},
            "pool_refused": chosen["pool_refused"],
            "confidence_bank": "the same + bank_weight x the closest bank question's cosine - unanswered_weight x "
                               "how much closer the closest unanswered question (rag/data/unanswered_questions.jsonl) "
                               "comes, if it does, for an open question (rag.service.judged_by_unanswered), when the "
                               "bank knows the index (open and figure questions ranked with the bank, as the product "
                               "ranks them)",
        })
        service.bank_weight, service.unanswered_weight = weight, unanswered
        floor, n_unnamed = choose_off_topic_floor(service, items)
        calibration.update({
            "off_topic_bank_floor": floor,
            "off_topic_note": f"SAFETY_Z deviations under the mean closest-bank-question cosine of the {n_unnamed} dev "
                              "answerable questions without history naming nothing of the interviews "
                              "(Framing.refers_to_interviews): a question naming nothing of them and coming no "
                              "closer is not covered (rag.service.QAService.off_topic)",
        })
        service.off_topic_floor = floor
    service.threshold = calibration.get("abstain_threshold_bank", calibration["abstain_threshold"])
    unanswerable = [it for it in items if not it.get("answerable") and not it.get("history")]
    calibration["dev_unanswerable_abstained"] = [sum(not service.ask(it["question"]).grounded for it in unanswerable),
                                                 len(unanswerable)]
    calibration["dev_unanswerable_abstained_note"] = ("with the committed rankers and threshold: dev unanswerable "
                                                      "questions without history that abstain (tests/test_abstention.py "
                                                      "pins it)")
    CALIBRATION_FILE.write_text(json.dumps(calibration, indent=1) + "\n", encoding="utf-8")
    print(f"abstention on dev without the bank: threshold {calibration['abstain_threshold']:.3f}, precision "
          f"{calibration['precision']}, recall {calibration['recall']}")
    if "bank_weight" in calibration:
        print(f"with the bank: weights {calibration['bank_weight']} / {calibration['unanswered_weight']} (unanswered), "
              f"threshold {calibration['abstain_threshold_bank']:.3f}, "
              f"precision {calibration['precision_bank']}, recall {calibration['recall_bank']}; held out by weight: "
              f"{calibration['bank_weight_cv']}; off-topic floor {calibration['off_topic_bank_floor']}")
    print(f"dev unanswerable abstained {calibration['dev_unanswerable_abstained']} -> {CALIBRATION_FILE}")
    return calibration


def main(argv: list[str] | None = None) -> int:
    from interview_qa.settings import Settings
    from rag import ranker as R
    from rag.service import QAService

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="refit and report, without writing rag/ranker.json")
    ap.add_argument("--bank", action="store_true", help="fit the ranker with the question-bank features "
                    "(rag/ranker_bank.json) instead")
    ap.add_argument("--adapter", action="store_true", help="refit the query adapter (rag/query_adapter.npz) on "
                    "the question bank, then the bank ranker")
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
    if args.adapter:
        from rag.query_adapter import ADAPTER_FILE, save_adapter

        w, meta, groups = choose_adapter(service.index, items, committed_l2(R.BANK_RANKER_FILE) or 1.0)
        meta.update({"embedder": service.settings.embedder, "fitted_on": "rag/data/question_bank.jsonl (the "
                     "bundled interviews' passages)", "chosen_by": "grouped 5-fold CV of the bank ranker on dev, "
                     "max MRR@10 over evals.fit_ranker.ADAPTER_GRID"})
        if not args.check:
            save_adapter(w, meta)
            print(f"wrote {ADAPTER_FILE}", file=sys.stderr)
        args.bank = True
    else:
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
