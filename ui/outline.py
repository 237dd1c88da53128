"""The outline tab: each interview's own table of contents — the host's questions, in the reader's language
where the interview has a translation in it — each a link that opens the reader at that exchange."""

from __future__ import annotations

import gradio as gr

from ui.common import LANG_NAMES, esc

OUTLINE_LANGS = [("English", "en"), ("日本語", "ja"), ("中文", "zh")]

CSS = """
.outline .ol-interview { margin-bottom: 18px; }
.outline h3.ol-title { margin: 8px 0 2px 0; }
.outline .ol-sub { color: var(--body-text-color-subdued); font-size: 0.9em; margin-bottom: 6px; }
.outline ol.ol-list { margin: 0; padding-left: 2.2em; }
.outline li.ol-entry { margin: 3px 0; line-height: 1.5; }
.outline li.ol-entry a { text-decoration: none; color: var(--body-text-color); }
.outline li.ol-entry a:hover { text-decoration: underline; color: var(--link-text-color); }
.outline .ol-only { font-size: 0.75em; font-weight: 700; border-radius: 999px; padding: 0 7px; background: #7c3aed;
  color: #fff; margin-left: 6px; white-space: nowrap; }
"""


def outline_html(groups, view_for_entry) -> str:
    """`groups`: [(manifest, [OutlineEntry])]; `view_for_entry` gives each entry's reader view."""
    parts = ['<div class="outline">']
    for manifest, entries in groups:
        langs = sorted({e.section for e in entries if not e.only_in})
        shown = ", ".join(LANG_NAMES.get(lang, lang) for lang in langs)
        parts.append(
            f'<section class="ol-interview" data-interview="{esc(manifest.get("id"))}">'
            f'<h3 class="ol-title">{esc(manifest.get("title") or manifest.get("id"))}</h3>'
            f'<div class="ol-sub">{esc(manifest.get("outlet") or "")}, {esc(manifest.get("date") or "")} · '
            f'{len(entries)} questions from {esc(manifest.get("host") or "the host")} · {esc(shown)}</div>'
            '<ol class="ol-list">'
        )
        for e in entries:
            only = (f'<span class="ol-only">{esc(LANG_NAMES.get(e.only_in, e.only_in))} only</span>'
                    if e.only_in else "")
            parts.append(
                f'<li class="ol-entry" data-section="{esc(e.section)}" data-turn="{e.turn}">'
                f'<a href="{esc(view_for_entry(e).query())}" title="{esc(e.text[:600])}" lang="{esc(e.lang)}">'
                f"{esc(e.question)}</a>{only}</li>"
            )
        parts.append("</ol></section>")
    parts.append("</div>")
    return "".join(parts)


def language_of_request(request: gr.Request | None) -> str:
    """The reader's language from the browser's Accept-Language (en, ja or zh; English otherwise)."""
    header = ""
    if request is not None:
        header = (request.headers or {}).get("accept-language", "") or ""
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        for code in ("ja", "zh", "en"):
            if tag == code or tag.startswith(code + "-"):
                return code
    return "en"


class OutlinePanel:
    CSS = CSS

    def __init__(self, reading):
        self.reading = reading

    def html_for(self, lang: str | None) -> str:
        return outline_html(self.reading.outline(lang or "en"), self.reading.view_for_entry)

    def render(self) -> None:
        self.chosen = gr.State(False)  # the user picked the language: keep it
        self.lang = gr.Radio(OUTLINE_LANGS, value="en", label="Questions in", elem_id="outline-lang")
        self.html = gr.HTML(self._safe_html("en"), elem_id="outline-html")

    def _safe_html(self, lang: str) -> str:
        try:
            return self.html_for(lang)
        except Exception as exc:  # noqa: BLE001 - no index yet: the tab says why instead of breaking the page
            return f'<div class="rd-empty">The outline is unavailable: {esc(exc)}</div>'

    def on_lang(self, lang: str):
        return self._safe_html(lang)

    def on_open(self, answer: dict | None, current: str, chosen: bool, request: gr.Request):
        """When the tab opens: list the questions in the user's language — the language of the last question
        asked, else the browser's — unless the user picked a language here."""
        if chosen:
            return gr.update(), gr.update()
        lang = (answer or {}).get("answer_lang") or language_of_request(request)
        if lang == current:
            return gr.update(), gr.update()
        return lang, self._safe_html(lang)

    def wire(self, tab, answer_state) -> None:
        self.lang.change(self.on_lang, [self.lang], [self.html], api_visibility="private")
        self.lang.input(lambda: True, None, [self.chosen], queue=False, api_visibility="private")
        tab.select(self.on_open, [answer_state, self.lang, self.chosen], [self.lang, self.html], api_visibility="private")
