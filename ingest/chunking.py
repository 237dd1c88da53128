"""Speaker-turn chunks: consecutive paragraphs of one speaker, long turns split at sentence boundaries.

Sizes are measured with tiktoken (o200k_base, made available offline by `ingest.offline_tiktoken`; it spends
fewer tokens on Japanese and Chinese than cl100k_base, so a CJK chunk holds about as much as an English one).
A guest chunk carries the host question it answers, for retrieval only (short answers such as "I guess a
bulldozer." cannot be found without their question); the question is never part of the quotable text.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.models import Chunk, Interview, Paragraph, Section
from ingest.offline_tiktoken import get_encoding
from ingest.text import sentence_spans

MIN_PIECE_TOKENS = 40  # a piece smaller than this stays with its neighbour in the same turn
QUESTION_TOKENS = 160  # how much of the host question travels with each answer chunk


@dataclass
class Turn:
    index: int
    role: str
    speaker: str
    kind: str
    paragraphs: list[Paragraph]


def turns_of(section: Section) -> list[Turn]:
    turns: list[Turn] = []
    for p in section.paragraphs:
        same = turns and turns[-1].role == p.role and turns[-1].speaker == p.speaker and turns[-1].kind == p.kind
        # Footnotes and captions are separate items even when two follow each other.
        if same and p.kind == "turn":
            turns[-1].paragraphs.append(p)
        else:
            turns.append(Turn(len(turns), p.role, p.speaker, p.kind, [p]))
    return turns


def _pieces(turn: Turn, max_tokens: int, count) -> list[tuple[int, int, list[int]]]:
    """(start, end, paragraph indices) pieces of a turn in section offsets, each ≤ max_tokens where possible."""
    # Units are whole paragraphs, or the sentences of a paragraph too long to fit: (start, end, paragraph, tokens).
    units: list[tuple[int, int, int, int]] = []
    for p in turn.paragraphs:
        size = count(p.text)
        if size <= max_tokens:
            units.append((p.start, p.end, p.index, size))
        else:
            units.extend((p.start + s, p.start + e, p.index, count(p.text[s:e])) for s, e in sentence_spans(p.text))
    pieces: list[list[tuple[int, int, int, int]]] = []
    sizes: list[int] = []
    for u in units:
        if pieces and sizes[-1] + u[3] <= max_tokens:
            pieces[-1].append(u)
            sizes[-1] += u[3]
        else:
            pieces.append([u])
            sizes.append(u[3])
    # Keep tiny trailing pieces with their turn rather than alone.
    if len(pieces) > 1 and sizes[-1] < MIN_PIECE_TOKENS:
        pieces[-2].extend(pieces.pop())
    return [(pc[0][0], pc[-1][1], sorted({u[2] for u in pc})) for pc in pieces]


def chunk_interview(interview: Interview, max_tokens: int) -> list[Chunk]:
    enc = get_encoding("o200k_base")

    def count(text: str) -> int:
        return len(enc.encode(text, disallowed_special=()))

    chunks: list[Chunk] = []
    by_section_para: dict[tuple[str, int], list[str]] = {}
    for lang, section in interview.sections.items():
        text = section.text
        last_question = ""
        for turn in turns_of(section):
            if turn.role == "host" and turn.kind == "turn":
                q = " ".join(p.text for p in turn.paragraphs)
                toks = enc.encode(q, disallowed_special=())
                # The end of a long host turn is where the question is.
                last_question = enc.decode(toks[-QUESTION_TOKENS:]) if len(toks) > QUESTION_TOKENS else q
            for k, (start, end, paras) in enumerate(_pieces(turn, max_tokens, count)):
                chunk_id = f"{interview.id}:{lang}:t{turn.index:03d}" + (f".{k}" if k else "")
                chunks.append(Chunk(
                    chunk_id=chunk_id,
                    interview=interview.id,
                    lang=_chunk_lang(section, paras),
                    section=lang,
                    role=turn.role,
                    speaker=turn.speaker,
                    text=text[start:end],
                    turn=turn.index,
                    paragraphs=paras,
                    char_start=start,
                    char_end=end,
                    question=last_question if turn.role == "guest" else "",
                    piece=k,
                    kind=turn.kind,
                ))
                for pi in paras:
                    by_section_para.setdefault((lang, pi), []).append(chunk_id)
    _link_chunks(interview, chunks, by_section_para)
    return chunks


def _chunk_lang(section: Section, paras: list[int]) -> str:
    langs = [section.paragraphs[i].lang for i in paras]
    return max(set(langs), key=langs.count)


def _link_chunks(interview: Interview, chunks: list[Chunk], by_section_para: dict[tuple[str, int], list[str]]) -> None:
    """Translation chunks point at the original chunks holding their linked paragraphs, and back."""
    original = interview.manifest.original
    by_id = {c.chunk_id: c for c in chunks}
    for c in chunks:
        if c.section == original:
            continue
        section = interview.sections[c.section]
        targets: list[str] = []
        for pi in c.paragraphs:
            for oi in section.paragraphs[pi].links:
                for cid in by_section_para.get((original, oi), []):
                    if cid not in targets:
                        targets.append(cid)
        c.linked_ids = targets
        c.para_links = [[pi, section.paragraphs[pi].links] for pi in c.paragraphs]
        for t in targets:
            if c.chunk_id not in by_id[t].linked_ids:
                by_id[t].linked_ids.append(c.chunk_id)
