"""Answering from many threads at once gives the same answers as one at a time; a running server switches to a
newer index atomically (requests in flight finish on the old one, none fails) and keeps serving what it has
when a newer index can't be loaded; the API answers while another request is still waiting on the LLM."""

from __future__ import annotations

import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.small_talk import TALK, ingest_small_talk

from interview_qa.settings import Settings

try:
    from tests.fake_openai_server import Reply, fake_llm  # noqa: F401
except ImportError:  # pragma: no cover
    from fake_openai_server import Reply, fake_llm  # noqa: F401

QUESTIONS = ["What did he say about distillation?", "蒸留について彼は何と言いましたか？", "微软拥有多少吉瓦的计算能力？",
             "How would he describe Elon Musk?", "What does he think about universal basic income?",
             "What does he mean by humanist superintelligence?"]
MORE = ("\nCHARLES: And poetry?\n\nADA LOVELACE: Poetical science is what I call the marriage of imagination and "
        "the lighthouse of calculation.\n")


def _fingerprint(answer) -> tuple:
    return answer.answer, answer.grounded, tuple((c.chunk_id, c.quote) for c in answer.citations), \
        tuple(r.chunk_id for r in answer.retrieved)


def test_answers_from_many_threads_match_answers_one_at_a_time(indexed_home):
    from rag.service import QAService

    service = QAService.from_settings(Settings.from_env(), build_if_missing=False, progress=False)
    questions = QUESTIONS + [f"{q} Please answer briefly." for q in QUESTIONS]
    alone = {q: _fingerprint(service.ask(q)) for q in questions}
    service.store.embeddings.__dict__.pop("_queries", None)  # embed again, concurrently (the model runs unlocked)
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads take turns every few bytecodes: a shared buffer would be caught out
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            together = list(pool.map(lambda q: (q, _fingerprint(service.ask(q))), questions * 4))
    finally:
        sys.setswitchinterval(switch)
    assert len(together) == 4 * len(questions)
    for q, got in together:
        assert got == alone[q], q


@pytest.fixture
def small_home(tmp_path):
    return ingest_small_talk(tmp_path)


def test_a_running_service_switches_to_a_newer_index_atomically(small_home):
    from ingest.pipeline import ingest
    from rag.live import LiveQAService

    settings, talk = small_home
    live = LiveQAService(settings, check_every=0.0)
    first = live.current()
    assert "lighthouse" not in live.ask("What is poetical science?").answer

    errors: list[BaseException] = []
    served: set[int] = set()
    stop = threading.Event()

    def keep_asking():
        while not stop.is_set():
            try:
                service = live.current()
                served.add(id(service))
                answer = service.ask("Could it compose music?")
                assert answer.citations and all(c.chunk_id in service.index.by_id for c in answer.citations)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

    askers = [threading.Thread(target=keep_asking) for _ in range(3)]
    for t in askers:
        t.start()
    try:
        talk.write_text(TALK + MORE, encoding="utf-8")
        assert {r.status for r in ingest([talk], settings, show_progress=False).results} == {"updated"}
        assert live.wait_for_switch(timeout=60)
        time.sleep(0.5)
    finally:
        stop.set()
        for t in askers:
            t.join(timeout=60)
    assert not errors, errors[:3]
    assert live.current() is not first and len(served) == 2  # requests ran on the old index, then on the new
    answer = live.ask("What is poetical science?")
    assert any("lighthouse of calculation" in c.quote for c in answer.citations), answer.citations


def test_a_newer_index_that_cannot_load_leaves_the_old_one_serving(small_home, caplog):
    from ingest.store import IndexState
    from rag.live import LiveQAService

    settings, _ = small_home
    live = LiveQAService(settings, check_every=0.0)
    before = live.current()
    state = IndexState.load(settings.index_dir)
    state.collection = "iqa-gone-000000000000"  # another process's ingest published something unreadable
    state.save(settings.index_dir)
    assert not live.wait_for_switch(timeout=60)
    assert live.current() is before
    assert live.ask("Could it compose music?").citations
    assert any("still serving" in r.getMessage() for r in caplog.records)


def test_the_api_answers_while_another_request_waits_on_the_llm(small_home, fake_llm, monkeypatch):
    """With one request held by the LLM stand-in, a second one (the next reply) completes: requests don't
    queue one at a time behind a slow answer."""
    from gradio_client import Client

    from rag.service import QAService
    from ui.testing import running_app

    settings, _ = small_home
    settings = settings.with_(llm_base_url=fake_llm.base_url, llm_api_key="sk-test-concurrency", llm_timeout=60)
    service = QAService.from_settings(settings, build_if_missing=False, progress=False)
    cid = service.store.chunks()[0].chunk_id
    quote = service.store.chunks()[0].text[:20]
    reply = json.dumps({"answer": "It could.", "citations": [{"chunk_id": cid, "quote": quote}]})
    fake_llm.script(Reply(content=reply, gate_after=1, gate_timeout=60), Reply(content=reply))
    with running_app(service) as url:
        held = threading.Thread(target=lambda: Client(url, verbose=False).predict("Could it compose music?",
                                                                                  api_name="/ask"))
        held.start()
        deadline = time.monotonic() + 60
        while len(fake_llm.requests) < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        t = time.monotonic()
        second = Client(url, verbose=False).predict("What is the engine for?", api_name="/ask")
        took = time.monotonic() - t
        fake_llm.release()
        held.join(timeout=60)
    assert second.get("mode") == "llm", second
    assert took < 30 and not fake_llm.gate_timed_out, took


def test_the_served_service_loads_the_dictionaries_before_the_first_question(indexed_service):
    from rag.live import LiveQAService
    from rag.translate import _cedict_by_gloss_word

    _cedict_by_gloss_word.cache_clear()
    LiveQAService(Settings.from_env(), service=indexed_service)
    deadline = time.monotonic() + 30
    while _cedict_by_gloss_word.cache_info().currsize == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _cedict_by_gloss_word.cache_info().currsize == 1  # loaded in the background, no question asked
