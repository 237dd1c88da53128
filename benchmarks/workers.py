"""Measurements that run inside a fresh process of their own (so that time and peak memory are theirs alone).

    python -m benchmarks.workers TASK '{"json": "arguments"}'

prints one JSON object on its last line. The settings come from the environment (INTERVIEW_QA_HOME...).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _settings():
    from interview_qa.settings import Settings

    return Settings.from_env()


def embed_alone(args: dict) -> dict:
    """The embedder by itself on the passages ingest would embed for the corpus (load + embed)."""
    from ingest.embedding_cache import bundled_passage_texts
    from ingest.embeddings import make_embeddings

    settings = _settings()
    texts = bundled_passage_texts(settings)
    t0 = time.perf_counter()
    make_embeddings(settings).passages(texts)
    return {"passages": len(texts), "embed_s": time.perf_counter() - t0}


def ask_in_process(args: dict) -> dict:
    """Load the index once, then answer each question: per-question latency (ms)."""
    from rag.service import QAService

    t0 = time.perf_counter()
    service = QAService.from_settings(_settings(), build_if_missing=False, progress=False)
    service.ask(args["questions"][0])  # the embedder loads on the first question
    load_s = time.perf_counter() - t0
    latencies = []
    for q in args["questions"]:
        t = time.perf_counter()
        service.ask(q)
        latencies.append((time.perf_counter() - t) * 1000)
    return {"load_s": load_s, "latencies_ms": latencies, "store": type(service.store).__name__,
            "chunks": len(service.index.chunks)}


def _naive(args: dict, cache: bool):
    from evals.baseline import NaiveBaseline

    return NaiveBaseline(_settings(), cache_dir=Path(args["cache_dir"]) if cache else None)


def naive_build(args: dict) -> dict:
    """The naive LangChain pipeline built from scratch (split, embed everything, in-memory Chroma). Its vectors
    land in the empty `cache_dir`, only so that the latency measurements can skip rebuilding it."""
    t0 = time.perf_counter()
    naive = _naive(args, cache=True)
    build_s = time.perf_counter() - t0
    assert not naive.cached, "the naive build must start from nothing"
    return {"build_s": build_s, "embed_s": naive.embed_seconds, "chunks": len(naive.chunks)}


def naive_ask_in_process(args: dict) -> dict:
    t0 = time.perf_counter()
    naive = _naive(args, cache=True)
    naive.ask(args["questions"][0])
    load_s = time.perf_counter() - t0
    latencies = []
    for q in args["questions"]:
        t = time.perf_counter()
        naive.ask(q)
        latencies.append((time.perf_counter() - t) * 1000)
    return {"load_s": load_s, "latencies_ms": latencies, "reused_vectors": naive.cached}


def naive_ask_once(args: dict) -> dict:
    """What a fresh process of the naive pipeline does to answer one question (its vectors precomputed)."""
    naive = _naive(args, cache=True)
    answer = naive.ask(args["question"])
    return {"answered": bool(answer["citations"]), "reused_vectors": naive.cached}


TASKS = {f.__name__: f for f in (embed_alone, ask_in_process, naive_build, naive_ask_in_process, naive_ask_once)}


def main() -> None:
    task, raw = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "{}"
    result = TASKS[task](json.loads(raw))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
