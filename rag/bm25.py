"""Okapi BM25 over an inverted index of numpy postings, with weighted query terms.

Weighted terms let a translated query word count for less than the word as asked (one English word may
stand for three dictionary translations); postings keep memory linear in the corpus.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

K1 = 1.2
B = 0.75


class BM25:
    def __init__(self, docs: Sequence[Sequence[str]], k1: float = K1, b: float = B):
        self.n_docs = len(docs)
        lengths = np.asarray([len(d) for d in docs], dtype=np.float32)
        avg = float(lengths.mean()) if len(docs) and lengths.mean() > 0 else 1.0
        norm = k1 * (1 - b + b * lengths / avg)
        rows: dict[str, tuple[list[int], list[float]]] = {}
        for i, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                ids, tfs = rows.setdefault(term, ([], []))
                ids.append(i)
                tfs.append(tf)
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (ids, tfs) in rows.items():
            idx = np.asarray(ids, dtype=np.int32)
            tf = np.asarray(tfs, dtype=np.float32)
            idf = math.log(1 + (self.n_docs - len(ids) + 0.5) / (len(ids) + 0.5))
            self.postings[term] = (idx, (idf * tf * (k1 + 1) / (tf + norm[idx])).astype(np.float32))

    def __contains__(self, term: str) -> bool:
        return term in self.postings

    def doc_freq(self, term: str) -> int:
        got = self.postings.get(term)
        return 0 if got is None else len(got[0])

    def scores(self, terms: Mapping[str, float] | Sequence[str]) -> np.ndarray:
        """Sum over query terms of weight × BM25 term score, for every document (0 where none match)."""
        weights = terms if isinstance(terms, Mapping) else Counter(terms)
        out = np.zeros(self.n_docs, dtype=np.float32)
        for term, w in weights.items():
            got = self.postings.get(term)
            if got is not None and w:
                np.add.at(out, got[0], w * got[1])
        return out
