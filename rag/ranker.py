"""The passage ranker: a linear model over evidence features, fitted on the `dev` split only.

Each candidate passage (a turn in every language it exists in) is described by what the question shares
with it: dense similarity (raw and standardised within each chunk language), BM25 of the question's own
words and of their dictionary/corpus translations, how well the host question it answers matches, its
role, whether it is filler, and whether it exists in the question's language at all. The weights come from
a conditional-logit fit (softmax over each question's passages; the gold passages are the positives) on
dev questions, chosen by grouped cross-validation (`evals/fit_ranker.py`); rag/ranker.json records them
with the cross-validated figures and what they were fitted on.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RANKER_FILE = Path(__file__).with_name("ranker.json")

FEATURES = (
    "dense",             # best raw cosine of any member (chunk text with its question)
    "dense_z",           # best cosine standardised within the member's language
    "bm25_norm",         # best BM25 of the question's words / the question's best BM25 anywhere
    "bm25_log",          # log(1 + best BM25)
    "translated_norm",   # best BM25 of the translated question words / their best anywhere
    "question_dense_z",  # for an answer: the standardised similarity of the host question it answers
    "question_bm25_norm",
    "guest", "host", "editor",
    "filler",            # greetings, thanks, one-liners
    "other_language",    # the passage has no version in the question's language
    "other_language_dense_z",
    "other_language_translated",
    "answers_question",  # a guest turn that follows a host question
    "length_log",
    "coverage",          # share of the question's content tokens found in any member
    "dense_hub_z",       # dense_z after subtracting each chunk's hubness (CSLS)
    "dense_pivot_z",     # best cosine on the originals' language scale, standardised over passages
    "dense_feedback_z",  # dense_z of the query moved towards its best 3 chunks (pseudo-relevance feedback)
)
# The ranker every question gets when the question bank covers the index
# (rag/ranker_bank.json, rag.service.QAService._retrieve): the same features and four more.
BANK_FEATURES = FEATURES + (
    "bank",              # best cosine of a bank question that this passage answers (rag.question_bank)
    "bank_z",            # the same, standardised over the whole bank
    "adapted",           # best cosine of a member to the question moved by the bank-fitted map (rag.query_adapter)
    "adapted_z",         # the same, standardised over passages
)
BANK_RANKER_FILE = Path(__file__).with_name("ranker_bank.json")


@dataclass(frozen=True)
class LinearRanker:
    weights: np.ndarray
    mean: np.ndarray
    scale: np.ndarray

    def score(self, X: np.ndarray) -> np.ndarray:
        return ((X - self.mean) / self.scale) @ self.weights

    @property
    def features(self) -> tuple[str, ...]:
        return BANK_FEATURES if len(self.weights) == len(BANK_FEATURES) else FEATURES

    def to_json(self) -> dict:
        return {"features": list(self.features), "weights": [round(float(w), 6) for w in self.weights],
                "mean": [round(float(m), 6) for m in self.mean], "scale": [round(float(s), 6) for s in self.scale]}

    @classmethod
    def from_json(cls, data: dict, features: tuple[str, ...] = FEATURES) -> "LinearRanker":
        if list(data.get("features", [])) != list(features):
            raise ValueError("the ranker was fitted on other features: refit with evals/fit_ranker.py")
        return cls(np.asarray(data["weights"], dtype=np.float64), np.asarray(data["mean"], dtype=np.float64),
                   np.asarray(data["scale"], dtype=np.float64))


@functools.cache
def default_ranker() -> LinearRanker:
    """The committed, dev-fitted ranker; a neutral hand-set one (dense + BM25, guests first) if none is."""
    if RANKER_FILE.exists():
        return LinearRanker.from_json(json.loads(RANKER_FILE.read_text(encoding="utf-8")))
    w = np.zeros(len(FEATURES))
    for name, v in (("dense_z", 1.0), ("bm25_norm", 1.0), ("guest", 1.0), ("host", -1.0), ("filler", -1.0)):
        w[FEATURES.index(name)] = v
    return LinearRanker(w, np.zeros(len(FEATURES)), np.ones(len(FEATURES)))


@functools.cache
def bank_ranker() -> LinearRanker | None:
    """The committed ranker with the question-bank features (evals/fit_ranker.py --bank); None if there is none."""
    if not BANK_RANKER_FILE.exists():
        return None
    return LinearRanker.from_json(json.loads(BANK_RANKER_FILE.read_text(encoding="utf-8")), BANK_FEATURES)


def fit_conditional_logit(groups: Sequence[tuple[np.ndarray, np.ndarray]], l2: float = 1.0, iters: int = 400,
                          lr: float = 0.05) -> LinearRanker:
    """Maximise Σ_questions log P(gold | question), P = softmax of the linear scores over that question's
    passages (several gold passages share the mass), with an L2 penalty; Adam on standardised features."""
    X_all = np.concatenate([X for X, _ in groups])
    mean = X_all.mean(0)
    scale = X_all.std(0)
    scale[scale == 0] = 1.0
    Z = [((X - mean) / scale, y) for X, y in groups if y.any()]
    w = np.zeros(X_all.shape[1])
    m1 = np.zeros_like(w)
    m2 = np.zeros_like(w)
    for t in range(iters):
        grad = l2 * w / len(Z)
        for Zq, y in Z:
            s = Zq @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            pg = p * y
            pg /= pg.sum()
            grad -= (pg - p) @ Zq / len(Z)
        m1 = 0.9 * m1 + 0.1 * grad
        m2 = 0.999 * m2 + 0.001 * grad * grad
        w -= lr * (m1 / (1 - 0.9 ** (t + 1))) / (np.sqrt(m2 / (1 - 0.999 ** (t + 1))) + 1e-8)
    return LinearRanker(w, mean, scale)
