"""Incremental, atomic ingest and bad input, on small labelled transcripts (real embedder, real Chroma)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from interview_qa.cli import cli
from interview_qa.settings import Settings
from ingest import pipeline
from ingest.pipeline import ingest
from ingest.store import ChunkStore, IndexState


def transcript(topic: str, turns: int = 4) -> str:
    lines = ["---", f"title: {topic} talk", "guest: Ada Lovelace", "host: Charles Babbage", "---", ""]
    for i in range(turns):
        lines.append(f"CHARLES BABBAGE: Question {i}: what do you think about {topic} number {i}?")
        lines.append("")
        lines.append(f"ADA LOVELACE: About {topic} {i}, I believe the analytical engine weaves patterns "
                     f"the way a loom weaves flowers and leaves, case {i}.")
        lines.append("")
    return "\n".join(lines)


@pytest.fixture
def two_files(tmp_path):
    a, b = tmp_path / "looms.txt", tmp_path / "engines.txt"
    a.write_text(transcript("looms"), encoding="utf-8")
    b.write_text(transcript("engines"), encoding="utf-8")
    return a, b


def _records(settings):
    store = ChunkStore.open_existing(settings)
    got = store.collection.get(include=["documents", "embeddings", "metadatas"])
    return store, {i: (d, np.asarray(e)) for i, d, e in zip(got["ids"], got["documents"], got["embeddings"])}


def test_rerun_on_unchanged_data_adds_nothing_and_loads_nothing(two_files, monkeypatch):
    settings = Settings.from_env()
    first = ingest(list(two_files), settings, show_progress=False)
    assert {r.status for r in first.results} == {"added"}
    _, before = _records(settings)
    collection = IndexState.load(settings.index_dir).collection

    # The no-op path must not open Chroma or load a model: that is what keeps it fast.
    monkeypatch.setattr("ingest.store.ChunkStore.__init__", lambda *a, **k: pytest.fail("store opened"))
    again = ingest(list(two_files), settings, show_progress=False)
    monkeypatch.undo()
    assert {r.status for r in again.results} == {"unchanged"}
    assert IndexState.load(settings.index_dir).collection == collection
    _, after = _records(settings)
    assert after.keys() == before.keys()


def test_changing_one_file_replaces_only_its_chunks(two_files):
    settings = Settings.from_env()
    a, b = two_files
    ingest([a, b], settings, show_progress=False)
    _, before = _records(settings)
    a.write_text(transcript("looms", turns=2).replace("weaves patterns", "computes Bernoulli numbers"), encoding="utf-8")
    report = ingest([a, b], settings, show_progress=False)
    assert {r.interview: r.status for r in report.results} == {"looms": "updated", "engines": "unchanged"}
    store, after = _records(settings)
    engines_before = {k: v for k, v in before.items() if k.startswith("engines:")}
    engines_after = {k: v for k, v in after.items() if k.startswith("engines:")}
    assert engines_before.keys() == engines_after.keys()
    for k in engines_before:  # the untouched interview is carried over, not re-embedded
        assert engines_before[k][0] == engines_after[k][0]
        assert np.allclose(engines_before[k][1], engines_after[k][1])
    looms = [v[0] for k, v in after.items() if k.startswith("looms:")]
    assert len(looms) == 4  # 2 questions + 2 answers, no leftovers from the 8-turn version
    assert any("Bernoulli" in t for t in looms) and not any("weaves patterns" in t for t in looms)
    assert len(after) == len(set(after))
    assert len(store.client.list_collections()) == 1


def test_killed_ingest_leaves_previous_index_answering(tmp_path, monkeypatch):
    home = tmp_path / "home"
    env = {**os.environ, "INTERVIEW_QA_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    small = tmp_path / "talk.txt"
    small.write_text(transcript("looms"), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "interview_qa", "ingest", "--quiet", str(small)], env=env, check=True,
                   capture_output=True)
    state_before = (home / "index" / "state.json").read_text()
    # Same interview id, much longer: embedding takes a while, and we kill it in the middle.
    small.write_text(transcript("looms", turns=300), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "interview_qa", "ingest", str(small)], env=env,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    seen = ""
    deadline = time.time() + 120
    while "embedding" not in seen and time.time() < deadline:
        seen += proc.stderr.read(1) or ""
        if proc.poll() is not None:
            break
    time.sleep(1.0)
    assert proc.poll() is None, "ingest finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (home / "index" / "state.json").read_text() == state_before

    monkeypatch.setenv("INTERVIEW_QA_HOME", str(home))
    from rag.service import QAService

    service = QAService.from_settings(Settings.from_env(), build_if_missing=False)
    texts = [c.text for c in service.store.chunks()]
    assert len(texts) == 8 and not any("number 299" in t for t in texts)
    answer = service.ask("What does Ada think about looms number 2?")
    assert answer.citations and any(answer.citations[0].quote in t for t in texts)


# Run ingest in a child process that dies by SIGKILL (no cleanup, no finally) on its second write to Chroma:
# inside ChunkStore.commit, after the staging collection got its first batch and before the rest.
_KILL_ON_SECOND_WRITE = """
import os, signal, sys
from pathlib import Path
from chromadb.api.models.Collection import Collection
real_add, calls = Collection.add, []
def add(self, *args, **kwargs):
    calls.append(self.name)
    if len(calls) == 2:
        sys.stderr.write("killed between writes to " + self.name + "\\n"); sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    return real_add(self, *args, **kwargs)
