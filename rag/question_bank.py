"""The question bank: questions written from the transcripts alone, each with the passages that answer it.

A user's question close in meaning to a bank question points at that question's passages (doc2query, with
the questions written by hand instead of generated): it reaches a passage through the ways people ask about
it, not only through its own words, and in every language the bank asks in, so a Japanese question finds a
passage that exists only in Chinese through a Japanese bank question about it.

`rag/data/question_bank.jsonl` holds one question per line: {"question", "lang", "kind", "passages": [chunk
ids, any language version], "source"}. `source` says where it comes from: `bank-A` … `bank-J` and `bank-M` …
`bank-P` (1,894 questions), written passage by passage for this bank by helpers who read only the transcripts,
three passes over every guest turn and note of substance; `probes-*` (586), the blind probe sets' questions
with the passages they name (every set but the held-out `b` and `l`). None was written from the eval questions, the
code or the product's answers, so none is an eval question, and the ranker weighing it is still fitted on
dev by cross-validation. Bank questions are embedded as queries; the bundled interviews ship their vectors
in the embedding cache (`interview-qa cache-embeddings`), so a fresh clone embeds none of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BANK_FILE = Path(__file__).with_name("data") / "question_bank.jsonl"
QUERY_KEY = "\0query\0"  # cache key of a bank question: its vector is a query's, never a passage's
NO_BANK_COSINE = 0.7     # what `nearest` gives a passage no bank question points at (about the median cosine)
NO_BANK_Z = -4.0


@dataclass(frozen=True)
class BankQuestion:
    question: str
    lang: str
    passages: tuple[str, ...]


def load_bank(path: Path = BANK_FILE) -> list[BankQuestion]:
    """The bank's questions; a missing file is an empty bank (retrieval then works without it)."""
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not row.get("question") or not row.get("passages"):
            raise ValueError(f"{path}:{n}: a bank question needs its text and the passages that answer it")
        out.append(BankQuestion(row["question"], row.get("lang", ""), tuple(row["passages"])))
    return out


def bank_texts(bank: list[BankQuestion]) -> list[str]:
    """The cache keys of the bank's vectors, in the bank's order."""
    return [QUERY_KEY + q.question for q in bank]


def bank_vectors(bank: list[BankQuestion], caches: list, embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """Unit query vectors of the bank's questions: from the first cache holding each, the rest embedded."""
    keys = bank_texts(bank)
    rows: list[np.ndarray | None] = []
    for key in keys:
        rows.append(next((v for v in (c.get(key) for c in caches) if v is not None), None))
    todo = [i for i, r in enumerate(rows) if r is None]
    if todo:
        fresh = embed([bank[i].question for i in todo])
        for i, v in zip(todo, fresh):
            rows[i] = v
    if not rows:
        return np.zeros((0, 0), dtype=np.float32)
    vectors = np.stack(rows).astype(np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


class QuestionBank:
    """Bank vectors with, for each, the passages (positions in the index's passage list) it points at."""

    def __init__(self, vectors: np.ndarray, targets: list[list[int]], n_passages: int):
        pairs = [(q, p) for q, ps in enumerate(targets) for p in ps]
        self.vectors = vectors
        self._rows = np.array([q for q, _ in pairs], dtype=np.int64)
        self._passages = np.array([p for _, p in pairs], dtype=np.int64)
        self.n_passages = n_passages

    def __len__(self) -> int:
        return len(self.vectors)

    def passages_pointed_at(self) -> set[int]:
        return set(self._passages.tolist())

    def nowhere(self) -> tuple[np.ndarray, np.ndarray]:
        """`nearest`'s columns as for a passage no bank question points at, for every passage."""
        return np.full(self.n_passages, NO_BANK_COSINE), np.full(self.n_passages, NO_BANK_Z)

    def closest(self, query_vector: np.ndarray) -> float:
        """The cosine of the bank question closest to the query, whatever it points at (0.0 for an empty bank)."""
        return float((self.vectors @ query_vector).max()) if len(self) else 0.0

    def nearest(self, query_vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per passage: the best cosine of a bank question pointing at it, and that cosine standardised over the
        whole bank (how much closer than the bank's usual question it is)."""
        cos, z = self.nowhere()
        if not len(self._rows):
            return cos, z
        s = self.vectors @ query_vector
        sz = (s - s.mean()) / (s.std() or 1.0)
        best = np.full(self.n_passages, -np.inf)
        best_z = np.full(self.n_passages, -np.inf)
        np.maximum.at(best, self._passages, s[self._rows])
        np.maximum.at(best_z, self._passages, sz[self._rows])
        has = np.isfinite(best)
        cos[has], z[has] = best[has], best_z[has]
        return cos, z


def index_bank(store, group: dict[str, str], key_pos: dict[str, int]) -> QuestionBank:
    """The bank for an index: its vectors (kept with the index, `store.derived`) and, for each question, the
    index's passages it points at; a passage id the index lacks (another corpus) is left out."""
    from ingest.embedding_cache import EmbeddingCache, bundled_path, home_path, model_id

    bank = load_bank()
    settings = store.settings

    def vectors() -> np.ndarray:
        model = model_id(settings)
        caches = [EmbeddingCache.load(bundled_path(settings), model), EmbeddingCache.load(home_path(settings), model)] \
            if settings.embedding_cache else []
        return bank_vectors(bank, caches, lambda texts: store.embeddings.queries(texts))

    targets = [sorted({key_pos[group[c]] for c in q.passages if c in group}) for q in bank]
    return QuestionBank(store.derived("question_bank", vectors), targets, len(key_pos))
