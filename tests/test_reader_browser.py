"""The reader, the outline, the follow-ups and the layout in real headless Chromium, at desktop (1280 px) and
phone (390 px) widths, over the real index. Screenshots go to INTERVIEW_QA_TEST_ARTIFACTS (CI keeps them)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.chromium import CHROMIUM, CHROMIUM_ARGS, require_chromium

pytestmark = pytest.mark.browser

ANSWER_TIMEOUT_MS = 180_000
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
VERGE = "verge-decoder-2026-06-08"
JA_QUESTION = "蒸留について彼は何と言いましたか？"
EN_QUESTION = "What did he say about distillation?"


@pytest.fixture(scope="module")
def service(_session_index):
    from interview_qa.settings import Settings
    from rag.service import QAService

    old = os.environ.get("INTERVIEW_QA_HOME")
    os.environ["INTERVIEW_QA_HOME"] = str(_session_index)
    try:
        yield QAService.from_settings(Settings.from_env(), build_if_missing=False, progress=False)
    finally:
        if old is None:
            os.environ.pop("INTERVIEW_QA_HOME", None)
        else:
            os.environ["INTERVIEW_QA_HOME"] = old


ARTIFACTS: list[Path] = []  # the run's screenshot folder, set by `app`


@pytest.fixture(scope="module")
def app(service, tmp_path_factory):
    """The real app on a free port and one headless Chromium for the module; screenshots go under pytest's temp
    dir unless the run names a folder (CI: test-artifacts/ in its clone)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    from ui.testing import running_app

    chosen = os.environ.get("INTERVIEW_QA_TEST_ARTIFACTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    ARTIFACTS[:] = [folder]
    with running_app(service) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield url, browser
        finally:
            browser.close()


def open_page(app, size: str, path: str = ""):
    url, browser = app
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.outside = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("request", lambda r: page.outside.append(r.url)
            if not r.url.startswith((url.rstrip("/"), "data:", "blob:")) else None)
    page.goto(url + path, wait_until="domcontentloaded")
    page.locator("#question textarea" if not path else "#reader-html").wait_for(state="visible", timeout=60_000)
    return page


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS[0] / f"{name}.png"))


