"""The export panel: the last answer as a Markdown file."""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from ui.common import LANG_NAMES, NOT_COVERED, interview_label, role_of
from ui.evidence import card_items


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
            f"### [{n}] {item.get('speaker') or 'Unknown'} ({role_of(item.get('role'))}) — "
            f"{interview_label(manifest, item.get('interview') or '')} · {LANG_NAMES.get(lang, lang)}"
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


class ExportPanel:
    CSS = ""

    def __init__(self, manifests: dict[str, dict]):
        self.manifests = manifests
        self.export_dir = Path(tempfile.mkdtemp(prefix="interview-qa-export-"))

    def render(self, extra_buttons=None) -> None:
        with gr.Row():
            if extra_buttons:
                extra_buttons()
            self.button = gr.Button("Export answer (Markdown)", size="sm", elem_id="export-btn")
        self.file = gr.File(label="Exported answer", visible=False, interactive=False, elem_id="export-file")

    def export(self, answer: dict | None):
        if not answer:
            gr.Warning("Ask a question first: there is no answer to export yet.")
            return gr.update(value=None, visible=False)
        path = self.export_dir / f"interview-qa-answer-{abs(hash(answer.get('question', ''))) % 10**8:08d}.md"
        path.write_text(export_markdown(answer, self.manifests), encoding="utf-8")
        return gr.update(value=str(path), visible=True)

    def wire(self, answer_state) -> None:
        self.button.click(self.export, [answer_state], [self.file], api_visibility="private")
