"""The question bank: questions written from the transcripts alone, each with the passages that answer it.

A user's question close in meaning to a bank question points at that question's passages (doc2query, with
the questions written by hand instead of generated): it reaches a passage through the ways people ask about
it, not only through its own words, and in every language the bank asks in, so a Japanese question finds a
passage that exists only in Chinese through a Japanese bank question about it.

`rag/data/question_bank.jsonl` holds one question per line: {"question", "lang", "kind", "passages": [chunk
ids, any language version], "source"}. `source` says where it comes from: `bank-A` … `bank-J` and `bank-M` …
`bank-P` (1,894 questions), written passage by passage for this bank by helpers who read only the transcripts,
three passes over every guest turn and note of substance; `bank-R` … `bank-T` (357, sixteenth round), a fourth pass
over every guest turn asking as users do where the ranking is weakest (paraphrase, opinion, why; 120 per part, a
third in each language; with the refit bank ranker, dev CV MRR@10 .837 -> .841, hit@5 .954 -> .970); `bank-U` …
`bank-W` (449, sixteenth round), a fifth pass in one language each, where the ranking was weakest: Chinese on
either interview, Japanese on both (dev CV hit@1 .756 -> .771, zh .707 -> .720, MRR@10 .841 -> .851); `bank-Q` (269, kind "entity": TOPIC_KIND), "what did he
say about X?" for 90 people, companies, products and topics he talks about, each pointing at everything he says on
it; `probes-*` (2,069), the blind probe sets' questions with the passages they name (every read set but `b`, `hc`, `x6` and `x7`; `l`, `m`
and `n` joined in the sixteenth round: dev hit@1 .744 -> .751; `o` in the seventeenth, `p` in the eighteenth, `q` and `s` to `v` in the nineteenth, `r`, `w`, `y`, `z` and `z2` in the twentieth, `z3` and `x` in the twenty-first, `x2` and `x3` in the twenty-second, `x4` and `x5` in the twenty-third). Topic questions rank only the sides of a comparison (a topic searched within one interview); for any
other question they would route it to all he said on the topic rather than the passage asked for (on dev, as
ranking features for every question, they cost hit@1 .740 -> .726 while lifting compare .364 -> .545; for the
sides only, compare .455 and nothing else moves). They count towards the closest bank question, so "what did he
say about Satya Nadella?" is as close to the bank as to the unanswered "How tall is Satya Nadella?". None was
written from the eval questions, the code or the product's answers, so none is an eval question, and the ranker
weighing it is still fitted on dev by cross-validation. Bank questions are embedded as queries; the bundled
interviews ship their vectors in the embedding cache (`interview-qa cache-embeddings`), so a fresh clone embeds
none of them.

`rag/data/unanswered_questions.jsonl` holds the other side: questions people ask about these interviews that
they do NOT answer, {"question", "lang", "source", "why_not"}: `neg-A` / `neg-B` (300, written for it by two
helpers who read only the transcripts and checked each against all three languages: adjacent topics asked for
what is never said, host questions left unanswered, other companies and events, personal trivia, plainly
off-topic), `neg-C` / `neg-D` (284, sixteenth round, two more such helpers, mostly adjacent to what he does discuss:
a figure, name, date or detail he never gives) and `probes-*` (the read probe sets' refused questions; not the
held-out `b`, `hc`, `x6` and `x7`, nor any eval question): 1,019 in all. An open question closer to one of these than to any bank
question is likelier one to refuse: the abstention confidence takes off how much closer it comes
(rag.service.judged_by_unanswered; the weight is chosen on dev by evals/fit_ranker.py, and among weights dev's 25
unanswerable questions can't tell apart, by how many of these it refuses, each judged without its own source's).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BANK_FILE = Path(__file__).with_name("data") / "question_bank.jsonl"
TOPIC_KIND = "entity"
UNANSWERED_FILE = Path(__file__).with_name("data") / "unanswered_questions.jsonl"
QUERY_KEY = "\0query\0"  # cache key of a bank question: its vector is a query's, never a passage's
NO_BANK_COSINE = 0.7     # what `nearest` gives a passage no bank question points at (about the median cosine)
NO_BANK_Z = -4.0


@dataclass(frozen=True)
class BankQuestion:
    question: str
    lang: str
    passages: tuple[str, ...]
    kind: str = ""  # TOPIC_KIND: what he said about a person, company or topic, pointing at all he said on it
    source: str = ""  # who wrote it: a helper's part ("bank-A", "neg-C") or a probe set ("probes-k")


def _rows(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, row) of a JSON-lines file's non-blank lines; none for a missing file."""
    if not path.exists():
        return
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            yield n, json.loads(line)


def load_bank(path: Path = BANK_FILE) -> list[BankQuestion]:
    """The bank's questions; a missing file is an empty bank (retrieval then works without it)."""
    out = []
    for n, row in _rows(path):
        if not row.get("question") or not row.get("passages"):
            raise ValueError(f"{path}:{n}: a bank question needs its text and the passages that answer it")
        out.append(BankQuestion(row["question"], row.get("lang", ""), tuple(row["passages"]), row.get("kind", ""),
                                row.get("source", "")))
    return out


