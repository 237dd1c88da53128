"""A corpus whose passages carry hostile markup (tests/data/hostile), through real ingest, the real embedder
and Chroma, the real service and the UI's renderers: cards, chat text, the source viewer and the export all
show it literally, and the export keeps it inside its quote."""

from __future__ import annotations

from pathlib import Path

import pytest

from interview_qa.settings import Settings
from ingest.pipeline import ingest
from rag.service import QAService
from ui.common import display_text, plain
from ui.evidence import card_html, card_items, context_html
from ui.export import export_markdown

try:
    from tests.test_ui_escaping import assert_export_inert, assert_inert, audit
except ImportError:  # pragma: no cover
    from test_ui_escaping import assert_export_inert, assert_inert, audit

FIXTURE = Path(__file__).resolve().parent / "data" / "hostile" / "hostile-talk.txt"


@pytest.fixture(scope="module")
def hostile_service(tmp_path_factory):
    home = tmp_path_factory.mktemp("hostile-home")
    mp = pytest.MonkeyPatch()
    mp.setenv("INTERVIEW_QA_HOME", str(home))
    try:
        settings = Settings.from_env()
        report = ingest([FIXTURE], settings, show_progress=False)
        assert not report.failed, report.failed
        yield QAService.from_settings(settings, build_if_missing=False, progress=False)
    finally:
        mp.undo()


def test_hostile_passages_reach_every_view_literally(hostile_service):
    service = hostile_service
    answer = plain(service.ask("How would you break a page that shows quotes?"))
    manifests = service.manifests()
    (manifest,) = manifests.values()
    assert "<script>" in manifest["outlet"] and "onerror" in manifest["title"]  # the fixture really is hostile

    items = card_items(answer)["items"]
    assert items, answer
    hostile = [it for it in items if "<" in (it.get("quote") or "")]
    assert hostile, "no passage with markup was shown: the test would prove nothing"
    for n, item in enumerate(items, 1):
        markup = card_html(item, n, manifests)
        assert_inert(markup, item["quote"] if item["kind"] == "quote" else item["quote"][:100],
                     manifest["outlet"])

    # the chat text (the answer quotes the guest) and the source viewer with its neighbouring turns
    assert_inert(display_text(answer["answer"]), *[ln for ln in answer["answer"].splitlines() if ln.strip()][:1])
    for item in hostile:
        ctx = service.context(item["chunk_id"])
        markup = context_html(ctx, quote=item["quote"])
        texts = [plain(c)["text"] for c in [*ctx["before"], ctx["chunk"], *ctx["after"]]]
        assert any("<" in t for t in texts)
        assert_inert(markup, manifest["title"], *[t.replace("\n", " ")[:60] for t in texts if "\n" not in t[:60]])
        assert audit(markup).tags.count("mark") <= 1

    md = export_markdown(answer, manifests)
    assert_export_inert(md, *[line.strip() for item in hostile for line in item["quote"].splitlines() if line.strip()])


def test_the_hostile_export_passage_stays_quoted(hostile_service):
    answer = plain(hostile_service.ask("What about exports and headings?"))
    md = export_markdown(answer, hostile_service.manifests())
    assert "## Injected heading" not in md.splitlines()
    assert_export_inert(md)
