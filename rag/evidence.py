"""Sentence-level evidence: how close each sentence of a quotable passage is to the question, by meaning.

A quote is the one or two sentences of a passage that answer; choosing them by shared words alone quotes the
sentence that repeats the question's words, often one before the point. Each sentence's cosine to the
question (the ingest embedder, `passage:` side) is standardised within its passage and added to the shared
words' score (`rag.extractive.best_window`). On dev, of the answers quoting a gold passage, the quoted
sentences held a gold sentence in 115 of 186 with words alone and 133 of 185 with this added (weight 0.5;
1, 2 and 4 gave 130–131).

Sentence vectors come from the shipped embedding cache (the bundled interviews' sentences are in it, so the
demo corpus never embeds one at answer time), then from memory, else from the embedder, once per process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

SENTENCE_DENSE_WEIGHT = 0.5  # chosen on dev (see above)
MEMORY_SENTENCES = 50_000  # sentence vectors kept in memory beyond the shipped cache (≈ 77 MB at 384 dims)


class SentenceVectors:
    """Unit vectors of sentences: shipped cache, then memory, then the embedder (thread-safe)."""

    def __init__(self, embeddings, shipped=None, memory: int = MEMORY_SENTENCES):
        self.embeddings = embeddings
        self.shipped = shipped  # an ingest.embedding_cache.EmbeddingCache, or None
        self.memory = memory
        self._seen: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.embedded = 0

    def _known(self, text: str) -> np.ndarray | None:
        if self.shipped is not None:
            v = self.shipped.get(text)
            if v is not None:
                return np.asarray(v, dtype=np.float32)
        v = self._seen.get(text)
        if v is not None:
            self._seen.move_to_end(text)
        return v

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            rows = [self._known(t) for t in texts]
            todo = list(dict.fromkeys(t for t, v in zip(texts, rows) if v is None))
        if todo:
            fresh = dict(zip(todo, self.embeddings.passages(todo)))
            with self._lock:
                self.embedded += len(todo)
                for t, v in fresh.items():
                    self._seen[t] = v
                while len(self._seen) > self.memory:
                    self._seen.popitem(last=False)
            rows = [v if v is not None else fresh[t] for t, v in zip(texts, rows)]
        return np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)


def similarity_to(query_vector: np.ndarray, vectors: SentenceVectors) -> Callable[[Sequence[str]], np.ndarray]:
    """For one question: sentences → their cosines to it."""
    def cosines(sentences: Sequence[str]) -> np.ndarray:
        return vectors.vectors(sentences) @ query_vector if sentences else np.zeros(0)
    return cosines
