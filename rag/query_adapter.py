"""A linear map of question embeddings towards the passages the question bank says answer them.

The bundled embedder puts a question only loosely near its answer (the best raw cosine ranks a dev question's gold
passage first for about one in four). The question bank pairs some 3,500 questions with the passages answering
them; a matrix W, fitted so that the cosine of W·question to the chunks of those passages beats every other
chunk's (softmax over the chunks at a temperature, W held near the identity by a penalty), carries that pairing to
questions nobody wrote down. Its cosines are two more features of the bank ranker (rag.ranker.BANK_FEATURES).

W is fitted by evals/fit_ranker.py --adapter, its penalty and temperature chosen by the bank ranker's grouped
cross-validation on the dev split, and kept in rag/query_adapter.npz with the embedder it was fitted for.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

ADAPTER_FILE = Path(__file__).with_name("query_adapter.npz")


def fit_adapter(questions: np.ndarray, chunks: np.ndarray, positive: np.ndarray, penalty: float,
                temperature: float, steps: int = 300, lr: float = 2e-3) -> np.ndarray:
    """W minimising the mean over `questions` (unit rows) of -log P(a positive chunk), P the softmax over
    `chunks` (unit rows) of cosine(question·W, chunk) / `temperature`, plus `penalty`·|W - I|²; `positive` is the
    questions × chunks mask of the chunks answering each. Full-batch Adam from the identity: deterministic."""
    q = np.asarray(questions, dtype=np.float64)
    c = np.asarray(chunks, dtype=np.float64)
    keep = positive.any(axis=1)
    q, positive = q[keep], positive[keep]
    eye = np.eye(q.shape[1])
    w, m, v = eye.copy(), np.zeros_like(eye), np.zeros_like(eye)
    for step in range(1, steps + 1):
        logits = (q @ w) @ c.T / temperature
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        on_positive = np.where(positive, p, 0.0)
        target = on_positive / on_positive.sum(axis=1, keepdims=True)
        grad = q.T @ ((p - target) @ c) / (temperature * len(q)) + 2 * penalty * (w - eye)
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= lr * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
    return w.astype(np.float16).astype(np.float32)  # as kept (rag/query_adapter.npz)


def adapt(w: np.ndarray | None, query_vector: np.ndarray) -> np.ndarray:
    """The query vector moved by W, unit length (unchanged without W)."""
    if w is None:
        return query_vector
    moved = np.asarray(query_vector, dtype=np.float32) @ w
    return moved / (np.linalg.norm(moved) or 1.0)


def save_adapter(w: np.ndarray, meta: dict, path: Path = ADAPTER_FILE) -> None:
    np.savez_compressed(path, w=w.astype(np.float16), meta=np.array(json.dumps(meta, ensure_ascii=False)))
    load_adapter.cache_clear()


@functools.lru_cache(maxsize=4)
def load_adapter(embedder: str, dim: int, path: Path = ADAPTER_FILE) -> np.ndarray | None:
    """The committed W for `embedder`'s `dim`-wide vectors; None when there is none for them (another embedder:
    the adapted features are then the raw cosines)."""
    if not path.exists():
        return None
    with np.load(path) as data:
        meta = json.loads(str(data["meta"]))
        w = data["w"].astype(np.float32)
    if meta.get("embedder") != embedder or w.shape != (dim, dim):
        return None
    return w


def adapter_meta(path: Path = ADAPTER_FILE) -> dict:
    """What the committed W was fitted on and how it was chosen ({} without one)."""
    if not path.exists():
        return {}
    with np.load(path) as data:
        return json.loads(str(data["meta"]))
