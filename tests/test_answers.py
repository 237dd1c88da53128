"""Answers over the real index: verbatim, attributed, cross-lingual, abstaining; the CLI and its --json contract."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from interview_qa.cli import cli
from interview_qa.errors import BadQuestionError
from interview_qa.settings import Settings
from rag.service import QAService

try:
    from tests.fake_openai_server import Reply, fake_llm  # noqa: F401
except ImportError:  # pragma: no cover
    from fake_openai_server import Reply, fake_llm  # noqa: F401


@pytest.fixture
def service(indexed_home):
    return QAService.from_settings(Settings.from_env(), build_if_missing=False)


def assert_verbatim(service, answer):
    for c in answer.citations:
        chunk = service.index.by_id[c.chunk_id]
        assert c.quote and c.quote in chunk.text, c
        assert (c.role, c.speaker, c.lang) == (chunk.role, chunk.speaker, chunk.lang)
        if c.original is not None:
            assert c.original.quote in service.index.by_id[c.original_chunk_id].text


def test_distillation_answer_is_his_own_words(service):
    a = service.ask("what did he say about distillation?")
    assert a.grounded and a.mode == "extractive" and a.answer_lang == "en"
    assert_verbatim(service, a)
    assert a.citations[0].role == "guest" and a.citations[0].speaker == "Mustafa Suleyman"
    # His words about not distilling: shortcuts to the frontier / exceeding the teacher / no copying.
    assert any(s in c.quote for c in a.citations for s in ("shortcuts to the frontier", "teacher", "distillation"))
    assert all(c.role == "guest" for c in a.citations)


def test_host_line_is_attributed_to_the_host(service):
    a = service.ask("Did Suleyman say that Grok was distilled from a number of models?")
    assert_verbatim(service, a)
    host = [c for c in a.citations if c.role == "host"]
    assert host and "Grok was distilled from a number of models" in host[0].quote
    assert host[0].speaker == "Nilay Patel"
    assert not any("Grok was distilled" in c.quote for c in a.citations if c.role == "guest")
    assert "not Mustafa Suleyman" in a.answer


def test_editor_footnote_is_attributed_to_the_outlet(service):
    a = service.ask("Did Suleyman say he is a keen reader?")
    assert a.citations and a.citations[0].role == "editor"
    assert "keen reader" in a.citations[0].quote


def test_japanese_question_gets_japanese_quote_and_english_original(service):
    a = service.ask("蒸留について彼は何と言いましたか？")
    assert a.answer_lang == "ja" and a.grounded
    assert_verbatim(service, a)
    first = a.citations[0]
    assert first.lang == "ja" and first.role == "guest"
    assert first.original is not None and first.original.lang == "en"
    assert "氏の発言" in a.answer


def test_simplified_chinese_finds_traditional_text(service):
    a = service.ask("他怎么形容埃隆·马斯克？")
    assert a.answer_lang == "zh" and a.grounded
    assert_verbatim(service, a)
    assert a.citations[0].lang == "zh" and "推土機" in a.citations[0].quote
    assert a.citations[0].original is not None and "bulldozer" in a.citations[0].original.quote


def test_chinese_only_passage_is_found_and_quoted_in_chinese(service):
    a = service.ask("微软拥有多少吉瓦的计算能力？")
    assert a.grounded
    assert_verbatim(service, a)
    assert any("33 吉瓦" in c.quote for c in a.citations)
    assert all(c.original is None for c in a.citations if "33 吉瓦" in c.quote)


@pytest.mark.parametrize("question", [
    "What is Suleyman's favourite football team?",
    "Who won the football world cup?",
    "What is his favourite recipe for lasagne?",
])
def test_off_topic_questions_abstain_with_evidence(service, question):
    a = service.ask(question)
    assert not a.grounded and not a.citations
    assert len(a.retrieved) == 5 and "don't cover" in a.answer


def test_retrieved_is_fused_top_k_with_linked_translations(service):
    a = service.ask("蒸留について彼は何と言いましたか？", k=7)
    assert len(a.retrieved) == 7
    assert [r.score for r in a.retrieved] == sorted((r.score for r in a.retrieved), reverse=True)
    ids = [r.chunk_id for r in a.retrieved]
    assert len(ids) == len(set(ids))
    linked = {lk["chunk_id"] for r in a.retrieved for lk in r.linked}
    assert not linked & set(ids), "a passage and its translation took two slots"
    assert any(r.lang == "ja" and any(lk["lang"] == "en" for lk in r.linked) for r in a.retrieved)


def test_filters(service):
    a = service.ask("What did he say about distillation?", interview="bloomberg-mishal-husain-2025-12-12", lang="en",
                    guest_only=True)
    assert all(r.interview == "bloomberg-mishal-husain-2025-12-12" and r.lang == "en" and r.role == "guest"
               for r in a.retrieved)


def test_follow_up_uses_the_conversation(service):
    first = service.ask("How would he describe Elon Musk?")
    follow = service.ask("And Demis Hassabis?", history=[("How would he describe Elon Musk?", first.answer)])
    assert any("great scientist" in c.quote for c in follow.citations)


@pytest.mark.parametrize("kwargs, message", [
    ({"question": "   "}, "empty"),
    ({"question": "x" * 5000}, "limit"),
    ({"question": "what about\x07 bells?"}, "control characters"),
    ({"question": "hello?", "interview": "nope"}, "unknown interview"),
    ({"question": "hello?", "lang": "fr"}, "unknown language"),
])
def test_bad_questions_are_refused_clearly(service, kwargs, message):
    with pytest.raises(BadQuestionError, match=message):
        service.ask(**kwargs)


def test_cli_ask_json_contract(indexed_home):
    result = CliRunner().invoke(cli, ["ask", "what did he say about distillation?", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"question", "answer", "answer_lang", "grounded", "mode", "notice", "citations", "retrieved"} <= data.keys()
    c = data["citations"][0]
    assert {"chunk_id", "interview", "speaker", "role", "lang", "quote", "original"} <= c.keys()
    r = data["retrieved"][0]
    assert {"chunk_id", "interview", "speaker", "role", "lang", "text", "score"} <= r.keys()


@pytest.mark.parametrize("args", [["ask", ""], ["ask", "hi?", "--interview", "nope"], ["ask", "hi?", "--lang", "xx"]])
def test_cli_bad_input_exits_non_zero_with_one_line(indexed_home, args):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1


def test_cli_builds_the_index_on_first_use(tmp_path, monkeypatch):
    """A fresh home and a tiny corpus: `ask` ingests first, offline, then answers."""
    corpus = tmp_path / "corpus"
    (corpus / "demo").mkdir(parents=True)
    (corpus / "demo" / "talk.txt").write_text(
        "---\nguest: Ada Lovelace\n---\nCHARLES: What is the engine for?\n\nADA LOVELACE: It weaves algebraic "
        "patterns just as the Jacquard loom weaves flowers and leaves.\n", encoding="utf-8")
    (corpus / "demo" / "manifest.json").write_text(json.dumps({
        "id": "demo", "title": "Demo", "outlet": "Test", "date": "1843-01-01", "host": "Charles",
        "guest": "Ada Lovelace", "languages": ["en"], "original": "en", "layout": "transcript",
        "source_file": "talk.txt"}), encoding="utf-8")
    monkeypatch.setenv("INTERVIEW_QA_INTERVIEWS_DIR", str(corpus))
    result = CliRunner().invoke(cli, ["ask", "What is the engine for?", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    assert data["citations"][0]["speaker"] == "Ada Lovelace"


# --- LLM mode through the service, against the local stand-in server ---

@pytest.fixture
def llm_service(indexed_home, fake_llm, monkeypatch):
    monkeypatch.setenv("INTERVIEW_QA_LLM_BASE_URL", fake_llm.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-key-123456")
    monkeypatch.setenv("INTERVIEW_QA_LLM_TIMEOUT", "5")  # for the whole reply: room for a slow, busy machine
    return QAService.from_settings(Settings.from_env(), build_if_missing=False)


def _real_quote(service):
    chunk = next(c for c in service.store.chunks() if c.text.startswith("There’s definitely lots of shortcuts"))
    return chunk.chunk_id, "There's definitely lots of shortcuts to the frontier"  # straight apostrophe: repaired


def test_llm_fabricated_quote_is_dropped_real_one_kept(llm_service, fake_llm):
    cid, quote = _real_quote(llm_service)
    fake_llm.script(Reply(content=json.dumps({"answer": "He said shortcuts exist but he wants to beat the teacher.",
                                              "citations": [{"chunk_id": cid, "quote": "We distilled GPT-5 into MAI."},
                                                            {"chunk_id": cid, "quote": quote}]})))
    events = list(llm_service.stream("what did he say about distillation?"))
    answer = events[-1]
    assert answer.mode == "llm" and answer.notice is None
    assert "".join(e for e in events[:-1]) == answer.answer
    assert [c.quote for c in answer.citations] == ["There’s definitely lots of shortcuts to the frontier"]
    assert_verbatim(llm_service, answer)


@pytest.mark.parametrize("reply", [Reply(status=401), Reply(status=429), Reply(status=500), Reply(delay=8),
                                   Reply(content="this is not json")])
def test_llm_failures_fall_back_with_notice_and_no_key(llm_service, fake_llm, reply):
    fake_llm.script(reply)
    answer = llm_service.ask("what did he say about distillation?")
    assert answer.mode == "extractive" and answer.notice and answer.citations
    assert "sk-test-secret-key-123456" not in json.dumps(answer.to_json())
    assert_verbatim(llm_service, answer)


def test_llm_mode_shows_the_model_the_passages_ranked_as_offline(llm_service, fake_llm):
    # An open question: the question bank ranks its passages, in LLM mode as offline.
    question = "What does he think about AI taking people's jobs?"
    index = llm_service.index
    banked = [p.best_in("en").chunk_id for p in index.search(question, None, 10, use_bank=True)][:6]
    plain = [p.best_in("en").chunk_id for p in index.search(question, None, 10)][:6]
    assert banked != plain  # the premise: the bank changes what is shown first
    fake_llm.script(Reply(content=json.dumps({"answer": "Made up.", "citations": []})))
    llm_service.ask(question)
    sent = fake_llm.requests[-1].user_text
    positions = [sent.find(f'"{cid}"') for cid in banked]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions


def test_llm_with_no_verifiable_quote_falls_back(llm_service, fake_llm):
    fake_llm.script(Reply(content=json.dumps({"answer": "Made up.", "citations": [
        {"chunk_id": "nope", "quote": "anything"}]})))
    answer = llm_service.ask("what did he say about distillation?")
    assert answer.mode == "extractive" and "no verifiable quote" in answer.notice


@pytest.mark.parametrize("question, opening", [
    # a related article's headline listed below the interview, not the interview
    ("What did Suleyman say about Microsoft being hacked to spread malware to Claude and Gemini users?",
     "The interviews don't cover that: it is a related article listed below the interview"),
    # a name the interviews never use, in any language
    ("What did Suleyman say about DeepSeek's models?", "The interviews don't cover that: DeepSeek is never mentioned."),
])
def test_llm_mode_says_what_is_not_covered_without_asking_the_model(llm_service, fake_llm, question, opening):
    fake_llm.script(Reply(content=json.dumps({"answer": "He praised it.", "citations": []})))
    answer = llm_service.ask(question)
    assert not answer.grounded and not answer.citations
    assert answer.answer.startswith(opening), answer.answer
    assert not any("<question>" in r.user_text for r in fake_llm.requests)


@pytest.mark.parametrize("question, opening, role", [
    # the host's words: the model never saw the host's passage, and must not turn them into the guest's
    ("Did Suleyman say that Grok was distilled from a number of models?", "No — that was Nilay Patel (the host)", "host"),
    # the capture ends before the reply: no model can know what he answered
    ("Is it only a marketing problem, so the industry should spend hundreds of millions of dollars on podcasts "
     "to communicate the benefits of AI?", "Only partly covered: Nilay Patel (the host) asks about this", "host"),
    # no figure of the kind asked: a model would be tempted to supply one
    ("How many parameters does MAI-Thinking-1 have?", "The interviews give no such figure.", "guest"),
])
def test_llm_mode_keeps_what_the_evidence_settles_without_asking_the_model(llm_service, fake_llm, question, opening,
                                                                           role):
    fake_llm.script(Reply(content=json.dumps({"answer": "Yes, he said so.", "citations": []})))
    answer = llm_service.ask(question)
    assert answer.mode == "extractive" and answer.answer.startswith(opening), answer.answer
    assert answer.citations and answer.citations[0].role == role
    assert not any("<question>" in r.user_text for r in fake_llm.requests)
    assert_verbatim(llm_service, answer)


def test_llm_mode_still_asks_the_model_what_the_evidence_leaves_open(llm_service, fake_llm):
    chunk_id, quote = _real_quote(llm_service)
    fake_llm.script(Reply(content=json.dumps({"answer": "He says distilling only gets you close.",
                                              "citations": [{"chunk_id": chunk_id, "quote": quote}]})))
    answer = llm_service.ask("Did Suleyman say distillation lets a model surpass its teacher?")
    assert answer.mode == "llm" and any("<question>" in r.user_text for r in fake_llm.requests)


def _chunk_saying(service, words):
    return next(c for c in service.store.chunks() if c.lang == "en" and words in c.text).chunk_id


@pytest.mark.parametrize("question, reply, quote, kind, verdict, figure", [
    ("Is the partnership between Microsoft and OpenAI over?", "No — he says they are partners for years to come.",
     "we are in partnership with OpenAI for years and years to come", "yes_no", "no", None),
    ("What percentage of Mayo Clinic patients are on Medicaid?", "65 percent — he says most are on Medicaid.",
     "with 65 percent of their patient population on Medicaid", "number", None, "65 percent"),
    # a figure the quotes don't give is not the answer's figure
    ("What percentage of Mayo Clinic patients are on Medicaid?", "70 percent — he says most are on Medicaid.",
     "with 65 percent of their patient population on Medicaid", "number", None, None),
])
def test_llm_answers_carry_the_same_shape_fields(llm_service, fake_llm, question, reply, quote, kind, verdict, figure):
    fake_llm.script(Reply(content=json.dumps({"answer": reply, "citations": [
        {"chunk_id": _chunk_saying(llm_service, quote), "quote": quote}]})))
    answer = llm_service.ask(question)
    assert answer.mode == "llm", answer.answer
    assert (answer.kind, answer.verdict, answer.figure) == (kind, verdict, figure)


def test_langchain_retriever_interface(service):
    """The hybrid search behind LangChain's retriever interface: one Document per passage, in the asked language."""
    from rag.retrieval import HybridRetriever

    docs = HybridRetriever(index=service.index, k=4, lang="ja").invoke("蒸留について彼は何と言いましたか？")
    assert len(docs) == 4 and len({d.id for d in docs}) == 4
    assert all(d.page_content == service.index.by_id[d.id].text for d in docs)
    assert any(d.metadata["lang"] == "ja" and d.metadata["role"] == "guest" for d in docs)


