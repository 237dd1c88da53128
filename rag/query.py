"""What a question asks about, once the words that only frame it are set aside.

"What did Suleyman say about distillation?", "スレイマン氏は蒸留について何と言いましたか" and "他對蒸餾怎麼看"
all ask about distillation: the guest's, hosts' and outlets' names, "interview", "say", "彼", "他" frame
the question and match every greeting and introduction, so they never drive ranking. A follow-up is
elliptical ("Why?", "What about that?", "それはなぜ？") when, framing set aside, it names almost nothing of
its own: only then does the previous question shape the search.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from ingest.text import detect_lang
from rag.lexical import bigrams, fold, tokenize, word_forms, words

# Generic framing in three languages (as `words()` renders them: English stemmed, Han simplified).
_FRAME_TEXT = {
    "en": "say said says tell told talk talked mention mentioned think thinks thought believe believes feel "
          "view views opinion interview interviews podcast episode guest host ask asked answer answered "
          "mr ms mrs according discuss discussed describe described explain explained claim claimed state "
          "stated argue argued compare compared comparison both differ differs difference each two",
    "ja": "彼 氏 さん 言う 述べる 語る 話す 考える 思う 発言 インタビュー 対談 番組 意見 見解 質問 答える 回答 説明 主張 比べる 比較 両方 違い 違う それぞれ",
    "zh": "他 她 说 说过 讲 谈 谈到 提到 认为 觉得 看法 观点 想法 采访 访谈 节目 表示 回答 问题 说明 解释 主张 先生 比较 两次 异同 分别 不同 两个",
}
# Phrases that point at the interviews themselves ("in both interviews", "兩次訪談裡", "両インタビューで"):
# they say where to look, not what about, and pull the embedding towards any passage about interviews or media.
_INTERVIEW_FRAME = re.compile(
    r"\b(?:in|across|between|from|of|on)\s+(?:both|each|the\s+two|these\s+two|the|each\s+of\s+the(?:\s+two)?)\s+"
    r"(?:interviews?|conversations?|podcasts?|episodes?|appearances?)\b|"
    r"\b(?:both|the\s+two|two)\s+(?:interviews?|conversations?|podcasts?|episodes?)\b|"
    # What is left of "between the Bloomberg and the Decoder interviews" once the outlets' names are blanked.
    r"\b(?:in|across|between|from|on)\s+(?:the\s+)?and\s+(?:the\s+)?(?:interviews?|conversations?|podcasts?|episodes?)\b|"
    r"\bcompare\s+(?:what\s+he\s+(?:says|said)\s+)?|\bhow\s+do(?:es)?\s+(?:they|the\s+two)\s+differ\b|"
    # the second half of "what he said about X in one interview with what he said on the other"
    r"\b(?:with|and|to|versus|vs\.?)\s+what\s+(?:he|she)\s+(?:says|said|tells|told)(?:\s+(?:on|in|at|to))?(?=\s|$|[?.!])|"
    r"(?:両|2つの|二つの|それぞれの|両方の)(?:インタビュー|対談|番組)(?:で|では|での|の|を|に)?(?:それぞれ)?|"
    r"(?:を|と)?(?:比べ(?:て|ると|た)|比較(?:して|すると))(?:どう違う|違いは)?|"
    r"(?:兩次|两次|兩個|两个|兩場|两场|兩篇|两篇)(?:訪談|访谈|采訪|采访|節目|节目)(?:裡|里|裏|中|上)?|"
    r"(?:比較|比较)一下|有(?:什麼|什么)(?:異同|异同|不同)|的(?:說法|说法)", re.I)

# Words pointing at the guest or the interviews without naming them (Framing.refers_to_interviews). 他 inside
# 其他 ("other") or 他们 ("they") counts too: erring that way only leaves a question to the other checks.
_REFERS = re.compile(
    r"\b(?:he|his|him|himself|he['’]s|interviews?|interviewer|podcast|episode|host|guest)\b|"
    r"彼|インタビュー|対談|番組|司会|他|採訪|采访|訪談|访谈|節目|节目|主持人", re.I)

# A question leaning on the previous one: pronouns and demonstratives standing in for its topic.
_ANAPHORA = re.compile(
    r"\b(it|that|this|those|these|they|them|such|so|then|there|why|how come|and|but|what about|how about)\b|"
    r"^(それ|その|あれ|この|では|じゃあ|なぜ|どうして)|(それ|その|そう|これ|この)|"
    r"^(那|那么|那麼|為什麼|为什么|為何|为何|怎麼|怎么)|(它|這|这|那個|那个|此)", re.I)

# Words that point back at the previous exchange's topic, whatever else the question names.
_POINTS_BACK = re.compile(
    r"\b(?<!say )(?<!said )(?<!says )(?<!think )(?<!thinks )(?<!believe )(?<!claim )(?<!mean )(?<!so )(?<!true )"
    r"(that|those|these|such|the same)\s+(?!is\b|was\b|are\b|he\b|she\b|they\b|you\b|it\b|I\b|we\b)\w+|"
    r"\b(about|of|with|for|on|use|do|does|did)\s+(it|them)\b|\b(they|it)\s+(do|did|does|go|went|work|mean|happen)\b|"
    r"^(それ|その|そこ|そう|あれ|じゃあ|では|なら|で、)|(それ|その|そこ)(は|が|を|に|の|で)|"
    r"^(那|那麼|那么|那個|那个|那份|那些|這個|这个|這些|这些|這樣|这样|它)|(這個|这个|那個|那个|那份|這份|这份|這些|这些|那些|它)", re.I)

_NOT_NAMES = {"the", "and", "of", "a", "an"}


def name_variants(manifests: Mapping[str, Mapping]) -> set[str]:
    """Every way the corpus's people and outlets are named: each manifest's guest, host and outlet, their
    parts, and the guest's Japanese and Chinese renderings."""
    from rag.extractive import GUEST_NAMES

    names: set[str] = set(GUEST_NAMES.values())
    for m in manifests.values():
        for key in ("guest", "host", "outlet"):
            value = str(m.get(key) or "")
            names.add(value)
            names.update(part for part in re.split(r"[\s()·・]+", value) if part.lower() not in _NOT_NAMES)
    for full in GUEST_NAMES.values():
        names.update(re.split(r"[·・]", full))
    names |= {"蘇萊曼", "苏莱曼", "スレイマン", "ムスタファ", "穆斯塔法", "彭博", "ブルームバーグ", "ヴァージ", "パテル",
              "The Verge", "Verge", "Decoder"}
    return {n.strip() for n in names if len(n.strip()) > 2}


