"""The browser app: a thin launcher that lays out the panels (one module each) over `rag.service.QAService`.

No retrieval logic lives in `ui/`. Everything user- or document-derived is shown as plain text (HTML-escaped
for HTML components, Markdown-escaped by `ui.plain_text` for Markdown ones), and the Chatbot keeps
`sanitize_html` on, so neither ``<script>…</script>`` nor a ``[link](…)`` in an interview becomes markup.
`serve` answers many requests at once over a service that follows the index (`rag.live`), with no uploads,
throttled logins and a warning when exposed without a login (`ui.exposure`).
"""

from __future__ import annotations

import os

# Must be set before gradio is imported: no telemetry, no version check phoning home.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import logging  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

import gradio as gr  # noqa: E402

from interview_qa.errors import InterviewQAError  # noqa: E402
from rag.reading import Reading  # noqa: E402
from ui import chat, common, evidence, outline, reader  # noqa: E402
from ui.api import register_api  # noqa: E402
from ui.exposure import app_kwargs as exposure_app_kwargs  # noqa: E402
from ui.exposure import parse_auth, warn_if_exposed  # noqa: E402,F401 - parse_auth: part of this module's API
from ui.chat import ChatPanel  # noqa: E402
from ui.common import plain  # noqa: E402
from ui.evidence import EvidencePanel  # noqa: E402
from ui.export import ExportPanel  # noqa: E402
from ui.filters import FiltersPanel  # noqa: E402
from ui.outline import OutlinePanel  # noqa: E402
from ui.reader import TAB_URL_JS, ReaderPanel  # noqa: E402

if TYPE_CHECKING:  # pragma: no cover
    from interview_qa.settings import Settings
    from rag.service import QAService

log = logging.getLogger(__name__)

LAYOUT_CSS = """
.gradio-container { max-width: 1400px !important; }
.iqa-header { margin: 0 !important; }
.iqa-header h1 { font-size: 1.35em; margin: 0; }
.iqa-header p { margin: 0; color: var(--body-text-color-subdued); font-size: 0.92em; }
#reader-router { display: contents; }
@media (max-width: 700px) {
  .gradio-container { padding: 6px !important; }
  .iqa-header p { display: none; }
}
"""
CSS = (common.CSS + LAYOUT_CSS + chat.CSS + evidence.CSS + reader.CSS + outline.CSS
       + FiltersPanel.CSS)


def build_app(service: "QAService") -> gr.Blocks:
    try:
        manifest_list = [plain(m) for m in service.interviews()]
    except InterviewQAError as exc:  # no index: the app still loads and says why
        log.warning("could not list interviews: %s", exc)
        manifest_list = []
    manifests = {m["id"]: m for m in manifest_list if m and m.get("id")}
    try:
        mode = service.mode_label()
    except Exception:  # noqa: BLE001 - the label is cosmetic
        mode = "unknown"
    reading = Reading(service)

    with gr.Blocks(title="Interview Q&A — Mustafa Suleyman", analytics_enabled=False) as demo:
        evidence_panel = EvidencePanel(service, reading, manifests)
        chat_panel = ChatPanel(service, reading, evidence_panel, mode)
        filters_panel = FiltersPanel(manifests)
        export_panel = ExportPanel(manifests, mode)
        reader_panel = ReaderPanel(reading, manifests)
        outline_panel = OutlinePanel(reading)

        gr.Markdown(
            "# Interview Q&A\nTwo interviews with **Mustafa Suleyman** (Bloomberg; The Verge *Decoder*): answers "
            "from verbatim, speaker-attributed quotes — ask in English, 日本語 or 中文.",
            elem_classes=["iqa-header"],
        )
        reader_panel.render_router()
        with gr.Tabs(elem_id="tabs") as tabs:
            with gr.Tab("Chat", id="chat", elem_id="tab-chat") as chat_tab:
                filters_panel.render()
                with gr.Row(equal_height=False, elem_id="chat-row"):
                    with gr.Column(scale=3, min_width=360, elem_id="chat-col"):
                        chat_panel.render_conversation()
                        export_panel.render(extra_buttons=chat_panel.render_new_chat)
                    with gr.Column(scale=2, min_width=320, elem_id="evidence-col"):
                        chat_panel.render_status()
                        evidence_panel.render_cards()
                        export_panel.render_card_output()
                        evidence_panel.render_viewer()
            with gr.Tab("Reader", id="reader", elem_id="tab-reader") as reader_tab:
                reader_panel.render()
            with gr.Tab("Outline", id="outline", elem_id="tab-outline") as outline_tab:
                outline_panel.render()

        filters_panel.wire()
        evidence_panel.wire()
        export_panel.wire(chat_panel.answer, evidence_panel)
        chat_panel.wire(filters_panel, export_panel)
        reader_panel.wire(tabs)
        outline_panel.wire(outline_tab, chat_panel.answer)
        for tab, name in ((chat_tab, "chat"), (reader_tab, "reader"), (outline_tab, "outline")):
            tab.select(None, None, None, js=f"() => ({TAB_URL_JS})({name!r})")
        demo.load(reader_panel.on_load, None, reader_panel.load_outputs(tabs), api_visibility="private")
        register_api(service)

    # Gradio 6 takes css/theme at launch(); keep them with the Blocks so a bare demo.launch() is styled too.
    if hasattr(demo, "_deprecated_css"):
        demo._deprecated_css = CSS
    return demo


# --------------------------------------------------------------------------------------------- serving


def theme() -> gr.themes.Base:
    """Gradio's default look with fonts the machine has: the stock theme would fetch web fonts from the
    internet on every page load (a surprise network call, and blank text where that is blocked)."""
    sans = ["system-ui", "Noto Sans", "Noto Sans CJK JP", "Noto Sans CJK SC", "DejaVu Sans", "sans-serif"]
    return gr.themes.Default(font=sans, font_mono=["ui-monospace", "DejaVu Sans Mono", "monospace"])


# Requests answered at once per event (the chat, /ask...). Answering is read-only and thread-safe (rag/live.py);
# measured with benchmarks/load.py, see README.
CONCURRENCY = 16


def launch_kwargs(host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None) -> dict:
    return {
        "server_name": host,
        "server_port": port,
        "auth": auth,
        "share": False,
        "css": CSS,
        "theme": theme(),
        "show_error": False,
        "footer_links": ["api"],
        "run_history": False,
        "app_kwargs": exposure_app_kwargs(),  # no uploads, throttled logins
    }


def serve(settings: "Settings", host: str = "127.0.0.1", port: int = 7860, auth: str | None = None,
          open_browser: bool = False) -> None:
    """Build (on first use) the index and the service, then serve the chat until interrupted; a newer index
    published by `interview-qa ingest` meanwhile is picked up without a restart."""
    from rag.live import LiveQAService

    credentials = parse_auth(auth)
    warn_if_exposed(host, credentials is not None)
    service = LiveQAService(settings)
    demo = build_app(service)
    shown_host = "localhost" if host in ("0.0.0.0", "::") else host
    print(f"Interview Q&A ({service.mode_label()}) at http://{shown_host}:{port}/" + (" (login required)" if credentials else ""), flush=True)
    demo.queue(default_concurrency_limit=CONCURRENCY).launch(quiet=True, inbrowser=open_browser,
                                                             **launch_kwargs(host, port, credentials))
