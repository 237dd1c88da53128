"""Text from interviews (and from users and the LLM) shown exactly as written: never as links, images or markup.

The Chatbot, the status line and the exports are Markdown, where `[login](http://…)`, `![x](…)`, `<b>`, a
bare `https://…`, `www.…` or `someone@host`, a `# heading` or a `- list` line would turn into live markup or
links. `markdown_text` makes every such construct impossible and nothing else: `<`, `>` and `&` become
entities, the characters that open inline markup are backslash-escaped (CommonMark lets any ASCII
punctuation be), a line cannot open a block (heading, quote, list, table, setext underline, code block),
and the `://`, `www.` and `@` that GFM's extended autolinks look for are broken. Ordinary prose —
"The Verge (Decoder), 2026-06-08: 1.5 GW" — comes out unchanged.
"""

from __future__ import annotations

import re

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_HTML = re.compile(r"[&<>]")
_INLINE = re.compile(r"([\\`*_\[\]~|$])")  # emphasis, code, links/images, strikethrough, tables, math
_AUTOLINK = re.compile(r"(?<=[A-Za-z0-9])(:)(?=//)|(?i:(?<=\bwww)(\.))|(@)")
_LEADING_SPACE = re.compile(r"^[ \t]+", re.M)  # four leading spaces would make a code block
_BLOCK_START = re.compile(r"^([#+\-=])|^(\d{1,9})([.)])", re.M)  # heading, list item, setext underline


def markdown_text(text: object, hard_breaks: bool = True) -> str:
    """`text` as Markdown source that renders as exactly these characters (line breaks kept unless
    `hard_breaks` is off, for callers that lay out lines themselves)."""
    s = "" if text is None else str(text)
    s = _LEADING_SPACE.sub("", s.replace("\r\n", "\n").replace("\r", "\n"))
    s = _HTML.sub(lambda m: _ENTITIES[m.group(0)], s)
    s = _INLINE.sub(r"\\\1", s)
    s = _AUTOLINK.sub(lambda m: "\\" + next(g for g in m.groups() if g), s)
    s = _BLOCK_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), s)
    return s.replace("\n", "  \n") if hard_breaks else s
