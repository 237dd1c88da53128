"""The filter panel: which interview, which quote language, guest quotes only."""

from __future__ import annotations

import gradio as gr

from ui.common import ALL, none_if_all

LANG_CHOICES = [(ALL, ALL), ("English", "en"), ("日本語 (Japanese)", "ja"), ("中文 (Chinese)", "zh")]


def pairs(history: list | None) -> list[tuple[str, str]]:
    return [(str(q), str(a)) for q, a in (history or [])]


def ask_options(history, interview, lang, guest_only) -> dict:
    """The UI's filter values as QAService keyword arguments ("All" means no filter)."""
    return {"history": pairs(history), "interview": none_if_all(interview), "lang": none_if_all(lang),
            "guest_only": bool(guest_only)}


class FiltersPanel:
    CSS = ""

    def __init__(self, manifests: dict[str, dict]):
        self.interview_choices = [(ALL, ALL)] + [
            (f"{m.get('outlet', '')} ({m.get('date', '')}) — {m.get('title', m['id'])}", m["id"])
            for m in manifests.values()
        ]

    def render(self) -> None:
        with gr.Group():
            self.interview = gr.Dropdown(self.interview_choices, value=ALL, label="Interview", elem_id="f-interview")
            self.lang = gr.Dropdown(LANG_CHOICES, value=ALL, label="Quote language", elem_id="f-lang")
            self.guest_only = gr.Checkbox(False, label="Guest quotes only (Mustafa Suleyman)", elem_id="f-guest")

    @property
    def inputs(self) -> list:
        return [self.interview, self.lang, self.guest_only]
