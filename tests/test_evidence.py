"""Sentence-level evidence: the quote is the sentence that answers, by meaning as well as shared words."""

from __future__ import annotations

import numpy as np
import pytest

from rag.evidence import SentenceVectors
from rag.extractive import best_window
from rag.query import Query

TEXT = ("Distillation comes up a lot. We talked about other things. "
        "Distillation rarely lets the student surpass the teacher.")


def _query(similarity=None) -> Query:
    return Query("distillation?", "en", "distillation?", ("distil",), ("distil",), similarity=similarity)


def test_shared_words_alone_pick_the_sentence_repeating_them():
    s, e = best_window(TEXT, _query())
    assert TEXT[s:e].startswith("Distillation comes up")


def test_meaning_decides_between_sentences_sharing_the_same_words():
    closeness = {"Distillation comes up a lot.": 0.80, "We talked about other things.": 0.70,
                 "Distillation rarely lets the student surpass the teacher.": 0.95}
    s, e = best_window(TEXT, _query(lambda sentences: np.array([closeness[x] for x in sentences])))
    assert TEXT[s:e] == "Distillation rarely lets the student surpass the teacher."


@pytest.mark.parametrize("question, wanted", [
    ("What does Suleyman mean by humanist superintelligence?", "one that is always in our corner"),
    ("Can anyone use Copilot Actions right now?", "not generally available just yet"),
])
def test_the_quote_is_the_sentence_that_answers(indexed_service, question, wanted):
    """With shared words alone these quoted "Superintelligence in the industry today means…" and "We're still
    experimenting. It can do it." (dev questions)."""
    answer = indexed_service.ask(question)
    assert any(wanted in c.quote for c in answer.citations[:2]), [c.quote for c in answer.citations]


def test_bundled_answers_embed_no_sentence(indexed_service):
    indexed_service.ask("What did he say about distillation?")
    indexed_service.ask("他對蒸餾怎麼看？")
    assert indexed_service.index.sentence_vectors.embedded == 0  # all from the shipped cache


def test_a_new_sentence_is_embedded_once(indexed_service):
    vectors = SentenceVectors(indexed_service.index.store.embeddings, shipped=None)
    first = vectors.vectors(["Looms changed weaving.", "Looms changed weaving.", "Steam came later."])
    again = vectors.vectors(["Steam came later.", "Looms changed weaving."])
    assert vectors.embedded == 2
    assert np.allclose(first[[2, 0]], again) and np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-3)


def test_no_quote_starts_with_the_punctuation_an_ellipsis_leaves():
    from ingest.text import quotable_spans

    text = "There's a very important distinction in... Jobs and roles are the broader category. Tasks are parts."
    spans = quotable_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "There's a very important distinction in...", "Jobs and roles are the broader category.", "Tasks are parts."]
    closeness = {"There's a very important distinction in...": 0.5, "Jobs and roles are the broader category.": 0.9,
                 "Tasks are parts.": 0.4}
    s, e = best_window(text, _query(lambda sentences: np.array([closeness[x] for x in sentences])))
    assert text[s:e].startswith("Jobs and roles") or text[s:e].startswith("There's")
    assert text[s:e][0].isalnum()


def test_a_sentence_in_another_language_shares_the_question_words_through_their_translations():
    from types import SimpleNamespace

    from rag.extractive import best_sentence

    text = "微軟負責構建基礎設施。直到 2032 年,我們仍然擁有使用許可。"
    plain = SimpleNamespace(tokens=("licens",), lang="en", similarity=None)
    translated = SimpleNamespace(tokens=("licens",), lang="en", similarity=None, translated={"许可": 0.5})
    assert text[slice(*best_sentence(text, plain))].startswith("微軟")  # nothing shared: the first sentence
    assert text[slice(*best_sentence(text, translated))].startswith("直到")
