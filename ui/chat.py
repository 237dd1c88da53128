"""The chat panel: the conversation, the question box, the status line, and the handlers that stream an
answer from `QAService` into the chat and hand its citations to the evidence panel."""

from __future__ import annotations

import logging

import gradio as gr

from interview_qa.errors import InterviewQAError
from interview_qa.errors import BadQuestionError
from ui.common import NOT_COVERED, answer_mode, display_text, esc, plain
from ui.evidence import EMPTY_CARDS, EMPTY_EVIDENCE, EMPTY_VIEWER, card_items
from ui.filters import ask_options
from ui.plain_text import markdown_text

log = logging.getLogger(__name__)

EXAMPLES = [
    "What did he say about distillation?",
    "蒸留について彼は何と言いましたか？",
    "微软拥有多少吉瓦的计算能力？",
    "What does he mean by humanist superintelligence?",
]

CSS = """
.iqa-status { font-size: 0.92em; }
:root { --iqa-pane-height: max(340px, calc(100dvh - 290px)); }
#chat { height: var(--iqa-pane-height) !important; max-height: none !important; }
.follow-ups { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 2px 0; }
.follow-ups .fu-head { width: 100%; font-size: 0.85em; color: var(--body-text-color-subdued); font-weight: 600; }
.follow-ups button.follow-up { text-align: left; border: 1px solid var(--border-color-accent, #93c5fd); border-radius: 14px;
  padding: 4px 12px; background: var(--background-fill-secondary); color: var(--body-text-color); cursor: pointer; font-size: 0.9em; }
.follow-ups button.follow-up:hover { border-color: var(--color-accent); }
.follow-ups .fu-wait { font-size: 0.85em; color: var(--body-text-color-subdued); }
@media (max-width: 700px) {
  :root { --iqa-pane-height: max(300px, calc(100dvh - 330px)); }
}
"""

FOLLOW_UPS_JS = """
element.addEventListener('click', (e) => {
  const b = e.target.closest('button.follow-up');
  if (b) trigger('click', {q: b.dataset.q});
});
"""

FOLLOW_UPS_HEAD = {"en": "Follow-up questions the interviewer asked nearby",
                   "ja": "近くでインタビュアーが尋ねた質問", "zh": "主持人在附近提出的問題"}


def follow_ups_html(questions: list[str], lang: str = "en") -> str:
    if not questions:
        return ""
    buttons = "".join(f'<button class="follow-up" data-q="{esc(q)}">{esc(q)}</button>' for q in questions)
    return f'<div class="follow-ups"><div class="fu-head">{esc(FOLLOW_UPS_HEAD.get(lang, FOLLOW_UPS_HEAD["en"]))}</div>{buttons}</div>'


# After an answer: show it from its first line (the chat otherwise scrolls to the bottom of a long answer, so a
# phone shows its end), by scrolling the chat's scroll box to the top of the last reply.
SHOW_ANSWER_START_JS = """
() => {
  const rows = document.querySelectorAll('#chat .message-row');
  const last = rows[rows.length - 1];
  if (!last) return;
  let box = last.parentElement;
  while (box && box !== document.body && !(box.scrollHeight > box.clientHeight + 2 &&
         ['auto', 'scroll'].includes(getComputedStyle(box).overflowY))) box = box.parentElement;
  if (!box || box === document.body) return;
  box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
}
"""

# While the answer comes: keep the new question in view (the chat does not follow its content by itself).
SHOW_QUESTION_JS = """
() => { const box = document.querySelector('#chat .bubble-wrap'); if (box) box.scrollTop = box.scrollHeight; }
"""

FINDING_FOLLOW_UPS = '<div class="follow-ups"><span class="fu-wait">Finding follow-up questions…</span></div>'


def sources_line(hrefs: list[str | None]) -> str:
    """The citations under an answer, each a link that opens the reader at the quote."""
    links = [f"[{n}]({h})" for n, h in enumerate(hrefs, 1) if h]
    return ("\n\nRead in context: " + " · ".join(links)) if links else ""


def status_md(mode: str, notice: str | None = None, error: str | None = None) -> str:
    lines = [f"**Mode:** {markdown_text(mode)}"]
    if notice:
        lines.append(f"ℹ️ {markdown_text(notice)}")
    if error:
        lines.append(f"⚠️ {markdown_text(error)}")
    return "  \n".join(lines)


