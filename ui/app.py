"""The browser chat: Gradio Blocks over `rag.service.QAService` (no retrieval logic lives here).

Everything user- or document-derived (questions, answers, quotes, speaker names, passages) is HTML-escaped
before it reaches a Markdown/HTML component, and the Chatbot keeps `sanitize_html` on, so text typed as a
question such as ``<script>…</script>`` is shown literally and never runs.
"""

from __future__ import annotations

import os

# Must be set before gradio is imported: no telemetry, no version check phoning home.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import html  # noqa: E402
import logging  # noqa: E402
import tempfile  # noqa: E402
from dataclasses import asdict, is_dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

import gradio as gr  # noqa: E402

from interview_qa.errors import ConfigError, InterviewQAError  # noqa: E402

if TYPE_CHECKING:  # pragma: no cover
    from interview_qa.settings import Settings
    from rag.service import QAService

log = logging.getLogger(__name__)

ALL = "All"
LANG_CHOICES = [(ALL, ALL), ("English", "en"), ("日本語 (Japanese)", "ja"), ("中文 (Chinese)", "zh")]
LANG_NAMES = {"en": "English", "ja": "日本語", "zh": "中文"}
ROLES = ("guest", "host", "editor")
EXAMPLES = [
    "What did he say about distillation?",
    "蒸留について彼は何と言いましたか？",
    "微软拥有多少吉瓦的计算能力？",
    "What does he mean by humanist superintelligence?",
]
NOT_COVERED = "The interviews don't cover that."

CSS = """
.iqa-header h1 { margin-bottom: 0.1em; font-weight: 600; }
.iqa-status { font-size: 0.92em; }
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
.badge {
  display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 0.78em; font-weight: 700;
  letter-spacing: 0.02em; text-transform: uppercase; color: #fff; vertical-align: middle;
}
.badge-guest { background: #15803d; }
.badge-host { background: #1d4ed8; }
.badge-editor { background: #b45309; }
.badge-lang { background: #4b5563; text-transform: none; }
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


# --------------------------------------------------------------------------------------------- helpers


def esc(value: Any) -> str:
    """Escape text for HTML/Markdown components (`<`, `>`, `&` and quotes)."""
    return html.escape("" if value is None else str(value), quote=True)


def _plain(obj: Any) -> Any:
    """Dataclasses (Answer, Citation, Chunk...) to plain JSON-serialisable dicts."""
    if obj is None:
        return None
    if hasattr(obj, "to_json") and callable(obj.to_json):
        return obj.to_json()
    if is_dataclass(obj) and not isinstance(obj, type):
        return asdict(obj)
    return obj


def _pairs(history: list | None) -> list[tuple[str, str]]:
    return [(str(q), str(a)) for q, a in (history or [])]


def _ask_options(history, interview, lang, guest_only) -> dict:
    """The UI's filter values as QAService keyword arguments ("All" means no filter)."""
    return {"history": _pairs(history), "interview": _none_if_all(interview), "lang": _none_if_all(lang),
            "guest_only": bool(guest_only)}


def _none_if_all(value: str | None) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return None if value in ("", ALL, "all") else value


def _role(role: str | None) -> str:
    role = (role or "").lower()
    return role if role in ROLES else "editor"


def role_badge(role: str | None) -> str:
    r = _role(role)
    return f'<span class="badge badge-{r}">{r}</span>'


def _interview_label(manifest: dict | None, fallback: str) -> str:
    if not manifest:
        return fallback
    outlet = manifest.get("outlet") or fallback
    date = manifest.get("date") or ""
    return f"{outlet}, {date}" if date else outlet


def _display_text(text: str) -> str:
    """Escaped answer text for the Chatbot (Markdown with sanitize_html on)."""
    return esc(text).replace("\n", "  \n") if text else ""


def _highlight(text: str, quote: str | None) -> str:
    """Escaped `text` with the (first) occurrence of `quote` wrapped in <mark>."""
    if quote:
        i = text.find(quote)
        if i >= 0:
            return esc(text[:i]) + "<mark>" + esc(quote) + "</mark>" + esc(text[i + len(quote):])
    return esc(text)