def test_quote_windows_never_cross_a_paragraph_break():
    from rag.extractive import best_window

    text = "Yes, definitely.\n\nThe second paragraph says something else entirely."
    assert text[slice(*best_window(text, "unrelated words"))] == "Yes, definitely."
    assert "\n\n" not in text[slice(*best_window(text, "definitely second paragraph"))]


@pytest.mark.parametrize("question, hint", [
    ("Is the partnership between Microsoft and OpenAI over?", "begin the answer with the verdict"),
    ("How many gigawatts of compute does Microsoft have?", "begin with the figure"),
    ("What did he say about distillation?", None),
])
def test_llm_mode_gets_the_question_kind_as_a_hint(llm_service, fake_llm, question, hint):
    fake_llm.script(Reply(content=json.dumps({"answer": "x", "citations": []})))
    llm_service.ask(question)
    user = next(r.user_text for r in fake_llm.requests if "<question>" in r.user_text)
    if hint:
        assert hint in user
    else:
        assert "begin" not in user


# --- only partly covered: the capture ends before the reply ---

@pytest.mark.parametrize("question, opening", [
    ("Is it only a marketing problem, so the industry should spend hundreds of millions of dollars on podcasts "
     "to communicate the benefits of AI?", "Only partly covered: Nilay Patel (the host) asks about this"),
    ("業界はAIの恩恵を伝えるためにポッドキャストに数億ドルを投じるべきですか？", "一部のみ：Nilay Patel（聞き手）がこの点を尋ねていますが"),
])
def test_a_question_the_capture_stops_before_answering_is_only_partly_covered(service, question, opening):
    """The Verge pages end on the host's question about podcasts, before the reply: the answer says so and
    quotes the question as the host's, and does not count as answered."""
    answer = service.ask(question)
    assert answer.answer.startswith(opening)
    assert not answer.grounded
    assert [c.role for c in answer.citations] == ["host"] and "podcasts" in answer.citations[0].quote


def test_the_capture_ends_only_where_every_language_version_ends(service):
    """Bloomberg's English ends on the host's OpenAI question, but the Chinese goes on with the reply: that
    question is answered. The Verge's English and Japanese both end on the podcasts question: it is not."""
    index = service.index

    def last_host(interview, section):
        return index.passage_of([c for c in index._section[(interview, section)] if c.role == "host"][-1].chunk_id)

    bloomberg = last_host("bloomberg-mishal-husain-2025-12-12", "en")
    assert "relationship with OpenAI" in bloomberg.best_in("en").text and len(bloomberg.members) == 2
    assert not index.ends_capture(bloomberg)
    assert index.ends_capture(last_host("verge-decoder-2026-06-08", "en"))
    guest_turn = next(c for c in index.chunks if c.role == "guest")
    assert not index.ends_capture(index.passage_of(guest_turn.chunk_id))
