"""Render only what was said: a transcript full of Markdown links, HTML, images and a `javascript:` URL, ingested
for real, asked about in real headless Chromium. Chat, quote cards, source viewer and export show it as text:
no link to a foreign origin, no image, no script, nothing runs."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.chromium import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.test_ui_browser import wait_idle
from tests.test_ui_escaping import assert_export_inert, blockquote_lines

pytestmark = pytest.mark.browser

EVIL = "evil-example"  # a host name without dots: the quoted sentence then runs past every URL in it
LINK = f"[log in here](http://{EVIL}/phish)"
HOSTILE = f"""---
title: Harbour talk [prize](http://{EVIL}/t) <b>bold</b>
guest: Eve Harbour
host: Mallory
---
MALLORY: What about the harbour project?

EVE HARBOUR: The harbour project worked, {LINK} and ![pixel](http://{EVIL}/p-png) and \
<a href="http://{EVIL}/a">click me</a> <script>self['__pwned'] = 1</script> <img src="http://{EVIL}/i-png" \
onerror="window['__pwned'] = 2"> and [run](javascript:alert(3)) and <iframe src="http://{EVIL}/f"></iframe> \
then https://{EVIL}/bare and eve@{EVIL} and **bold** _it_ `code` and <b>more</b>, www.{EVIL}.com last.

MALLORY: And the lighthouse?

EVE HARBOUR: <details open><summary>Lighthouse</summary>[home](//{EVIL}/x)</details> The lighthouse was rebuilt \
in 1848.
"""
QUESTION = "What about the harbour project?"


@pytest.fixture(scope="module")
def hostile_service(tmp_path_factory):
    from interview_qa.settings import Settings
    from ingest.pipeline import ingest
    from rag.service import QAService

    root = tmp_path_factory.mktemp("hostile")
    talk = root / "harbour.txt"
    talk.write_text(HOSTILE, encoding="utf-8")
    settings = Settings.from_env().with_(home=root / "home")
    report = ingest([talk], settings, show_progress=False)
    assert not report.failed, report.results
    service = QAService.from_settings(settings, build_if_missing=False, progress=False)
    # The hostile text really is in the index, verbatim: the rendering has to cope with it.
    stored = " ".join(c.text for c in service.store.chunks())
    for payload in (LINK, "<script>", "javascript:", "![pixel]", "<iframe"):
        assert payload in stored, payload
    return service


def _foreign(url: str | None, origin: str) -> bool:
    if not url:
        return False
    parsed = urlparse(url)
    return parsed.scheme not in ("", "blob", "data") and f"{parsed.scheme}://{parsed.netloc}" != origin


OWN_LINK = "?view=reader"  # the only links interview text may sit next to: the app's own reader views
VIEWS = ("#chat", ".quote-card", "#source-viewer", "#reader-html")


def _own(href: str, origin: str) -> bool:
    return href.startswith(origin + "/" + OWN_LINK) or href.startswith(origin + OWN_LINK)


def _assert_page_clean(page, origin: str) -> None:
    page.wait_for_timeout(1000)  # give anything injected the chance to (not) run
    assert page.evaluate("typeof window.__pwned") == "undefined"
    links = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
    assert not [h for h in links if _foreign(h, origin) or h.startswith("javascript:")], links
    images = page.evaluate("() => [...document.querySelectorAll('img, picture, svg image')]"
                           ".map(i => i.currentSrc || i.src || i.getAttribute('href') || '')")
    assert not [i for i in images if EVIL in i or _foreign(i, origin)], images
    for where in VIEWS:
        assert page.locator(f"{where} img, {where} iframe, {where} script, {where} strong, {where} em, "
                            f"{where} code, {where} details:not(.original)").count() == 0, where
        hrefs = page.evaluate(f"() => [...document.querySelectorAll('{where} a[href]')].map(a => a.href)")
        assert all(_own(h, origin) for h in hrefs), (where, hrefs)
    scripts = page.evaluate("() => [...document.scripts].map(s => s.src + ' ' + s.text.slice(0, 200))")
    assert not [s for s in scripts if EVIL in s or "__pwned" in s], scripts
    assert page.locator("iframe").count() == 0


def test_a_hostile_transcript_renders_as_text_everywhere(hostile_service, tmp_path):
    require_chromium()
    from playwright.sync_api import sync_playwright

    from ui.testing import running_app

    with running_app(hostile_service) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            requested: list[str] = []
            page.on("request", lambda r: requested.append(r.url))
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(url, wait_until="domcontentloaded")
            page.locator("#question textarea").wait_for(state="visible", timeout=60_000)
            origin = f"{urlparse(page.url).scheme}://{urlparse(page.url).netloc}"

            page.locator("#question textarea").fill(QUESTION)
            page.locator("#ask-btn").click()
            page.wait_for_function("() => [...document.querySelectorAll('.quote-card')]"
                                   ".some(c => c.innerText.includes('harbour project worked'))", timeout=120_000)
            wait_idle(page)
            # The hostile characters are there, as text, in the chat and on the card ...
            start = "The harbour project worked, " + LINK
            assert start in page.locator("#chat").inner_text()
            # (the card names the quote the answer shows by its opening words: the link's markup, as text)
            assert start[:len(start) - len(LINK)] + LINK[:LINK.index("(") + 1] in \
                page.locator(".quote-card", has_text="harbour project worked").first.inner_text()
            _assert_page_clean(page, origin)

            # ... and in the source viewer, whole.
            page.locator("button.show-context").first.click()
            page.locator("#source-viewer .ctx-current").wait_for(state="visible", timeout=30_000)
            viewer = page.locator("#source-viewer").inner_text()
            for payload in (LINK, "<script>", "javascript:", "![pixel]", "<iframe", "<details open>", "**bold**",
                            f"eve@{EVIL}", f"https://{EVIL}/bare", f"www.{EVIL}.com"):
                assert payload in viewer, payload
            _assert_page_clean(page, origin)

            page.locator("#export-btn").click()
            link = page.locator("#export-file a").first
            link.wait_for(state="visible", timeout=30_000)
            exported = page.request.get(link.get_attribute("href")).text()
            _assert_page_clean(page, origin)

            # The reader, opened from the answer's own "read in context" link, shows the transcript as text too.
            page.locator("#chat a[href*='view=reader']").first.click()
            page.wait_for_function("() => (document.querySelector('#reader-html')?.innerText || '')"
                                   ".includes('harbour project worked')", timeout=60_000)
            assert LINK in page.locator("#reader-html").inner_text()
            _assert_page_clean(page, origin)
            assert not dialogs, dialogs
            assert not [r for r in requested if EVIL in r], requested
        finally:
            browser.close()

    # The exported Markdown, rendered by a CommonMark renderer (raw HTML allowed, as most viewers do), is text too:
    # the quote's own characters inside its quote block, and no element but the export's layout.
    assert_export_inert(exported)
    shown = blockquote_lines(exported)
    assert any(start in ln for ln in shown), shown
