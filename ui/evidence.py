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
.card-wrap button.show-context { align-self: flex-start; max-width: 170px; }
.cards-heading { font-weight: 700; margin: 6px 0; }
.abstain-banner {
  border: 1px solid #d97706; background: rgba(245, 158, 11, 0.10); border-radius: 10px; padding: 10px 14px; margin-bottom: 8px;
}
.source-viewer .ctx-head { font-weight: 600; margin-bottom: 8px; }
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


def card_html(item: dict, number: int, manifests: dict[str, dict]) -> str:
    role = role_of(item.get("role"))
    kind = item.get("kind", "quote")
    quote = item.get("quote") or ""
    if kind == "passage" and len(quote) > 600:
        quote = quote[:600].rstrip() + " …"
    lang = item.get("lang") or ""
    manifest = manifests.get(item.get("interview") or "")
    title = (manifest or {}).get("title") or ""
    parts = [
        f'<div class="quote-card {"passage-card" if kind == "passage" else "cited-card"} role-{role}" '
        f'data-chunk-id="{esc(item.get("chunk_id"))}">',
        f'<blockquote class="quote-text" lang="{esc(lang)}"><span class="card-num">[{number}]</span>{esc(quote)}</blockquote>',
        '<div class="card-meta">',
        f'<span class="speaker">{esc(item.get("speaker") or "Unknown speaker")}</span>{role_badge(role)}',
        f'<span class="interview" title="{esc(title)}">{esc(interview_label(manifest, item.get("interview") or ""))}</span>',
        f'<span class="badge badge-lang">{esc(LANG_NAMES.get(lang, lang or "?"))}</span>',
        "</div>",
    ]
    original = item.get("original")
    if original and original.get("quote"):
        olang = original.get("lang") or "en"
        parts.append(
            f'<details class="original"><summary>Show the {esc(LANG_NAMES.get(olang, olang))} original</summary>'
            f'<blockquote lang="{esc(olang)}">{esc(original["quote"])}</blockquote></details>'
        )
    parts.append("</div>")
    return "".join(parts)


def context_html(ctx: dict, quote: str | None = None) -> str:
    """The source viewer: the cited chunk highlighted, with the turns around it, each labelled."""
    manifest = ctx.get("interview") or {}
    chunk = plain(ctx.get("chunk")) or {}
    section = ctx.get("section") or chunk.get("lang") or ""
    head = (
        f'<div class="ctx-head">{esc(manifest.get("title") or chunk.get("interview") or "")}'
        f'<br><small>{esc(interview_label(manifest, chunk.get("interview") or ""))} · '
        f'{esc(LANG_NAMES.get(section, section))} section</small></div>'
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
    """Cards for the last answer (rendered from `state`) and the source viewer they open."""

    CSS = CSS

    def __init__(self, service, manifests: dict[str, dict]):
        self.service = service
        self.manifests = manifests
        self.state = gr.State(dict(EMPTY_CARDS))
        # Created here so the card buttons rendered below can target it; placed with `render_viewer`.
        self.viewer = gr.HTML(EMPTY_VIEWER, elem_classes=["source-viewer"], elem_id="source-viewer", render=False)

    def show_context(self, chunk_id: str, quote: str | None) -> str:
        try:
            return context_html(self.service.context(chunk_id), quote)
        except InterviewQAError as exc:
            gr.Warning(str(exc))
            return f'<div class="ctx-empty">⚠️ {esc(exc)}</div>'

    def render_cards(self) -> None:
        manifests, viewer, show_context = self.manifests, self.viewer, self.show_context

        @gr.render(inputs=[self.state])
        def render_cards(data):
            data = data or {}
            items = data.get("items") or []
            if not items:
                return
            if data.get("grounded", True):
                gr.HTML(f'<div class="cards-heading">Quotes ({len(items)})</div>', elem_classes=["cards-heading-wrap"])
            else:
                gr.HTML(
                    f'<div class="abstain-banner"><b>{esc(NOT_COVERED)}</b> '
                    "No passage answers this question well enough to quote. "
                    "These are the closest passages searched:</div>"
                )
            for n, item in enumerate(items, 1):
                wrap_classes = ["card-wrap", f"role-{role_of(item.get('role'))}", f"kind-{item.get('kind', 'quote')}"]
                with gr.Column(elem_classes=wrap_classes):
                    gr.HTML(card_html(item, n, manifests), elem_classes=["card-html"])
                    btn = gr.Button("Show in context", size="sm", elem_classes=["show-context"], min_width=120)

                    def _open(cid=item.get("chunk_id"), q=item.get("quote") if item.get("kind") == "quote" else None):
                        return show_context(cid, q)

                    btn.click(_open, inputs=None, outputs=[viewer], api_visibility="private")

    def render_viewer(self) -> None:
        gr.Markdown("### Source viewer")
        self.viewer.render()
