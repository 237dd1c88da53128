"""Small helpers every panel shares: escaping, labels, role badges.

Everything user- or document-derived (questions, answers, quotes, speaker names, passages) is shown as plain
text: HTML-escaped for HTML components (`esc`), Markdown-escaped for Markdown ones (`display_text`, see
`ui.plain_text`), so neither ``<script>…</script>`` nor a ``[link](…)`` inside an interview becomes markup.
"""

from __future__ import annotations

import html
from dataclasses import asdict, is_dataclass
from typing import Any

from ui.plain_text import markdown_text

ALL = "All"
LANG_NAMES = {"en": "English", "ja": "日本語", "zh": "中文"}
ROLES = ("guest", "host", "editor")
NOT_COVERED = "The interviews don't cover that."

CSS = """
.iqa-header h1 { margin-bottom: 0.1em; font-weight: 600; }
.badge {
  display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 0.78em; font-weight: 700;
  letter-spacing: 0.02em; text-transform: uppercase; color: #fff; vertical-align: middle;
}
.badge-guest { background: #15803d; }
.badge-host { background: #1d4ed8; }
.badge-editor { background: #b45309; }
.badge-lang { background: #4b5563; text-transform: none; }
"""


def esc(value: Any) -> str:
    """Escape text for HTML/Markdown components (`<`, `>`, `&` and quotes)."""
    return html.escape("" if value is None else str(value), quote=True)


def plain(obj: Any) -> Any:
    """Dataclasses (Answer, Citation, Chunk...) to plain JSON-serialisable dicts."""
    if obj is None:
        return None
    if hasattr(obj, "to_json") and callable(obj.to_json):
        return obj.to_json()
    if is_dataclass(obj) and not isinstance(obj, type):
        return asdict(obj)
    return obj


def none_if_all(value: str | None) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return None if value in ("", ALL, "all") else value


def role_of(role: str | None) -> str:
    role = (role or "").lower()
    return role if role in ROLES else "editor"


def role_badge(role: str | None) -> str:
    r = role_of(role)
    return f'<span class="badge badge-{r}">{r}</span>'


def interview_label(manifest: dict | None, fallback: str) -> str:
    if not manifest:
        return fallback
    outlet = manifest.get("outlet") or fallback
    date = manifest.get("date") or ""
    return f"{outlet}, {date}" if date else outlet


def display_text(text: str) -> str:
    """Answer or question text for the Chatbot (a Markdown component): shown exactly as written."""
    return markdown_text(text) if text else ""


def highlight(text: str, quote: str | None) -> str:
    """Escaped `text` with the (first) occurrence of `quote` wrapped in <mark>."""
    if quote:
        i = text.find(quote)
        if i >= 0:
            return esc(text[:i]) + "<mark>" + esc(quote) + "</mark>" + esc(text[i + len(quote):])
    return esc(text)


def answer_mode(answer: dict | None, service_mode: str) -> str:
    """The mode an answer was made in, named as the page names it: "LLM: <model>" when a model wrote it, else
    "offline extractive" (also when an LLM was configured but the answer fell back)."""
    if not answer:
        return service_mode
    if answer.get("mode") == "llm":
        return f"LLM: {answer['model']}" if answer.get("model") else "LLM"
    return "offline extractive"
