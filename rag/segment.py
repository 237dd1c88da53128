"""Word segmentation for Japanese (Sudachi) and Chinese (jieba): content words only, loaded once per process.

Japanese: Sudachi (core dictionary, mode B), each word's normalised form (スレイマン氏 → スレイマン, 立ち上げ →
立ち上げる, マイクロソフト → Microsoft), keeping nouns, verbs, adjectives and prefixes (no adverbs), dropping particles,
auxiliaries, pronouns, symbols and the light verbs (する, いる, ある...) Sudachi marks 非自立可能.
Chinese: jieba (precise mode: 有意识 stays one word, not 有意 + 意识) on simplified text, dropping function words
(rag/data/zh_function_words.txt, generated from jieba's own POS tags) and punctuation.
Sudachi tokenizers are not thread-safe: one per thread.
"""

from __future__ import annotations

import functools
import re
import threading
from pathlib import Path

_DATA = Path(__file__).with_name("data")
_PUNCT = re.compile(r"^[\W_]+$")
_JA_KEEP = {"名詞", "動詞", "形容詞", "形状詞", "接頭辞"}
_local = threading.local()
_jieba_lock = threading.Lock()


@functools.cache
def _sudachi_dictionary():
    from sudachipy import Dictionary

    return Dictionary()


def _sudachi():
    tok = getattr(_local, "sudachi", None)
    if tok is None:
        from sudachipy import SplitMode

        tok = _local.sudachi = _sudachi_dictionary().tokenizer(mode=SplitMode.B)
    return tok


def japanese_words(text: str) -> list[str]:
    """Content words of Japanese text, in normalised form."""
    out = []
    for m in _sudachi().tokenize(text):
        pos = m.part_of_speech()
        if pos[0] not in _JA_KEEP or pos[1] == "非自立可能" or pos[1] == "数詞" and not m.surface().isdigit():
            continue
        word = m.normalized_form()
        if word and not _PUNCT.match(word):
            out.append(word)
    return out


@functools.cache
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@functools.cache
def zh_function_words() -> frozenset[str]:
    lines = (_DATA / "zh_function_words.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w for w in lines if w and not w.startswith("#"))


def segment_chinese(text: str) -> list[str]:
    """jieba's segmentation of (simplified) Chinese text, every character kept (for blanking function words)."""
    with _jieba_lock:  # jieba's lazy structures are shared
        return _jieba().lcut(text)


def chinese_words(text: str) -> list[str]:
    """Content words of (simplified) Chinese text: jieba precise mode, function words dropped."""
    tokenizer = _jieba()
    stop = zh_function_words()
    with _jieba_lock:
        words = tokenizer.lcut(text)
    return [w for w in words if w.strip() and w not in stop and not _PUNCT.match(w)]


# jieba's tags for names: people (nr, nrfg, nrt: transliterated), places (ns), organisations (nt), other (nz)
_PROPER_NOUN_TAGS = frozenset({"nr", "nrfg", "nrt", "ns", "nt", "nz"})


@functools.cache
def _jieba_tagger():
    import jieba.posseg

    return jieba.posseg.POSTokenizer(_jieba())


def chinese_proper_nouns(text: str) -> list[str]:
    """The names jieba tags in (simplified) Chinese text (特斯拉, 黄仁勋, 韩国), single characters left out."""
    with _jieba_lock:
        pairs = list(_jieba_tagger().cut(text))
    return list(dict.fromkeys(p.word for p in pairs if p.flag in _PROPER_NOUN_TAGS and len(p.word) > 1))


_HAN_ONLY = re.compile(r"^[\u4e00-\u9fff]{2,}$")


def japanese_kanji_names(text: str) -> list[str]:
    """The proper nouns Sudachi finds in Japanese text written in kanji alone (日本, 東京, 富士山): katakana
    names are left out, since a Japanese transliteration can't be checked against the other languages."""
    names = (m.surface() for m in _sudachi().tokenize(text) if m.part_of_speech()[1] == "固有名詞")
    return list(dict.fromkeys(n for n in names if _HAN_ONLY.match(n)))
