"""Check that a quote really is in a passage, and recover the exact source span ("repair" a near miss).

A quote matches a span of the text when both are equal after only these normalisations:
Unicode NFKC, any whitespace run ≡ one space (ends ignored), and quote-mark variants
(’‘`' ≡ ' and “”„"「」『』 ≡ "). Nothing else is forgiven: a paraphrase never matches.
"""

from __future__ import annotations

import re
import unicodedata

MIN_QUOTE_CHARS = 4  # non-space characters a quote needs before it can count as evidence

_SINGLE_QUOTES = "’‘`'‛′"
_DOUBLE_QUOTES = "“”„\"「」『』‟″«»"
_QUOTE_MAP = {ord(c): "'" for c in _SINGLE_QUOTES} | {ord(c): '"' for c in _DOUBLE_QUOTES}
# Surrounding pairs stripped from a quote (after mapping to ascii forms only ' and " remain).
_HALFWIDTH_VOICING = "\uff9e\uff9f"  # ﾞ ﾟ: NFKC composes them with the preceding kana
_ELLIPSIS_TAIL = re.compile(r"(?:\.\.\.|…)+\s*$")
_ELLIPSIS_HEAD = re.compile(r"^\s*(?:\.\.\.|…)+")


def _norm_char(ch: str) -> str:
    """NFKC one character, then fold quote marks and whitespace."""
    out = unicodedata.normalize("NFKC", ch) if not ch.isascii() else ch
    out = out.translate(_QUOTE_MAP)
    return "".join(" " if c.isspace() else c for c in out)


def normalize_with_map(text: str) -> tuple[str, list[int], list[int]]:
    """Normalise `text` and map every normalised char back to its original span.

    Returns (normalised, starts, ends): normalised[i] came from text[starts[i]:ends[i]].
    Whitespace runs collapse to one space; leading/trailing whitespace is dropped.
    Characters are normalised one at a time (combining marks are first composed with NFC so that
    decomposed input still maps cleanly), which keeps the offsets exact.
    """
    norm: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        # A base character plus any following combining marks form one unit.
        j = i + 1
        while j < n and (unicodedata.combining(text[j]) or text[j] in _HALFWIDTH_VOICING):
            j += 1
        unit = text[i:j]
        if len(unit) > 1:
            piece = unicodedata.normalize("NFKC", unit).translate(_QUOTE_MAP)
            piece = "".join(" " if c.isspace() else c for c in piece)
        else:
            piece = _norm_char(unit)
        for c in piece:
            if c == " ":
                if not norm or norm[-1] == " ":
                    if norm:  # extend the existing space over this whitespace too
                        ends[-1] = j
                    continue
            norm.append(c)
            starts.append(i)
            ends.append(j)
        i = j
    if norm and norm[-1] == " ":
        norm.pop()
        starts.pop()
        ends.pop()
    return "".join(norm), starts, ends


def normalize_for_match(s: str) -> str:
    """The comparison form of a string (see module docstring)."""
    return normalize_with_map(s)[0]


def clean_quote(quote: str) -> str:
    """Strip what a model wraps around a quote: one surrounding pair of quote marks and a trailing ellipsis."""
    q = normalize_for_match(quote)
    for _ in range(2):  # e.g. '"... text ..."' or '「text」…'
        q = _ELLIPSIS_TAIL.sub("", q).strip()
        if len(q) >= 2 and q[0] == q[-1] and q[0] in "'\"":
            q = q[1:-1].strip()
        q = _ELLIPSIS_HEAD.sub("", q).strip()
    return q


def locate_quote(quote: str, text: str) -> tuple[int, int] | None:
    """Find `quote` in `text` modulo the allowed normalisations.

    Returns (start, end) offsets into the ORIGINAL text, so `text[start:end]` is the exact source span,
    or None when the quote is not there or is too short (< MIN_QUOTE_CHARS non-space chars) to be evidence.
    """
    if not quote or not text:
        return None
    q = clean_quote(quote)
    if sum(1 for c in q if not c.isspace()) < MIN_QUOTE_CHARS:
        return None
    norm, starts, ends = normalize_with_map(text)
    pos = norm.find(q)
    while pos >= 0:
        last = pos + len(q) - 1
        # One original char may expand to several normalised chars (e.g. "…" -> "...", "㍻" -> "平成"):
        # only accept a match whose ends fall on whole original characters.
        cut_start = pos > 0 and starts[pos - 1] == starts[pos]
        cut_end = last + 1 < len(starts) and starts[last + 1] == starts[last]
        if not (cut_start or cut_end):
            return starts[pos], ends[last]
        pos = norm.find(q, pos + 1)
    return None


def verified_quote(quote: str, text: str) -> str | None:
    """The exact source substring for `quote`, or None when it cannot be verified."""
    span = locate_quote(quote, text)
    return None if span is None else text[span[0]:span[1]]
