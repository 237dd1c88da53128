"""The evidence panel: one card per cited quote (or, when the answer abstains, per passage searched), and
the source viewer that shows a card's passage with the turns around it."""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from interview_qa.errors import InterviewQAError
from ui.common import LANG_NAMES, NOT_COVERED, esc, highlight, interview_label, plain, role_badge, role_of

log = logging.getLogger(__name__)

EMPTY_VIEWER = '<div class="ctx-empty">Click “Show in context” on a quote card to read the passage around it.</div>'
EMPTY_CARDS = {"grounded": True, "items": []}
EMPTY_EVIDENCE = '<div class="evidence-empty">Quotes backing the answer appear here, each with its speaker and source.</div>'

# Card buttons report which card and which action; links to the reader are handled by the page's router.
CARDS_JS = """
element.addEventListener('click', (e) => {
  const b = e.target.closest('button[data-act]');
  if (!b) return;
  trigger('click', {act: b.dataset.act, n: parseInt(b.dataset.n, 10)});
});
"""

# The viewer scrolls itself (and the page) so that the highlighted turn is in view, not at the bottom edge.
VIEWER_JS = """
function reveal() {
  let tries = 0;
  const tick = () => {
    const cur = element.querySelector('.ctx-current');
    if (cur && cur.getBoundingClientRect().height > 0) {
      cur.scrollIntoView({block: 'center', behavior: 'instant'});
      if (tries++ < 3) setTimeout(tick, 120);
    } else if (cur && tries++ < 60) setTimeout(tick, 50);
  };
  tick();
}
watch('value', reveal);
"""

CSS = """
.card-wrap {
  border: 1px solid var(--border-color-primary) !important;
  border-left: 5px solid #6b7280 !important;
  border-radius: 10px !important;
  padding: 12px 14px 10px 14px !important;
  background: var(--background-fill-secondary) !important;
  box-shadow: 0 1px 3px rgba(0,0,0,0.08);
  gap: 8px !important;
  margin-bottom: 12px;
}
.card-wrap.role-guest { border-left-color: #15803d !important; }
.card-wrap.role-host { border-left-color: #1d4ed8 !important; }
.card-wrap.role-editor { border-left-color: #b45309 !important; }
.card-wrap.kind-passage { border-style: dashed !important; border-left-style: solid !important; }
.quote-card { line-height: 1.55; }
.quote-card .card-num { font-weight: 700; color: var(--body-text-color-subdued); margin-right: 6px; }
.quote-card blockquote.quote-text {
  margin: 0 0 8px 0 !important; padding: 0 !important; border: none !important; font-size: 1.02em; white-space: pre-wrap;
  font-family: inherit; color: var(--body-text-color);
}
.quote-card .card-meta { font-size: 0.86em; color: var(--body-text-color-subdued); display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; }
.quote-card .speaker { font-weight: 600; color: var(--body-text-color); }
.quote-card details.original { margin-top: 8px; font-size: 0.9em; }
.quote-card details.original summary { cursor: pointer; color: var(--link-text-color); }
.quote-card details.original blockquote { margin: 6px 0 0 0; padding-left: 10px; border-left: 3px solid var(--border-color-primary); white-space: pre-wrap; }
.card-actions { display: flex; flex-wrap: wrap; gap: 6px 12px; margin-top: 8px; align-items: center; font-size: 0.88em; }
.card-actions button, .card-actions a { border: 1px solid var(--border-color-primary) !important; border-radius: 6px !important;
  padding: 2px 10px !important; font-size: 0.92em !important; font-weight: 500 !important; line-height: 1.6 !important;
  background: var(--button-secondary-background-fill) !important; color: var(--body-text-color) !important;
  text-decoration: none !important; cursor: pointer; }
.card-actions a.open-reader { color: var(--link-text-color); }
.quote-card blockquote.quote-text.in-answer { color: var(--body-text-color-subdued); font-style: italic; }
#evidence-html { max-height: var(--iqa-pane-height, 70vh); overflow-y: auto; }
.evidence-empty { color: var(--body-text-color-subdued); padding: 8px 0; }
.cards-heading { font-weight: 700; margin: 6px 0; }
.abstain-banner {
  border: 1px solid #d97706; background: rgba(245, 158, 11, 0.10); border-radius: 10px; padding: 10px 14px; margin-bottom: 8px;
}
#source-viewer { max-height: 60vh; overflow-y: auto; scroll-margin-top: 8px; }
.source-viewer .ctx-head { font-weight: 600; margin-bottom: 8px; }
.source-viewer .ctx-head a { font-weight: 400; font-size: 0.9em; margin-left: 8px; }
.source-viewer .ctx-turn { border-radius: 8px; padding: 8px 10px; margin-bottom: 8px; border: 1px solid var(--border-color-primary); white-space: pre-wrap; line-height: 1.55; }
.source-viewer .ctx-turn .ctx-speaker { font-weight: 600; margin-bottom: 4px; white-space: normal; }
.source-viewer .ctx-current { border: 2px solid #f59e0b; background: rgba(245, 158, 11, 0.10); }
.source-viewer mark { background: #fde047; color: #111; padding: 0 1px; }
.source-viewer .ctx-empty { color: var(--body-text-color-subdued); }
"""