class ChatPanel:
    CSS = CSS

    def __init__(self, service, reading, evidence, mode: str):
        self.service = service
        self.reading = reading
        self.evidence = evidence
        self.mode = mode
        self.history = gr.State([])  # [[question, answer_text], ...] oldest first
        self.answer = gr.State(None)  # the last Answer as JSON, for export
        self.pending = gr.State("")

    # -- layout --------------------------------------------------------------------------------

    def render_conversation(self) -> None:
        self.chatbot = gr.Chatbot(
            label="Chat",
            height=None,
            sanitize_html=True,
            render_markdown=True,
            feedback_options=None,
            buttons=["copy", "copy_all"],
            allow_tags=False,
            autoscroll=False,  # a long answer is shown from its start (see SHOW_ANSWER_START_JS)
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
        self.follow_ups = gr.HTML("", elem_id="follow-ups", js_on_load=FOLLOW_UPS_JS)
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

    @staticmethod
    def ask_follow_up(chat: list, evt: gr.EventData):
        question = str((getattr(evt, "_data", None) or {}).get("q") or "")
        chat = list(chat or [])
        if question.strip():
            chat.append({"role": "user", "content": display_text(question)})
        return "", chat, question

    def respond(self, question, chat, history, interview, lang, guest_only):
        """Stream one answer into the chat; then its evidence cards, the status line, the export state, and
        (last, as they take a few searches) the follow-up questions."""
        mode = self.mode
        chat = list(chat or [])
        history = list(history or [])
        keep = gr.update()
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
                    yield chat, history, keep, keep, keep, keep, ""
                else:
                    final = event
        except BadQuestionError as exc:
            # One message, where the user is looking; the conversation is left as it was.
            gr.Warning(esc(_sentence(str(exc))))
            yield chat, history, keep, keep, keep, keep, keep
            return
        except InterviewQAError as exc:
            gr.Warning(esc(exc))
            chat.append({"role": "assistant", "content": "⚠️ " + display_text(str(exc))})
            yield chat, history, keep, keep, keep, status_md(mode, error=str(exc)), keep
            return
        except Exception as exc:  # noqa: BLE001 - the page must survive a backend bug
            log.exception("answering failed")
            msg = f"Something went wrong while answering ({type(exc).__name__})."
            gr.Warning(msg)
            chat.append({"role": "assistant", "content": "⚠️ " + display_text(msg)})
            yield chat, history, keep, keep, keep, status_md(mode, error=msg), keep
            return
        if final is None:
            yield chat, history, keep, keep, keep, status_md(mode, error="The backend returned no answer."), keep
            return
        answer = plain(final)
        shown = answer.get("answer") or text or (NOT_COVERED if not answer.get("grounded") else "")
        cards = card_items(answer)
        hrefs = [self.evidence.reader_href(item) for item in cards["items"]] if cards["grounded"] else []
        message = {"role": "assistant", "content": display_text(shown) + sources_line(hrefs)}
        if started:
            chat[-1] = message
        else:
            chat.append(message)
        prior = [(str(q), str(a)) for q, a in history]
        history.append([answer.get("question") or question, answer.get("answer") or text])
        status = status_md(answer_mode(answer, mode), answer.get("notice"))
        evidence = self.evidence.html_for(cards, shown)
        waiting = FINDING_FOLLOW_UPS if answer.get("grounded") else ""
        yield chat, history, cards, evidence, answer, status, waiting
        if not answer.get("grounded"):
            return
        try:
            follow = [f.question for f in self.reading.follow_ups(answer, prior)]
        except Exception:  # noqa: BLE001 - suggestions are optional
            log.exception("follow-up suggestions failed")
            follow = []
        yield chat, history, cards, evidence, answer, status, follow_ups_html(follow, answer.get("answer_lang") or "en")

    def new_chat(self):
        return ([], [], dict(EMPTY_CARDS), EMPTY_EVIDENCE, None, EMPTY_VIEWER, status_md(self.mode),
                gr.update(value=None, visible=False), "", "", gr.update(visible=False))

    # -- events ----------------------------------------------------------------------------------

    def wire(self, filters, export) -> None:
        evidence = self.evidence
        outputs = [self.chatbot, self.history, evidence.state, evidence.html, self.answer, self.status, self.follow_ups]
        inputs = [self.pending, self.chatbot, self.history, *filters.inputs]
        starts = [
            (self.question.submit, self.submit_question, [self.question, self.chatbot]),
            (self.send.click, self.submit_question, [self.question, self.chatbot]),
            (self.follow_ups.click, self.ask_follow_up, [self.chatbot]),
        ]
        for trigger, first, first_inputs in starts:
            trigger(
                first, first_inputs, [self.question, self.chatbot, self.pending], queue=False, api_visibility="private",
            ).then(None, js=SHOW_QUESTION_JS).then(
                self.respond, inputs, outputs, api_visibility="private").then(None, js=SHOW_ANSWER_START_JS)
        self.new.click(
            self.new_chat, None,
            [self.chatbot, self.history, evidence.state, evidence.html, self.answer, evidence.viewer, self.status,
             export.file, self.question, self.follow_ups, export.card_group],
            api_visibility="private",
        )


def _sentence(message: str) -> str:
    message = message.strip()
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."
