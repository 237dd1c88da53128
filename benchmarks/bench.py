"""Speed benchmark: product vs the naive LangChain pipeline, in the same run. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench.py [--skip-full]

Targets (from the issues): re-ingest of unchanged data ≤ 2 s; warm answers well under a second.
The naive pipeline (RecursiveCharacterTextSplitter 1000/200 over the raw captures, dense top-5, same
embedder) has no change detection, so re-running it re-embeds everything.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

QUESTIONS = ["What did he say about distillation?", "蒸留について彼は何と言いましたか？", "微软拥有多少吉瓦的计算能力？",
             "How would he describe Elon Musk?", "What does he think about universal basic income?"]


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def naive_index(settings):
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from ingest.embeddings import make_embeddings

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    texts = []
    for f in sorted(settings.interviews_dir.glob("*/*.txt")):
        texts += splitter.split_text(f.read_text(encoding="utf-8"))
    emb = make_embeddings(settings)
    return texts, emb, emb.passages(texts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--skip-full", action="store_true", help="reuse INTERVIEW_QA_HOME's index instead of a fresh build")
    args = ap.parse_args()
    home = os.environ.get("INTERVIEW_QA_HOME") if args.skip_full else tempfile.mkdtemp(prefix="iqa-bench-")
    os.environ["INTERVIEW_QA_HOME"] = home
    from interview_qa.settings import Settings
    from ingest.pipeline import ingest
    from rag.service import QAService

    settings = Settings.from_env()
    rows = []
    if not args.skip_full:
        t_full, _ = timed(lambda: ingest(None, settings, show_progress=False))
        rows.append(("full ingest (s)", f"{t_full:.1f}", None))
    t_noop, _ = timed(lambda: ingest(None, settings, show_progress=False))
    t_naive, (texts, emb, vecs) = timed(lambda: naive_index(settings))
    rows.append(("re-ingest, unchanged data (s)", f"{t_noop:.2f}", f"{t_naive:.1f} (re-embeds {len(texts)} chunks)"))

    t_load, service = timed(lambda: QAService.from_settings(settings, build_if_missing=False))
    rows.append(("load index for answering (s)", f"{t_load:.2f}", None))
    service.ask("warm up")
    product = [timed(lambda q=q: service.ask(q))[0] * 1000 for q in QUESTIONS * 4]
    naive = [timed(lambda q=q: (vecs @ emb.query_vector(q)).argsort()[-5:])[0] * 1000 for q in QUESTIONS * 4]
    rows.append(("warm answer, median / max (ms)", f"{statistics.median(product):.0f} / {max(product):.0f}",
                 f"{statistics.median(naive):.0f} / {max(naive):.0f} (retrieval only, no answer)"))

    print(f"{'measure':34} {'product':>22}   naive baseline")
    for name, ours, theirs in rows:
        print(f"{name:34} {ours:>22}   {theirs or '-'}")


if __name__ == "__main__":
    main()
