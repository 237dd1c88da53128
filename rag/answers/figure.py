"""The figure or date a how-much / when question asks for, taken verbatim from the passage: the number
expression in the sentence that best matches the question, with its unit ("$650 million", "33 吉瓦",
"six-to-eight-week", "2014年")."""

from __future__ import annotations

import re
import unicodedata

from ingest.text import sentence_spans
from rag.lexical import tokenize

_NUM_WORD = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
             r"(?:hundred|thousand|million|billion|trillion|dozen)s?(?:\sof\s(?:thousands|millions|billions))?|half|a few|several|couple)")
_EN_UNIT = (r"(?:[\s-]?(?:%|percent|per cent|x|times|million|billion|trillion|bn|m|k|gigawatts?|GW|megawatts?|MW|"
            r"people|employees|users|customers|companies|weeks?|months?|years?|days?|hours?|minutes?|seconds?|"
            r"dollars?|pounds?|chips?|GPUs?|models?|tokens?|parameters?|countries|languages|hospitals|patients|"
            r"conversations|sessions|hires|researchers)(?![a-z]))*")
_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_CJK_NUM = r"(?:[何数數幾几](?=[十百千万萬億亿兆]))?[0-9０-９一二三四五六七八九十百千万萬億亿兆两兩半幾几数數]"
_CJK_UNIT = (r"(?:[%％]|パーセント|倍|億|亿|万|萬|千|百|兆|ドル|美元|英鎊|英镑|ポンド|元|人|名|台|個|个|社|家|年|年代|"
             r"か月|ヶ月|カ月|個月|个月|月|週間|週(?!期)|周(?!期)|日|天|時間|小时|小時|分鐘|分钟|分|秒|吉瓦|ギガワット|GW|歳|岁|歲|次|回|件)+")

FIGURE = re.compile(
    rf"(?:[$£€¥]\s?\d[\d,.]*(?:\s?(?:million|billion|trillion|bn|m|k))?(?:\s?(?:-|to)\s?[$£€¥]?\d[\d,.]*(?:\s?(?:million|billion|trillion|bn|m|k))?)?)"
    rf"|(?:{_CJK_NUM}+(?:[.,．]\d+)?(?:\s?[-~〜～到至]\s?{_CJK_NUM}+)?\s?{_CJK_UNIT})"
    rf"|(?:\d[\d,.]*(?:\s?(?:-|–|to)\s?\d[\d,.]*)?{_EN_UNIT})"
    rf"|(?:\b{_NUM_WORD}(?:[-\s]{_NUM_WORD})*(?:[-\s](?:to|or)[-\s]{_NUM_WORD})?"
    rf"(?:\sof(?=\s(?:people|users|customers|companies|dollars|employees|patients|conversations)\b))?{_EN_UNIT})", re.I)
# Number words that alone are rarely the figure asked for ("one of the best", "a few things").
_WEAK = {"one", "a few", "several", "couple", "half", "dozen", "一个", "一個", "一次", "一つ", "一种", "一種"}
DATE = re.compile(
    rf"(?:{_MONTHS}(?:\s\d{{1,2}}(?!\d))?(?:,?\s\d{{4}})?)|(?:\b(?:19|20)\d{{2}}s?\b)|"
    rf"(?:(?:last|next|this|past)\s(?:night|week|month|year|decade|\d+\s\w+|{_NUM_WORD}\s\w+))|"
    rf"(?:\b(?:the\s)?(?:week|month|year)\safter\snext\b)|"
    rf"(?:\b(?:\d[\d,.]*|{_NUM_WORD})(?:\s(?:or|to)\s(?:\d[\d,.]*|{_NUM_WORD}))?\s(?:years?|months?|weeks?|days?)\s(?:ago|from now|time)\b)|"
    rf"(?:\b(?:yesterday|today|tomorrow|recently|ago)\b)|(?:下下(?:周|週|個月|个月)|再来週|再来月|再来年)|"
    rf"(?:{_CJK_NUM}+\s?(?:年代|年|月|日|週間|週|周|天|ヶ月|か月|個月|个月)(?:[前后後内內])?)|(?:去年|今年|明年|昨年|来年|昨夜|昨晚|上週|上周|最近)",
    re.I)


_YEAR = re.compile(r"(?:19|20)\d{2}(?:\s?年)?")
_ASKS_YEAR = re.compile(r"\b(?:what|which)\s+year\b|哪一年|哪年|何年に|何年から|何年まで", re.I)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _stated(figure: str, asked: str) -> bool:
    """Whether the (squashed) question already states this figure: as written, or all of its numbers."""
    if not asked:
        return False
    digits = re.findall(r"\d+", _squash(figure))
    return _squash(figure) in asked or (bool(digits) and set(digits) <= set(re.findall(r"\d+", asked)))


def find_figure(text: str, query_tokens: set[str], date: bool = False, question: str = ""
                ) -> tuple[tuple[int, int], str] | None:
    """((sentence start, end), figure) for the sentence of `text` that best matches the question among those
    holding a figure (a date for `date`); None when no sentence holds one. A figure the question itself
    states ("Maia 200", "三年內") is what it asks about, not the answer: other figures come first."""
    pattern = DATE if date else FIGURE
    asked = _squash(question)
    wants_year = bool(_ASKS_YEAR.search(question))
    found_any = []
    for s, e in sentence_spans(text) or [(0, len(text))]:
        sentence = text[s:e]
        found = [m for m in pattern.finditer(sentence)
                 if m.group().strip(" -,.") and m.group().strip(" -,.").lower() not in _WEAK]
        found_any.append((s, e, [m for m in found if not _stated(m.group().strip(" -,."), asked)], found))
    # Only when every figure of the passage is one the question states does one of those answer.
    use_new = any(new for *_, new, _ in found_any)
    best = None
    for s, e, new, found in found_any:
        sentence = text[s:e]
        found = new if use_new else found
        if not found:
            continue
        overlap = len(set(tokenize(sentence)) & query_tokens)
        if best is None or overlap > best[0]:
            # The figure in the unit the question asks for ("幾週" → 八周), else one with digits, else the longest.
            figure = max(found, key=lambda m: (wants_year and bool(_YEAR.fullmatch(m.group().strip(" -,."))),
                                               bool(set(tokenize(m.group())) & query_tokens),
                                               any(ch.isdigit() for ch in m.group()) or " " in m.group().strip(),
                                               len(m.group()))).group().strip(" -,.")
            best = (overlap, (s, e), figure)
    return None if best is None else (best[1], best[2])
