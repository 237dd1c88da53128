"""Server mode shares safely: several homes on one real `chroma run`, a server that comes back empty, a server
killed while answering. Nothing here is faked; the data are two small labelled transcripts."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from interview_qa.errors import IndexMissingError, StoreUnavailableError
from interview_qa.settings import Settings
from ingest.pipeline import ingest
from ingest.store import ChunkStore, IndexState, chroma_client, collection_prefix
from rag.service import QAService
from tests.small_talk import TALK as ADA

REPO = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).with_name("interview-qa"))

GRACE = ("---\nguest: Grace Hopper\n---\nHOST: Why did you build a compiler?\n\n"
         "GRACE HOPPER: Nobody believed that I had a running compiler and nobody would touch it.\n\n"
         "HOST: What about the bug in the relay?\n\nGRACE HOPPER: We found a moth stuck in the relay and taped "
         "it into the logbook.\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    """A real `chroma run` on 127.0.0.1 that a test can kill, restart, or restart on an empty folder."""

    def __init__(self, path: Path):
        self.exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
        self.port = _free_port()
        self.path = path
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, path: Path | None = None) -> "ChromaServer":
        self.path = path or self.path
        self.proc = subprocess.Popen([self.exe, "run", "--path", str(self.path), "--host", "127.0.0.1",
                                      "--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                assert self.proc.poll() is None, "chroma server exited"
                time.sleep(0.2)
        self.kill()
        pytest.fail("chroma server did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server(tmp_path):
    srv = ChromaServer(tmp_path / "server-data").start()
    yield srv
    srv.stop()


def _home(tmp_path: Path, name: str, server: ChromaServer, text: str) -> tuple[Settings, Path]:
    home = tmp_path / name
    talk = tmp_path / f"{name}-talk.txt"
    talk.write_text(text, encoding="utf-8")
    settings = Settings.from_env().with_(home=home, chroma_url=server.url)
    return settings, talk


def _lost_chunks(settings: Settings) -> int:
    """How many records state.json promises that the server does not hold (0 when the index is intact)."""
    state = IndexState.load(settings.index_dir)
    store = ChunkStore(settings, state)
    try:
        held = store.client.get_collection(state.collection).count()
    except Exception:  # noqa: BLE001 - a dropped collection holds nothing
        held = 0
    return state.expected_records - held


def _cli(args: list[str], settings: Settings, timeout: float = 180) -> subprocess.CompletedProcess:
    env = dict(os.environ, INTERVIEW_QA_HOME=str(settings.home), INTERVIEW_QA_CHROMA_URL=settings.chroma_url or "",
               HF_HUB_OFFLINE="1")
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO)


def _one_line_error(proc: subprocess.CompletedProcess, *words: str) -> str:
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def test_two_homes_share_one_server_in_any_order(server, tmp_path):
    a, ada = _home(tmp_path, "home-a", server, ADA)
    b, grace = _home(tmp_path, "home-b", server, GRACE)
    assert collection_prefix(a) != collection_prefix(b)

    assert not ingest([ada], a, show_progress=False).failed
    assert not ingest([grace], b, show_progress=False).failed  # used to drop A's live collection
    assert _lost_chunks(a) == 0 and _lost_chunks(b) == 0

    # Re-ingest changed data in both homes, alternately; ask in between; nothing of the other home is lost.
    ada.write_text(ADA + "\nCHARLES: Anything else?\n\nADA LOVELACE: The engine has no pretensions to originate "
                   "anything.\n", encoding="utf-8")
    assert {r.status for r in ingest([ada], a, show_progress=False).results} == {"updated"}
    assert QAService.from_settings(b, build_if_missing=False).ask("Why was there a moth?").citations
    grace.write_text(GRACE + "\nHOST: And now?\n\nGRACE HOPPER: The most dangerous phrase is we've always done it "
                     "this way.\n", encoding="utf-8")
    assert {r.status for r in ingest([grace], b, show_progress=False).results} == {"updated"}
    answer = QAService.from_settings(a, build_if_missing=False).ask("Can the engine originate anything?")
    assert answer.citations and answer.citations[0].speaker == "Ada Lovelace"
    assert _lost_chunks(a) == 0 and _lost_chunks(b) == 0

    # Each home's collections carry its own prefix; exactly one live collection each, nothing else left.
    names = sorted(c.name for c in chroma_client(a).list_collections())
    assert names == sorted([IndexState.load(a.index_dir).collection, IndexState.load(b.index_dir).collection])
    assert names[0] != names[1]

    # Unchanged re-ingest verifies the served collection and touches nothing.
    assert {r.status for r in ingest([ada], a, show_progress=False).results} == {"unchanged"}
    assert {r.status for r in ingest([grace], b, show_progress=False).results} == {"unchanged"}


def test_a_copied_home_gets_its_own_namespace(server, tmp_path):
    a, ada = _home(tmp_path, "home-a", server, ADA)
    assert not ingest([ada], a, show_progress=False).failed
    shutil.copytree(a.home, tmp_path / "home-copy")
    copy = a.with_(home=tmp_path / "home-copy")
    assert collection_prefix(copy) != collection_prefix(a)
    ada.write_text(ADA + "\nCHARLES: Last word?\n\nADA LOVELACE: Imagination is the discovering faculty.\n",
                   encoding="utf-8")
    assert {r.status for r in ingest([ada], copy, show_progress=False).results} == {"updated"}
    assert _lost_chunks(a) == 0 and _lost_chunks(copy) == 0


def test_a_server_restarted_empty_is_detected_and_rebuilt(server, tmp_path):
    a, ada = _home(tmp_path, "home-a", server, ADA)
    assert not ingest([ada], a, show_progress=False).failed
    server.stop()
    server.start(tmp_path / "empty-server-data")

    # ask says what happened in one line and what to do.
    with pytest.raises(IndexMissingError, match="missing.*run `interview-qa ingest`"):
        QAService.from_settings(a, build_if_missing=True)
    _one_line_error(_cli(["ask", "Could it compose music?"], a), "missing", "interview-qa ingest")

    report = ingest([ada], a, show_progress=False)  # used to say "unchanged" and rebuild nothing
    assert {r.status for r in report.results} == {"rebuilt"}
    assert any("missing" in n for n in report.notes)
    assert _lost_chunks(a) == 0
    assert QAService.from_settings(a, build_if_missing=False).ask("Could it compose music?").citations

    # A collection emptied or altered behind the index's back is caught by the count and the content hash.
    col = chroma_client(a).get_collection(IndexState.load(a.index_dir).collection)
    first = col.get(limit=1, include=["documents", "metadatas"])
    col.update(ids=first["ids"], documents=["tampered"], metadatas=first["metadatas"])
    assert {r.status for r in ingest([ada], a, show_progress=False).results} == {"rebuilt"}
    col = chroma_client(a).get_collection(IndexState.load(a.index_dir).collection)
    col.delete(ids=col.get(limit=1)["ids"])
    with pytest.raises(IndexMissingError, match="holds"):
        QAService.from_settings(a, build_if_missing=False)
    assert {r.status for r in ingest([ada], a, show_progress=False).results} == {"rebuilt"}
    assert _lost_chunks(a) == 0


def test_a_server_killed_while_answering_then_restarted(server, tmp_path):
    a, ada = _home(tmp_path, "home-a", server, ADA)
    assert not ingest([ada], a, show_progress=False).failed
    running = QAService.from_settings(a, build_if_missing=False)  # what `serve` holds

    # Killed while a CLI ask is under way (loading the model, reading the index): one line, exit 1.
    env = dict(os.environ, INTERVIEW_QA_HOME=str(a.home), INTERVIEW_QA_CHROMA_URL=a.chroma_url, HF_HUB_OFFLINE="1")
    proc = subprocess.Popen([CLI, "ask", "Could it compose music?"], env=env, cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.0)
    server.kill()
    out, err = proc.communicate(timeout=180)
    _one_line_error(subprocess.CompletedProcess(proc.args, proc.returncode, out, err), "Chroma server")

    # The running service answers from the index it holds in memory.
    assert running.ask("Could it compose music?").citations
    with pytest.raises(StoreUnavailableError, match="cannot reach the Chroma server"):
        QAService.from_settings(a, build_if_missing=False)
    for args in (["ask", "Could it compose music?"], ["chunks"], ["ingest", "--quiet"]):
        _one_line_error(_cli(args, a), "cannot reach the Chroma server")

    server.start()  # same data folder: everything is still there
    assert {r.status for r in ingest([ada], a, show_progress=False).results} == {"unchanged"}
    done = _cli(["ask", "Could it compose music?"], a)
    assert done.returncode == 0 and "music" in done.stdout, done.stderr
