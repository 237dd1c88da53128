"""What the reader, the outline and the follow-up suggestions need from a `QAService`: transcripts built from
its index, reader views for citations and passages, and follow-up questions that lead to a grounded answer."""

from __future__ import annotations

from dataclasses import dataclass

from interview_qa.errors import BadQuestionError
from ingest.models import PARAGRAPH_SEP
from rag.lexical import tokenize
from rag.transcript import (
    OutlineEntry,
    Para,
    ReaderView,
    Span,
    Transcript,
    build_transcript,
    host_turns,
    outline,
    parse_location,
    question_text,
    section_paragraphs,
)

FOLLOW_UPS = 3
SAME_QUESTION = 0.6  # token overlap above which a host question is the one just asked, not a follow-up


@dataclass
class FollowUp:
    question: str
    interview: str
    section: str
    turn: int


class Reading:
    """Reader data over one service's live index (built lazily, kept for the service's lifetime)."""

    def __init__(self, service):
        self.service = service
        self._transcripts: dict[tuple[str, str | None], Transcript] = {}
        self._paras: dict[tuple[str, str], list[Para]] = {}
        self._index = None  # the index the caches were built from (a running server may switch to a newer one)

    def manifests(self) -> dict[str, dict]:
        return self.service.manifests()

    def _fresh(self) -> None:
        """Forget what was built from an index the service no longer serves."""
        index = self.service.index
        if index is not self._index:
            self._transcripts, self._paras, self._index = {}, {}, index

    def _chunks(self, interview: str):
        return [c for c in self.service.index.chunks if c.interview == interview]

    def transcript(self, interview: str, translation: str | None = None) -> Transcript:
        manifests = self.manifests()
        if interview not in manifests:
            raise BadQuestionError(f"unknown interview {interview!r}; known: {', '.join(sorted(manifests))}")
        key = (interview, translation)
        self._fresh()
        if key not in self._transcripts:
            self._transcripts[key] = build_transcript(self._chunks(interview), manifests[interview], translation)
        return self._transcripts[key]

    def translation_for(self, interview: str, lang: str | None) -> str | None:
        """The translation column to show a reader of `lang`: that language if the interview has it."""
        sections = {c.section for c in self._chunks(interview)}
        return lang if lang in sections else None

    def outline(self, lang: str | None) -> list[tuple[dict, list[OutlineEntry]]]:
        """Every interview's host questions, in `lang` where it exists."""
        out = []
        for interview, manifest in self.manifests().items():
            out.append((manifest, outline(self.transcript(interview, self.translation_for(interview, lang)), lang)))
        return out

    def paragraphs(self, interview: str, section: str) -> list[Para]:
        key = (interview, section)
        self._fresh()
        if key not in self._paras:
            chunks = sorted((c for c in self._chunks(interview) if c.section == section), key=lambda c: c.char_start)
            self._paras[key] = section_paragraphs(chunks)
        return self._paras[key]

    # --- reader views ------------------------------------------------------------------------

    def view_for(self, item: dict) -> ReaderView | None:
        """The reader view for a citation (its quote and its original highlighted) or a retrieved passage."""
        by_id = self.service.index.by_id
        chunk = by_id.get(item.get("chunk_id") or "")
        if chunk is None:
            return None
        parsed = parse_location(item.get("location") or "")
        if parsed and parsed[0] == chunk.interview:
            at, mark = parsed[1], True
        else:
            at, mark = Span(chunk.section, chunk.char_start, chunk.char_end), False
        original = None
        orig = item.get("original") or {}
        ochunk = by_id.get(item.get("original_chunk_id") or "")
        if mark and ochunk is not None and orig.get("quote"):
            i = ochunk.text.find(orig["quote"])
            if i >= 0:
                original = Span(ochunk.section, ochunk.char_start + i, ochunk.char_start + i + len(orig["quote"]))
        return ReaderView(interview=chunk.interview, at=at, original=original, mark=mark)

    @staticmethod
    def view_for_entry(entry: OutlineEntry) -> ReaderView:
        return ReaderView(interview=entry.interview, at=Span(entry.section, entry.start, entry.end), mark=False)

    # --- follow-ups --------------------------------------------------------------------------

    def follow_up_candidates(self, answer: dict) -> list[FollowUp]:
        """Host questions next to the cited passages: the one asked after each, then the one each answers."""
        by_id = self.service.index.by_id
        after, before = [], []
        for c in answer.get("citations") or []:
            chunk = by_id.get(c.get("chunk_id") or "")
            if chunk is None:
                continue
            turns = host_turns(self.paragraphs(chunk.interview, chunk.section))
            nxt = next((t for t in turns if t[0].turn > chunk.turn), None)
            prev = next((t for t in reversed(turns) if t[0].turn < chunk.turn), None)
            after += [nxt] if nxt else []
            before += [prev] if prev else []
        out, seen = [], set()
        asked = set(tokenize(answer.get("question") or ""))
        for turn in after + before:
            head = turn[0]
            key = (head.interview, head.section, head.turn)
            if key in seen:
                continue
            seen.add(key)
            q = question_text(PARAGRAPH_SEP.join(p.text for p in turn))
            mine = set(tokenize(q))
            if asked and mine and len(asked & mine) / len(asked | mine) > SAME_QUESTION:
                continue
            out.append(FollowUp(q, head.interview, head.section, head.turn))
        return out

    def follow_ups(self, answer: dict, history: list[tuple[str, str]] | None = None,
                   n: int = FOLLOW_UPS, tries: int = 2 * FOLLOW_UPS) -> list[FollowUp]:
        """Up to `n` follow-ups that, asked next in this conversation, get a grounded answer (each is tried)."""
        if not answer.get("grounded"):
            return []
        history = list(history or []) + [(answer.get("question") or "", answer.get("answer") or "")]
        picked = []
        for cand in self.follow_up_candidates(answer)[:tries]:
            try:
                grounded = self._grounded(cand.question, history)
            except Exception:  # noqa: BLE001 - a suggestion that can't be asked is just not suggested
                continue
            if grounded:
                picked.append(cand)
                if len(picked) == n:
                    break
        return picked

    def _grounded(self, question: str, history: list[tuple[str, str]]) -> bool:
        """Whether asking `question` next gets a grounded answer. With an LLM configured, the offline answer
        decides (same retrieval, same abstention threshold) so that suggestions cost no model calls."""
        service = self.service
        if not service.settings.llm_enabled:
            return service.ask(question, history=history).grounded
        from ingest.text import detect_lang
        from rag.retrieval import Filters

        question = service._validate(question, None, None)
        return service._extractive(question, history, Filters(), detect_lang(question), 5).grounded