def load_unanswered(path: Path = UNANSWERED_FILE) -> list[BankQuestion]:
    """The questions these interviews don't answer (they point at no passage); a missing file is none."""
    out = []
    for n, row in _rows(path):
        if not row.get("question"):
            raise ValueError(f"{path}:{n}: an unanswered question needs its text")
        out.append(BankQuestion(row["question"], row.get("lang", ""), (), source=row.get("source", "")))
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


def _best_cosine(vectors: np.ndarray, query_vector: np.ndarray) -> float:
    return float((vectors @ query_vector).max()) if len(vectors) else 0.0


class QuestionBank:
    """Bank vectors with, for each, the passages (positions in the index's passage list) it points at."""

    def __init__(self, vectors: np.ndarray, targets: list[list[int]], n_passages: int,
                 topic: np.ndarray | None = None, unanswered: np.ndarray | None = None):
        pairs = [(q, p) for q, ps in enumerate(targets) for p in ps]
        self.vectors = vectors
        # topic questions ("what did he say about Nadella?") point at everything said on a topic: they rank the
        # sides of a comparison, not the one passage a question asks for
        self.topic = topic if topic is not None else np.zeros(len(vectors), bool)
        self.unanswered = unanswered if unanswered is not None else np.zeros((0, 0), dtype=np.float32)
        self._rows = np.array([q for q, _ in pairs], dtype=np.int64)
        self._passages = np.array([p for _, p in pairs], dtype=np.int64)
        self.n_passages = n_passages

    def __len__(self) -> int:
        return len(self.vectors)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(bank question, passage it points at) row and passage positions, the topic questions left out."""
        keep = ~self.topic[self._rows] if len(self._rows) else np.zeros(0, bool)
        return self._rows[keep], self._passages[keep]

    def passages_pointed_at(self) -> set[int]:
        return set(self._passages.tolist())

    def nowhere(self) -> tuple[np.ndarray, np.ndarray]:
        """`nearest`'s columns as for a passage no bank question points at, for every passage."""
        return np.full(self.n_passages, NO_BANK_COSINE), np.full(self.n_passages, NO_BANK_Z)

    def closest(self, query_vector: np.ndarray) -> float:
        """The cosine of the bank question closest to the query, whatever it points at (0.0 for an empty bank)."""
        return _best_cosine(self.vectors, query_vector)

    def closest_unanswered(self, query_vector: np.ndarray) -> float:
        """The cosine of the closest question these interviews don't answer (0.0 when there are none)."""
        return _best_cosine(self.unanswered, query_vector)

    def nearest(self, query_vector: np.ndarray, topics: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Per passage: the best cosine of a bank question pointing at it, and that cosine standardised over the
        whole bank (how much closer than the bank's usual question it is). The topic questions count only with
        `topics` (a side of a comparison)."""
        cos, z = self.nowhere()
        keep = np.ones(len(self), bool) if topics else ~self.topic
        if not len(self._rows) or not keep.any():
            return cos, z
        s = self.vectors @ query_vector
        sz = (s - s[keep].mean()) / (s[keep].std() or 1.0)
        pairs = keep[self._rows]
        rows, passages = self._rows[pairs], self._passages[pairs]
        best = np.full(self.n_passages, -np.inf)
        best_z = np.full(self.n_passages, -np.inf)
        np.maximum.at(best, passages, s[rows])
        np.maximum.at(best_z, passages, sz[rows])
        has = np.isfinite(best)
        cos[has], z[has] = best[has], best_z[has]
        return cos, z


def index_bank(store, group: dict[str, str], key_pos: dict[str, int]) -> QuestionBank:
    """The bank for an index: its vectors (kept with the index, `store.derived`) and, for each question, the
    index's passages it points at; a passage id the index lacks (another corpus) is left out."""
    from ingest.embedding_cache import EmbeddingCache, bundled_path, home_path, model_id

    bank = load_bank()
    unanswered = load_unanswered()
    settings = store.settings

    def vectors_of(questions: list[BankQuestion]) -> Callable[[], np.ndarray]:
        def vectors() -> np.ndarray:
            model = model_id(settings)
            caches = [EmbeddingCache.load(bundled_path(settings), model),
                      EmbeddingCache.load(home_path(settings), model)] if settings.embedding_cache else []
            return bank_vectors(questions, caches, lambda texts: store.embeddings.queries(texts))
        return vectors

    targets = [sorted({key_pos[group[c]] for c in q.passages if c in group}) for q in bank]
    return QuestionBank(store.derived("question_bank", vectors_of(bank)), targets, len(key_pos),
                        np.array([q.kind == TOPIC_KIND for q in bank], dtype=bool),
                        store.derived("unanswered_questions", vectors_of(unanswered)))