# How the outlets and hosts are written in Japanese and Chinese questions (the manifests write them in Latin).
_NAME_ALIASES = {"彭博": "Bloomberg", "ブルームバーグ": "Bloomberg", "ヴァージ": "Verge", "デコーダー": "Decoder",
                 "ミシャル": "Mishal", "フセイン": "Husain", "侯賽因": "Husain", "侯赛因": "Husain",
                 "ニライ": "Nilay", "パテル": "Patel", "帕特爾": "Patel", "帕特尔": "Patel"}


def interviews_named(question: str, manifests: Mapping[str, Mapping]) -> set[str]:
    """The interviews a question names by their outlet or host ("on Decoder", "ブルームバーグで", "did he tell
    Mishal Husain…", "ニライ・パテル"): two or more for a comparison."""
    question = unicodedata.normalize("NFKC", question)  # ﾌﾞﾙｰﾑﾊﾞｰｸﾞ, Ｄｅｃｏｄｅｒ: the names as the manifests write them
    text = question + " " + " ".join(latin for cjk, latin in _NAME_ALIASES.items() if cjk in question)
    named = set()
    for interview, m in manifests.items():
        names = {str(m.get("outlet") or ""), str(m.get("host") or "")}
        parts = {p for n in names for p in re.split(r"[\s()·・]+", n) if len(p) > 2 and p.lower() not in _NOT_NAMES}
        if any(re.search(_latin_name(p), text) for p in parts | {n for n in names if n}):  # names are capitalised
            named.add(interview)
    return named


def interview_named(question: str, manifests: Mapping[str, Mapping]) -> str | None:
    """The one interview a question names by its outlet or host; None when it names none, or several (a
    comparison)."""
    named = interviews_named(question, manifests)
    return named.pop() if len(named) == 1 else None


