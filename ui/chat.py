"""The chat panel: the conversation, the question box, the status line, and the handlers that stream an
answer from `QAService` into the chat and hand its citations to the evidence panel."""

from __future__ import annotations

import logging

import gradio as gr

from interview_qa.errors import InterviewQAError
from ui.common import NOT_COVERED, display_text, esc, plain
from ui.evidence import EMPTY_CARDS, EMPTY_VIEWER, card_items
from ui.filters import ask_options

log = logging.getLogger(__name__)

EXAMPLES = [
    "What did he say about distillation?",
    "蒸留について彼は何と言いましたか？",
    "微软拥有多少吉瓦的计算能力？",
    "What does he mean by humanist superintelligence?",
]

CSS = """
.iqa-status { font-size: 0.92em; }
"""


def status_md(mode: str, notice: str | None = None, error: str | None = None) -> str:
    lines = [f"**Mode:** {esc(mode)}"]
    if notice:
        lines.append(f"ℹ️ {esc(notice)}")
    if error:
        lines.append(f"⚠️ {esc(error)}")
    return "  \n".join(lines)


class ChatPanel:
    CSS = CSS

    def __init__(self, service, mode: str):
        self.service = service
        self.mode = mode
        self.history = gr.State([])  # [[question, answer_text], ...] oldest first
        self.answer = gr.State(None)  # the last Answer as JSON, for export
        self.pending = gr.State("")

    # -- layout --------------------------------------------------------------------------------

    def render_conversation(self) -> None:
        self.chatbot = gr.Chatbot(
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
            self.question = gr.Textbox(
                placeholder="Ask about the interviews…  e.g. What did he say about distillation?",
                show_label=False,
                scale=5,
                lines=1,
                max_lines=4,
                elem_id="question",
            )
            self.send = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="ask-btn")
        gr.Examples(examples=[[e] for e in EXAMPLES], inputs=[self.question], label="Example questions")

    def render_new_chat(self) -> None:
        self.new = gr.Button("New chat", size="sm", elem_id="new-chat")

    def render_status(self) -> None:
        self.status = gr.Markdown(status_md(self.mode), elem_classes=["iqa-status"], elem_id="status")

    # -- handlers --------------------------------------------------------------------------------

    @staticmethod
    def submit_question(question: str, chat: list):
        question = question or ""
        chat = list(chat or [])
        if question.strip():
            chat.append({"role": "user", "content": display_text(question)})
        return "", chat, question

    def respond(self, question, chat, history, interview, lang, guest_only):
        """Stream one answer into the chat; then the cards, the status line and the export state."""
        mode = self.mode
        chat = list(chat or [])
        history = list(history or [])
        no_change = gr.update()
        try:
            events = self.service.stream(question or "", **ask_options(history, interview, lang, guest_only))
            text = ""
            final = None
            started = False
            for event in events:
                if isinstance(event, str):
                    text += event
                    if not started:
                        chat.append({"role": "assistant", "content": ""})
                        started = True
                    chat[-1] = {"role": "assistant", "content": display_text(text)}
                    yield chat, history, no_change, no_change, no_change
                else:
                    final = event
        except InterviewQAError as exc:
            gr.Warning(str(exc))
            if question and question.strip():
                chat.append({"role": "assistant", "content": "⚠️ " + display_text(str(exc))})
            yield chat, history, no_change, no_change, status_md(mode, error=str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - the page must survive a backend bug
            log.exception("answering failed")
            msg = f"Something went wrong while answering ({type(exc).__name__})."
            gr.Warning(msg)
            chat.append({"role": "assistant", "content": "⚠️ " + display_text(msg)})
            yield chat, history, no_change, no_change, status_md(mode, error=msg)
            return
        if final is None:
            yield chat, history, no_change, no_change, status_md(mode, error="The backend returned no answer.")
            return
        answer = plain(final)
        shown = answer.get("answer") or text or (NOT_COVERED if not answer.get("grounded") else "")
        if started:
            chat[-1] = {"role": "assistant", "content": display_text(shown)}
        else:
            chat.append({"role": "assistant", "content": display_text(shown)})
        history.append([answer.get("question") or question, answer.get("answer") or text])
        answer_mode = f"LLM: {answer['model']}" if answer.get("mode") == "llm" and answer.get("model") else mode
        yield chat, history, card_items(answer), answer, status_md(answer_mode, answer.get("notice"))

    def new_chat(self):
        return [], [], dict(EMPTY_CARDS), None, EMPTY_VIEWER, status_md(self.mode), gr.update(value=None, visible=False), ""

    # -- events ----------------------------------------------------------------------------------

    def wire(self, filters, evidence, export) -> None:
        outputs = [self.chatbot, self.history, evidence.state, self.answer, self.status]
        inputs = [self.pending, self.chatbot, self.history, *filters.inputs]
        for trigger in (self.question.submit, self.send.click):
            trigger(
                self.submit_question, [self.question, self.chatbot], [self.question, self.chatbot, self.pending],
                queue=False, api_visibility="private",
            ).then(self.respond, inputs, outputs, api_visibility="private")
        self.new.click(
            self.new_chat, None,
            [self.chatbot, self.history, evidence.state, self.answer, evidence.viewer, self.status, export.file,
             self.question],
            api_visibility="private",  # queued: State change events (which re-render the cards) need the queue
        )
