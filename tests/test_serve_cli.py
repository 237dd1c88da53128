"""`interview-qa serve` as a user runs it: on the port and host asked for, and `--open` opens the browser."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RECORDER = 'import sys, pathlib; pathlib.Path(sys.argv[1]).write_text(sys.argv[2])'


def _serve(home: Path, port: int, *extra: str, env_extra: dict | None = None) -> subprocess.Popen:
    env = dict(os.environ, INTERVIEW_QA_HOME=str(home), HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    env.update(env_extra or {})
    cli = [sys.executable, "-m", "interview_qa", "serve", "--port", str(port), *extra]
    return subprocess.Popen(cli, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out or ""


def _wait_for(predicate, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            raise AssertionError(f"serve exited early:\n{_stop(proc)}")
        time.sleep(0.3)
    raise AssertionError(f"timed out:\n{_stop(proc)}")


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:  # noqa: S310 - 127.0.0.1 only
            return resp.status == 200
    except OSError:
        return False


def test_serve_open_opens_the_browser_at_the_chat(indexed_home, tmp_path):
    from ui.testing import free_port

    port = free_port()
    opened = tmp_path / "opened.txt"
    # webbrowser runs $BROWSER with the URL: a recorder stands in for the user's browser.
    browser = f"{sys.executable} -c '{RECORDER}' {opened} %s"
    proc = _serve(indexed_home, port, "--open", env_extra={"BROWSER": browser})
    try:
        _wait_for(opened.exists, proc)
        url = opened.read_text().strip()
        assert url.rstrip("/") in (f"http://127.0.0.1:{port}", f"http://localhost:{port}"), url
        assert _up(url)
    finally:
        out = _stop(proc)
    assert f"http://127.0.0.1:{port}/" in out


def test_serve_without_open_leaves_the_browser_alone(indexed_home, tmp_path):
    from ui.testing import free_port

    port = free_port()
    opened = tmp_path / "opened.txt"
    proc = _serve(indexed_home, port, env_extra={"BROWSER": f"{sys.executable} -c '{RECORDER}' {opened} %s"})
    try:
        _wait_for(lambda: _up(f"http://127.0.0.1:{port}/"), proc)
        time.sleep(2)
        assert not opened.exists()
    finally:
        _stop(proc)
