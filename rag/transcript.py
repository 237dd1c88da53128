"""Interviews as transcripts to read: the paragraphs of each language section rebuilt from the live index's
chunks, each translated paragraph beside the original paragraph(s) ingest aligned it to, the host's questions
as the interview's outline, search within a transcript, and the reader views that deep links name.

Everything here is read from chunks (what the index holds), so the reader shows exactly what answers quote.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlencode

from ingest.models import PARAGRAPH_SEP, Chunk
from ingest.text import detect_lang, sentence_spans

# Indexes built before chunks carried their kind name it in an editor's speaker label: "Bloomberg (footnote)".
_KIND_IN_SPEAKER = re.compile(r"\((intro|footnote|caption|chart|note)\)$")
_QUESTION_MARK = re.compile(r"[?？]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
QUESTION_MAX_CHARS = 240  # an outline entry / follow-up shows the question, not the whole preamble


@dataclass
class Para:
    """One paragraph of one language section, where it sits in the section's cleaned text."""

    interview: str
    section: str
    index: int
    lang: str
    role: str
    kind: str
    speaker: str
    turn: int
    start: int
    end: int
    text: str
    chunk_ids: list[str] = field(default_factory=list)
    links: list[int] = field(default_factory=list)  # original paragraphs a translated paragraph was aligned to

    @property
    def key(self) -> str:
        return f"{self.section}:{self.index}"


@dataclass
class Row:
    """What the reader shows side by side: translated paragraph(s) and the original paragraph(s) they translate.
    One side is empty where a paragraph has no counterpart (the Chinese-only tail of the Bloomberg piece)."""

    translation: list[Para]
    original: list[Para]

    @property
    def paras(self) -> list[Para]:
        return self.translation + self.original

    @property
    def linked(self) -> bool:
        return bool(self.translation and self.original)


@dataclass
class Transcript:
    interview: str
    manifest: dict
    original: str  # the original section's language
    translation: str | None  # the translation shown beside it (None: a single-language interview)
    rows: list[Row]

    @property
    def tail_start(self) -> int | None:
        """Index of the first row of a translation-only tail (rows after the last one with an original)."""
        last = max((i for i, r in enumerate(self.rows) if r.original), default=-1)
        if last + 1 < len(self.rows) and all(r.translation for r in self.rows[last + 1:]):
            return last + 1
        return None

    def row_of(self, section: str, offset: int) -> int | None:
        """The row holding character `offset` of `section`."""
        for i, row in enumerate(self.rows):
            for p in row.paras:
                if p.section == section and p.start <= offset < max(p.end, p.start + 1):
                    return i
        return None


# --------------------------------------------------------------------------------------------- paragraphs


def chunk_kind(chunk: Chunk) -> str:
    if chunk.kind and chunk.kind != "turn":
        return chunk.kind
    m = _KIND_IN_SPEAKER.search(chunk.speaker or "") if chunk.role == "editor" else None
    return m.group(1) if m else chunk.kind or "turn"


def section_paragraphs(chunks: list[Chunk]) -> list[Para]:
    """The paragraphs of one section from its chunks (sorted by offset). A chunk holds whole paragraphs joined
    by a blank line, or (long paragraphs) consecutive sentences of one; offsets index the section's text."""
    if not chunks:
        return []
    end = max(c.char_end for c in chunks)
    buf = [" "] * end  # gaps between a long paragraph's sentence pieces are whitespace
    spans: dict[int, list[int]] = {}
    meta: dict[int, Chunk] = {}
    owners: dict[int, list[str]] = {}
    links: dict[int, list[int]] = {}
    for c in chunks:
        buf[c.char_start:c.char_end] = c.text
        for pi, original in c.para_links or []:
            links[pi] = list(original)
        pos = c.char_start
        parts = c.text.split(PARAGRAPH_SEP)
        if len(parts) != len(c.paragraphs):  # a paragraph with a blank line inside: keep the chunk whole
            parts = [c.text]
        for pi, part in zip(c.paragraphs, parts):
            lo, hi = spans.get(pi, (pos, pos + len(part)))
            spans[pi] = [min(lo, pos), max(hi, pos + len(part))]
            meta.setdefault(pi, c)
            owners.setdefault(pi, [])
            if c.chunk_id not in owners[pi]:
                owners[pi].append(c.chunk_id)
            pos += len(part) + len(PARAGRAPH_SEP)
    out = []
    for pi in sorted(spans):
        lo, hi = spans[pi]
        c = meta[pi]
        text = "".join(buf[lo:hi])
        out.append(Para(interview=c.interview, section=c.section, index=pi, lang=_para_lang(text, c.lang),
                        role=c.role, kind=chunk_kind(c), speaker=c.speaker, turn=c.turn, start=lo, end=hi,
                        text=text, chunk_ids=owners[pi], links=links.get(pi, [])))
    return out