def card_items(answer: dict) -> dict:
    """What the card area shows for one answer: citations, or (abstention) the closest passages."""
    if answer.get("grounded"):
        items = [dict(c, kind="quote") for c in answer.get("citations") or []]
    else:
        items = [
            {
                "kind": "passage",
                "chunk_id": r.get("chunk_id"),
                "interview": r.get("interview"),
                "speaker": r.get("speaker"),
                "role": r.get("role"),
                "lang": r.get("lang"),
                "quote": r.get("text") or "",
                "original": None,
                "location": "",
            }
            for r in answer.get("retrieved") or []
        ]
    return {"grounded": bool(answer.get("grounded")), "items": items}


EXCERPT_CHARS = 90


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def card_html(item: dict, number: int, manifests: dict[str, dict], answer_text: str = "", reader_href: str | None = None) -> str:
    """One evidence card. A quote the answer text already shows in full is not shown a second time: the card
    names it by its opening words and carries what the answer doesn't (who, where, actions); a translated
    quote's original waits behind a closed toggle."""
    role = role_of(item.get("role"))
    kind = item.get("kind", "quote")
    quote = item.get("quote") or ""
    in_answer = kind == "quote" and bool(quote) and quote in (answer_text or "")
    if in_answer:  # shorter than the quote itself, however short it is: never the same words twice on the page
        quote = _excerpt(quote, min(EXCERPT_CHARS, len(quote) * 2 // 3))
    elif kind == "passage" and len(quote) > 600:
        quote = quote[:600].rstrip() + " …"
    lang = item.get("lang") or ""
    manifest = manifests.get(item.get("interview") or "")
    title = (manifest or {}).get("title") or ""
    quote_class = "quote-text in-answer" if in_answer else "quote-text"
    parts = [
        f'<div class="card-wrap role-{role} kind-{esc(kind)}">',
        f'<div class="quote-card {"passage-card" if kind == "passage" else "cited-card"} role-{role}" '
        f'data-chunk-id="{esc(item.get("chunk_id"))}" data-n="{number}">',
        f'<blockquote class="{quote_class}" lang="{esc(lang)}"><span class="card-num">[{number}]</span>{esc(quote)}</blockquote>',
        '<div class="card-meta">',
        f'<span class="speaker">{esc(item.get("speaker") or "Unknown speaker")}</span>{role_badge(role)}',
        f'<span class="interview" title="{esc(title)}">{esc(interview_label(manifest, item.get("interview") or ""))}</span>',
        f'<span class="badge badge-lang">{esc(LANG_NAMES.get(lang, lang or "?"))}</span>',
        "</div>",
    ]
    original = item.get("original")
    if original and original.get("quote"):  # behind a closed toggle: not shown twice unless asked for
        olang = original.get("lang") or "en"
        parts.append(
            f'<details class="original"><summary>Show the {esc(LANG_NAMES.get(olang, olang))} original</summary>'
            f'<blockquote lang="{esc(olang)}">{esc(original["quote"])}</blockquote></details>'
        )
    parts.append('<div class="card-actions">')
    if reader_href:
        parts.append(f'<a class="open-reader" href="{esc(reader_href)}">Open in reader</a>')
    parts.append(f'<button class="show-context" data-act="context" data-n="{number}">Show in context</button>')
    if kind == "quote":
        parts.append(f'<button class="copy-card" data-act="card" data-n="{number}">Copy as quote card</button>')
    parts.append("</div></div></div>")
    return "".join(parts)


def cards_html(data: dict, manifests: dict[str, dict], answer_text: str = "", hrefs: list | None = None) -> str:
    items = (data or {}).get("items") or []
    if not items:
        return EMPTY_EVIDENCE
    hrefs = list(hrefs or []) + [None] * len(items)
    if data.get("grounded", True):
        head = f'<div class="cards-heading">Evidence ({len(items)} quote{"s" if len(items) != 1 else ""})</div>'
    else:
        head = (f'<div class="abstain-banner"><b>{esc(NOT_COVERED)}</b> '
                "No passage answers this question well enough to quote. These are the closest passages searched:</div>")
    body = "".join(card_html(item, n, manifests, answer_text, hrefs[n - 1]) for n, item in enumerate(items, 1))
    return f'<div class="evidence-cards">{head}{body}</div>'


def context_html(ctx: dict, quote: str | None = None, reader_href: str | None = None) -> str:
    """The source viewer: the cited chunk highlighted, with the turns around it, each labelled."""
    manifest = ctx.get("interview") or {}
    chunk = plain(ctx.get("chunk")) or {}
    section = ctx.get("section") or chunk.get("lang") or ""
    head = (
        f'<div class="ctx-head">{esc(manifest.get("title") or chunk.get("interview") or "")}'
        f'<br><small>{esc(interview_label(manifest, chunk.get("interview") or ""))} · '
        f'{esc(LANG_NAMES.get(section, section))} section</small>'
        + (f'<a class="open-reader" href="{esc(reader_href)}">Read the whole interview ↗</a>' if reader_href else "")
        + "</div>"
    )

    def turn(c: Any, current: bool) -> str:
        c = plain(c) or {}
        body = highlight(c.get("text") or "", quote) if current else esc(c.get("text") or "")
        cls = "ctx-turn ctx-current" if current else "ctx-turn"
        return (
            f'<div class="{cls}" data-chunk-id="{esc(c.get("chunk_id"))}" lang="{esc(c.get("lang") or "")}">'
            f'<div class="ctx-speaker">{esc(c.get("speaker") or "Unknown speaker")} {role_badge(c.get("role"))}</div>'
            f"{body}</div>"
        )

    turns = [turn(c, False) for c in ctx.get("before") or []]
    turns.append(turn(chunk, True))
    turns += [turn(c, False) for c in ctx.get("after") or []]
    return f'<div class="source-viewer-body">{head}{"".join(turns)}</div>'


class EvidencePanel:
    """The cards for the last answer (one HTML block, its buttons reported as click events) and the source
    viewer they open."""

    CSS = CSS

    def __init__(self, service, reading, manifests: dict[str, dict]):
        self.service = service
        self.reading = reading
        self.manifests = manifests
        self.state = gr.State(dict(EMPTY_CARDS))

    def reader_href(self, item: dict) -> str | None:
        try:
            view = self.reading.view_for(item)
        except Exception:  # noqa: BLE001 - a card without a reader link is still a card
            log.exception("no reader view for %s", item.get("chunk_id"))
            return None
        return view.query() if view else None

    def html_for(self, data: dict, answer_text: str = "") -> str:
        items = (data or {}).get("items") or []
        return cards_html(data, self.manifests, answer_text, [self.reader_href(i) for i in items])

    def show_context(self, chunk_id: str, quote: str | None, href: str | None = None) -> str:
        try:
            return context_html(self.service.context(chunk_id), quote, href)
        except InterviewQAError as exc:
            gr.Warning(esc(exc))
            return f'<div class="ctx-empty">⚠️ {esc(exc)}</div>'

    def on_card_action(self, data: dict, evt: gr.EventData):
        payload = getattr(evt, "_data", None) or {}
        if payload.get("act") != "context":
            return gr.update()
        items = (data or {}).get("items") or []
        n = int(payload.get("n") or 0)
        if not 1 <= n <= len(items):
            return gr.update()
        item = items[n - 1]
        quote = item.get("quote") if item.get("kind") == "quote" else None
        return self.show_context(item.get("chunk_id"), quote, self.reader_href(item))

    def render_cards(self) -> None:
        self.html = gr.HTML(EMPTY_EVIDENCE, elem_id="evidence-html", js_on_load=CARDS_JS)

    def render_viewer(self) -> None:
        self.viewer = gr.HTML(EMPTY_VIEWER, elem_classes=["source-viewer"], elem_id="source-viewer", js_on_load=VIEWER_JS)

    def wire(self) -> None:
        self.html.click(self.on_card_action, [self.state], [self.viewer], api_visibility="private")
