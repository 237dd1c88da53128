"""The real chat in real headless Chromium over the real index: quote cards, badges, CJK, source viewer, XSS."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.chromium import CHROMIUM, CHROMIUM_ARGS, require_chromium

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
ANSWER_TIMEOUT_MS = 120_000
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

_services: dict[str, object] = {}


@pytest.fixture
def service(indexed_home):
    from interview_qa.settings import Settings
    from rag.service import QAService

    key = str(indexed_home)
    if key not in _services:
        _services[key] = QAService.from_settings(Settings.from_env(), build_if_missing=False, progress=False)
    return _services[key]


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    """Screenshots: under pytest's temp dir, unless the run names a folder (CI: test-artifacts/ in its clone)."""
    chosen = os.environ.get("INTERVIEW_QA_TEST_ARTIFACTS")
    return Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def page(service, artifacts):
    require_chromium()
    from playwright.sync_api import sync_playwright

    from ui.testing import running_app

    artifacts.mkdir(parents=True, exist_ok=True)
    with running_app(service) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
            pg = context.new_page()
            errors: list[str] = []
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
            pg.goto(url, wait_until="domcontentloaded")
            pg.locator("#question textarea").wait_for(state="visible", timeout=60_000)
            pg.errors = errors  # type: ignore[attr-defined]
            yield pg
        finally:
            browser.close()


def ask(page, question: str) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    page.locator("#ask-btn").click()


def wait_for_cards(page, predicate_js: str = "cards => cards.length > 0") -> None:
    page.wait_for_function(
        f"() => {{ const cards = [...document.querySelectorAll('.quote-card')].map(c => c.innerText);"
        f" return ({predicate_js})(cards); }}",
        timeout=ANSWER_TIMEOUT_MS,
    )


def wait_idle(page) -> None:
    """The streamed answer is complete when the Ask button is usable and no progress bar is left."""
    page.wait_for_function(
        "() => !document.querySelector('.progress-text, .eta-bar') && document.querySelector('#status')",
        timeout=ANSWER_TIMEOUT_MS,
    )


def test_distillation_quote_cards_and_source_viewer(page, artifacts):
    ask(page, "What did he say about distillation?")
    # a card's quote is cut to its first words: those of the distillation turns (the teacher, the short-term win)
    wait_for_cards(page, "cards => cards.some(t => /teacher|shortcuts to the frontier|distill|re-implementation|"
                         "short-term win|people get frustrated/i.test(t))")
    wait_idle(page)

    cards = page.locator(".quote-card")
    texts = cards.all_inner_texts()
    assert any(re.search(r"teacher|shortcuts to the frontier|distill|re-implementation|short-term win|people get "
                         r"frustrated", t, re.I) for t in texts), texts
    assert page.locator(".quote-card .badge-guest").count() >= 1
    assert page.locator(".quote-card .badge-guest").first.is_visible()
    # The answer itself streamed into the chat, and the mode is visible.
    assert page.locator("#chat").inner_text().strip()
    assert "offline extractive" in page.locator("#status").inner_text()
    page.screenshot(path=str(artifacts / "distillation.png"), full_page=True)

    # Show the first card in context: the source viewer shows the cited passage, highlighted, with labelled turns.
    first_quote = page.locator(".quote-card blockquote.quote-text").first.inner_text()
    page.locator("button.show-context").first.click()
    current = page.locator("#source-viewer .ctx-current")
    current.wait_for(state="visible", timeout=30_000)
    snippet = re.sub(r"^\[\d+\]\s*", "", first_quote).strip()[:40]
    assert snippet and snippet in current.inner_text()
    assert page.locator("#source-viewer mark").count() >= 1
    assert page.locator("#source-viewer .ctx-turn").count() >= 2  # the turns around it
    assert page.locator("#source-viewer .ctx-turn .badge").count() >= 2  # each labelled with a role
    page.locator("#source-viewer").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "source-viewer.png"), full_page=True)

    # New chat clears the conversation, the cards and the viewer.
    page.locator("#new-chat").click()
    page.wait_for_function("() => document.querySelectorAll('.quote-card').length === 0", timeout=30_000)
    assert page.locator("#source-viewer .ctx-current").count() == 0
    assert not page.errors, page.errors


