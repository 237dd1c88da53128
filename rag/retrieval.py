"""Hybrid cross-lingual retrieval: dense (Chroma + the ingest embedder), BM25 over segmented words and their
translations, and the host question each answer replies to, weighed per passage by a dev-fitted ranker.

A hit in a translation and a hit in its original are the same words: they become one passage (one slot),
carrying every language version, so a Japanese question can quote the Japanese and show the English.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field, replace

import numpy as np

from ingest.models import Chunk
from ingest.store import ChunkStore
from ingest.text import CJK_CHAR, LANGS, quotable_spans
from rag.answers.figure import stated_figures
from rag.bm25 import BM25
from rag.evidence import SentenceVectors, similarity_to
from rag.lexical import bigrams, content_tokens, fold, word_forms
from rag.query import Framing, Query
from rag.question_bank import index_bank
from rag.query_adapter import adapt, load_adapter
from rag.ranker import BANK_FEATURES, FEATURES, LinearRanker, bank_ranker, default_ranker
from rag.related import RelatedArticle, asked_about, related_articles
from rag.segment import chinese_proper_nouns, japanese_kanji_names
from rag.translate import Lexicon, cedict_glosses, cedict_headwords, cedict_name_heads, gloss_stems

# "Did he say X?": a host/editor passage must out-match the guest's best by this ratio (and an absolute floor);
# passages within WHO_SAID_KEEP of the best are cited too.
WHO_SAID_RATIO = 1.1
WHO_SAID_MIN = 1.5
WHO_SAID_KEEP = 0.35
WHO_SAID_MAX = 3
# "Did he say X?" by meaning, when the words don't settle it (X asked in another language than it was said in):
# someone else said it when their closest sentence beats the guest's closest by this cosine margin. On dev, 0 to
# .02 score the same (who-said right .895 -> .921) and .03 loses it; .02 is the most cautious of those.
WHO_SAID_BY_MEANING = 0.02
WHO_SAID_CANDIDATES = 20  # passages searched for the closest sentences
FILLER_MAX_WORDS = 4  # a turn with fewer content words of its own is a greeting, a thanks or a one-liner
HUB_NEIGHBOURS = 10  # CSLS neighbourhood size, as in Conneau et al. (2018); not tuned
MIN_PIVOT_PAIRS = 3  # fewer linked translation pairs than this: that language keeps its raw cosines
FEEDBACK_CHUNKS = 3  # chunks whose mean the feedback query moves towards (not tuned)


@dataclass
class Filters:
    interview: str | None = None
    lang: str | None = None
    role: str | None = None  # "guest" for guest-only

    def admits_any(self, chunks) -> bool:
        """A passage is admitted when any of its language versions is: a filter on 中文 still finds, for an
        English question, the passage whose English version matched."""
        return any(self.admits(c) for c in chunks)

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
        """The member to show for a question in `lang`: that language if present, else the English original
        (more readers share it than the other translation), else the best-scoring one."""
        if lang:
            same = [c for c in self.members.values() if c.lang == lang]
            if same:
                return max(same, key=lambda c: self.hits.get(c.chunk_id, 0.0))
            english = [c for c in self.members.values() if c.lang == "en" and c.section == "en"]
            if english:
                return max(english, key=lambda c: self.hits.get(c.chunk_id, 0.0))
        return max(self.members.values(), key=lambda c: (self.hits.get(c.chunk_id, 0.0), c.section == c.lang))


def lexical_index(chunks: list[Chunk], by_id: dict[str, Chunk], pos: dict[str, int], framing: Framing):
    """(BM25 tokens of each chunk, BM25 over them, the cross-lingual lexicon, distinct content words of each
    chunk with the framing set aside). Lexical matching sees only the words in the chunk: a question stored
    with an answer must not make every piece of a long answer look like it says what the host asked."""
    forms = [word_forms(c.text, c.lang) for c in chunks]
    tokens = [[f for f, _ in fm] + bigrams(fold(c.text)) for fm, c in zip(forms, chunks)]
    content_counts = [len(set(framing.content(f for f, _ in fm))) for fm in forms]
    return tokens, BM25(tokens), _corpus_lexicon(chunks, forms, by_id, pos), content_counts


class HybridIndex:
    """Dense and lexical evidence over the live store's chunks, scored per passage by the dev-fitted ranker.

    Built once per index and kept with it (ingest.snapshot): word segmentation of every chunk (Sudachi /
    jieba), BM25, the cross-lingual lexicon (dictionaries + the corpus's aligned translations); then passages
    (chunks linked by translation), and for every guest turn the host question it answers."""

    def __init__(self, store: ChunkStore, ranker: LinearRanker | None = None):
        self.store = store  # a ChunkStore, or the index's snapshot (ingest.snapshot): same reading interface
        self.ranker = ranker or default_ranker()
        self.chunks = store.chunks()
        self.by_id = {c.chunk_id: c for c in self.chunks}
        self._letters: list[str] | None = None  # chunk texts as saying() matches them, made on first use
        self._figures: list[set] | None = None  # each chunk's figures (measure, value), made on first use
        self._pos = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self.framing = Framing.for_corpus({k: v["manifest"] for k, v in store.state.documents.items()})
        # Kept with the index and rebuilt only when the code or packages that make it change (ingest.snapshot).
        self._tokens, self.bm25, self.lexicon, content_counts = store.derived(
            "lexical", lambda: lexical_index(self.chunks, self.by_id, self._pos, self.framing))
        self.vectors = store.vectors()
        self._lang = np.array([c.lang for c in self.chunks])
        self._lang_idx = {lang: np.nonzero(self._lang == lang)[0] for lang in LANGS}
        self.group = self._groups()
        self.members: dict[str, list[str]] = {}
        for cid, key in self.group.items():
            self.members.setdefault(key, []).append(cid)
        self.keys = sorted(self.members)
        key_pos = {k: j for j, k in enumerate(self.keys)}
        self._passage = np.array([key_pos[self.group[c.chunk_id]] for c in self.chunks])
        passage_langs = [set() for _ in self.keys]
        for i, c in enumerate(self.chunks):
            passage_langs[self._passage[i]].add(c.lang)
        self._has_lang = {lang: np.array([lang in ls for ls in passage_langs]) for lang in LANGS}
        self._section: dict[tuple[str, str], list[Chunk]] = {}
        for c in self.chunks:  # chunks are sorted by interview, section, offset
            self._section.setdefault((c.interview, c.section), []).append(c)
        # Greetings, thanks and one-line fillers ("Great to be with you again.") carry no content of their own:
        # they match a question only through names, so they never lead.
        self.filler = np.array([n < FILLER_MAX_WORDS for n in content_counts])
        self._question_of = self._questions()
        role = np.array([c.role for c in self.chunks])
        self._static = {
            "guest": self._any(role == "guest"), "host": self._any(role == "host"),
            "editor": self._any(role == "editor"), "filler": self._all(self.filler),
            "answers_question": self._any(self._question_of >= 0),
            "length_log": self._max(np.log1p([len(c.text) for c in self.chunks])),
        }
        self._passage_tokens = [set() for _ in self.keys]
        for i, toks in enumerate(self._tokens):
            self._passage_tokens[self._passage[i]].update(toks)
        self._hubness = store.derived("hubness", lambda: hubness(self.vectors, self._passage))
        self._pivot_pairs = translation_pairs(self.chunks, self._pos, self._lang)
        self.bank = index_bank(store, self.group, key_pos)
        # The bank ranks only an index whose every interview it knows: a passage it knows nothing of would be
        # outranked by those it does (a user's own transcript beside the bundled ones), so such an index is
        # ranked as before, without it.
        known = {self.by_id[self.keys[j]].interview for j in self.bank.passages_pointed_at()}
        self.bank_ranker = bank_ranker() if known >= {c.interview for c in self.chunks} else None
        self.adapter = load_adapter(store.settings.embedder, self.vectors.shape[1]) if self.bank_ranker else None

    # --- structure ---

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

    def _questions(self) -> np.ndarray:
        """For each guest chunk, the position of the host chunk it answers (-1 if none)."""
        out = np.full(len(self.chunks), -1)
        for seq in self._section.values():
            host = -1
            for c in seq:
                i = self._pos[c.chunk_id]
                if c.role == "host":
                    host = i
                elif c.role == "guest":
                    out[i] = host
        return out

    def _max(self, values) -> np.ndarray:
        out = np.full(len(self.keys), -1e9)
        np.maximum.at(out, self._passage, np.asarray(values, dtype=np.float64))
        return out

    def _any(self, mask) -> np.ndarray:
        return self._max(np.asarray(mask, dtype=np.float64))

    def _all(self, mask) -> np.ndarray:
        return -self._max(-np.asarray(mask, dtype=np.float64))

    def passage_of(self, chunk_id: str) -> Passage:
        key = self.group[chunk_id]
        return Passage(key=key, members={cid: self.by_id[cid] for cid in self.members[key]})

    def tokens(self, chunk_id: str) -> list[str]:
        return self._tokens[self._pos[chunk_id]]

    # --- evidence ---

    def parse(self, query: "str | Query") -> Query:
        return query if isinstance(query, Query) else Query.parse(query, self.framing)

    @functools.cached_property
    def sentence_vectors(self) -> SentenceVectors:
        from ingest.embedding_cache import EmbeddingCache, bundled_path, model_id

        settings = self.store.settings
        shipped = EmbeddingCache.load(bundled_path(settings), model_id(settings)) if settings.embedding_cache else None
        return SentenceVectors(self.store.embeddings, shipped)

    @functools.cached_property
    def related_articles(self) -> list[RelatedArticle]:
        """The related-article headlines the indexed pages list (rag.related)."""
        return related_articles(self.store.state.documents)

    def related_article_asked_about(self, query: Query) -> RelatedArticle | None:
        return asked_about(self.unknown_words(query), query.lang, query.surfaces, self.related_articles)

    def with_sentence_evidence(self, query: Query) -> Query:
        """The query, able to score sentences by meaning (for choosing what to quote)."""
        vector = self.store.embeddings.query_vector(query.dense_text)
        return replace(query, similarity=similarity_to(vector, self.sentence_vectors),
                       translated=self.lexicon.translate(query.content_words, query.lang, query.surfaces))

    def _per_language_z(self, dense: np.ndarray) -> np.ndarray:
        """Similarity standardised within each chunk language: a question is closer to every text in its own
        language, so raw cosine would bury the passage that only exists in another one."""
        out = np.zeros_like(dense)
        for idx in self._lang_idx.values():
            if len(idx):
                vals = dense[idx]
                out[idx] = (vals - vals.mean()) / (vals.std() or 1.0)
        return out

    def _on_pivot_scale(self, dense: np.ndarray) -> np.ndarray:
        """Cosines of every language put on the scale of the originals' language: for each translation
        language, a per-question line fitted from the query's cosines to translation/original pairs. The
        Chinese-only tail is then compared with English passages as its linked translations would be, not as
        the best of its own language (which per-language standardising always makes look strong)."""
        out = dense.astype(np.float64)
        for lang, pairs in self._pivot_pairs.items():
            x, y = dense[pairs[:, 0]], dense[pairs[:, 1]]
            if len(pairs) < MIN_PIVOT_PAIRS or np.ptp(x) == 0:
                continue
            slope, intercept = np.polyfit(x, y, 1)
            idx = self._lang_idx.get(lang)
            if idx is not None and len(idx):
                out[idx] = intercept + slope * dense[idx]
        return out

    def _feedback_dense(self, query_vector: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Cosine to the query moved towards its best few chunks (Rocchio pseudo-relevance feedback): the words
        the question lacks but its best matches share."""
        top = np.argsort(-z)[:FEEDBACK_CHUNKS]
        moved = query_vector + self.vectors[top].mean(axis=0)
        return self.vectors @ (moved / (np.linalg.norm(moved) or 1.0))

    def _asked(self, per_chunk: np.ndarray, fill: float) -> np.ndarray:
        """For each chunk, the value of the host question it answers (`fill` where none)."""
        out = np.full(len(self.chunks), fill, dtype=np.float64)
        has = self._question_of >= 0
        out[has] = per_chunk[self._question_of[has]]
        return out

    def features(self, query: Query, use_bank: bool = False, topics: bool = False
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(passage × FEATURES matrix, per-chunk dense, per-chunk BM25) for one question; with the question bank,
        passage × BANK_FEATURES (its topic questions too with `topics`: QuestionBank.nearest)."""
        query_vector = self.store.embeddings.query_vector(query.dense_text)
        dense = self.vectors @ query_vector
        z = self._per_language_z(dense)
        pivot = self._max(self._on_pivot_scale(dense))
        lexical = self.bm25.scores(list(query.tokens))
        translated = self.bm25.scores(self.lexicon.translate(query.content_words, query.lang, query.surfaces))
        norm = _normalised(lexical)
        translated_norm = _normalised(translated)
        other = (~self._has_lang.get(query.lang, np.ones(len(self.keys), bool))).astype(np.float64)
        wanted = set(query.tokens)
        coverage = np.array([len(wanted & toks) / max(1, len(wanted)) for toks in self._passage_tokens])
        cols = {
            "dense": self._max(dense), "dense_z": self._max(z), "bm25_norm": self._max(norm),
            "bm25_log": self._max(np.log1p(lexical)), "translated_norm": self._max(translated_norm),
            "question_dense_z": self._max(self._asked(z, -3.0)), "question_bm25_norm": self._max(self._asked(norm, 0.0)),
            "other_language": other, "coverage": coverage, **self._static,
            "dense_hub_z": self._max(self._per_language_z(dense - self._hubness)),
            "dense_pivot_z": (pivot - pivot.mean()) / (pivot.std() or 1.0),
            "dense_feedback_z": self._max(self._per_language_z(self._feedback_dense(query_vector, z))),
        }
        cols["other_language_dense_z"] = other * cols["dense_z"]
        cols["other_language_translated"] = other * cols["translated_norm"]
        if use_bank:
            cols["bank"], cols["bank_z"] = self.bank.nearest(query_vector, topics)
            adapted = self._max(self.vectors @ adapt(self.adapter, query_vector))
            cols["adapted"], cols["adapted_z"] = adapted, (adapted - adapted.mean()) / (adapted.std() or 1.0)
        return np.stack([cols[name] for name in (BANK_FEATURES if use_bank else FEATURES)], axis=1), dense, lexical

    def idf(self, token: str) -> float:
        n, df = self.bm25.n_docs, self.bm25.doc_freq(token)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def names_something_known(self, query: Query) -> bool:
        """Whether anything the question names (its content words and CJK bigrams, framing set aside, single
        characters ignored) occurs in the interviews, as asked or translated: through the corpus
        lexicon, JMdict, or CC-CEDICT for Chinese words the corpus lacks ("算力" → computing power). A question
        naming nothing ("What did he say?") counts as known; one whose every word is foreign to the interviews
        ("asdfgh", "What did he think about Bitcoin?") is not covered, however close its embedding lands."""
        tokens = [t for t in dict.fromkeys(query.tokens) if len(t) > 1]
        return (not tokens or any(t in self.bm25 for t in tokens)
                or any(self._translation_known(w, query) for w in query.content_words)
                or (query.lang == "zh" and any(self._gloss_known(t) for t in tokens))
                or (query.lang == "en" and any(self._headword_known(w) for w in query.content_words)))

    def _translation_known(self, word: str, query: Query) -> bool:
        """Whether a translation of the word (corpus lexicon, JMdict for unknown Japanese) is in the interviews; a
        link kept for searching only (an English word no text uses) doesn't say so."""
        return any(t in self.bm25 for t in self.lexicon.translate([word], query.lang, query.surfaces, searching=False))

    def _gloss_known(self, word: str) -> bool:
        """Whether a CC-CEDICT gloss of a Chinese word is in the interviews ("算力" → computing power)."""
        return any(s in self.bm25 for g in cedict_glosses(word) for s in gloss_stems(g))

    def _headword_known(self, word: str) -> bool:
        """Whether a Chinese word CC-CEDICT glosses with this English word is in the interviews: "father" (he says
        "dad") is 父亲, which the Chinese version uses."""
        return any(h in self.bm25 for h in cedict_headwords(word) if len(h) > 1)

    @functools.cached_property
    def _turn_vocabulary(self) -> frozenset[str]:
        return frozenset(t for c, toks in zip(self.chunks, self._tokens) if c.role in ("guest", "host") for t in toks)

    def only_in_notes(self, passage: Passage, query: Query) -> bool:
        """Whether this note holds a word of the question that no turn of the conversation uses: what is asked
        about is the outlet's (a photo caption's), not something said."""
        held = {t for cid in self.members[passage.key] for t in self._tokens[self._pos[cid]]}
        return any(w in held and w not in self._turn_vocabulary for w in query.content_words if len(w) > 1)

    def is_filler(self, passage: Passage) -> bool:
        """A greeting, a thanks or a one-liner ("Okay.", "Great to be with you again."): every version of it has
        fewer than FILLER_MAX_WORDS content words."""
        return all(self.filler[self._pos[cid]] for cid in self.members[passage.key])

    def names_any(self, words: list[str], lang: str, passage: Passage) -> bool:
        """Whether some language version of the passage holds one of these words, as written or through the
        corpus lexicon: "institutions" is named by 主要機構."""
        tokens = set(content_tokens(" ".join(words), lang))
        forms = tokens | set(self.lexicon.translate(tokens, lang))
        return any(forms.intersection(self._tokens[self._pos[cid]]) for cid in self.members[passage.key])

    @functools.cached_property
    def _name_vocabulary(self) -> tuple[frozenset[str], str]:
        """(the Latin-script words of every chunk, lower-cased; all its text, folded)."""
        words = {w.lower() for c in self.chunks for w in _LATIN_WORD.findall(unicodedata.normalize("NFKC", c.text))}
        return frozenset(words), "\n".join(fold(c.text) for c in self.chunks)

    def unknown_name(self, query: Query, han: bool = True) -> str | None:
        """A name the question asks about (a capitalised or Latin-script word) that the interviews never use in
        any language, as written or through CC-CEDICT (英偉達 for Nvidia): questions about Bitcoin or Amazon are
        not covered, however close their embeddings land. Acronyms (UBI, GPU) and katakana are left out: their
        spelled-out and transliterated forms can't be checked. `han`: names in Chinese characters too (jieba's
        proper nouns of a Chinese question: 特斯拉, 韩国; Sudachi's kanji ones of a Japanese question: 日本, 東京),
        when no language version writes them and none uses an English name CC-CEDICT gives them (a name
        CC-CEDICT doesn't know can't be checked, and is left out)."""
        words, cjk = self._name_vocabulary

        def written_in_chinese(english: str) -> bool:  # a CC-CEDICT headword for it is in the interviews
            return any(h in cjk for h in cedict_headwords(english))

        if han and query.lang in ("zh", "ja"):
            text = unicodedata.normalize("NFKC", query.dense_text)
            names = chinese_proper_nouns(fold(text)) if query.lang == "zh" else japanese_kanji_names(text)
            for name in names:
                folded = fold(name)
                heads = cedict_name_heads(folded)
                if folded not in cjk and heads and not any(h in words for h in heads):
                    return _as_written(folded, text)
        for name in question_names(query.dense_text, query.lang):
            # The parts that may name something: acronyms and numbers aside, and the words that only describe
            # ("AI-powered", "Nvidia-made" and "GPU-based" name no more than AI, Nvidia and GPU; "SWE-bench" does)
            parts = [p.lower() for p in re.split(r"[-/.]", name)
                     if p and not p.isdigit() and not _ACRONYM.fullmatch(p) and not _DESCRIBING.fullmatch(p)]
            joined = re.sub(r"[-/.]", "", name.lower())  # "I/O" is written "IO" too
            if name.lower() in words or joined in words or written_in_chinese(name.lower()) or all(
                    _word_known(p, words) or written_in_chinese(p) for p in parts) or self._named_otherwise(name):
                continue
            return name
        return None

    def _named_otherwise(self, name: str) -> bool:
        """Whether `name` is a month (a date: the verdict compares it with the one given, "December?" — "October"),
        or one of a kind of thing the interviews write in another form ("Britain": "British", "UK", 英國)."""
        from rag.answers.verdict import MONTHS, alternatives_named

        if any(re.search(p, name) for p in MONTHS.values()):
            return True
        text = self._corpus_text
        return any(p.search(text) for p in alternatives_named(name))

    @functools.cached_property
    def _nfkc_texts(self) -> list[str]:
        """Each chunk's text, NFKC-normalised (made on first use)."""
        return [unicodedata.normalize("NFKC", c.text) for c in self.chunks]

    @functools.cached_property
    def _corpus_text(self) -> str:
        return "\n".join(self._nfkc_texts)

    def unknown_words(self, query: Query) -> list[str]:
        """The question's content words (framing set aside, single characters ignored) that the interviews
        never use, as asked or translated (corpus lexicon, JMdict, CC-CEDICT)."""
        return [w for w in dict.fromkeys(query.content_words) if len(w) > 1 and not (
            w in self.bm25 or self._translation_known(w, query) or (query.lang == "zh" and self._gloss_known(w)))]

    def nothing_asked_is_used(self, query: Query) -> str | None:
        """The first of the question's content words when the interviews use none of them, in any language or
        through a dictionary ("苏莱曼养猫吗?", "明天上海会下雨吗?"): nothing asked about comes up, whatever passage
        the embedding lands on. Stricter than names_something_known, which any CJK bigram of the question's
        framing ("会说") satisfies. A Chinese or Japanese word known by a part of it is known ("谈算力", a
        segmentation slip for 谈 + 算力)."""
        asked = [w for w in dict.fromkeys(query.content_words) if len(w) > 1]
        unknown = self.unknown_words(query)  # a subset of `asked`: all of them, or some word is known
        if not asked or len(unknown) < len(asked) or any(
                (query.lang == "en" and self._headword_known(w)) or self._known_by_part(w, query) for w in unknown):
            return None
        word = query.surfaces.get(unknown[0], unknown[0])
        written = re.search(rf"\b{re.escape(word)}[a-z]*", query.text, re.I) if word.isascii() else None
        return written.group(0) if written else word  # "cryptocurrency", not its stem

    def _known_by_part(self, word: str, query: Query) -> bool:
        if not CJK_CHAR.search(word):
            return False
        parts = {word[i:j] for i in range(len(word)) for j in range(i + 2, len(word) + 1)} - {word}
        return any(p in self.bm25 or self._translation_known(p, query) or self._gloss_known(p) for p in parts)

    def bank_similarity(self, query: Query) -> float:
        """How close the question comes to any question of the bank (cosine), when the bank knows this index's
        interviews; 0.0 otherwise. A question like none of the ways people ask about these interviews is likelier
        one they don't answer."""
        if self.bank_ranker is None:
            return 0.0
        return self.bank.closest(self.store.embeddings.query_vector(query.dense_text))

    def unanswered_similarity(self, query: Query) -> float:
        """How close the question comes to one these interviews are known not to answer (cosine), when the bank
        knows this index's interviews; 0.0 otherwise."""
        if self.bank_ranker is None:
            return 0.0
        return self.bank.closest_unanswered(self.store.embeddings.query_vector(query.dense_text))

    def coverage(self, query: Query, passages: list[Passage]) -> float:
        """IDF-weighted share of the question's content words found (as asked or translated) in any language
        version of these passages: rare words the passages lack weigh most."""
        words = list(dict.fromkeys(query.content_words))
        if not words:
            return 0.0
        found: set[str] = set()
        for p in passages:
            for cid in self.members[p.key]:
                found.update(self._tokens[self._pos[cid]])
        total = sum(self.idf(w) for w in words)
        have = sum(self.idf(w) for w in words
                   if w in found or found.intersection(self.lexicon.translate([w], query.lang)))
        return have / total if total else 0.0

    # --- search ---

    def search(self, query: "str | Query", filters: Filters | None = None, k: int = 5,
               use_bank: bool = False, topics: bool = False) -> list[Passage]:
        """The k best passages the filters admit. `use_bank`: ranked with the question bank too, when it covers
        every interview of the index (a passage it knows nothing of would be outranked by those it knows);
        `topics`: with its topic questions too (a side of a comparison)."""
        filters = filters or Filters()
        query = self.parse(query)
        use_bank = use_bank and self.bank_ranker is not None
        X, dense, lexical = self.features(query, use_bank, topics)
        scores = (self.bank_ranker if use_bank else self.ranker).score(X)
        if use_bank:
            # The bank knows no host turn: where the committed ranking puts first a host question the captures
            # stop before answering, that ranking stands (the answer is "only partly covered").
            plain = self.ranker.score(X[:, :len(FEATURES)])
            first = next((p for j in np.argsort(-plain) if (p := self._admitted(j, filters)) is not None), None)
            if first is not None and self.ends_capture(first):
                scores = plain
        passages = []
        for j in np.argsort(-scores):
            p = self._admitted(j, filters)
            if p is None:
                continue
            p.score = float(scores[j])
            for c in self.members[p.key]:
                i = self._pos[c]
                p.dense = max(p.dense, float(dense[i]))
                p.lexical = max(p.lexical, float(lexical[i]))
            # Which version to show: the best-matching admitted one (its own dense similarity decides).
            p.hits = {c: float(dense[self._pos[c]]) for c in p.members}
            passages.append(p)
            if len(passages) >= k:
                break
        return passages

    def _admitted(self, j: int, filters: Filters) -> Passage | None:
        """Passage `j` with the members the filters admit (None when they admit none)."""
        cids = self.members[self.keys[j]]
        if not filters.admits_any(self.by_id[c] for c in cids):
            return None
        return Passage(key=self.keys[j], members={c: self.by_id[c] for c in cids if filters.admits(self.by_id[c])})

    def next_guest_turn(self, chunk: Chunk) -> Chunk | None:
        """The first chunk of the guest's reply to a host turn (None if the host speaks again first)."""
        _, after = self.neighbours(chunk.chunk_id, 4)
        for c in after:
            if c.role == "guest":
                return c
            if c.role == "host" and c.turn != chunk.turn:
                return None
        return None

    def ends_capture(self, passage: Passage) -> bool:
        """A host turn after which no section holding it has another host or guest turn: every capture stops
        before the reply (the Verge pages end mid-question; Bloomberg's English does too, but its Chinese
        goes on, so there the reply is found)."""
        return all(c.role == "host" and self._last_turn(c) for c in passage.members.values())

    def _last_turn(self, chunk: Chunk) -> bool:
        seq = self._section.get((chunk.interview, chunk.section), [])
        at = next(i for i, c in enumerate(seq) if c.chunk_id == chunk.chunk_id)
        return not any(c.role in ("host", "guest") and c.turn != chunk.turn for c in seq[at + 1:])

    def who_said(self, question: str, filters: Filters, ignore: set[str]) -> list[Passage]:
        """For "did he say X?": the host or editor passages whose words match X clearly better than any of the
        guest's (BM25 over the whole corpus, the guest's own name left out), best first; [] if the guest's
        words match as well, or if the best match is a host telling the guest his own story ("your mother was a
        nurse": he may tell it too, in his words; dev who-said right .921 -> .974)."""
        scores = self.bm25.scores([t for t in content_tokens(question) if t not in ignore])
        if not scores.any():
            return []
        # Whose words these are is asked across roles, even when only the guest's quotes were requested.
        scope = Filters(filters.interview, filters.lang)
        admitted = [i for i, c in enumerate(self.chunks) if scope.admits(c)]
        guest_best = max((scores[i] for i in admitted if self.chunks[i].role == "guest"), default=0.0)
        others = sorted((i for i in admitted if self.chunks[i].role != "guest"), key=lambda i: -scores[i])
        if not others or scores[others[0]] < max(WHO_SAID_MIN, WHO_SAID_RATIO * guest_best):
            return []
        if self._reply_completes(others[0], question, ignore) or self._about_the_guest(others[0], question, ignore):
            return []
        if self._figure_is_the_guests(others[0], question, admitted) or self._kind_is_the_guests(others[0], question, admitted):
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

    def _figure_is_the_guests(self, i: int, question: str, admitted: list[int]) -> bool:
        """Whether the claim states a figure (STATED_FIGURE_MIN or more) that chunk i doesn't give and one of the
        guest's chunks does, in any language: "33ギガワットの計算能力がある、って言ってたよね?" is his "33 吉瓦" in the
        Chinese-only tail, not the Japanese host words that match its other words."""
        stated = stated_figures(question)
        if not stated:
            return False
        if self._figures is None:
            self._figures = [stated_figures(c.text) for c in self.chunks]
        return not stated & self._figures[i] and any(
            stated & self._figures[j] for j in admitted if self.chunks[j].role == "guest")

    def _kind_is_the_guests(self, i: int, question: str, admitted: list[int]) -> bool:
        """Whether the claim names one of a kind of thing (a publication, a model, a country: verdict's
        alternatives) that chunk i doesn't name and one of the guest's chunks does, in any language:
        "エコノミスト誌の取締役会にも入ってる" is his "《經濟學人》的董事會" in the Chinese-only tail, not the Japanese
        host words about a board."""
        from rag.answers.verdict import alternatives_named

        named = alternatives_named(unicodedata.normalize("NFKC", question))
        texts = self._nfkc_texts
        if not named or any(p.search(texts[i]) for p in named):
            return False
        return any(p.search(texts[j]) for j in admitted if self.chunks[j].role == "guest" for p in named)

    def _about_the_guest(self, i: int, question: str, ignore: set[str]) -> bool:
        """Whether chunk i is a host's turn whose sentence matching the claim speaks to the guest ("your mother
        was a nurse", "あなたの父親", "你父親"): what it says is the guest's own story, which he may tell too."""
        chunk = self.chunks[i]
        if chunk.role != "host":
            return False
        claim = {t for t in content_tokens(question) if t not in ignore}
        spans = quotable_spans(chunk.text)
        if not spans:
            return False
        best = max(spans, key=lambda sp: len(claim & set(content_tokens(chunk.text[sp[0]:sp[1]], chunk.lang))))
        return bool(_SECOND_PERSON.search(chunk.text[best[0]:best[1]]))

    def who_said_by_meaning(self, claim: str, filters: Filters) -> list[Passage]:
        """For "did he say X?" when the words don't settle it: the sentence closest in meaning to X among the
        passages X is closest to (any role, any language version). When it is a host's or an outlet's and beats
        the guest's closest sentence by WHO_SAID_BY_MEANING, [its passage]; else []. Translations say the same
        thing, so this reaches words said in a language the question isn't in."""
        query = self.parse(claim)
        scope = Filters(filters.interview, filters.lang)
        vector = self.store.embeddings.query_vector(query.dense_text)
        best: dict[bool, tuple[float, Chunk | None]] = {True: (-math.inf, None), False: (-math.inf, None)}
        for passage in self.search(query, scope, WHO_SAID_CANDIDATES):
            for chunk in passage.members.values():
                if chunk.role not in ("guest", "host", "editor"):
                    continue
                sentences = [chunk.text[a:b] for a, b in quotable_spans(chunk.text)]
                if chunk.role == "host":  # a question asserts nothing
                    sentences = [t for t in sentences if not _is_question(t)]
                if not sentences:
                    continue
                closest = float(np.max(self.sentence_vectors.vectors(sentences) @ vector))
                is_guest = chunk.role == "guest"
                if closest > best[is_guest][0]:
                    best[is_guest] = (closest, chunk)
        (other, chunk), (guest, _) = best[False], best[True]
        if chunk is None or other - guest <= WHO_SAID_BY_MEANING:
            return []
        passage = self.passage_of(chunk.chunk_id)
        passage.hits = {chunk.chunk_id: other}
        return [passage]

    def _reply_completes(self, i: int, question: str, ignore: set[str]) -> bool:
        """Whether chunk i is a host's question whose guest reply holds claim words the question lacks: the host
        asked about Elon Musk, and "bulldozer" was the guest's word. A question asserts nothing."""
        chunk = self.chunks[i]
        if chunk.role != "host" or not _is_question(chunk.text):
            return False
        reply = self.next_guest_turn(chunk)
        if reply is None:
            return False
        claim = {t for t in content_tokens(question) if t not in ignore}
        return bool((claim - set(self._tokens[i])) & set(self.tokens(reply.chunk_id)))

    def saying(self, words: str, filters: Filters) -> list[Passage]:
        """The passages whose text holds `words` as written (case, width, spacing, punctuation and Han script
        aside), guests' first: for "did he say «X»?", exact words settle who said them. [] for fewer than 6
        letters, which match by accident."""
        wanted = _letters(words)
        if len(wanted) < 6:
            return []
        if self._letters is None:
            self._letters = [_letters(c.text) for c in self.chunks]
        scope = Filters(filters.interview, filters.lang)
        found: list[Passage] = []
        for i in sorted((i for i, t in enumerate(self._letters) if wanted in t and scope.admits(self.chunks[i])),
                        key=lambda i: self.chunks[i].role != "guest"):
            passage = self.passage_of(self.chunks[i].chunk_id)
            if all(p.key != passage.key for p in found):
                passage.hits = {self.chunks[i].chunk_id: 1.0}
                found.append(passage)
        return found

    def neighbours(self, chunk_id: str, window: int) -> tuple[list[Chunk], list[Chunk]]:
        c = self.by_id[chunk_id]
        same = self._section[(c.interview, c.section)]
        i = same.index(c)
        return same[max(0, i - window):i], same[i + 1:i + 1 + window]


_SECOND_PERSON = re.compile(r"\b(?:you|your|you['’](?:re|ve|d|ll)|yourself)\b|あなた|君は|君の|貴方|你|您", re.I)


def _is_question(text: str) -> bool:
    """Words that end on a question mark ask; they assert nothing (a host's question is no claim of theirs)."""
    return text.rstrip().endswith(("?", "？"))


def _letters(text: str) -> str:
    """Letters and digits only, folded (NFKC, lower case, simplified Han): the form exact words are matched in."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


def hubness(vectors: np.ndarray, passage: np.ndarray, k: int = HUB_NEIGHBOURS, block: int = 1024) -> np.ndarray:
    """Each chunk's mean cosine to its k nearest chunks of other passages (CSLS, Conneau et al. 2018): a chunk
    close to everything ("hub") matches many questions a little; subtracting this makes it earn its rank.
    Computed in blocks so a 20x corpus needs no n x n matrix at once."""
    n = len(vectors)
    out = np.zeros(n)
    if n <= 1:
        return out
    k = min(k, n - 1)
    for s in range(0, n, block):
        sims = vectors[s:s + block] @ vectors.T
        sims[passage[s:s + block, None] == passage[None, :]] = -1.0  # its own passage (translations) is no neighbour
        out[s:s + block] = np.partition(sims, -k, axis=1)[:, -k:].mean(axis=1)
    return out


def translation_pairs(chunks: list[Chunk], pos: dict[str, int], lang: np.ndarray) -> dict[str, np.ndarray]:
    """translation language -> (translation chunk, original chunk) position pairs, for the originals' most
    common language (the pivot); pairs into other languages are left out."""
    pairs: dict[tuple[str, str], set[tuple[int, int]]] = {}
    for c in chunks:
        if not c.para_links:  # originals carry no paragraph links; translations do
            continue
        i = pos[c.chunk_id]
        for other in c.linked_ids:
            j = pos.get(other)
            if j is not None and lang[i] != lang[j]:
                pairs.setdefault((str(lang[i]), str(lang[j])), set()).add((i, j))
    if not pairs:
        return {}
    counts: dict[str, int] = {}
    for (_, orig), found in pairs.items():
        counts[orig] = counts.get(orig, 0) + len(found)
    pivot = max(counts, key=counts.get)
    return {tr: np.array(sorted(found)) for (tr, orig), found in pairs.items() if orig == pivot and tr != pivot}


def _normalised(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if len(scores) else 0.0
    return scores / top if top > 0 else np.zeros_like(scores)


def _corpus_lexicon(chunks: list[Chunk], forms, by_id: dict[str, Chunk], pos: dict[str, int]) -> Lexicon:
    """Dictionary links for the corpus's Japanese/Chinese words, plus links learned from its aligned pairs."""
    cjk = [(f, s, c.lang) for fm, c in zip(forms, chunks) if c.lang != "en" for f, s in fm if not f.isascii()]
    en_vocab = {f for fm, c in zip(forms, chunks) if c.lang == "en" for f, _ in fm}
    pairs = []
    for i, c in enumerate(chunks):
        if c.lang == "en":
            continue
        english = [f for other in c.linked_ids if other in by_id and by_id[other].lang == "en"
                   for f, _ in forms[pos[other]]]
        if english:
            pairs.append((english, [f for f, _ in forms[i] if not f.isascii()]))
    return Lexicon.build(cjk, en_vocab, pairs)


def __getattr__(name: str):
    # The LangChain retriever lives apart so that answering doesn't import LangChain.
    if name == "HybridRetriever":
        from rag.langchain_retriever import HybridRetriever

        return HybridRetriever
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-/.][A-Za-z0-9]+)*")
_ACRONYM = re.compile(r"[A-Z0-9]{2,}s?")
# Lower-case words a compound name takes that only describe it ("-powered", "-based", "-native"; not "Dreaming")
_DESCRIBING = re.compile(r"[a-z]+(?:ed|ing)|based|like|free|first|native|ready|only|friendly|made|built|centric|"
                         r"enabled|style|scale|level|grade|class")


def question_names(text: str, lang: str) -> list[str]:
    """The names a question uses, acronyms aside: in English, words capitalised other than at the start of a
    sentence, or with a capital or digit inside (MAI-Thinking-1); in Japanese and Chinese, Latin-script words."""
    text = unicodedata.normalize("NFKC", text)
    names = []
    for m in _NAME.finditer(text):
        name = m.group()
        if _ACRONYM.fullmatch(name) or len(name) < 2:
            continue
        if lang == "en":
            before = text[:m.start()].rstrip()
            sentence_start = not before or before[-1] in ".?!:;\"“‘(—–-"
            if not (name[0].isupper() and not sentence_start or any(ch.isupper() or ch.isdigit() for ch in name[1:])):
                continue
        names.append(name)
    return list(dict.fromkeys(names))


def _as_written(folded: str, text: str) -> str:
    """The stretch of `text` that folds to `folded` (法國 for 法国 in a traditional-Chinese question), else `folded`."""
    n = len(folded)
    return next((text[i:i + n] for i in range(len(text) - n + 1) if fold(text[i:i + n]) == folded), folded)


def _word_known(word: str, words: frozenset[str]) -> bool:
    return word in words or (word.endswith("s") and word[:-1] in words)
