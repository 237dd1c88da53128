"""Tokens for BM25 in three languages: stemmed English words, and Japanese / Chinese content words.

Japanese goes through Sudachi and Chinese through jieba (rag/segment.py); every Han word is then folded to
simplified Chinese (Japanese shinjitai → traditional → simplified with OpenCC) so 読書 in a Japanese
question meets 讀書 in a Chinese passage. Character bigrams of CJK runs are added beside the words: they
catch what a segmenter splits differently in two languages. Everything is NFKC-normalised first, so
full-width letters and digits match their ASCII forms.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from ingest.text import detect_lang

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]+")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HIRAGANA = re.compile(r"[\u3040-\u309f]")
# Compound particles Sudachi splits into particle + verb (について → に + つく): grammar, not content.
_JA_COMPOUND_PARTICLES = re.compile(r"について|に対して|に対する|に関して|に関する|によって|による|として|における|にとって")
_ASCII_WORD = re.compile(r"^[a-z0-9][a-z0-9'\-.]*$")

STOPWORDS = frozenset(
    "a an and are as at be but by did do does for from had has have he her him his how i if in into is it its "
    "me my of on or our she so than that the their them then there these they this to was we were what when "
    "where which who why will with would you your about also just can could should any all some very more most "
    "been being than too only own same such both each few other into over under again further once here many much "
    "s t d ll re ve m don doesn didn isn wasn aren weren won can't couldn wouldn shouldn haven hasn hadn".split()
)


@functools.cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@functools.cache
def _opencc(config: str):
    from opencc import OpenCC

    return OpenCC(config)


def fold(text: str) -> str:
    """NFKC, lower case, and one script for Han characters: Japanese shinjitai → traditional → simplified."""
    text = unicodedata.normalize("NFKC", text).lower()
    if not _CJK_RUN.search(text):
        return text
    if _KANA.search(text):
        text = _opencc("jp2t").convert(text)
    return _opencc("t2s").convert(text)


@functools.cache
def _fold_word(word: str) -> str:
    """One Japanese word to the shared form: ASCII stemmed, Han folded to simplified."""
    word = unicodedata.normalize("NFKC", word).lower()
    if _ASCII_WORD.match(word):
        return "" if word in STOPWORDS else _stemmer().stemWord(word)
    if _HAN_RUN.search(word):
        return _opencc("t2s").convert(_opencc("jp2t").convert(word))
    return word


def english_tokens(folded: str) -> list[str]:
    words = [w for w in _WORD.findall(folded) if w not in STOPWORDS]
    return _stemmer().stemWords(words)


def bigrams(folded: str) -> list[str]:
    """Character bigrams of CJK runs (single characters for one-character runs), leaving out hiragana
    (Japanese grammar) and Chinese function words (什么 in 为什么 is no topic)."""
    if _HAN_RUN.search(folded) and not _KANA.search(folded):
        from rag.segment import zh_function_words

        stop = zh_function_words()
        folded = _CJK_RUN.sub(lambda m: _blank_function_words(m.group(), stop), folded)
    out = []
    for run in _CJK_RUN.findall(folded):
        out.extend(b for b in (run[i:i + 2] for i in range(len(run) - 1)) if not _HIRAGANA.search(b))
        if len(run) == 1 and not _HIRAGANA.match(run):
            out.append(run)
    return out


def word_forms(text: str, lang: str | None = None) -> list[tuple[str, str]]:
    """(shared form, dictionary form) of each content word: the shared form is what BM25 sees (English
    stemmed, Han folded to simplified); the dictionary form is what a Japanese or Chinese dictionary lists."""
    lang = lang or detect_lang(text)
    if lang == "ja" and _CJK_RUN.search(text):
        from rag.segment import japanese_words

        nfkc = _JA_COMPOUND_PARTICLES.sub(" ", unicodedata.normalize("NFKC", text))
        return [(f, w) for w in japanese_words(nfkc) if (f := _fold_word(w))]
    folded = fold(text)
    out = [(t, t) for t in english_tokens(folded)]
    if _CJK_RUN.search(folded):
        from rag.segment import chinese_words

        for run in _CJK_RUN.findall(folded):
            out.extend((w, w) for w in chinese_words(run))
    return out


def _blank_function_words(run: str, stop: frozenset[str]) -> str:
    from rag.segment import segment_chinese

    return "".join(" " if w in stop else w for w in segment_chinese(run))


def words(text: str, lang: str | None = None) -> list[str]:
    """Content words of `text` in the shared form (no bigrams)."""
    return [f for f, _ in word_forms(text, lang)]


def tokenize(text: str, lang: str | None = None) -> list[str]:
    """BM25 tokens: content words plus CJK character bigrams."""
    return words(text, lang) + bigrams(fold(text))


def content_tokens(text: str, lang: str | None = None) -> list[str]:
    """Tokens that carry content: words and bigrams without hiragana (Japanese grammar), no single kana."""
    return [t for t in tokenize(text, lang) if (len(t) > 1 or t.isascii()) and not _HIRAGANA.search(t)]
