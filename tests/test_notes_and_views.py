"""An outlet's note answers a factual question, never one about the guest's view or reasons: a why-question
leads with his words even when a note ranks first, and a question about his view whose best match is a photo
caption naming something no turn mentions is told he doesn't discuss it."""

from __future__ import annotations

import pytest

from rag.kinds import NUMBER, asks_view, asks_why, question_kind
from rag.retrieval import Filters


@pytest.fixture(scope="module")
def service(indexed_service):
    return indexed_service


def ranked_roles(service, question):
    query = service.index.parse(service._search_query(question, None))
    return [(p.role, p.best_in(None).kind) for p in service.index.search(query, Filters(), 3)]


def test_a_view_only_a_caption_names_is_not_covered(service):
    q = "What did Suleyman think of Meta's Ray-Ban Display glasses?"
    assert ranked_roles(service, q)[0] == ("editor", "caption")  # the case this is about
    a = service.ask(q)
    assert not a.grounded
    assert a.answer.startswith("Mustafa Suleyman doesn't discuss this; only a caption on Bloomberg's page mentions it")
    assert len(a.citations) == 1 and a.citations[0].role == "editor"
    assert service.index.by_id[a.citations[0].chunk_id].kind == "caption"


def test_a_caption_ranked_first_does_not_hide_what_was_said(service):
    # The caption ranks first, but the host asks about Mountainhead in a turn: he was asked, and said "I haven't, no."
    q = "What did Suleyman say about Mountainhead?"
    assert ranked_roles(service, q)[0] == ("editor", "caption")
    a = service.ask(q)
    assert a.grounded and a.citations[0].role == "guest"
    assert "I haven’t, no." in a.citations[0].quote


@pytest.mark.parametrize("question", ["Why did he drop out of Oxford?", "どうしてオックスフォードを辞めたの？"])
def test_a_why_question_leads_with_his_words_not_a_note(service, question):
    assert ranked_roles(service, question)[0][0] == "editor"
    a = service.ask(question)
    assert a.grounded and a.citations[0].role == "guest"


def test_a_factual_question_may_still_be_answered_by_a_note(service):
    a = service.ask("How much did Google reportedly pay for DeepMind?")
    assert a.grounded and a.citations[0].role == "editor" and a.figure == "$400 million"


@pytest.mark.parametrize("question, view, why", [
    ("What did Suleyman think of Meta's glasses?", True, False),
    ("スレイマン氏はそのガイドをどう評価していますか？", True, False),
    ("他怎麼看監管？", True, False),
    ("Why did he drop out of Oxford?", False, True),
    ("為什麼他從牛津退學？", False, True),
    ("When was DeepMind founded?", False, False),
])
def test_what_a_question_asks_of_him(question, view, why):
    assert asks_view(question) is view and asks_why(question) is why


def test_a_full_width_percent_sign_asks_for_a_figure():
    assert question_kind("微軟的醫療診斷AI在測試中的準確率是幾％？") == NUMBER