def test_japanese_question_shows_japanese_quotes(page, artifacts):
    ask(page, "蒸留について彼は何と言いましたか？")
    wait_for_cards(page, "cards => cards.some(t => /[\\u3040-\\u30ff\\u4e00-\\u9fff]/.test(t))")
    wait_idle(page)
    texts = page.locator(".quote-card blockquote.quote-text").all_inner_texts()
    assert any(CJK.search(t) for t in texts), texts
    assert "日本語" in " ".join(page.locator(".quote-card .badge-lang").all_inner_texts())
    # A translated quote carries its English original behind a toggle.
    originals = page.locator(".quote-card details.original")
    assert originals.count() > 0, "no translated quote offered its English original"
    originals.first.locator("summary").click()
    assert re.search(r"[A-Za-z]{3,}", originals.first.locator("blockquote").inner_text())
    # The answer in the chat is Japanese too.
    assert CJK.search(page.locator("#chat").inner_text())
    page.screenshot(path=str(artifacts / "japanese.png"), full_page=True)

    page.locator("button.show-context").first.click()
    page.locator("#source-viewer .ctx-current").wait_for(state="visible", timeout=30_000)
    assert CJK.search(page.locator("#source-viewer .ctx-current").inner_text())
    assert not page.errors, page.errors


def test_html_in_a_question_is_shown_as_text_and_never_runs(page, artifacts):
    payload = '<script>window.__xss=1</script><img src=x onerror="window.__xss2=1">'
    ask(page, payload)
    # Wait for the assistant's reply (an answer or an abstention with the closest passages).
    page.wait_for_function(
        "() => document.querySelectorAll('#chat .message-row, #chat [data-testid=\"bot\"], #chat .bot').length > 0",
        timeout=ANSWER_TIMEOUT_MS,
    )
    wait_idle(page)
    page.wait_for_timeout(1500)  # give any injected handler the chance to (not) fire
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("typeof window.__xss2") == "undefined"
    chat_text = page.locator("#chat").inner_text()
    assert "<script>" in chat_text, chat_text
    assert "<img src=x" in chat_text, chat_text
    assert page.get_by_text("<script>window.__xss=1</script>", exact=False).first.is_visible()
    assert page.locator("#chat img[src='x']").count() == 0
    assert page.locator("#chat script").count() == 0
    page.screenshot(path=str(artifacts / "xss.png"), full_page=True)
    assert not page.errors, page.errors


def test_empty_question_warns_once_without_crashing(page):
    ask(page, "   ")
    toasts = page.locator("[data-testid='toast-body']")
    toasts.first.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(1500)  # a second pop-up, if any, has arrived by now
    assert toasts.count() == 1, toasts.all_inner_texts()
    assert "empty" in toasts.first.inner_text().lower()
    # ... and the only one: not repeated in the status line or the chat.
    assert "empty" not in page.locator("#status").inner_text().lower()
    assert page.locator("#chat .message-row, #chat [data-testid='bot']").count() == 0  # nothing added to the chat
    # The app still answers afterwards, and Export produces a Markdown file of the last answer.
    ask(page, "What did he say about distillation?")
    wait_for_cards(page)
    wait_idle(page)
    page.locator("#export-btn").click()
    link = page.locator("#export-file a").first
    link.wait_for(state="visible", timeout=30_000)
    assert ".md" in (link.get_attribute("href") or "") + link.inner_text()
    assert not page.errors, page.errors


def test_yes_no_answer_leads_with_its_verdict_beside_the_evidence(page, artifacts):
    ask(page, "Is the partnership between Microsoft and OpenAI over?")
    wait_for_cards(page)
    wait_idle(page)
    chat = page.locator("#chat").inner_text()
    lines = [line.strip() for line in chat.splitlines() if line.strip()]
    verdicts = [line for line in lines if re.match(r"^(Yes|No) — ", line)]
    assert len(verdicts) == 1, lines  # the verdict line, once
    # The verdict's quote is shown once in the chat (the cards beside it carry the evidence, not a second answer).
    quote = re.search(r"“(.{20,60})", verdicts[0]).group(1)
    assert chat.count(quote) == 1
    cards = page.locator(".quote-card")
    assert cards.count() >= 1
    chat_box, card_box = page.locator("#chat").bounding_box(), cards.first.bounding_box()
    assert card_box["x"] >= chat_box["x"] + chat_box["width"] - 5  # beside the chat, not below it
    page.screenshot(path=str(artifacts / "verdict-answer.png"), full_page=True)
    assert not page.errors, page.errors


def test_compare_answer_shows_one_labelled_section_per_interview(page, artifacts):
    ask(page, "Compare what he said about jobs and work in the Bloomberg interview and on Decoder")
    wait_for_cards(page)
    wait_idle(page)
    chat = page.locator("#chat").inner_text()
    assert "Compared across the interviews:" in chat
    assert re.search(r"^\s*Bloomberg, 2025-12-12:", chat, re.M), chat
    assert re.search(r"^\s*The Verge \(Decoder\), 2026-06-08:", chat, re.M), chat
    page.screenshot(path=str(artifacts / "compare-answer.png"), full_page=True)
    assert not page.errors, page.errors
