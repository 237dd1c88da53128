"""Retrieval metrics and the product-vs-baseline significance test, from ranx (pinned in pyproject.toml).

Passage identity: a chunk and its linked translations (``linked_ids``, transitively) are ONE passage, so a
system that ranks the English turn and its Japanese translation counts one passage, and either version
containing a gold substring makes the passage relevant. Relevance is binary (gold containment on
NFKC/whitespace-normalised text, as in :mod:`evals.metrics`). Each system is scored against its own
passages (the naive baseline's 1000-character splits have no translations), so the paired test compares
per-question scores, not shared qrels.

ranx compiles its metrics with numba the first time (about 40-100 s on two busy cores, then cached next to
the installed package, ~5 s per process). Its Fisher randomization test is not reproducible (numba's parallel
RNG ignores the seed: three runs gave p = .141-.150), so the gate uses its paired Student's t-test.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from evals import metrics as M

K = 10
# our name -> ranx metric
RANX_METRICS = {"hit@1": "hit_rate@1", "hit@5": "hit_rate@5", "mrr@10": "mrr@10", "ndcg@10": "ndcg@10",
                "recall@10": "recall@10"}
TESTED_METRICS = ("mrr@10", "hit@5", "ndcg@10")
_NONE = "__nothing_retrieved__"
_UNREACHABLE = "__gold_in_no_passage__"


def passage_units(chunks_by_id: Mapping[str, Mapping]) -> dict[str, str]:
    """chunk id -> passage id (the smallest chunk id among it and its linked translations, transitively)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for cid, c in chunks_by_id.items():
        find(cid)
        for other in c.get("linked_ids") or []:
            if other in chunks_by_id:
                a, b = find(cid), find(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return {cid: find(cid) for cid in chunks_by_id}


def relevant_passages(chunks_by_id: Mapping[str, Mapping], units: Mapping[str, str], gold: Sequence[str]) -> set[str]:
    """Passage ids with a member chunk whose text contains a gold substring."""
    needles = [M.normalize_for_match(g) for g in gold if g]
    out = set()
    for cid, c in chunks_by_id.items():
        text = M.normalize_for_match(c.get("text") or "")
        if any(n in text for n in needles):
            out.add(units.get(cid, cid))
    return out


def ranked_passages(answer: Mapping, units: Mapping[str, str]) -> list[str]:
    """The answer's retrieved list as passage ids, best first, each passage once."""
    out: list[str] = []
    for r in answer.get("retrieved") or []:
        cid = r.get("chunk_id")
        unit = units.get(cid)
        if unit is None:  # a chunk the store does not know: try its linked members, else itself
            unit = next((units[ln.get("chunk_id")] for ln in r.get("linked") or [] if ln.get("chunk_id") in units), cid)
        if unit not in out:
            out.append(unit)
    return out


def first_relevant_rank(ranked: Sequence[str], relevant: set[str]) -> int | None:
    return next((i for i, u in enumerate(ranked, 1) if u in relevant), None)


def score_rows(rows: Sequence[dict], chunks_by_id: Mapping[str, Mapping], k: int = K) -> None:
    """Add hit@1, hit@5, MRR@10, nDCG@10 and recall@10 (ranx) to the metrics of every answerable row with
    gold, plus ``_rank`` (rank of the first relevant passage, None beyond the list) and ``_n_relevant``."""
    units = passage_units(chunks_by_id)
    qrels: dict[str, dict[str, int]] = {}
    run: dict[str, dict[str, float]] = {}
    scored = []
    cache: dict[tuple, set[str]] = {}
    for r in rows:
        item, m = r["item"], r["metrics"]
        gold = tuple(item.get("gold_substrings") or [])
        if not (item.get("answerable") and gold):
            continue
        if gold not in cache:
            cache[gold] = relevant_passages(chunks_by_id, units, gold)
        relevant = cache[gold]
        ranked = ranked_passages(r["answer"], units)[:k]
        m["_rank"] = first_relevant_rank(ranked, relevant)
        m["_n_relevant"] = len(relevant)
        qid = str(item["id"])
        qrels[qid] = {u: 1 for u in relevant} or {_UNREACHABLE: 1}
        run[qid] = {u: float(len(ranked) - i) for i, u in enumerate(ranked)} or {_NONE: 0.0}
        scored.append((qid, m))
    if not scored:
        return
    per_query = ranx_scores(qrels, run)
    for qid, m in scored:
        for ours in RANX_METRICS:
            m[ours] = per_query[ours][qid]


def ranx_scores(qrels: Mapping[str, Mapping[str, int]], run: Mapping[str, Mapping[str, float]]) -> dict:
    """{our metric name: {query id: score}} computed by ranx."""
    from ranx import Qrels, Run, evaluate

    q, r = Qrels(dict(qrels)), Run(dict(run))
    evaluate(q, r, list(RANX_METRICS.values()), return_mean=False, make_comparable=True)
    return {ours: {qid: float(v) for qid, v in r.scores[theirs].items()} for ours, theirs in RANX_METRICS.items()}


def paired_test(product_rows: Sequence[Mapping], baseline_rows: Sequence[Mapping], metric: str) -> dict | None:
    """ranx's two-sided paired Student's t-test of `metric` over the items both runs scored.

    Returns {n, product, baseline, delta, p, better_p}; better_p is p when the product's mean is higher,
    else 1.0 (what the gate reads: "significantly better"). None when no item is shared."""
    from ranx.statistical_tests import paired_student_t_test

    base = {r["item"]["id"]: r["metrics"].get(metric) for r in baseline_rows}
    pairs = [(r["metrics"].get(metric), base.get(r["item"]["id"])) for r in product_rows]
    pairs = [(p, b) for p, b in pairs if p is not None and b is not None]
    if not pairs:
        return None
    prod = [p for p, _ in pairs]
    basel = [b for _, b in pairs]
    mp, mb = sum(prod) / len(prod), sum(basel) / len(basel)
    if len(pairs) < 2 or all(p == b for p, b in pairs):
        p_value = 1.0
    else:
        import numpy as np

        p_value, _ = paired_student_t_test(np.asarray(basel, dtype=float), np.asarray(prod, dtype=float), 0.05)
        p_value = float(p_value)
        if math.isnan(p_value):  # constant differences: no variance to test against
            p_value = 0.0 if mp != mb else 1.0
    return {"n": len(pairs), "product": mp, "baseline": mb, "delta": mp - mb, "p": p_value,
            "better_p": p_value if mp > mb else 1.0}


def significance(product_rows: Sequence[Mapping], baseline_rows: Sequence[Mapping],
                 scopes: Mapping[str, Sequence[str] | None] | None = None) -> dict:
    """{scope: {metric: paired_test(...)}} for the overall set and each question language."""
    scopes = scopes or {"overall": None, "en": ["en"], "ja": ["ja"], "zh": ["zh"]}
    out: dict = {}
    for scope, langs in scopes.items():
        sub = [r for r in product_rows if langs is None or r["item"].get("lang") in langs]
        out[scope] = {m: paired_test(sub, baseline_rows, m) for m in TESTED_METRICS}
    return out
