"""Hybrid cross-lingual retrieval: dense (Chroma + the ingest embedder) and BM25, fused by reciprocal rank.

A hit in a translation and a hit in its original are the same words: they become one passage (one slot),
carrying every language version, so a Japanese question can quote the Japanese and show the English.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ingest.models import Chunk
from ingest.store import ChunkStore
from ingest.text import LANGS, detect_lang
from rag.lexical import content_tokens, tokenize

RRF_K = 60
CANDIDATES = 40
ANSWER_LIFT = 1.01
# Passages that don't exist in the question's language (the Bloomberg piece for a Japanese question, the
# Chinese-only tail for an English one) get BM25 votes from no one: an extra dense vote restores them.
# Measured on the eval set: ja hit@5 0.667 -> 0.778, MRR 0.526 -> 0.640; en and zh unchanged.
UNCOVERED_WEIGHT = 0.5
# "Did he say X?": a host/editor passage must out-match the guest's best by this ratio (and an absolute floor);
# passages within WHO_SAID_KEEP of the best are cited too.
WHO_SAID_RATIO = 1.1
WHO_SAID_MIN = 1.5
WHO_SAID_KEEP = 0.35
WHO_SAID_MAX = 3


@dataclass
class Filters:
    interview: str | None = None
    lang: str | None = None
    role: str | None = None  # "guest" for guest-only

    def admits(self, chunk: Chunk) -> bool:
        return ((self.interview is None or chunk.interview == self.interview)
                and (self.lang is None or chunk.lang == self.lang)
                and (self.role is None or chunk.role == self.role))


@dataclass
class Passage:
    """One stretch of an interview, in every language it exists in."""

    key: str
    members: dict[str, Chunk]  # chunk_id -> chunk (original and translations)
    score: float = 0.0
    dense: float = 0.0  # best cosine similarity of any member to the query
    lexical: float = 0.0  # best BM25 score of any member
    hits: dict[str, float] = field(default_factory=dict)  # member chunk_id -> its fused score

    @property
    def role(self) -> str:
        return next(iter(self.members.values())).role

    def best_in(self, lang: str | None) -> Chunk:
        """The member to show for a question in `lang`: that language if present, else the best-scoring one."""
        if lang:
            same = [c for c in self.members.values() if c.lang == lang]
            if same:
                return max(same, key=lambda c: self.hits.get(c.chunk_id, 0.0))
        return max(self.members.values(), key=lambda c: (self.hits.get(c.chunk_id, 0.0), c.section == c.lang))


def lexical_index(chunks: list[Chunk]):
    """(tokens of each chunk, BM25 over them)."""
    import bm25s

    # Lexical matching sees only the words in the chunk: a question stored with an answer must not make
    # every piece of a long answer look like it says what the host asked.
    tokens = [tokenize(c.text) for c in chunks]
    bm25 = bm25s.BM25()
    bm25.index(tokens, show_progress=False)
    return tokens, bm25


class HybridIndex:
    """BM25 and dense search over the live store's chunks; built once per store (≈0.3 s for 500 chunks)."""

    def __init__(self, store: ChunkStore):
        self.store = store  # a ChunkStore, or the index's snapshot (ingest.snapshot): same reading interface
        self.chunks = store.chunks()
        self.by_id = {c.chunk_id: c for c in self.chunks}
        self._pos = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        # Kept with the index and rebuilt only when the code or packages that make it change (ingest.snapshot).
        self._tokens, self.bm25 = store.derived("lexical", lambda: lexical_index(self.chunks))
        self.vocab = set(self.bm25.vocab_dict)
        self.vectors = store.vectors()
        self.group = self._groups()
        self._lang_idx = {}
        for i, c in enumerate(self.chunks):
            self._lang_idx.setdefault(c.lang, []).append(i)
        self._lang_idx = {k: np.asarray(v) for k, v in self._lang_idx.items()}
        self.members: dict[str, list[str]] = {}
        for cid, key in self.group.items():
            self.members.setdefault(key, []).append(cid)
        passage_langs = {key: {self.by_id[c].lang for c in cids} for key, cids in self.members.items()}
        # Per question language: which chunks belong to passages with no version in that language.
        self._uncovered = {lang: np.array([lang not in passage_langs[self.group[c.chunk_id]] for c in self.chunks])
                           for lang in LANGS}
        self._section: dict[tuple[str, str], list[Chunk]] = {}
        for c in self.chunks:  # chunks are sorted by interview, section, offset
            self._section.setdefault((c.interview, c.section), []).append(c)

    def _groups(self) -> dict[str, str]:
        """chunk_id -> passage key: connected components of the translation links."""
        parent = {c.chunk_id: c.chunk_id for c in self.chunks}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for c in self.chunks:
            for other in c.linked_ids:
                if other in parent:
                    a, b = find(c.chunk_id), find(other)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
        return {cid: find(cid) for cid in parent}

    def dense_scores(self, query: str) -> np.ndarray:
        q = self.store.embeddings.query_vector(query)
        return self.vectors @ q

    def passage_of(self, chunk_id: str) -> Passage:
        key = self.group[chunk_id]
        return Passage(key=key, members={cid: self.by_id[cid] for cid in self.members[key]})

    def tokens(self, chunk_id: str) -> list[str]:
        return self._tokens[self._pos[chunk_id]]

    def _per_language_z(self, dense: np.ndarray) -> np.ndarray:
        """Similarity standardised within each chunk language: a question is closer to every text in its own
        language, so raw cosine would bury the passage that only exists in another one."""
        out = np.empty_like(dense)
        for idx in self._lang_idx.values():
            vals = dense[idx]
            out[idx] = (vals - vals.mean()) / (vals.std() or 1.0)
        return out

    def _bm25(self, tokens: list[str]) -> np.ndarray:
        tokens = [t for t in tokens if t in self.vocab]
        if not tokens:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)

    def lexical_scores(self, query: str) -> np.ndarray:
        return self._bm25(tokenize(query))

    def search(self, query: str, filters: Filters | None = None, k: int = 5) -> list[Passage]:
        filters = filters or Filters()
        admitted = np.array([filters.admits(c) for c in self.chunks])
        dense = self.dense_scores(query)
        lexical = self.lexical_scores(query)
        fused = np.zeros(len(self.chunks), dtype=np.float64)
        # Raw similarity favours the question's own language; standardised within each language it doesn't.
        # Both ranked lists vote (measured on the eval set: better hit@5 and MRR in every language than either),
        # with BM25, and with an extra dense vote for passages the question's language has no version of.
        z = self._per_language_z(dense)
        lists = [(dense, 0.5, False, None), (z, 0.5, False, None), (lexical, 1.0, True, None),
                 (z, UNCOVERED_WEIGHT, False, self._uncovered[detect_lang(query)])]
        for scores, weight, require_positive, only in lists:
            order = [i for i in np.argsort(-scores) if admitted[i] and (scores[i] > 0 or not require_positive)
                     and (only is None or only[i])]
            for rank, i in enumerate(order[:CANDIDATES]):
                fused[i] += weight / (RRF_K + rank + 1)
        passages: dict[str, Passage] = {}
        for i in np.argsort(-fused):
            if fused[i] <= 0:
                break
            chunk = self.chunks[i]
            key = self.group[chunk.chunk_id]
            p = passages.get(key)
            if p is None:
                p = passages[key] = self.passage_of(chunk.chunk_id)
            p.hits[chunk.chunk_id] = float(fused[i])
            p.dense = max(p.dense, float(dense[i]))
            p.lexical = max(p.lexical, float(lexical[i]))
        for p in passages.values():
            scores = sorted(p.hits.values(), reverse=True)
            # Found in two languages is stronger evidence than one, but one slot either way.
            p.score = scores[0] + 0.3 * sum(scores[1:])
        self._bring_answers(passages, filters)
        ranked = sorted(passages.values(), key=lambda p: -p.score)
        return ranked[:k]

    def _bring_answers(self, passages: dict[str, Passage], filters: Filters) -> None:
        """A host question that matches brings the guest turn answering it, ranked just above it."""
        for p in sorted(passages.values(), key=lambda p: -p.score)[:10]:
            if p.role != "host":
                continue
            shown = max(p.members.values(), key=lambda c: p.hits.get(c.chunk_id, 0.0))
            answer = self.next_guest_turn(shown)
            if answer is None or not filters.admits(answer):
                continue
            key = self.group[answer.chunk_id]
            target = passages.get(key)
            if target is None:
                target = passages[key] = self.passage_of(answer.chunk_id)
            # The reply is what was asked for: it ranks just above the question that found it.
            if target.score < ANSWER_LIFT * p.score:
                target.score = ANSWER_LIFT * p.score
                target.dense = max(target.dense, p.dense)
                target.hits.setdefault(answer.chunk_id, ANSWER_LIFT * p.score)

    def next_guest_turn(self, chunk: Chunk) -> Chunk | None:
        """The first chunk of the guest's reply to a host turn (None if the host speaks again first)."""
        _, after = self.neighbours(chunk.chunk_id, 4)
        for c in after:
            if c.role == "guest":
                return c
            if c.role == "host" and c.turn != chunk.turn:
                return None
        return None

    def who_said(self, question: str, filters: Filters, ignore: set[str]) -> list[Passage]:
        """For "did he say X?": the host or editor passages whose words match X clearly better than any of the
        guest's (BM25 over the whole corpus, the guest's own name left out), best first; [] if the guest's
        words match as well."""
        scores = self._bm25([t for t in content_tokens(question) if t not in ignore])
        if not scores.any():
            return []
        # Whose words these are is asked across roles, even when only the guest's quotes were requested.
        scope = Filters(filters.interview, filters.lang)
        admitted = [i for i, c in enumerate(self.chunks) if scope.admits(c)]
        guest_best = max((scores[i] for i in admitted if self.chunks[i].role == "guest"), default=0.0)
        others = sorted((i for i in admitted if self.chunks[i].role != "guest"), key=lambda i: -scores[i])
        if not others or scores[others[0]] < max(WHO_SAID_MIN, WHO_SAID_RATIO * guest_best):
            return []
        top = float(scores[others[0]])
        picked: list[Passage] = []
        for i in others[:WHO_SAID_MAX]:
            if scores[i] < WHO_SAID_KEEP * top:
                break
            passage = self.passage_of(self.chunks[i].chunk_id)
            if all(p.key != passage.key for p in picked):
                passage.score = passage.lexical = float(scores[i])
                passage.hits = {self.chunks[i].chunk_id: float(scores[i])}
                picked.append(passage)
        return picked

    def neighbours(self, chunk_id: str, window: int) -> tuple[list[Chunk], list[Chunk]]:
        c = self.by_id[chunk_id]
        same = self._section[(c.interview, c.section)]
        i = same.index(c)
        return same[max(0, i - window):i], same[i + 1:i + 1 + window]


def __getattr__(name: str):
    # The LangChain retriever lives apart so that answering doesn't import LangChain.
    if name == "HybridRetriever":
        from rag.langchain_retriever import HybridRetriever

        return HybridRetriever
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
