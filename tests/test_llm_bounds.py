"""LLM replies are bounded: a total deadline for the whole reply and a size cap (characters and tiktoken tokens),
each falling back to the extractive answer with a notice. The endpoint is the local stand-in; everything else
(index, embedder, Chroma, retrieval) is real."""

from __future__ import annotations

import json
import time

import pytest

from tests.small_talk import ingest_small_talk

from interview_qa.settings import Settings

try:
    from tests.fake_openai_server import Reply, fake_llm  # noqa: F401
except ImportError:  # pragma: no cover
    from fake_openai_server import Reply, fake_llm  # noqa: F401

KEY = "sk-test-bounds-0123456789abcdef"
TIMEOUT = 4.0
# A planted "no deadline" bug must fail, not hang the suite (the trickle alone would take ~15 minutes).
pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def small_home(tmp_path_factory):
    settings, _ = ingest_small_talk(tmp_path_factory.mktemp("bounds-home"))
    return settings.home


def _service(small_home, fake, monkeypatch, **env):
    from rag.service import QAService

    monkeypatch.setenv("INTERVIEW_QA_HOME", str(small_home))
    monkeypatch.setenv("INTERVIEW_QA_LLM_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("INTERVIEW_QA_LLM_TIMEOUT", str(TIMEOUT))
    for k, v in env.items():
        monkeypatch.setenv(k, str(v))
    service = QAService.from_settings(Settings.from_env(), build_if_missing=False, progress=False)
    service.index.search("warm up")  # what a running server has done long before: the deadline is the LLM's
    return service


def _timed_ask(service, question="Could it compose music?", **kw):
    t = time.monotonic()
    answer = service.ask(question, **kw)
    return time.monotonic() - t, answer


def _valid_reply(answer_text: str) -> str:
    return json.dumps({"answer": answer_text, "citations": [
        {"chunk_id": "x", "quote": "It might compose elaborate pieces of music"}]})


def _assert_fell_back(answer, elapsed: float, why: str) -> None:
    assert elapsed <= TIMEOUT + 1.0, elapsed
    assert answer.mode == "extractive", answer
    assert answer.notice and why in answer.notice, answer.notice
    assert answer.citations and "music" in answer.citations[0].quote
    assert KEY not in json.dumps(answer.to_json(), ensure_ascii=False)


def test_a_trickling_reply_falls_back_at_the_total_deadline(small_home, fake_llm, monkeypatch):
    # 4 bytes a second: every read succeeds well inside the per-read timeout, the reply never completes.
    fake_llm.script(Reply(content=_valid_reply("Music, she says."), trickle_bytes=4, trickle_every=1.0))
    service = _service(small_home, fake_llm, monkeypatch)
    elapsed, answer = _timed_ask(service)
    _assert_fell_back(answer, elapsed, f"timed out after {TIMEOUT:g}s")


def test_a_hanging_endpoint_falls_back_at_the_deadline_even_with_a_follow_up(small_home, fake_llm, monkeypatch):
    fake_llm.script(Reply(content=_valid_reply("late"), delay=60))
    service = _service(small_home, fake_llm, monkeypatch)
    # With history the question is first condensed: both calls share one deadline.
    elapsed, answer = _timed_ask(service, "And music?", history=[("What is the engine for?", "Patterns.")])
    _assert_fell_back(answer, elapsed, "timed out after")


def test_a_huge_reply_is_cut_off_by_the_character_cap(small_home, fake_llm, monkeypatch):
    huge = _valid_reply("A" * 10_000_000)
    fake_llm.script(Reply(content=huge, chunk_size=65536))
    service = _service(small_home, fake_llm, monkeypatch)
    events = []
    t = time.monotonic()
    for event in service.stream("Could it compose music?"):
        events.append(event)
    elapsed = time.monotonic() - t
    answer = events[-1]
    _assert_fell_back(answer, elapsed, "exceeded 20000 characters")
    assert len(json.dumps(answer.to_json(), ensure_ascii=False)) < 50_000
    assert sum(len(e) for e in events[:-1]) < 25_000  # what reached the user while streaming is bounded too
    body = fake_llm.requests[-1].body
    assert (body.get("max_tokens") or body.get("max_completion_tokens")) == 4000


def test_the_token_cap_counts_tiktoken_tokens(small_home, fake_llm, monkeypatch):
    # 1,000 CJK characters: far below the character cap, far above a 200-token cap.
    fake_llm.script(Reply(content=_valid_reply("音楽" * 500), chunk_size=40))
    service = _service(small_home, fake_llm, monkeypatch, INTERVIEW_QA_LLM_MAX_TOKENS=200)
    elapsed, answer = _timed_ask(service)
    _assert_fell_back(answer, elapsed, "exceeded 200 tokens")
    # The same reply under the default caps is accepted (its quote is verified against the passage).
    fake_llm.script(Reply(content=json.dumps({"answer": "音楽" * 500, "citations": [
        {"chunk_id": answer.citations[0].chunk_id, "quote": "It might compose elaborate pieces of music"}]}),
        chunk_size=40))
    ok = _service(small_home, fake_llm, monkeypatch, INTERVIEW_QA_LLM_MAX_TOKENS=4000).ask("Could it compose music?")
    assert ok.mode == "llm" and ok.notice is None, ok.notice
