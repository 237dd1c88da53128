"""Input checks every edge (CLI, API, chat) runs before any model or index loads: cheap, stdlib only.

Each failure is a `BadQuestionError` whose message is one line a user can act on.
"""

from __future__ import annotations

import re
import unicodedata

from interview_qa.errors import BadQuestionError

LANGS = ("en", "ja", "zh")
K_RANGE = (1, 50)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_WORD = re.compile(r"\w", re.U)


def validate_question(question: object, max_chars: int) -> str:
    """The question, NFC-normalised and stripped; or BadQuestionError saying what is wrong with it."""
    if question is None or (isinstance(question, str) and not question.strip()):
        raise BadQuestionError("the question is empty")
    if not isinstance(question, str):
        raise BadQuestionError(f"the question must be text, got {type(question).__name__}")
    if _SURROGATE.search(question):
        # What a terminal passes on for bytes that are not UTF-8 (and what no real text contains).
        raise BadQuestionError("the question is not valid UTF-8 text")
    question = unicodedata.normalize("NFC", question).strip()
    if len(question) > max_chars:
        raise BadQuestionError(f"the question is {len(question)} characters long; the limit is {max_chars}")
    if _CONTROL.search(question):
        raise BadQuestionError("the question contains control characters")
    if not _WORD.search(_TAG.sub(" ", question)):
        raise BadQuestionError("the question has no words to search for")
    return question


def validate_k(k: object) -> int:
    """The number of passages to retrieve, an integer in K_RANGE (the CLI's --k range)."""
    lo, hi = K_RANGE
    if isinstance(k, bool):
        raise BadQuestionError(f"k must be an integer from {lo} to {hi}, got {k!r}")
    if isinstance(k, float) and k.is_integer():
        k = int(k)
    if isinstance(k, str) and re.fullmatch(r"\s*[+-]?\d{1,9}\s*", k):
        k = int(k)
    if not isinstance(k, int) or not lo <= k <= hi:
        shown = repr(k) if not isinstance(k, str) or len(k) < 40 else repr(k[:40] + "…")
        raise BadQuestionError(f"k must be an integer from {lo} to {hi}, got {shown}")
    return k


def validate_lang(lang: str | None) -> str | None:
    if lang and lang not in LANGS:
        raise BadQuestionError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    return lang or None


def validate_interview(interview: str | None, known: set[str] | dict) -> str | None:
    if interview and known and interview not in known:
        raise BadQuestionError(f"unknown interview {interview!r}; known: {', '.join(sorted(known))}")
    return interview or None


def validate_history(history: object) -> list[tuple[str, str]]:
    """Earlier turns as (question, answer) pairs of text."""
    if history in (None, "", []):
        return []
    if not isinstance(history, (list, tuple)):
        raise BadQuestionError("history must be a list of [question, answer] pairs")
    pairs = []
    for turn in history:
        if not isinstance(turn, (list, tuple)) or len(turn) != 2:
            raise BadQuestionError("history must be a list of [question, answer] pairs")
        q, a = ("" if v is None else str(v) for v in turn)
        if _SURROGATE.search(q + a):
            raise BadQuestionError("the history is not valid UTF-8 text")
        pairs.append((q, a))
    return pairs