# --------------------------------------------------------------------------------------------- rendering


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
    role = _role(item.get("role"))
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
        f'<span class="interview" title="{esc(title)}">{esc(_interview_label(manifest, item.get("interview") or ""))}</span>',
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
    chunk = _plain(ctx.get("chunk")) or {}
    section = ctx.get("section") or chunk.get("lang") or ""
    head = (
        f'<div class="ctx-head">{esc(manifest.get("title") or chunk.get("interview") or "")}'
        f'<br><small>{esc(_interview_label(manifest, chunk.get("interview") or ""))} · '
        f'{esc(LANG_NAMES.get(section, section))} section</small></div>'
    )

    def turn(c: Any, current: bool) -> str:
        c = _plain(c) or {}
        body = _highlight(c.get("text") or "", quote) if current else esc(c.get("text") or "")
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


EMPTY_VIEWER = '<div class="ctx-empty">Click “Show in context” on a quote card to read the passage around it.</div>'


def status_md(mode: str, notice: str | None = None, error: str | None = None) -> str:
    lines = [f"**Mode:** {esc(mode)}"]
    if notice:
        lines.append(f"ℹ️ {esc(notice)}")
    if error:
        lines.append(f"⚠️ {esc(error)}")
    return "  \n".join(lines)


def export_markdown(answer: dict, manifests: dict[str, dict]) -> str:
    out = ["# Interview Q&A", "", "## Question", "", answer.get("question", ""), "", "## Answer", ""]
    if not answer.get("grounded"):
        out += [f"_{NOT_COVERED}_", ""]
    out += [answer.get("answer", ""), ""]
    if answer.get("notice"):
        out += [f"> Note: {answer['notice']}", ""]
    data = card_items(answer)
    out += ["## Quotes" if data["grounded"] else "## Closest passages searched", ""]
    for n, item in enumerate(data["items"], 1):
        manifest = manifests.get(item.get("interview") or "") or {}
        lang = item.get("lang") or ""
        out.append(
            f"### [{n}] {item.get('speaker') or 'Unknown'} ({_role(item.get('role'))}) — "
            f"{_interview_label(manifest, item.get('interview') or '')} · {LANG_NAMES.get(lang, lang)}"
        )
        out.append("")
        out += ["> " + line for line in (item.get("quote") or "").splitlines() or [""]]
        out.append("")
        original = item.get("original")
        if original and original.get("quote"):
            out.append(f"Original ({original.get('lang', 'en')}):")
            out.append("")
            out += ["> " + line for line in original["quote"].splitlines()]
            out.append("")
        if manifest.get("title"):
            out.append(f"Source: {manifest['title']}")
        loc = item.get("location") or item.get("chunk_id")
        if loc:
            out.append(f"Location: `{loc}`")
        out.append("")
    mode = answer.get("mode") or ""
    out.append(f"_Mode: {mode}{' (' + answer['model'] + ')' if answer.get('model') else ''}_")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------- the app