def _latin_name(name: str) -> str:
    """A Latin-script name as a pattern, with its possessive. It ends where Latin letters do: "とDecoderで" holds
    "Decoder" though `\b` sees no boundary there."""
    return rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])(?:['’]s)?"


@dataclass(frozen=True)
class Framing:
    """The framing vocabulary of one corpus: tokens never scored, names removed before embedding."""

    tokens: frozenset[str]
    names: tuple[str, ...]  # longest first, so "Mustafa Suleyman" goes before "Suleyman"

    @classmethod
    def for_corpus(cls, manifests: Mapping[str, Mapping]) -> "Framing":
        names = sorted(name_variants(manifests), key=len, reverse=True)
        tokens: set[str] = set()
        for lang, text in _FRAME_TEXT.items():
            tokens.update(words(text, lang))
            tokens.update(text.split())
        for name in names:
            tokens.update(tokenize(name))
        return cls(frozenset(tokens), tuple(names))

    def refers_to_interviews(self, question: str) -> bool:
        """Whether the question names someone or something of the interviews themselves: the guest (or "he",
        彼, 他), a host, an outlet, or "the interview". One naming none of them may still be about what was said
        ("How many gigawatts does Microsoft have?"), or about nothing said ("What's 17 times 23?")."""
        text = unicodedata.normalize("NFKC", question)
        return bool(_REFERS.search(text)) or any(
            re.search(_latin_name(name), text, re.I) if name.isascii() else name in text for name in self.names)

    def strip_names(self, question: str) -> str:
        """The question with people's and outlets' names blanked (for the dense query). A name ending a clause
        takes the words that only led to it along ("… and on Decoder?", "at Bloomberg."): left alone they
        are all a short question's dense query keeps ("about jobs and work and on")."""
        out = question
        for name in self.names:
            if name.isascii():
                out = re.sub(rf"(?:\b(?:and|or|in|on|at|from|with|to|versus|vs\.?)\s+)+(?:the\s+)?"
                             rf"{_latin_name(name)}(?=\s*(?:[?.!,;:？。]|$))", " ", out, flags=re.I)
        for name in self.names:
            pattern = _latin_name(name) if name.isascii() else re.escape(name) + r"(?:氏|さん|先生)?"
            out = re.sub(pattern, " ", out, flags=re.I)
        return re.sub(r"\s+", " ", out).strip() or question

    def content(self, tokens: Iterable[str]) -> list[str]:
        return [t for t in tokens if t not in self.tokens]


@dataclass(frozen=True)
class Query:
    text: str  # as asked
    lang: str
    dense_text: str  # names blanked
    tokens: tuple[str, ...]  # BM25 tokens, framing removed
    content_words: tuple[str, ...]  # content words (no bigrams), framing removed
    surfaces: dict[str, str] = field(default_factory=dict)  # content word -> its dictionary form (for lookups)
    # sentences -> their cosines to this question (rag.evidence), set once the question is searched
    similarity: Callable | None = field(default=None, compare=False, repr=False)
    # the content words' dictionary translations -> weight in (0, 1] (rag.translate), set with `similarity`: how
    # a sentence in another language than the question's shares its words
    translated: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def parse(cls, text: str, framing: Framing, lang: str | None = None) -> "Query":
        lang = lang or detect_lang(text)
        unnamed = framing.strip_names(text)
        unnamed = re.sub(r"\s+", " ", _INTERVIEW_FRAME.sub(" ", unnamed)).strip() or unnamed
        forms = [(f, s) for f, s in word_forms(unnamed, lang) if f not in framing.tokens]
        content_words = tuple(f for f, _ in forms)
        tokens = content_words + tuple(framing.content(bigrams(fold(unnamed))))
        return cls(text, lang, unnamed, tokens, content_words, dict(forms))

    def is_elliptical(self) -> bool:
        """Leans on the previous question: almost no topic words of its own, an anaphor with very few, or a
        word that points back at what was just discussed ("all that compute", "那份報告", "それは")."""
        n = len(self.content_words)
        return n == 0 or (n <= 2 and bool(_ANAPHORA.search(self.text))) or bool(_POINTS_BACK.search(self.text))


def search_query(question: str, previous_questions: list[str], framing: Framing) -> Query:
    """What to search for: the question itself, or — only when it is elliptical — the previous question
    with it ("What did he say about distillation?" + "Why does he think that?")."""
    query = Query.parse(question, framing)
    if previous_questions and query.is_elliptical():
        return Query.parse(f"{previous_questions[-1]} {question}", framing, lang=query.lang)
    return query
