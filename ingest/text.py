"""Small text facts shared by ingest and retrieval: language of a paragraph, sentence spans."""

from __future__ import annotations

import re

KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")
CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")

LANGS = ("en", "ja", "zh")


def detect_lang(text: str) -> str:
    """Language of a paragraph or question: 'ja' if it has kana, 'zh' if Han without kana, else 'en'.

    Counts matter for mixed text: a Japanese sentence quoting 'OpenAI' is Japanese, an English one
    naming a Chinese product is English.
    """
    kana = len(KANA.findall(text))
    han = len(HAN.findall(text))
    latin = len(LATIN.findall(text))
    cjk = kana + han
    if cjk == 0 or latin > 3 * cjk:
        return "en"
    if kana >= max(1, 0.02 * cjk):
        return "ja"
    return "zh"


def cjk_ratio(text: str) -> float:
    letters = len(CJK_CHAR.findall(text)) + len(LATIN.findall(text))
    return len(CJK_CHAR.findall(text)) / letters if letters else 0.0


# A sentence ends at CJK terminal punctuation, or at . ! ? (plus closing quotes/brackets) followed by space.
_SENTENCE_END = re.compile(r"(?:[。！？!?]+|\.(?!\d))[”’」』\"')\]]*\s*|(?<=[.!?][”’\"'])\s+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of sentences in text, trailing whitespace excluded; they cover all the text."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        # Don't split "Mr." / initials / "e.g." style abbreviations inside English sentences.
        before = text[start:m.start()]
        if m.group().startswith(".") and re.search(r"(?:\b[A-Z]|\b(?:Mr|Ms|Dr|St|vs|etc|e\.g|i\.e))$", before):
            continue
        if end < len(text) and not text[m.start():end].strip(" ") and not text[m.start()].isspace():
            continue
        piece = text[start:end].rstrip()
        if piece.strip():
            spans.append((start, start + len(piece)))
        start = end
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(s + (len(text[s:e]) - len(text[s:e].lstrip())), e) for s, e in spans]


def quotable_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans as quotes are chosen from them: a piece with no letter or digit ("." after an ellipsis,
    "**") ends the sentence before it, so no quote starts with punctuation (". Jobs and roles are…")."""
    out: list[tuple[int, int]] = []
    for s, e in sentence_spans(text) or [(0, len(text))]:
        if out and not any(ch.isalnum() for ch in text[s:e]):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def sentence_texts(text: str) -> list[str]:
    """The sentences of a passage, as quotes are chosen from them (each is embedded: rag.evidence)."""
    return [text[s:e] for s, e in quotable_spans(text)]
