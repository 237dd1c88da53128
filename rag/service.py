"""The question-answering service the CLI, the UI and the eval harness share.

Offline (default): hybrid retrieval + the extractive answerer. With an LLM configured: the same retrieval,
then an OpenAI-compatible model answers with structured citations, each verified against its chunk
(repaired to the exact source span or dropped); any failure falls back to the extractive answer with a
visible notice.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path

from interview_qa.errors import BadQuestionError, IndexMissingError, InterviewQAError
from interview_qa.settings import Settings
from interview_qa.validation import validate_interview, validate_k, validate_lang, validate_question
from ingest.models import Chunk
from ingest.store import ChunkStore, IndexState, server_unavailable
from ingest.text import detect_lang
from rag.extractive import (GUEST_NAMES, asks_attribution, cite, claim_of, compose, compose_attribution,
                             compose_never_named, compose_related, named_first)
from rag.lexical import tokenize
from rag.query import Query, interview_named, interviews_named, search_query
from rag.retrieval import Filters, HybridIndex, Passage
from rag.answers.comparison import compose_comparison
from rag.answers.figure import counted, stated_figure
from rag.answers.verdict import stated_verdict
from rag.kinds import COMPARE, DATE, NUMBER, OPEN, WHO_SAID, YES_NO, question_kind
from rag.types import Answer, Citation, Retrieved, Section

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
DEFAULT_ABSTAIN_THRESHOLD = 0.79  # rag/calibration.json (chosen on dev) overrides it
# The abstention confidence's coverage term, chosen on dev (evals/fit_ranker.py): the most unanswerable
# questions refused while no question whose gold passage ranks first is.
COVERAGE_WEIGHT = 0.05
NOTICES = {
    "en": "The LLM was unavailable ({why}); showing the offline extractive answer.",
    "ja": "LLM を利用できませんでした（{why}）。オフラインの抜粋回答を表示しています。",
    "zh": "LLM 無法使用（{why}），改為顯示離線摘錄回答。",
}


def judged_by_unanswered(question: str) -> bool:
    """Whether the questions the interviews don't answer count against answering this one: an open question
    only. A how-many or when question has its own "no such figure" check, which says more than "not covered"; a
    yes/no question about something covered is answered no, not refused, however like an unanswered one it reads
    ("Did he want to found Inflection in Britain?" beside "When was Inflection founded?")."""
    return not asks_attribution(question) and question_kind(question, False) == OPEN


def _calibration() -> dict:
    """rag/calibration.json (chosen on dev by evals/fit_ranker.py), or nothing when it is missing."""
    return json.loads(CALIBRATION_FILE.read_text(encoding="utf-8")) if CALIBRATION_FILE.exists() else {}


def abstain_threshold(with_bank: bool = False) -> float:
    """The dev-calibrated threshold: the one for confidences with the bank's term when `with_bank` (the bank
    knows the index), else the one without."""
    calibration = _calibration()
    plain = float(calibration.get("abstain_threshold", DEFAULT_ABSTAIN_THRESHOLD))
    return float(calibration.get("abstain_threshold_bank", plain)) if with_bank else plain


def bank_weight() -> float:
    """The weight of the closest bank question's cosine in the abstention confidence, chosen on dev by 5-fold CV."""
    return float(_calibration().get("bank_weight", 0.0))


def unanswered_weight() -> float:
    """The weight of the closest unanswered question's cosine, taken off the abstention confidence (chosen with
    bank_weight on dev by 5-fold CV)."""
    return float(_calibration().get("unanswered_weight", 0.0))


def off_topic_floor() -> float:
    """The closest-bank-question cosine under which a question naming nothing of the interviews is taken to be
    about something else (chosen on dev; 0.0, never, when not calibrated)."""
    return float(_calibration().get("off_topic_bank_floor", 0.0))


