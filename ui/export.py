"""The export panel: the last answer as a Markdown file."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from pathlib import Path

import gradio as gr

from interview_qa.errors import InterviewQAError
from ui.common import LANG_NAMES, NOT_COVERED, answer_mode, esc, interview_label, role_of
from ui.evidence import card_items
from ui.plain_text import markdown_text
from ui.quote_card import card_markdown, render_card

log = logging.getLogger(__name__)

# After a card is made: put the PNG on the clipboard (the browser allows it right after the click), and say so.
COPY_CARD_JS = """
async () => {
  const say = (t) => { const note = document.querySelector('#quote-card-note'); if (note) note.textContent = t; };
  const manual = 'Download the PNG or copy the Markdown below (this browser did not let the page copy the image).';
  for (let i = 0; i < 60; i++) {
    const note = document.querySelector('#quote-card-note');
    const img = document.querySelector('#quote-card-img img');
    if (i > 20 && !(note && note.textContent.includes('copying'))) return;  // not a quote-card click
    if (note && note.textContent.includes('copying') && img && img.src && img.complete && img.naturalWidth > 0) {
      try {
        const blob = await (await fetch(img.src)).blob();
        const copied = navigator.clipboard.write([new ClipboardItem({'image/png': blob})]).then(() => true);
        const late = new Promise(r => setTimeout(() => r(false), 3000));
        say(await Promise.race([copied, late]) ? 'Copied the quote card to the clipboard; the PNG and the Markdown are below.' : manual);
      } catch (e) {
        say(manual);
      }
      return;
    }
    await new Promise(r => setTimeout(r, 100));
  }
  say(manual);
}
"""


def export_markdown(answer: dict, manifests: dict[str, dict], service_mode: str = "offline extractive") -> str:
    """The answer as a Markdown file; every text from the interviews, the user or the LLM stays plain text."""
    md = markdown_text
    out = ["# Interview Q&A", "", "## Question", "", md(answer.get("question", "")), "", "## Answer", ""]
    if not answer.get("grounded"):
        out += [f"_{NOT_COVERED}_", ""]
    out += [md(answer.get("answer", "")), ""]
    if answer.get("notice"):
        out += [f"> Note: {md(answer['notice'])}", ""]
    data = card_items(answer)
    out += ["## Quotes" if data["grounded"] else "## Closest passages searched", ""]
    for n, item in enumerate(data["items"], 1):
        manifest = manifests.get(item.get("interview") or "") or {}
        lang = item.get("lang") or ""
        out.append(
            f"### \\[{n}\\] {md(item.get('speaker') or 'Unknown')} ({role_of(item.get('role'))}) — "
            f"{md(interview_label(manifest, item.get('interview') or ''))} · {md(LANG_NAMES.get(lang, lang))}"
        )
        out.append("")
        out += ["> " + md(line, hard_breaks=False) for line in (item.get("quote") or "").splitlines() or [""]]
        out.append("")
        original = item.get("original")
        if original and original.get("quote"):
            out.append(f"Original ({md(original.get('lang', 'en'))}):")
            out.append("")
            out += ["> " + md(line, hard_breaks=False) for line in original["quote"].splitlines()]
            out.append("")
        if manifest.get("title"):
            out.append(f"Source: {md(manifest['title'])}")
        loc = item.get("location") or item.get("chunk_id")
        if loc:
            out.append(f"Location: {md(loc)}")
        out.append("")
    out.append(f"_Mode: {md(answer_mode(answer, service_mode))}_")
    return "\n".join(out) + "\n"


def card_for(item: dict, manifest: dict, mode: str) -> dict:
    """What a quote card shows for one cited quote."""
    original = item.get("original") or None
    return {
        "quote": item.get("quote") or "", "lang": item.get("lang") or "en",
        "original": {"quote": original.get("quote"), "lang": original.get("lang") or "en"} if original else None,
        "speaker": item.get("speaker") or "", "role": role_of(item.get("role")),
        "outlet": manifest.get("outlet") or item.get("interview") or "", "date": manifest.get("date") or "",
        "title": manifest.get("title") or "", "mode": mode, "location": item.get("location") or "",
    }


class ExportPanel:
    """Export of the whole answer (Markdown) and of one quote as a card (PNG + Markdown)."""

    def __init__(self, manifests: dict[str, dict], service_mode: str):
        self.manifests = manifests
        self.service_mode = service_mode
        self.export_dir = Path(tempfile.mkdtemp(prefix="interview-qa-export-"))

    def render(self, extra_buttons=None) -> None:
        with gr.Row():
            if extra_buttons:
                extra_buttons()
            self.button = gr.Button("Export answer (Markdown)", size="sm", elem_id="export-btn")
        self.file = gr.File(label="Exported answer", visible=False, interactive=False, elem_id="export-file")

    def render_card_output(self) -> None:
        with gr.Group(visible=False, elem_id="quote-card-out") as self.card_group:
            self.card_note = gr.HTML("", elem_id="quote-card-note")
            self.card_image = gr.Image(label="Quote card", type="filepath", interactive=False, elem_id="quote-card-img",
                                       buttons=["download"])
            self.card_file = gr.File(label="Quote card (PNG)", interactive=False, elem_id="quote-card-file")
            self.card_md = gr.Code(label="Quote card (Markdown)", language="markdown", interactive=False,
                                   elem_id="quote-card-md")

    def export(self, answer: dict | None):
        if not answer:
            gr.Warning("Ask a question first: there is no answer to export yet.")
            return gr.update(value=None, visible=False)
        path = self.export_dir / f"interview-qa-answer-{abs(hash(answer.get('question', ''))) % 10**8:08d}.md"
        path.write_text(export_markdown(answer, self.manifests, self.service_mode), encoding="utf-8")
        return gr.update(value=str(path), visible=True)

    def make_card(self, item: dict, answer: dict | None) -> tuple[Path, str]:
        manifest = self.manifests.get(item.get("interview") or "") or {}
        card = card_for(item, manifest, answer_mode(answer, self.service_mode))
        png, _ = render_card(card)
        digest = hashlib.sha256(png).hexdigest()[:12]
        path = self.export_dir / f"quote-card-{digest}.png"
        path.write_bytes(png)
        return path, card_markdown(card)

    def on_card_action(self, data: dict, answer: dict | None, evt: gr.EventData):
        payload = getattr(evt, "_data", None) or {}
        keep = (gr.update(),) * 5
        if payload.get("act") != "card":
            return keep
        items = (data or {}).get("items") or []
        n = int(payload.get("n") or 0)
        if not 1 <= n <= len(items) or items[n - 1].get("kind") != "quote":
            return keep
        try:
            path, md = self.make_card(items[n - 1], answer)
        except InterviewQAError as exc:
            gr.Warning(esc(exc))
            return keep
        note = f'<div class="quote-card-note">Quote card for [{n}] — copying it to the clipboard…</div>'
        return gr.update(visible=True), note, str(path), str(path), md

    def wire(self, answer_state, evidence) -> None:
        self.button.click(self.export, [answer_state], [self.file], api_visibility="private")
        evidence.html.click(
            self.on_card_action, [evidence.state, answer_state],
            [self.card_group, self.card_note, self.card_image, self.card_file, self.card_md],
            api_visibility="private",
        ).then(None, js=COPY_CARD_JS)