Collection.add = add
from interview_qa.settings import Settings
from ingest.pipeline import ingest
ingest([Path(p) for p in sys.argv[1:]], Settings.from_env(), show_progress=False)
"""


def _own_collections(settings) -> list[str]:
    store = ChunkStore(settings)
    return sorted(c if isinstance(c, str) else c.name for c in store.client.list_collections())


def test_kill_inside_commit_keeps_the_live_index_and_the_orphan_is_cleaned_up(two_files, tmp_path, monkeypatch):
    settings = Settings.from_env()
    looms, engines = two_files
    assert not ingest([looms, engines], settings, show_progress=False).failed
    state_before = (settings.index_dir / "state.json").read_text()
    live = IndexState.load(settings.index_dir).collection
    _, records_before = _records(settings)

    engines.write_text(transcript("engines", turns=6), encoding="utf-8")  # looms kept (copied), engines rewritten
    proc = subprocess.run([sys.executable, "-c", _KILL_ON_SECOND_WRITE, str(looms), str(engines)],
                          env={**os.environ, "HF_HUB_OFFLINE": "1"}, capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert "killed between writes to iqa-" in proc.stderr

    # The live index is untouched: same state, same collection, same records, and it still answers.
    assert (settings.index_dir / "state.json").read_text() == state_before
    collections = _own_collections(settings)
    assert live in collections and len(collections) == 2  # the live one and the half-written orphan
    _, records_after = _records(settings)
    assert records_after.keys() == records_before.keys()
    from rag.service import QAService

    answer = QAService.from_settings(Settings.from_env(), build_if_missing=False).ask("What about engines number 2?")
    assert answer.citations

    # The next ingest publishes the change and removes the orphan: only its own new collection remains.
    assert not ingest([looms, engines], Settings.from_env(), show_progress=False).failed
    state = IndexState.load(settings.index_dir)
    assert _own_collections(settings) == [state.collection] and state.collection != live
    assert any("number 5" in c.text for c in ChunkStore.open_existing(Settings.from_env()).chunks())


@pytest.mark.parametrize("name, content, reason", [
    ("missing.txt", None, "no such file"),
    ("empty.txt", b"", "empty file"),
    ("blob.bin", b"\x89PNG\x00\x00\x01binary", "binary file"),
    ("latin1.txt", "Caf\xe9 au lait: a talk".encode("latin-1"), "not UTF-8"),
    ("notes.txt", b"just some prose without any speaker labels at all.\nAnother line.", "unknown layout"),
])
def test_bad_input_gets_one_clear_line_and_the_rest_is_ingested(tmp_path, name, content, reason):
    good = tmp_path / "good.txt"
    good.write_text(transcript("looms"), encoding="utf-8")
    bad = tmp_path / name
    if content is not None:
        bad.write_bytes(content)
    result = CliRunner().invoke(cli, ["ingest", "--quiet", str(bad), str(good)])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(bad) in errors[0] and reason in errors[0], result.output
    assert "added" in result.output and " good " in result.output
    state = IndexState.load(Settings.from_env().index_dir)
    assert list(state.documents) == ["good"]


LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost", "0.0.0.0", None, ""}
OFFLINE_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "TIKTOKEN_CACHE_DIR",
                "ANONYMIZED_TELEMETRY", "CHROMA_ANONYMIZED_TELEMETRY", "POSTHOG_DISABLED", "DO_NOT_TRACK")


def test_ingest_makes_no_network_calls(two_files, monkeypatch, tmp_path):
    """Only loopback and local sockets may be touched (Chroma telemetry, model hubs, tiktoken downloads): name
    lookups and connects are both guarded, no offline switch is pre-set, and tiktoken starts cold."""
    import tiktoken.registry

    import ingest.offline_tiktoken as offline_tiktoken

    for var in OFFLINE_VARS:  # the product must be offline by itself, not because the test said so
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("INTERVIEW_QA_HOME", str(tmp_path / "cold-home"))  # empty tiktoken cache, no index
    monkeypatch.setattr(offline_tiktoken, "_ENCODING", None)  # no encoding loaded by an earlier test
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})

    attempts: list[tuple[str, object]] = []
    real_getaddrinfo, real_connect, real_connect_ex = socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex

    def guarded_getaddrinfo(host, *args, **kwargs):
        if (host.decode() if isinstance(host, bytes) else host) not in LOCAL_HOSTS:
            attempts.append(("getaddrinfo", host))  # recorded too, in case the caller swallows the error
            raise socket.gaierror(socket.EAI_NONAME, f"test: no network (lookup of {host})")
        return real_getaddrinfo(host, *args, **kwargs)

    def remote(sock, address) -> bool:
        host = address[0] if isinstance(address, tuple) else None
        return sock.family in (socket.AF_INET, socket.AF_INET6) and host not in LOCAL_HOSTS

    def guarded_connect(sock, address):
        if remote(sock, address):
            attempts.append(("connect", address))
            raise OSError(f"test: no network (connect to {address})")
        return real_connect(sock, address)

    def guarded_connect_ex(sock, address):
        if remote(sock, address):
            attempts.append(("connect_ex", address))
            return 101  # ENETUNREACH
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    report = ingest(list(two_files), Settings.from_env(), show_progress=False)
    assert not report.failed
    assert attempts == []
    # tiktoken really was loaded in this test, from the files written into the empty cache
    assert "o200k_base" in tiktoken.registry.ENCODINGS
    assert any((tmp_path / "cold-home").rglob("*")) and Path(os.environ["TIKTOKEN_CACHE_DIR"]).is_relative_to(tmp_path)


def test_state_file_is_json_with_counts(two_files):
    settings = Settings.from_env()
    ingest(list(two_files), settings, show_progress=False)
    state = json.loads((settings.index_dir / "state.json").read_text())
    assert state["documents"]["looms"]["counts"] == {"en": {"guest": 4, "host": 4}}
    assert pipeline.INGEST_VERSION
    assert Path(state["documents"]["looms"]["source"]).name == "looms.txt"
