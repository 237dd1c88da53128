"""Tokens for BM25 in three languages: Snowball-stemmed English words, CJK character uni+bigrams.

Traditional Chinese is folded to simplified with OpenCC, and Japanese kanji (shinjitai) go through
traditional to simplified too, so 読書 in a Japanese question meets 讀書 in a Chinese passage; everything is
NFKC-normalised so full-width letters and digits match their ASCII forms.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]+")
_KANA_ONLY = re.compile(r"^[\u3040-\u309f]+$")  # hiragana: particles and endings, weak evidence alone

STOPWORDS = frozenset(
    "a an and are as at be but by did do does for from had has have he her him his how i if in into is it its "
    "me my of on or our she so than that the their them then there these they this to was we were what when "
    "where which who why will with would you your about said say says tell talk think mustafa suleyman".split()
)


@functools.cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@functools.cache
def _opencc(config: str):
    from opencc import OpenCC

    return OpenCC(config)


_KANA = re.compile(r"[\u3040-\u30ff]")


def fold(text: str) -> str:
    """NFKC, lower case, and one script for Han characters: Japanese shinjitai → traditional → simplified."""
    text = unicodedata.normalize("NFKC", text).lower()
    if not _CJK_RUN.search(text):
        return text
    if _KANA.search(text):
        text = _opencc("jp2t").convert(text)
    return _opencc("t2s").convert(text)


def tokenize(text: str) -> list[str]:
    text = fold(text)
    words = [w for w in _WORD.findall(text) if w not in STOPWORDS]
    tokens = _stemmer().stemWords(words)
    for run in _CJK_RUN.findall(text):
        tokens.extend(ch for ch in run if not _KANA_ONLY.match(ch))
        tokens.extend(run[i:i + 2] for i in range(len(run) - 1))
    return tokens


_HIRAGANA = re.compile(r"[\u3040-\u309f]")


def content_tokens(text: str) -> list[str]:
    """Tokens that carry content: no single CJK characters, no bigrams with hiragana (Japanese grammar)."""
    return [t for t in tokenize(text) if len(t) > 1 and not _HIRAGANA.search(t)]