def build_app(service: "QAService") -> gr.Blocks:
    try:
        manifest_list = [_plain(m) for m in service.interviews()]
    except InterviewQAError as exc:  # no index: the app still loads and says why
        log.warning("could not list interviews: %s", exc)
        manifest_list = []
    manifests = {m["id"]: m for m in manifest_list if m and m.get("id")}
    interview_choices = [(ALL, ALL)] + [
        (f"{m.get('outlet', '')} ({m.get('date', '')}) — {m.get('title', m['id'])}", m["id"]) for m in manifests.values()
    ]
    try:
        mode = service.mode_label()
    except Exception:  # noqa: BLE001 - the label is cosmetic
        mode = "unknown"
    export_dir = Path(tempfile.mkdtemp(prefix="interview-qa-export-"))

    # -- handlers ----------------------------------------------------------------------------

    def submit_question(question: str, chat: list):
        question = question or ""
        chat = list(chat or [])
        if question.strip():
            chat.append({"role": "user", "content": _display_text(question)})
        return "", chat, question

    def respond(question, chat, history, interview, lang, guest_only):
        """Stream one answer into the chat; then the cards, the status line and the export state."""
        chat = list(chat or [])
        history = list(history or [])
        no_change = gr.update()
        try:
            events = service.stream(question or "", **_ask_options(history, interview, lang, guest_only))
            text = ""
            final = None
            started = False
            for event in events:
                if isinstance(event, str):
                    text += event
                    if not started:
                        chat.append({"role": "assistant", "content": ""})
                        started = True
                    chat[-1] = {"role": "assistant", "content": _display_text(text)}
                    yield chat, history, no_change, no_change, no_change
                else:
                    final = event
        except InterviewQAError as exc:
            gr.Warning(str(exc))
            if question and question.strip():
                chat.append({"role": "assistant", "content": "⚠️ " + _display_text(str(exc))})
            yield chat, history, no_change, no_change, status_md(mode, error=str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - the page must survive a backend bug
            log.exception("answering failed")
            msg = f"Something went wrong while answering ({type(exc).__name__})."
            gr.Warning(msg)
            chat.append({"role": "assistant", "content": "⚠️ " + _display_text(msg)})
            yield chat, history, no_change, no_change, status_md(mode, error=msg)
            return
        if final is None:
            yield chat, history, no_change, no_change, status_md(mode, error="The backend returned no answer.")
            return
        answer = _plain(final)
        shown = answer.get("answer") or text or (NOT_COVERED if not answer.get("grounded") else "")
        if started:
            chat[-1] = {"role": "assistant", "content": _display_text(shown)}
        else:
            chat.append({"role": "assistant", "content": _display_text(shown)})
        history.append([answer.get("question") or question, answer.get("answer") or text])
        answer_mode = f"LLM: {answer['model']}" if answer.get("mode") == "llm" and answer.get("model") else mode
        yield chat, history, card_items(answer), answer, status_md(answer_mode, answer.get("notice"))

    def show_context(chunk_id: str, quote: str | None):
        try:
            return context_html(service.context(chunk_id), quote)
        except InterviewQAError as exc:
            gr.Warning(str(exc))
            return f'<div class="ctx-empty">⚠️ {esc(exc)}</div>'

    def new_chat():
        return [], [], {"grounded": True, "items": []}, None, EMPTY_VIEWER, status_md(mode), gr.update(value=None, visible=False), ""

    def do_export(answer: dict | None):
        if not answer:
            gr.Warning("Ask a question first: there is no answer to export yet.")
            return gr.update(value=None, visible=False)
        path = export_dir / f"interview-qa-answer-{abs(hash(answer.get('question', ''))) % 10**8:08d}.md"
        path.write_text(export_markdown(answer, manifests), encoding="utf-8")
        return gr.update(value=str(path), visible=True)

    # -- API endpoints (JSON in, JSON out) --------------------------------------------------

    def ask(
        question: str,
        interview: str = ALL,
        lang: str = ALL,
        guest_only: bool = False,
        history: list | None = None,
        k: int = 5,
    ) -> dict:
        """Answer a question about the interviews with verbatim, speaker-attributed quotes.

        Returns the answer as JSON: question, answer, answer_lang, grounded, mode, notice, citations
        (chunk_id, interview, speaker, role, lang, quote, original, location), retrieved, model.
        On a bad question returns {"error": message}.
        """
        try:
            answer = service.ask(question or "", k=int(k), **_ask_options(history, interview, lang, guest_only))
        except InterviewQAError as exc:
            return {"error": str(exc), "error_type": type(exc).__name__}
        return _plain(answer)

    def context(chunk_id: str, window: int = 2) -> dict:
        """The passage around a cited chunk: interview manifest, section, chunk, turns before and after."""
        try:
            ctx = service.context(chunk_id, window=int(window))
        except InterviewQAError as exc:
            return {"error": str(exc), "error_type": type(exc).__name__}
        return {
            "interview": _plain(ctx.get("interview")),
            "section": ctx.get("section"),
            "chunk": _plain(ctx.get("chunk")),
            "before": [_plain(c) for c in ctx.get("before") or []],
            "after": [_plain(c) for c in ctx.get("after") or []],
        }

    # -- layout ------------------------------------------------------------------------------

    with gr.Blocks(title="Interview Q&A — Mustafa Suleyman", analytics_enabled=False) as demo:
        history_state = gr.State([])  # [[question, answer_text], ...] oldest first
        cards_state = gr.State({"grounded": True, "items": []})
        answer_state = gr.State(None)  # the last Answer as JSON, for export
        pending = gr.State("")
        # Created here so the card buttons rendered below can target it; placed in the right column.
        source_viewer = gr.HTML(EMPTY_VIEWER, elem_classes=["source-viewer"], elem_id="source-viewer", render=False)

        gr.Markdown(
            "# Interview Q&A\nAsk about two interviews with **Mustafa Suleyman** (Bloomberg, The Verge Decoder). "
            "Answers are built from verbatim, speaker-attributed quotes — in English, 日本語 or 中文.",
            elem_classes=["iqa-header"],
        )
        with gr.Row():
            with gr.Column(scale=3, min_width=420):
                chatbot = gr.Chatbot(
                    label="Chat",
                    height=420,
                    sanitize_html=True,
                    render_markdown=True,
                    feedback_options=None,
                    buttons=["copy", "copy_all"],
                    allow_tags=False,
                    latex_delimiters=[],
                    elem_id="chat",
                )
                with gr.Row():
                    question_box = gr.Textbox(
                        placeholder="Ask about the interviews…  e.g. What did he say about distillation?",
                        show_label=False,
                        scale=5,
                        lines=1,
                        max_lines=4,
                        elem_id="question",
                    )
                    send_btn = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="ask-btn")
                gr.Examples(examples=[[e] for e in EXAMPLES], inputs=[question_box], label="Example questions")
                with gr.Row():
                    new_btn = gr.Button("New chat", size="sm", elem_id="new-chat")
                    export_btn = gr.Button("Export answer (Markdown)", size="sm", elem_id="export-btn")
                export_file = gr.File(label="Exported answer", visible=False, interactive=False, elem_id="export-file")

                @gr.render(inputs=[cards_state])
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
                        wrap_classes = ["card-wrap", f"role-{_role(item.get('role'))}", f"kind-{item.get('kind', 'quote')}"]
                        with gr.Column(elem_classes=wrap_classes):
                            gr.HTML(card_html(item, n, manifests), elem_classes=["card-html"])
                            btn = gr.Button(
                                "Show in context", size="sm", elem_classes=["show-context"], min_width=120
                            )

                            def _open(cid=item.get("chunk_id"), q=item.get("quote") if item.get("kind") == "quote" else None):
                                return show_context(cid, q)

                            btn.click(_open, inputs=None, outputs=[source_viewer], api_visibility="private")

            with gr.Column(scale=2, min_width=320):
                status = gr.Markdown(status_md(mode), elem_classes=["iqa-status"], elem_id="status")
                with gr.Group():
                    interview_dd = gr.Dropdown(interview_choices, value=ALL, label="Interview", elem_id="f-interview")
                    lang_dd = gr.Dropdown(LANG_CHOICES, value=ALL, label="Quote language", elem_id="f-lang")
                    guest_cb = gr.Checkbox(False, label="Guest quotes only (Mustafa Suleyman)", elem_id="f-guest")
                gr.Markdown("### Source viewer")
                source_viewer.render()

        chat_outputs = [chatbot, history_state, cards_state, answer_state, status]
        chat_inputs = [pending, chatbot, history_state, interview_dd, lang_dd, guest_cb]
        for trigger in (question_box.submit, send_btn.click):
            trigger(
                submit_question, [question_box, chatbot], [question_box, chatbot, pending],
                queue=False, api_visibility="private",
            ).then(respond, chat_inputs, chat_outputs, api_visibility="private")

        new_btn.click(
            new_chat, None,
            [chatbot, history_state, cards_state, answer_state, source_viewer, status, export_file, question_box],
            api_visibility="private",  # queued: State change events (which re-render the cards) need the queue
        )
        export_btn.click(do_export, [answer_state], [export_file], api_visibility="private")

        gr.api(ask, api_name="ask")
        gr.api(context, api_name="context")

    # Gradio 6 takes css/theme at launch(); keep them with the Blocks so a bare demo.launch() is styled too.
    if hasattr(demo, "_deprecated_css"):
        demo._deprecated_css = CSS
    return demo


# --------------------------------------------------------------------------------------------- serving


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    auth = auth if auth is not None else os.environ.get("INTERVIEW_QA_AUTH")
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise ConfigError("auth must look like USER:PASSWORD (from --auth or INTERVIEW_QA_AUTH)")
    return user, password


def launch_kwargs(host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None) -> dict:
    return {
        "server_name": host,
        "server_port": port,
        "auth": auth,
        "share": False,
        "css": CSS,
        "show_error": False,
        "footer_links": ["api"],
        "run_history": False,
    }


def serve(settings: "Settings", host: str = "127.0.0.1", port: int = 7860, auth: str | None = None) -> None:
    """Build (on first use) the index and the service, then serve the chat until interrupted."""
    from rag.service import QAService

    credentials = parse_auth(auth)
    service = QAService.from_settings(settings, build_if_missing=True, progress=True)
    demo = build_app(service)
    shown_host = "localhost" if host in ("0.0.0.0", "::") else host
    print(f"Interview Q&A ({service.mode_label()}) at http://{shown_host}:{port}/" + (" (login required)" if credentials else ""), flush=True)
    demo.queue(default_concurrency_limit=4).launch(quiet=True, **launch_kwargs(host, port, credentials))
