"""The same ingest and answering against a real Chroma server (`chroma run`) instead of the embedded store."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from interview_qa.settings import Settings
from ingest.pipeline import ingest
from rag.service import QAService
from tests.small_talk import TALK


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = _free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            assert proc.poll() is None, "chroma server exited"
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma server did not start")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)


def test_ingest_and_answer_through_a_chroma_server(chroma_server, tmp_path, monkeypatch):
    monkeypatch.setenv("INTERVIEW_QA_CHROMA_URL", chroma_server)
    talk = tmp_path / "talk.txt"
    talk.write_text(TALK, encoding="utf-8")
    settings = Settings.from_env()
    report = ingest([talk], settings, show_progress=False)
    assert not report.failed
    service = QAService.from_settings(settings, build_if_missing=False)
    answer = service.ask("Could the engine make music?")
    assert answer.citations[0].speaker == "Ada Lovelace"
    assert "music" in answer.citations[0].quote
    # Re-ingesting unchanged data touches nothing on the server either.
    assert {r.status for r in ingest([talk], settings, show_progress=False).results} == {"unchanged"}
