"""Load benchmark: N concurrent chat users (gradio_client) against `interview-qa serve` for T seconds.

    .venv/bin/python benchmarks/load.py --clients 50 --seconds 60      # starts its own server on 127.0.0.1
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:7860 --server-pid 1234

Each user is one `gradio_client.Client` running a chat: a question from the eval set's dev split (English,
Japanese or Chinese, follow-ups with the turns before them), the answer, sometimes a follow-up of its own,
with `--think` seconds between turns (0: back to back).
Prints completed requests, errors, latency p50/p95/max and the server's resident memory (RSS) at the start
and at its peak, beside the same questions answered in-process one at a time (no server, no concurrency).
Loopback only; clients and duration are bounded. Uses INTERVIEW_QA_HOME's index (built if missing).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MAX_CLIENTS, MAX_SECONDS = 200, 600
QUESTIONS = [
    ("What did he say about distillation?", "And why does that matter?"),
    ("蒸留について彼は何と言いましたか？", "それはなぜですか？"),
    ("微软拥有多少吉瓦的计算能力？", "那么他们的计划是什么？"),
    ("How would he describe Elon Musk?", "What about Sam Altman?"),
    ("What does he mean by humanist superintelligence?", "Is that different from AGI?"),
    ("What does he think about universal basic income?", "And jobs?"),
]


def question_pool() -> list[tuple[str, list[list[str]]]]:
    """What users ask: the eval set's dev questions (never the frozen test split), follow-ups with the turns
    before them; the six example questions if the eval set is not there."""
    try:
        from evals.dataset import load_dataset

        items = load_dataset("dev")
    except Exception:  # noqa: BLE001 - the benchmark still runs without the eval set
        return [(q, []) for q, _ in QUESTIONS]
    def turn(t) -> list[str]:  # earlier questions (their answers are not in the set)
        return [str(t.get("question", "")), str(t.get("answer", ""))] if isinstance(t, dict) else [str(t), ""]

    return [(it["question"], [turn(t) for t in it.get("history") or []]) for it in items if it.get("question")]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time a process has used so far (Linux /proc)."""
    if not pid:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class RssSampler(threading.Thread):
    def __init__(self, pid: int | None):
        super().__init__(daemon=True)
        self.pid, self.start_mb, self.peak_mb = pid, None, None
        self.stop = threading.Event()

    def run(self) -> None:
        while self.pid and not self.stop.is_set():
            mb = rss_mb(self.pid)
            if mb is not None:
                self.start_mb = self.start_mb if self.start_mb is not None else mb
                self.peak_mb = max(self.peak_mb or 0.0, mb)
            self.stop.wait(0.25)


def start_server() -> tuple[subprocess.Popen, str]:
    from ui.testing import free_port, wait_until_up

    port = free_port()
    exe = str(Path(sys.executable).with_name("interview-qa"))
    proc = subprocess.Popen([exe, "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url, timeout=600)
    except Exception:
        proc.kill()
        raise
    return proc, url


def chat_user(url: str, until: float, think: float, seed: int, pool: list, latencies: list, errors: list,
              lock) -> None:
    from gradio_client import Client

    rng = random.Random(seed)
    try:
        client = Client(url, verbose=False)
    except Exception as exc:  # noqa: BLE001 - counted, not raised
        with lock:
            errors.append(f"connect: {type(exc).__name__}: {exc}")
        return
    history: list[list[str]] = []
    if think:  # users arrive over the first think time, not all in the same instant
        time.sleep(rng.uniform(0, think))
    while time.monotonic() < until:
        if history and rng.random() < 0.3:  # a follow-up in this user's own conversation
            question = rng.choice(QUESTIONS)[1]
        else:
            question, history = rng.choice(pool)
            history = [list(turn) for turn in history]
        t = time.monotonic()
        try:
            result = client.predict(question, "All", "All", False, history[-2:], 5, api_name="/ask")
            ok = isinstance(result, dict) and "error" not in result and result.get("answer")
            problem = None if ok else f"bad result: {str(result)[:120]}"
        except Exception as exc:  # noqa: BLE001
            problem = f"{type(exc).__name__}: {str(exc)[:120]}"
        elapsed = time.monotonic() - t
        with lock:
            if problem:
                errors.append(problem)
            else:
                latencies.append(elapsed)
        history = [] if problem or len(history) >= 4 else history + [[question, result["answer"]]]
        if think:
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))


