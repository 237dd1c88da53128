"""The Gradio API works for programs: gradio_client gets the answer with its verifiable citations."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def app_url(indexed_home):
    from interview_qa.settings import Settings
    from rag.service import QAService

    from ui.testing import running_app

    service = QAService.from_settings(Settings.from_env(), build_if_missing=False, progress=False)
    with running_app(service) as url:
        yield url, service


def _chunk_text(service, chunk_id: str) -> str:
    return service.context(chunk_id, window=0)["chunk"].text


def test_ask_endpoint_returns_answer_with_guest_citations(app_url):
    from gradio_client import Client

    url, service = app_url
    client = Client(url, verbose=False)
    result = client.predict("What did he say about distillation?", api_name="/ask")
    if isinstance(result, str):
        result = json.loads(result)
    assert isinstance(result, dict), result
    assert result["answer"].strip()
    assert result["grounded"] is True
    assert result["mode"] == "extractive"
    citations = result["citations"]
    assert citations, result
    guest = [c for c in citations if c["role"] == "guest"]
    assert guest, citations
    for c in citations:
        # Every quote is verbatim from the chunk it cites.
        assert c["quote"] and c["quote"] in _chunk_text(service, c["chunk_id"]), c
    assert any("distill" in c["quote"].lower() or "teacher" in c["quote"].lower()
               or "frontier" in c["quote"].lower() for c in guest), guest


def test_ask_endpoint_filters_and_errors(app_url):
    from gradio_client import Client

    url, service = app_url
    client = Client(url, verbose=False)
    ja = client.predict("蒸留について彼は何と言いましたか？", "verge-decoder-2026-06-08", "ja", True, api_name="/ask")
    assert ja["answer_lang"] == "ja"
    # The filters reach the backend: whatever it quotes or searched (it may abstain) honours all three.
    shown = ja["citations"] + ja["retrieved"]
    assert shown, ja
    assert all(c["lang"] == "ja" and c["role"] == "guest" for c in shown), shown
    assert all(c["interview"] == "verge-decoder-2026-06-08" for c in shown), shown

    empty = client.predict("   ", api_name="/ask")
    assert empty.get("error_type") == "BadQuestionError", empty

    ctx = client.predict(shown[0]["chunk_id"], api_name="/context")
    assert ctx["chunk"]["chunk_id"] == shown[0]["chunk_id"]
    assert ctx["interview"]["id"] == "verge-decoder-2026-06-08"
