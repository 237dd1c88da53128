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


def test_ingest_makes_no_network_calls(two_files, monkeypatch):
    """Only loopback and local sockets may be touched (Chroma telemetry, model hubs, tiktoken downloads)."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"network call to {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(two_files[0].parent / "tiktoken"))
    report = ingest(list(two_files), Settings.from_env(), show_progress=False)
    assert not report.failed


def test_state_file_is_json_with_counts(two_files):
    settings = Settings.from_env()
    ingest(list(two_files), settings, show_progress=False)
    state = json.loads((settings.index_dir / "state.json").read_text())
    assert state["documents"]["looms"]["counts"] == {"en": {"guest": 4, "host": 4}}
    assert pipeline.INGEST_VERSION
    assert Path(state["documents"]["looms"]["source"]).name == "looms.txt"
