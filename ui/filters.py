"""The filter panel: which interview, which quote language, guest quotes only."""

from __future__ import annotations

import gradio as gr

from interview_qa.validation import validate_history
from ui.common import ALL, none_if_all

LANG_CHOICES = [(ALL, ALL), ("English", "en"), ("日本語 (Japanese)", "ja"), ("中文 (Chinese)", "zh")]


def pairs(history: list | None) -> list[tuple[str, str]]:
    return validate_history(history)


def ask_options(history, interview, lang, guest_only) -> dict:
    """The UI's filter values as QAService keyword arguments ("All" means no filter)."""
    return {"history": pairs(history), "interview": none_if_all(interview), "lang": none_if_all(lang),
            "guest_only": bool(guest_only)}


def summary(manifests: dict[str, dict], interview, lang, guest_only) -> str:
    """The filter panel's title: what the answers are limited to, readable while the panel is closed."""
    parts = []
    m = manifests.get(none_if_all(interview) or "")
    parts.append(f"{m.get('outlet')}, {m.get('date')}" if m else "all interviews")
    names = {code: name for name, code in LANG_CHOICES}
    parts.append(f"quotes in {names[lang]}" if none_if_all(lang) in names else "any language")
    if guest_only:
        parts.append("guest only")
    return "Filters: " + " · ".join(parts)


class FiltersPanel:
    CSS = """
#filters .wrap label { white-space: normal; }
"""

    def __init__(self, manifests: dict[str, dict]):
        from ui.reader import interview_choices

        self.manifests = manifests
        self.interview_choices = [(ALL, ALL)] + interview_choices(manifests)

    def render(self) -> None:
        with gr.Accordion(summary(self.manifests, ALL, ALL, False), open=False, elem_id="filters") as self.panel:
            self.interview = gr.Radio(self.interview_choices, value=ALL, label="Interview", elem_id="f-interview")
            self.lang = gr.Radio(LANG_CHOICES, value=ALL, label="Quote language", elem_id="f-lang")
            self.guest_only = gr.Checkbox(False, label="Guest quotes only (Mustafa Suleyman)", elem_id="f-guest")

    @property
    def inputs(self) -> list:
        return [self.interview, self.lang, self.guest_only]

    def on_change(self, interview, lang, guest_only):
        return gr.Accordion(label=summary(self.manifests, interview, lang, guest_only))

    def wire(self) -> None:
        for widget in self.inputs:
            widget.change(self.on_change, self.inputs, [self.panel], queue=False, api_visibility="private")