class QAService:
    def __init__(self, settings: Settings, store: ChunkStore):
        self.settings = settings
        self.store = store
        self.index = HybridIndex(store)
        with_bank = self.index.bank_ranker is not None
        self.threshold = abstain_threshold(with_bank)
        self.bank_weight = bank_weight() if with_bank else 0.0
        self.unanswered_weight = unanswered_weight() if with_bank else 0.0
        self.off_topic_floor = off_topic_floor() if with_bank else 0.0
        self._llm = None
        if settings.llm_enabled:
            from rag.llm import LLMAnswerer

            self._llm = LLMAnswerer(settings)  # loaded up front: a reply's deadline is spent on the reply

    @classmethod
    def from_settings(cls, settings: Settings, build_if_missing: bool = True, progress: bool = True) -> "QAService":
        if not IndexState.load(settings.index_dir).collection:
            if not build_if_missing:
                raise IndexMissingError(f"no index in {settings.index_dir}: run `interview-qa ingest` first")
            from ingest.pipeline import ingest

            report = ingest(None, settings, show_progress=progress)
            if not IndexState.load(settings.index_dir).collection:
                raise IndexMissingError("building the index failed: " + "; ".join(
                    f"{r.path}: {r.error}" for r in report.failed))
        from ingest.snapshot import open_for_reading

        store = open_for_reading(settings)
        try:
            return cls(settings, store)
        except InterviewQAError:
            raise
        except Exception as exc:  # noqa: BLE001 - a server that vanishes while the index loads is one line too
            if settings.chroma_url:
                raise server_unavailable(settings, exc) from None
            raise

    # --- facts for the UI ---

    def interviews(self) -> list[dict]:
        return list(self.manifests().values())

    def manifests(self) -> dict[str, dict]:
        return {k: v["manifest"] for k, v in self.store.state.documents.items()}

    def mode_label(self) -> str:
        return f"LLM: {self.settings.llm_model}" if self.settings.llm_enabled else "offline extractive"

    def context(self, chunk_id: str, window: int = 2) -> dict:
        if chunk_id not in self.index.by_id:
            raise BadQuestionError(f"unknown chunk id {chunk_id!r}")
        chunk = self.index.by_id[chunk_id]
        before, after = self.index.neighbours(chunk_id, window)
        return {"interview": self.manifests().get(chunk.interview, {}), "section": chunk.section,
                "chunk": chunk, "before": before, "after": after}

    # --- answering ---

    def _validate(self, question: str, interview: str | None, lang: str | None) -> str:
        question = validate_question(question, self.settings.max_question_chars)
        validate_interview(interview, self.manifests())
        validate_lang(lang)
        return question

    def _search_query(self, question: str, history: list[tuple[str, str]] | None) -> Query:
        """Without an LLM to condense a follow-up, the previous question comes along only when this one is
        elliptical ("Why?", "What about that?"); a self-contained question is searched on its own."""
        return search_query(question, [q for q, _ in history or []], self.index.framing)

    def _retrieve(self, query: "str | Query", filters: Filters, k: int, topics: bool = False) -> list[Passage]:
        """Every question is ranked with the question bank and its query adapter when the bank covers the index
        (HybridIndex.search keeps the committed ranking otherwise, and where that ranking puts first a host question
        the captures stop before answering). Open, how-many and when questions first (dev figure or date in the
        first line .875 -> .958), then, with the adapter (seventeenth round), yes/no ones (dev hit@1 .807 -> .839,
        answer-hit .919 -> .933, verdicts unchanged; blind probes quoted +7) and who-said ones (dev hit@1 .839 ->
        .842, answer-hit .933 -> .940, who-said verdicts unchanged; blind probes +5). The abstention threshold is
        calibrated on this same ranking (evals/fit_ranker.py)."""
        return self.index.search(query, filters, max(k, 10), use_bank=True, topics=topics)

    def _next_guest_turn(self, chunk: Chunk):
        c = self.index.next_guest_turn(chunk)
        return None if c is None else (c, self.index.passage_of(c.chunk_id))

    def _retrieved(self, passages: list[Passage], lang: str, k: int, citations: list[Citation] = ()) -> list[Retrieved]:
        """The fused top-k; a cited passage ranked below k replaces the lowest uncited ones, so every
        citation can be found among what was retrieved."""
        cited = {c.chunk_id for c in citations}
        top = list(passages[:k])
        have = {cid for p in top for cid in p.members}
        extra = []
        for c in citations:
            if c.chunk_id not in have and c.chunk_id in self.index.by_id:
                p = next((p for p in passages if c.chunk_id in p.members), None) or self.index.passage_of(c.chunk_id)
                extra.append(p)
                have |= set(p.members)
        while extra and len(top) + len(extra) > k:
            drop = next((p for p in reversed(top) if not cited & set(p.members)), None)
            if drop is None:
                break
            top.remove(drop)
        top += extra
        out = []
        for p in top:
            shown = p.best_in(lang)
            out.append(Retrieved(
                chunk_id=shown.chunk_id, interview=shown.interview, speaker=shown.speaker, role=shown.role,
                lang=shown.lang, text=shown.text, score=round(p.score, 6),
                linked=[{"chunk_id": c.chunk_id, "lang": c.lang, "text": c.text}
                        for c in p.members.values() if c.chunk_id != shown.chunk_id],
            ))
        return out

    def _confidence(self, query: "str | Query", passages: list[Passage], unanswered: bool = False) -> float:
        """Evidence that the interviews answer this: the best passage's raw dense similarity plus a little for
        the share of the question's rare words the top passages contain (scale-free, so a small corpus is
        judged like a large one), plus, when the question bank knows the index, how close the question comes to
        one of its questions (topic questions included), less, for an open question (`unanswered`:
        judged_by_unanswered), how much closer still it comes to one the interviews are known not to answer. The
        weights and threshold are chosen on dev by evals/fit_ranker.py."""
        if not passages:
            return 0.0
        query = self.index.parse(query)
        similarity = self.index.bank_similarity(query) if self.bank_weight or self.unanswered_weight else 0.0
        bank = self.bank_weight * similarity
        if self.unanswered_weight and unanswered:
            # only when closer to a question the interviews don't answer than to any bank question they do
            bank -= self.unanswered_weight * max(0.0, self.index.unanswered_similarity(query) - similarity)
        return round(passages[0].dense + COVERAGE_WEIGHT * self.index.coverage(query, passages[:3]) + bank, 6)

    def ask(self, question: str, history: list[tuple[str, str]] | None = None, interview: str | None = None,
            lang: str | None = None, guest_only: bool = False, k: int = 5) -> Answer:
        answer = None
        for event in self.stream(question, history, interview, lang, guest_only, k):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def stream(self, question: str, history: list[tuple[str, str]] | None = None, interview: str | None = None,
               lang: str | None = None, guest_only: bool = False, k: int = 5) -> Iterator[str | Answer]:
        """Text deltas as the answer is produced, then the final `Answer`."""
        question = self._validate(question, interview, lang)
        k = validate_k(k)
        answer_lang = detect_lang(question)
        filters = Filters(interview=interview or self._interview_named(question), lang=lang,
                          role="guest" if guest_only else None)
        if self.settings.llm_enabled:
            yield from self._stream_llm(question, history or [], filters, answer_lang, k)
            return
        answer = self._extractive(question, history, filters, answer_lang, k)
        yield from _pieces(answer.answer)
        yield answer

    def _interview_named(self, question: str) -> str | None:
        """The interview a question names ("on Decoder", "ブルームバーグで"): it is searched alone, as if filtered;
        a comparison names both and searches both."""
        if self._kind(question, asks_attribution(question)) == COMPARE:
            return None
        return interview_named(question, self.manifests())

    def _kind(self, question: str, attribution: bool) -> str:
        """The question's kind (rag.kinds), and a comparison whenever it names two interviews by their outlets or
        hosts, in whatever words: "…to Mishal Husain vs to Nilay Patel?", "ミシャル・フセインとニライ・パテルそれぞれ"."""
        kind = question_kind(question, attribution)
        if kind not in (COMPARE, WHO_SAID) and len(interviews_named(question, self.manifests())) > 1:
            return COMPARE
        return kind

    def _extractive(self, question, history, filters, answer_lang, k, notice=None, query=None,
                    passages=None) -> Answer:
        return self._offline(question, history, filters, answer_lang, k, notice, query, passages)[0]

    def _offline(self, question, history, filters, answer_lang, k, notice=None, query=None,
                 passages=None) -> tuple[Answer, bool]:
        """The extractive answer, and whether the evidence settles it so that no model could change it: the
        words asked about are someone else's (cited), the interviews say they don't answer it (only partly
        covered, no such figure, a caption only, a name never mentioned), or it is about a related article."""
        query = self.index.with_sentence_evidence(self.index.parse(query or self._search_query(question, history)))
        attribution = asks_attribution(question)
        kind = self._kind(question, attribution)

        def names_asked(passage: Passage) -> bool:  # some language version names a word the question asks about
            return self.index.names_any(list(query.content_words), query.lang, passage)

        passages = self._retrieve(query, filters, k) if passages is None else passages
        confidence = self._confidence(query, passages, unanswered=judged_by_unanswered(question))
        speakers, said_as_asked = [], False
        article = self.index.related_article_asked_about(query)
        if attribution:
            speakers, passages, said_as_asked = self._attribute(claim_of(question), filters, passages,
                                                                note_first=article is None)
        manifests = self.manifests()
        # A name the interviews never use, in any language (nor a related article's headline): not covered,
        # however close the embedding lands. A yes/no question's names in Chinese characters are left to its
        # verdict (日本 asked, 中國 said).
        name = self.index.unknown_name(query, han=kind not in (YES_NO, WHO_SAID)) or (
            None if attribution else self.index.nothing_asked_is_used(query))
        if name is not None and article is None:
            draft, grounded = compose_never_named(answer_lang, name, kind), False
        elif speakers:
            # Evidence (the words, or failing them the meaning) that someone else said it grounds the answer.
            draft = compose_attribution(question, answer_lang, speakers, manifests, self._next_guest_turn)
            grounded = True
            shown = {p.key for p in speakers}
            passages = speakers + [p for p in passages if p.key not in shown]
        elif kind == COMPARE and not filters.interview and len(manifests) > 1:
            # Each side is ranked with the question bank (dev compare, both sides quoted: .09 -> .27).
            sides = {iv: self._retrieve(query, Filters(iv, filters.lang, filters.role), 3, topics=True)
                     for iv in manifests}
            # A side quotes, among its ten best passages, first one naming something asked: what it says on the
            # topic, not what merely ranks near it (dev compare: filler .18 -> .09, answer-hit unchanged).
            draft = compose_comparison(answer_lang, {iv: named_first(ps, names_asked) for iv, ps in sides.items()},
                                       manifests, query,
                                       relevant=lambda ps: self._confidence(query, ps) >= self.threshold,
                                       names=names_asked)
            grounded = bool(draft.citations)
            if not grounded:
                draft = compose(question, answer_lang, passages, manifests, False, kind=kind)
            passages = _interleave(list(sides.values())) + passages
        elif article is not None:
            draft, grounded = compose_related(answer_lang, article, manifests, kind), False
        else:
            known = self.index.names_something_known(query) and not self.off_topic(query)
            grounded = self._answers_it(passages, confidence, said_as_asked, known)
            draft = compose(question, answer_lang, passages, manifests, grounded, self._next_guest_turn,
                            query=query, kind=kind, ends_capture=self.index.ends_capture,
                            only_in_notes=lambda p: self.index.only_in_notes(p, query),
                            names_counted=lambda p: self.index.names_any(counted(question), query.lang, p),
                            names_asked=names_asked, filler=self.index.is_filler)
            grounded = grounded and bool(draft.citations) and not draft.unanswered
        answer = Answer(question=question, answer=draft.answer, answer_lang=answer_lang, grounded=grounded,
                        mode="extractive", notice=notice, citations=draft.citations,
                        retrieved=self._retrieved(_unique(passages), answer_lang, k, draft.citations),
                        confidence=confidence, kind=draft.kind, verdict=draft.verdict, figure=draft.figure,
                        sections=[Section(**s) for s in draft.sections])
        someone_else = answer.kind == "who_said" and answer.verdict == "no" and bool(answer.citations) \
            and answer.citations[0].role != "guest"
        return answer, someone_else or draft.unanswered or article is not None

    def _attribute(self, claim: str, filters: Filters, passages: list[Passage], note_first: bool = True
                   ) -> tuple[list[Passage], list[Passage], bool]:
        """Who said the words a "did he say X?" question asks about: (someone else's passages, best first;
        the passages to answer from; whether the guest said them as asked). Exact words settle it; failing
        that, whose words match the claim clearly best (BM25, the guest's name left out), then whose sentence is
        closest in meaning, then (`note_first`: not when the question is about a related article's headline) an
        outlet's note ranked first."""
        exact = self.index.saying(claim, filters)
        if exact and exact[0].role == "guest":
            exact[0].score = passages[0].score if passages else 0.0  # leads, and the relevance margin counts from it
            return [], [exact[0]] + [p for p in passages if p.key != exact[0].key], True
        if exact:
            return exact, passages, False
        # Words first; by meaning when the words don't settle it (asked in a language it wasn't said in).
        speakers = (self.index.who_said(claim, filters, self._guest_name_tokens)
                    or self.index.who_said_by_meaning(claim, filters))
        if not speakers and note_first and passages and passages[0].role == "editor":
            # What matches the claim best is an outlet's note ("Suleyman also appears to be a keen reader"): the
            # note's words, not his (dev: the one who-said question left without a verdict gets its "no").
            speakers = passages[:1]
        return speakers, passages, False

    def off_topic(self, query: Query) -> bool:
        """Whether a question is about something other than the interviews: what is searched (an elliptical
        follow-up with the question before it) names no one and nothing of them (Framing.refers_to_interviews)
        and comes no closer to any question of the bank than `off_topic_floor` ("What's 17 times 23?",
        "How do I reset my router?"), however well its words match some passage."""
        return bool(self.off_topic_floor) and not self.index.framing.refers_to_interviews(query.text) \
            and self.index.bank_similarity(query) < self.off_topic_floor

    def _answers_it(self, passages: list[Passage], confidence: float, said_as_asked: bool = False,
                    known: bool = True) -> bool:
        """The abstention decision: answer when the evidence clears the dev-calibrated threshold, or when the
        guest's own words were found exactly as the question quotes them; never when nothing the question
        names occurs in the interviews, or it is about something else (`known`: HybridIndex.names_something_known
        and not off_topic)."""
        return bool(passages) and known and (confidence >= self.threshold or said_as_asked)

    @functools.cached_property
    def _guest_name_tokens(self) -> set[str]:
        names = {m.get("guest", "") for m in self.manifests().values()} | set(GUEST_NAMES.values())
        names |= {n.split("・")[-1] for n in GUEST_NAMES.values()} | {n.split("·")[-1] for n in GUEST_NAMES.values()}
        names |= {"苏莱曼", "蘇萊曼", "スレイマン氏", "ムスタファ氏"}
        return {t for n in names for t in tokenize(n)}

    def _stream_llm(self, question, history, filters, answer_lang, k) -> Iterator[str | Answer]:
        from rag.llm import LLMAnswerer, LLMResult, LLMUnavailable
        from rag.verify import locate_quote

        if self._llm is None:
            self._llm = LLMAnswerer(self.settings)
        deadline = self._llm.deadline()  # one budget for condensing and answering together
        standalone = self._llm.condense(question, history, deadline) if history else question
        # ranked as offline: the model is shown what the extractive answer would quote, and the abstention
        # threshold was calibrated on that ranking
        passages = self._retrieve(standalone, filters, k)
        offline, settled = self._offline(question, None, filters, answer_lang, k, query=standalone, passages=passages)
        if settled:
            # The evidence already decides this answer (someone else's words; only partly covered; no such figure;
            # a caption only; a related article below the interview; a name never mentioned): said as in offline
            # mode, without asking a model that only sees passages which can't change it.
            yield from _pieces(offline.answer)
            yield offline
            return
        shown = [p.best_in(answer_lang) for p in passages[:max(k, 6)]]
        by_id = {c.chunk_id: c for p in passages for c in p.members.values()}
        payload = [{"chunk_id": c.chunk_id, "interview": c.interview, "speaker": c.speaker, "role": c.role,
                    "lang": c.lang, "text": c.text} for c in shown]
        result, streamed = None, []
        try:
            kind = offline.kind  # the question's kind, as the offline answer already found it
            for event in self._llm.stream_answer(standalone, payload, answer_lang, history, deadline, kind=kind):
                if isinstance(event, LLMResult):
                    result = event
                else:
                    streamed.append(event)
                    yield event
        except LLMUnavailable as exc:
            yield from self._fallback(question, filters, answer_lang, k, str(exc), standalone, bool(streamed), passages)
            return
        citations: list[Citation] = []
        for c in (result.citations if result else []):
            chunk = by_id.get(c.chunk_id)
            span = locate_quote(c.quote, chunk.text) if chunk else None
            if chunk is None or span is None:
                continue  # fabricated or unverifiable: dropped
            passage = next(p for p in passages if chunk.chunk_id in p.members)
            citations.append(cite(chunk, span, passage))
        if not citations:
            yield from self._fallback(question, filters, answer_lang, k, "no verifiable quote in the LLM answer",
                                      standalone, bool(streamed), passages)
            return
        first_line = next((ln for ln in result.answer.splitlines() if ln.strip()), "")
        yield Answer(question=question, answer=result.answer, answer_lang=answer_lang, grounded=True, mode="llm",
                     notice=None, citations=citations, retrieved=self._retrieved(passages, answer_lang, k, citations),
                     model=self._llm.model, confidence=offline.confidence, kind=kind,
                     # the shape fields as offline, read from the model's first line (told to lead with them)
                     verdict=stated_verdict(first_line) if kind in (YES_NO, WHO_SAID) else None,
                     figure=stated_figure(first_line, [c.quote for c in citations], date=kind == DATE)
                     if kind in (NUMBER, DATE) else None)

    def _fallback(self, question, filters, answer_lang, k, why, query, streamed_already,
                  passages=None) -> Iterator[str | Answer]:
        notice = NOTICES[answer_lang].format(why=why)
        answer = self._extractive(question, None, filters, answer_lang, k, notice=notice, query=query,
                                  passages=passages)
        if streamed_already:
            yield "\n\n---\n"
        yield from _pieces(notice + "\n\n" + answer.answer)
        yield answer

    @staticmethod
    def format_citations(answer: Answer) -> str:
        lines = []
        if answer.notice:
            lines.append(f"[{answer.notice}]")
        for i, c in enumerate(answer.citations, 1):
            lines.append(f"[{i}] {c.speaker} ({c.role}, {c.lang}) — {c.interview} — {c.location}")
        if not answer.grounded:
            for r in answer.retrieved:
                lines.append(f"  searched: {r.speaker} ({r.role}, {r.lang}) {r.chunk_id}: {r.text[:100]}…")
        return "\n".join(lines)


def _interleave(lists: list[list[Passage]]) -> list[Passage]:
    """Round-robin merge: each interview's best passage, then each one's second, ..."""
    out = []
    for i in range(max((len(x) for x in lists), default=0)):
        out.extend(x[i] for x in lists if i < len(x))
    return out


def _unique(passages: list[Passage]) -> list[Passage]:
    seen, out = set(), []
    for p in passages:
        if p.key not in seen:
            seen.add(p.key)
            out.append(p)
    return out


def _pieces(text: str) -> Iterator[str]:
    """Stream an already-composed answer line by line (what a user sees arrive)."""
    for line in text.splitlines(keepends=True):
        yield line