def _para_lang(text: str, chunk_lang: str) -> str:
    return detect_lang(text) if text else chunk_lang


def build_transcript(chunks: list[Chunk], manifest: dict, translation: str | None = None) -> Transcript:
    """One interview's rows: translated paragraphs beside the originals they are linked to, in reading order.

    The alignment is monotonic, so rows are made by walking the translation and emitting any original
    paragraphs no translated paragraph links to at the point where the translation passes them.
    """
    by_section: dict[str, list[Chunk]] = {}
    for c in sorted(chunks, key=lambda c: (c.section, c.char_start)):
        by_section.setdefault(c.section, []).append(c)
    original_lang = manifest.get("original") or next(iter(by_section), "en")
    if original_lang not in by_section and by_section:
        original_lang = next(iter(by_section))
    others = [s for s in by_section if s != original_lang]
    if translation not in others:
        translation = others[0] if others else None
    originals = section_paragraphs(by_section.get(original_lang, []))
    interview = manifest.get("id") or (chunks[0].interview if chunks else "")
    if translation is None:
        rows = [Row([], [p]) for p in originals]
        return Transcript(interview, manifest, original_lang, None, rows)
    translated = section_paragraphs(by_section[translation])
    by_index = {p.index: p for p in originals}
    shown: set[int] = set()
    rows: list[Row] = []
    next_original = 0
    order = [p.index for p in originals]
    for p in translated:
        targets = [by_index[i] for i in p.links if i in by_index]
        if not targets:
            rows.append(Row([p], []))
            continue
        first = min(t.index for t in targets)
        for i in order:  # originals the translation skipped before this point
            if next_original <= i < first and i not in shown:
                rows.append(Row([], [by_index[i]]))
                shown.add(i)
        last = rows[-1] if rows else None
        if last and last.translation and [t.index for t in last.original] == [t.index for t in targets]:
            last.translation.append(p)  # two translated paragraphs rendering one original
        else:
            rows.append(Row([p], targets))
        shown.update(t.index for t in targets)
        next_original = max(next_original, max(t.index for t in targets) + 1)
    tail = [Row([], [by_index[i]]) for i in order if i not in shown]
    if tail:
        # Originals left over: after the last linked row, before any translation-only tail.
        cut = max((k for k, r in enumerate(rows) if r.original), default=-1) + 1
        rows[cut:cut] = tail
    return Transcript(interview, manifest, original_lang, translation, rows)


# --------------------------------------------------------------------------------------------- outline


@dataclass
class OutlineEntry:
    interview: str
    section: str
    lang: str
    turn: int
    paragraph: int  # index of the turn's first paragraph in its section
    start: int
    end: int
    question: str  # the question sentence(s), for the list
    text: str  # the host's whole turn
    only_in: str | None = None  # set when the entry exists in this language only (not the one asked for)

    @property
    def key(self) -> tuple[str, str, int]:
        return self.interview, self.section, self.turn


def question_text(turn_text: str) -> str:
    """The question in a host turn: its last sentence with a question mark (with the sentence before it when
    that one is short), else its last sentence; at most QUESTION_MAX_CHARS."""
    text = " ".join(turn_text.split(PARAGRAPH_SEP)[-1:]).strip() or turn_text.strip()
    spans = sentence_spans(text)
    if not spans:
        return _clip(text)
    asked = [i for i, (s, e) in enumerate(spans) if _QUESTION_MARK.search(text[s:e])]
    i = asked[-1] if asked else len(spans) - 1
    # A run of questions ("Why the split? What didn't work?") is one question.
    j = i
    while j > 0 and j - 1 in asked and spans[i][1] - spans[j - 1][0] <= QUESTION_MAX_CHARS:
        j -= 1
    start = spans[j][0]
    short = 16 if _CJK.search(text) else 40
    if spans[i][1] - start < short and j > 0:
        start = spans[j - 1][0]
    return _clip(text[start:spans[i][1]])


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUESTION_MAX_CHARS else "…" + text[-(QUESTION_MAX_CHARS - 1):]


