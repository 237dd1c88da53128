"""A question about a related article the page lists after the interview (not the interview) is told so,
with the headline, and is not answered with the nearest quotes; a question sharing one stray word with a
headline is still answered."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.captures import parse_capture
from evals.metrics import extract_quotes
from rag.related import RelatedArticle, asked_about

VERGE = Path(__file__).resolve().parents[1] / "data/interviews/verge-decoder-2026-06-08/verge-decoder-2026-06-08.ja-en.txt"


@pytest.fixture(scope="module")
def service(indexed_service):
    return indexed_service


def test_the_pages_related_articles_are_kept_apart_from_the_interview(service):
    related = parse_capture(VERGE.read_text(encoding="utf-8")).metadata["related"]
    assert [a["source"] for a in related] == ["Amazon Science", "404 Media", "KDnuggets"]
    assert related[1]["title"].startswith("Microsoft、Claude および Gemini ユーザーへマルウェア")
    assert related[1]["summary"] and related[0]["date"] == "2026年6月9日"
    assert not any("マルウェア" in c.text or "KDnuggets" in c.text for c in service.index.chunks)
    assert len(service.index.related_articles) == 3


@pytest.mark.parametrize("question, opening", [
    ("What did Suleyman say about Microsoft being hacked to spread malware to Claude and Gemini users?",
     "The interviews don't cover that: it is a related article listed below the interview"),
    ("苏莱曼对微软被黑客入侵、向 Claude 和 Gemini 用户分发恶意软件一事怎么说？", "訪談中沒有涉及這個問題：這是"),
    ("Did Suleyman recommend the KDnuggets guide to building Claude skills?",
     "The interviews don't cover that: it is a related article listed below the interview"),
])
def test_a_question_about_a_related_headline_is_told_so(service, question, opening):
    a = service.ask(question)
    assert not a.grounded and not a.citations
    assert a.answer.startswith(opening)
    title = next(r.title for r in service.index.related_articles if r.title in a.answer)
    assert title and a.retrieved  # the closest passages are still listed
    assert not extract_quotes(a.answer)  # a headline is not the interview's words: never in quotation marks


def test_one_stray_word_in_common_with_a_headline_is_not_enough(service):
    # "package" is among the glosses of the KDnuggets article's words; the question is about pay.
    a = service.ask("Would Suleyman offer Meta-style pay packages of $100-200 million to researchers?")
    assert a.grounded and a.citations


def test_the_article_must_hold_two_of_the_unknown_words():
    article = RelatedArticle("x", "KDnuggets", "2026年6月8日", "guide", frozenset({"kdnugget", "guid", "claud"}))
    assert asked_about(["kdnugget", "guid"], "en", {}, [article]) is article
    assert asked_about(["kdnugget", "bitcoin"], "en", {}, [article]) is None
    assert asked_about([], "en", {}, [article]) is None