def in_process_reference(pool: list, n: int = 24) -> list[float]:
    """`n` distinct questions of the pool answered in this process, one at a time, by the same service (warm
    model, cold questions): what one answer costs without a server or anyone else."""
    from interview_qa.settings import Settings
    from rag.service import QAService

    service = QAService.from_settings(Settings.from_env(), build_if_missing=True, progress=False)
    service.ask("warm up")
    out = []
    for question, history in pool[:n]:
        t = time.perf_counter()
        service.ask(question, history=[tuple(turn) for turn in history])
        out.append(time.perf_counter() - t)
    return out


# --- the framework floor: the same load against a Gradio /ask that does nothing ------------------------------

def serve_noop(port: int, payload_file: str) -> None:
    """A Gradio app whose /ask (same signature) returns a canned answer of the real size: what Gradio and
    gradio_client cost by themselves on this machine."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import json

    import gradio as gr

    from ui.app import CONCURRENCY

    payload = json.loads(Path(payload_file).read_text(encoding="utf-8"))

    def ask(question: str, interview: str = "All", lang: str = "All", guest_only: bool = False,
            history: list | None = None, k: int = 5) -> dict:
        return payload

    with gr.Blocks() as demo:
        gr.api(ask, api_name="ask")
    demo.queue(default_concurrency_limit=CONCURRENCY).launch(server_name="127.0.0.1", server_port=port, quiet=True)


def start_noop(real_url: str) -> tuple[subprocess.Popen, str]:
    import json
    import tempfile

    from gradio_client import Client

    from ui.testing import free_port, wait_until_up

    answer = Client(real_url, verbose=False).predict(QUESTIONS[0][0], api_name="/ask")
    payload = Path(tempfile.mkstemp(prefix="load-noop-", suffix=".json")[1])
    payload.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--serve-noop", str(port), str(payload)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    wait_until_up(url, timeout=300)
    return proc, url


# --- one load run ------------------------------------------------------------------------------------------------

def run_load(url: str, pid: int | None, clients: int, seconds: float, think: float, pool: list) -> dict:
    sampler = RssSampler(pid)
    sampler.start()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    server_cpu0, client_cpu0 = cpu_seconds(pid), time.process_time()
    t0 = time.monotonic()
    until = t0 + seconds
    users = [threading.Thread(target=chat_user, args=(url, until, think, i, pool, latencies, errors, lock),
                              daemon=True) for i in range(clients)]
    for u in users:
        u.start()
    for u in users:
        u.join(timeout=seconds + 300)
    wall = time.monotonic() - t0
    server_cpu = (cpu_seconds(pid) or 0.0) - (server_cpu0 or 0.0)
    client_cpu = time.process_time() - client_cpu0
    sampler.stop.set()
    ms = [x * 1000 for x in latencies]
    n = max(1, len(latencies))
    return {"completed": len(latencies), "errors": errors, "rps": len(latencies) / wall,
            "p50": percentile(ms, 0.5), "p95": percentile(ms, 0.95), "max": max(ms) if ms else float("nan"),
            "server_cpu_ms": 1000 * server_cpu / n, "client_cpu_ms": 1000 * client_cpu / n,
            "rss": (sampler.start_mb, sampler.peak_mb)}


def _stop(proc: subprocess.Popen | None) -> None:
    if proc is not None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-noop":
        return serve_noop(int(sys.argv[2]), sys.argv[3])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--think", type=float, default=0.0, help="mean seconds a user waits between turns")
    ap.add_argument("--url", default=None, help="a running server on 127.0.0.1 (default: start one)")
    ap.add_argument("--server-pid", type=int, default=None, help="its process id, for RSS (with --url)")
    ap.add_argument("--no-reference", action="store_true", help="skip the in-process one-at-a-time reference")
    ap.add_argument("--floor", action="store_true",
                    help="also run the same load against a Gradio /ask that does nothing (the framework's floor)")
    ap.add_argument("--client-nice", type=int, default=10, help="CPU niceness of the simulated users (0: same as "
                    "the servers)")
    args = ap.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS or not 1 <= args.seconds <= MAX_SECONDS:
        sys.exit(f"error: --clients must be 1-{MAX_CLIENTS} and --seconds 1-{MAX_SECONDS}")
    if args.url and urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("error: this benchmark only drives servers on the loopback interface (127.0.0.1)")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    pool = question_pool()
    reference = [] if args.no_reference else in_process_reference(pool)
    proc = noop = None
    try:
        if args.url:
            url, pid = args.url, args.server_pid
        else:
            proc, url = start_server()
            pid = proc.pid
        if args.floor:
            noop, noop_url = start_noop(url)
        # The users run on this same machine, and gradio_client polls while it waits (two threads per request,
        # every 50 ms): at a lower CPU priority their polling cannot take the servers' CPU. Real users' clients
        # run on their own machines. (The servers were started before, at normal priority.)
        os.nice(args.client_nice)
        served = run_load(url, pid, args.clients, args.seconds, args.think, pool)
        floor = run_load(noop_url, noop.pid, args.clients, args.seconds, args.think, pool) if noop else None
    finally:
        _stop(proc)
        _stop(noop)

    print(f"load: {args.clients} clients x {args.seconds:g} s, think {args.think:g} s, clients at nice "
          f"+{args.client_nice}, {len(pool)} questions; server {url}")
    ref_ms = [x * 1000 for x in reference]
    cols = [("served (product)", served)] + ([("no-op Gradio /ask", floor)] if floor else [])

    def row(name: str, values: list[str], ref: str = "-") -> None:
        print(f"{name:36}" + "".join(f"{v:>22}" for v in values) + f"   {ref}")

    row("measure", [c for c, _ in cols], "in-process, one at a time")
    row("completed requests", [f"{r['completed']}" for _, r in cols], f"{len(reference)}" if reference else "-")
    row("errors", [f"{len(r['errors'])}" for _, r in cols])
    row("throughput (req/s)", [f"{r['rps']:.1f}" for _, r in cols],
        f"{len(reference) / sum(reference):.1f}" if reference else "-")
    for key, label in (("p50", "latency p50 (ms)"), ("p95", "latency p95 (ms)"), ("max", "latency max (ms)")):
        q = {"p50": 0.5, "p95": 0.95, "max": 1.0}[key]
        row(label, [f"{r[key]:.0f}" for _, r in cols], f"{percentile(ref_ms, q):.0f}" if reference else "-")
    row("CPU per request, server / clients (ms)",
        [f"{r['server_cpu_ms']:.0f} / {r['client_cpu_ms']:.0f}" for _, r in cols])
    row("server RSS start / peak (MB)", [f"{r['rss'][0] or float('nan'):.0f} / {r['rss'][1] or float('nan'):.0f}"
                                         for _, r in cols])
    if served["errors"]:
        print("first errors:", *sorted(set(served["errors"]))[:5], sep="\n  ")
    print(f"load-summary: completed={served['completed']} errors={len(served['errors'])} p50_ms={served['p50']:.0f} "
          f"p95_ms={served['p95']:.0f} max_ms={served['max']:.0f} rss_peak_mb={served['rss'][1] or float('nan'):.0f}")
    sys.exit(1 if served["errors"] or not served["completed"] else 0)


if __name__ == "__main__":
    main()