def host_turns(paras: list[Para]) -> list[list[Para]]:
    """The host's question turns (kind "turn", not the show's intro) of a list of paragraphs, in order."""
    turns: dict[tuple[str, int], list[Para]] = {}
    for p in paras:
        if p.role == "host" and p.kind == "turn":
            turns.setdefault((p.section, p.turn), []).append(p)
    return list(turns.values())


def outline(transcript: Transcript, lang: str | None) -> list[OutlineEntry]:
    """The host's questions in reading order, in `lang` where the interview has that language (else in its
    original), plus the questions that exist only in another language (marked `only_in`)."""
    sections = {transcript.original} | ({transcript.translation} if transcript.translation else set())
    want = lang if lang in sections else transcript.original
    entries: list[OutlineEntry] = []
    seen: set[tuple[str, int]] = set()
    for row in transcript.rows:
        mine = [p for p in row.paras if p.section == want]
        side = mine or row.paras
        for turn in host_turns(side):
            head = turn[0]
            if (head.section, head.turn) in seen:
                continue
            seen.add((head.section, head.turn))
            full = PARAGRAPH_SEP.join(p.text for p in _whole_turn(transcript, head))
            entries.append(OutlineEntry(
                interview=transcript.interview, section=head.section, lang=head.lang, turn=head.turn,
                paragraph=head.index, start=head.start, end=turn[-1].end, question=question_text(full), text=full,
                only_in=None if head.section == want else head.section,
            ))
    return entries


def _whole_turn(transcript: Transcript, head: Para) -> list[Para]:
    out = [p for row in transcript.rows for p in row.paras if p.section == head.section and p.turn == head.turn]
    return sorted({p.index: p for p in out}.values(), key=lambda p: p.index)


# --------------------------------------------------------------------------------------------- search


@functools.cache
def _fold_char(ch: str) -> str:
    """One character folded for matching (case, width, traditional → simplified); always one character."""
    f = unicodedata.normalize("NFKC", ch).casefold()
    if len(f) != 1:
        f = ch.lower() if len(ch.lower()) == 1 else ch
    if _CJK.match(f):
        from rag.lexical import _opencc

        s = _opencc("t2s").convert(f)
        f = s if len(s) == 1 else f
    return f


def fold(text: str) -> str:
    return "".join(_fold_char(ch) for ch in text)


def search_terms(query: str) -> list[str]:
    return [fold(t) for t in dict.fromkeys((query or "").split()) if t.strip()]


def find_hits(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of any term in text, matched case-, width- and script-insensitively."""
    if not terms:
        return []
    folded = fold(text)
    spans = []
    for term in terms:
        i = folded.find(term)
        while i >= 0:
            spans.append((i, i + len(term)))
            i = folded.find(term, i + len(term))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


# --------------------------------------------------------------------------------------------- reader views


@dataclass(frozen=True)
class Span:
    section: str
    start: int
    end: int

    def __str__(self) -> str:
        return f"{self.section}:{self.start}-{self.end}"

    @classmethod
    def parse(cls, value: str | None) -> "Span | None":
        m = re.fullmatch(r"([a-z]{2,3}):(\d+)-(\d+)", (value or "").strip())
        if not m:
            return None
        start, end = int(m.group(2)), int(m.group(3))
        return cls(m.group(1), start, max(start, end)) if end - start <= 100_000 else None


@dataclass(frozen=True)
class ReaderView:
    """What a reader URL names: an interview, optionally a span to open at (highlighted when `mark`), the
    original of that span, and a search."""

    interview: str
    at: Span | None = None
    original: Span | None = None
    mark: bool = True
    search: str = ""

    def query(self) -> str:
        params = {"view": "reader", "iv": self.interview}
        if self.at:
            params["at" if self.mark else "go"] = str(self.at)
        if self.original and self.mark:
            params["oat"] = str(self.original)
        if self.search:
            params["q"] = self.search
        return "?" + urlencode(params)

    @classmethod
    def from_params(cls, params: dict) -> "ReaderView | None":
        def one(name: str) -> str:
            value = params.get(name) or ""
            return str(value[0] if isinstance(value, (list, tuple)) and value else value)

        if one("view") != "reader" or not one("iv"):
            return None
        at, go = Span.parse(one("at")), Span.parse(one("go"))
        return cls(interview=one("iv")[:200], at=at or go, original=Span.parse(one("oat")), mark=at is not None,
                   search=one("q")[:200])


def parse_location(location: str) -> tuple[str, Span] | None:
    """A citation's location, "<interview>#<section>:<start>-<end>", as (interview, span)."""
    interview, sep, span = (location or "").partition("#")
    parsed = Span.parse(span) if sep else None
    return (interview, parsed) if parsed else None