def ask(page, question: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#ask-btn").click()
    page.wait_for_function("() => document.querySelectorAll('#evidence-html .quote-card').length > 0",
                           timeout=ANSWER_TIMEOUT_MS)


def wait_idle(page) -> None:
    """Until the whole reply is in: the answer, its cards, and (last) the follow-up suggestions."""
    page.wait_for_function("() => !document.querySelector('.progress-text, .eta-bar')"
                           " && !document.querySelector('#follow-ups .fu-wait')", timeout=ANSWER_TIMEOUT_MS)


def rect(page, selector: str) -> dict:
    return page.evaluate(
        "(s) => { const r = document.querySelector(s).getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height, vh: innerHeight}; }",
        selector,
    )


def wait_in_view(page, selector: str) -> None:
    """Until the reader has finished bringing its focus into view, and the element's top edge is on screen."""
    page.wait_for_function(
        "(s) => { const root = document.querySelector('#reader-html .reader');"
        " if (root && root.dataset.settled !== '1' && s.includes('reader')) return false;"
        " const e = document.querySelector(s); if (!e) return false; const r = e.getBoundingClientRect();"
        " return r.height > 0 && r.top >= 0 && r.top < innerHeight - 20; }",
        arg=selector, timeout=60_000,
    )


def wait_for_address(page, *parts: str) -> None:
    """Wait until the address bar holds every one of `parts`: the reader's watcher puts its view there, which can be
    just after the focused turn is drawn (already in view, nothing waits for a scroll)."""
    page.wait_for_function("(parts) => parts.every(p => location.search.includes(p))", arg=list(parts), timeout=30_000)


def check_reader_at_japanese_quote(page, size: str, quote_start: str) -> None:
    wait_in_view(page, "#reader-focus mark.rd-quote")
    wait_for_address(page, "view=reader", "at=ja")
    ja = page.locator("#reader-focus .rd-tr mark.rd-quote")
    en = page.locator("#reader-focus .rd-or mark.rd-quote")
    assert ja.count() >= 1 and en.count() >= 1
    ja_text, en_text = ja.first.inner_text(), en.first.inner_text()
    assert ja_text.startswith(quote_start), (ja_text, quote_start)
    assert re.search(r"[\u3040-\u30ff]", ja_text) and re.search(r"[A-Za-z]{3,}", en_text)
    tr, orig = page.evaluate("() => ['.rd-tr', '.rd-or'].map(s => {"
                             " const r = document.querySelector('#reader-focus ' + s).getBoundingClientRect();"
                             " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; })")
    if size == "desktop":  # side by side: the original is the column right of the translation, same row
        assert orig["left"] >= tr["right"] - 2 and abs(orig["top"] - tr["top"]) < 5, (tr, orig)
    else:  # a phone stacks them: the original right under its translation
        assert orig["top"] >= tr["bottom"] - 2 and orig["top"] - tr["bottom"] < 60, (tr, orig)
    mark = rect(page, "#reader-focus .rd-tr mark.rd-quote")
    assert 0 <= mark["top"] < mark["vh"], mark  # the highlighted quote is on screen, not at its bottom edge
    assert mark["top"] < 0.8 * mark["vh"], mark


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_japanese_card_opens_the_reader_beside_the_english_and_a_reload_keeps_it(app, size):
    page = open_page(app, size)
    ask(page, JA_QUESTION)
    wait_idle(page)
    card = page.locator("#evidence-html .quote-card:has(blockquote[lang=ja])").first
    excerpt = re.sub(r"^\[\d+\]\s*", "", card.locator("blockquote.quote-text").inner_text()).rstrip(" …")
    quote_start = excerpt[:20]
    shot(page, f"ja-answer-{size}")
    card.locator("a.open-reader").click()
    page.locator("#reader-focus").wait_for(state="visible", timeout=30_000)
    check_reader_at_japanese_quote(page, size, quote_start)
    shot(page, f"reader-from-ja-card-{size}")
    link = page.url

    page.reload(wait_until="domcontentloaded")
    page.locator("#reader-focus").wait_for(state="visible", timeout=60_000)
    check_reader_at_japanese_quote(page, size, quote_start)
    assert page.url == link
    shot(page, f"reader-reloaded-{size}")
    assert not page.errors, page.errors
    assert not page.outside, page.outside  # no web fonts or anything else from outside
    page.context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_search_in_the_verge_reader_lands_on_the_hits(app, size):
    page = open_page(app, size, f"?view=reader&iv={VERGE}")
    page.locator("#reader-html .reader").wait_for(state="visible", timeout=60_000)
    page.locator("#reader-search textarea, #reader-search input").first.fill("蒸留")
    page.locator("#reader-find").click()
    page.wait_for_function("() => document.querySelectorAll('#reader-html mark.rd-hit').length > 0", timeout=30_000)
    hits = page.locator("#reader-html mark.rd-hit")
    n = hits.count()
    assert n >= 3
    assert all(h == "蒸留" for h in hits.all_inner_texts())
    wait_in_view(page, "#reader-focus mark.rd-hit")
    assert f"{n} hit" in page.locator("#reader-html .rd-hits").inner_text()
    # The English beside each hit is marked too (the row is a hit row).
    assert page.locator("#reader-html .rd-hit-row .rd-or").count() >= 1
    assert "q=%E8%92%B8%E7%95%99" in page.url, page.url
    page.locator("#reader-html button[data-hit=next]").click()
    page.locator("#reader-html button[data-hit=next]").click()
    wait_in_view(page, "#reader-html mark.rd-hit-current")
    shot(page, f"reader-search-{size}")
    page.reload(wait_until="domcontentloaded")
    page.wait_for_function("(n) => document.querySelectorAll('#reader-html mark.rd-hit').length === n", arg=n,
                           timeout=60_000)
    wait_in_view(page, "#reader-focus mark.rd-hit")
    assert not page.errors, page.errors
    page.context.close()


def test_phone_layout_shows_the_answer_above_the_fold(app):
    page = open_page(app, "phone")
    filters = rect(page, "#filters")
    assert page.locator("#f-interview").is_hidden()  # collapsed at the top
    ask(page, EN_QUESTION)
    wait_idle(page)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_timeout(500)
    box = rect(page, "#chat")
    bot = page.evaluate("() => { const rows = document.querySelectorAll('#chat .message-row');"
                        " const r = rows[rows.length - 1].getBoundingClientRect(); return {top: r.top, vh: innerHeight}; }")
    # The answer starts on the first screen, its first line showing in the chat box.
    assert box["top"] - 1 <= bot["top"] < min(box["bottom"], bot["vh"]) - 60, (box, bot)
    chat, evidence = rect(page, "#chat-col"), rect(page, "#evidence-col")
    assert filters["bottom"] <= chat["top"] + 1 and chat["bottom"] <= evidence["top"] + 1, (filters, chat, evidence)
    shot(page, "phone-answer")
    # Opened, the filters show every interview's whole title.
    page.locator("#filters").get_by_text("Filters:").first.click()
    page.locator("#f-interview").wait_for(state="visible")
    labels = page.locator("#f-interview label")
    titles = labels.all_inner_texts()
    assert any("'AI Is Already Superhuman'" in t for t in titles), titles
    assert any("superintelligence, MAI-Thinking-1 and OpenAI" in t for t in titles), titles
    cut = page.evaluate("() => [...document.querySelectorAll('#f-interview label')]"
                        ".filter(l => l.scrollWidth > l.clientWidth + 1).map(l => l.innerText)")
    assert not cut, cut
    shot(page, "phone-filters")
    assert not page.errors, page.errors
    page.context.close()


def test_desktop_chat_each_quote_once_viewer_in_view_follow_ups_answer(app, service):
    page = open_page(app, "desktop")
    ask(page, EN_QUESTION)
    wait_idle(page)
    # The chat fills the screen's height, with its evidence beside it.
    chat, evidence = rect(page, "#chat"), rect(page, "#evidence-col")
    assert chat["height"] > 0.55 * chat["vh"], chat
    assert evidence["left"] >= rect(page, "#chat-col")["right"] - 2 and abs(evidence["top"] - chat["top"]) < 80
    page.set_viewport_size({"width": 1280, "height": 1100})
    page.wait_for_function("(h) => document.querySelector('#chat').getBoundingClientRect().height > h + 200",
                           arg=chat["height"])
    page.set_viewport_size({"width": 1280, "height": 800})
    # Each quote is on the page once: in the answer, not again in its card.
    answer = service.ask(EN_QUESTION).to_json()
    visible = page.evaluate("() => document.querySelector('#chat').innerText + '\\n' +"
                            " document.querySelector('#evidence-html').innerText")
    for c in answer["citations"]:
        assert visible.count(c["quote"]) == 1, c["quote"]
    shot(page, "desktop-answer")
    # The answer's citations open the reader at the quote, and the chat is still there after it.
    page.locator("#chat a[href*='view=reader']").first.click()
    page.locator("#reader-focus mark.rd-quote").first.wait_for(state="visible", timeout=30_000)
    wait_in_view(page, "#reader-focus mark.rd-quote")
    assert answer["citations"][0]["quote"][:30] in page.locator("#reader-focus mark.rd-quote").first.inner_text()
    page.locator("[role=tab][data-tab-id=chat]").click()
    page.locator("#evidence-html button.show-context").first.wait_for(state="visible")
    # The address bar follows the tab from its select event (ui/reader.py TAB_URL_JS), which may run after it shows.
    page.wait_for_function("() => !location.search.includes('view=reader')", timeout=10_000)
    assert "view=reader" not in page.url
    # "Copy as quote card": the PNG (on the clipboard too) and the same card in Markdown, naming the page's mode.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app[0].rstrip("/"))
    page.locator("#evidence-html button.copy-card").first.click()
    page.wait_for_function("() => { const i = document.querySelector('#quote-card-img img');"
                           " return i && i.complete && i.naturalWidth === 1200; }", timeout=60_000)
    page.wait_for_function("() => /Copied|Download/.test(document.querySelector('#quote-card-note')?.innerText || '')",
                           timeout=30_000)
    assert "Copied" in page.locator("#quote-card-note").inner_text()
    assert page.evaluate("async () => { const items = await navigator.clipboard.read();"
                         " return items.some(i => i.types.includes('image/png')); }")
    md = page.locator("#quote-card-md").inner_text()
    assert "Mode: offline extractive" in md and "offline extractive" in page.locator("#status").inner_text()
    assert answer["citations"][0]["quote"][:40] in " ".join(md.split())
    shot(page, "desktop-quote-card")
    # The source viewer brings the highlighted turn into view.
    page.locator("#evidence-html button.show-context").nth(1).click()
    wait_in_view(page, "#source-viewer .ctx-current")
    shot(page, "desktop-viewer")
    # Every answer offers follow-ups from the interview; one click gets a grounded answer.
    follow = page.locator("#follow-ups button.follow-up")
    follow.first.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
    assert 2 <= follow.count() <= 3
    question = follow.first.inner_text()
    follow.first.click()
    page.wait_for_function(
        "(q) => [...document.querySelectorAll('#chat .message-row, #chat .message')].some(m => m.innerText.includes(q))",
        arg=question[:40], timeout=30_000)
    wait_idle(page)
    page.wait_for_function("() => document.querySelectorAll('#evidence-html .cited-card').length > 0",
                           timeout=ANSWER_TIMEOUT_MS)
    assert page.locator("#evidence-html .abstain-banner").count() == 0
    assert "quote" in page.locator("#evidence-html .cards-heading").inner_text()
    shot(page, "desktop-follow-up")
    assert not page.errors, page.errors
    page.context.close()


def test_outline_lists_every_question_and_each_opens_its_exchange(app, service):
    from rag.reading import Reading

    reading = Reading(service)
    expected = reading.outline("en")
    page = open_page(app, "desktop")
    page.locator("[role=tab][data-tab-id=outline]").click()
    page.locator("#outline-html .ol-entry").first.wait_for(state="visible", timeout=30_000)
    assert page.locator("#outline-html .ol-entry").count() == sum(len(e) for _, e in expected)
    shot(page, "outline")
    for manifest, entries in expected:
        for k in (0, len(entries) // 2, len(entries) - 1):
            entry = entries[k]
            page.locator("[role=tab][data-tab-id=outline]").click()
            link = page.locator(f"#outline-html section[data-interview='{manifest['id']}'] li.ol-entry a").nth(k)
            link.click()
            page.wait_for_function(
                "(key) => (document.querySelector('#reader-focus')?.dataset.ps || '').split(' ').includes(key)",
                arg=f"{entry.section}:{entry.paragraph}", timeout=30_000)
            wait_in_view(page, "#reader-focus")
            wait_for_address(page, "view=reader", "go=")
    shot(page, "outline-opened")
    # The reader shows every translated paragraph the index links beside its original.
    for manifest in reading.manifests().values():
        t = reading.transcript(manifest["id"])
        page.goto(app[0] + f"?view=reader&iv={manifest['id']}", wait_until="domcontentloaded")
        page.locator("#reader-html .reader").wait_for(state="visible", timeout=60_000)
        shown = page.locator("#reader-html .rd-pair .rd-tr p.rd-p").count()
        assert shown == sum(len(r.translation) for r in t.rows if r.linked)
        assert shown == sum(1 for r in t.rows for p in r.translation if p.links)
    assert not page.errors, page.errors
    page.context.close()
