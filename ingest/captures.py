"""Turn a raw web capture into language sections of clean paragraphs, dropping page chrome.

Two capture layouts are known (the ones the bundled interviews came in), plus labelled transcripts
(`NAME: text` turns) that users can add themselves. Anything else is an unknown layout: a clear error,
never a guess that would put menus into the quotable text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.text import detect_lang


class LayoutError(ValueError):
    """The text is not in a layout this parser understands."""


@dataclass
class RawParagraph:
    text: str
    lang: str
    kind: str = "turn"  # heuristic hint: turn | footnote | caption | note
    speaker_label: str | None = None  # from a labelled transcript


@dataclass
class ParsedCapture:
    layout: str
    sections: dict[str, list[RawParagraph]]  # section language -> paragraphs, in page order
    original: str
    metadata: dict = field(default_factory=dict)


IMAGE_TAG = re.compile(r"^!\[[^\]]*\]\([^)]*\)$")
CSS_JUNK = re.compile(r"^[^\s]*[.#:][\w-]+[^{}]*\{[^}]*\}?$|^\s*[\w-]+\s*:\s*[^;]{0,80};\s*$|^(?:\s*--?[\w-]+\s*:[^;]*;)+\s*$")
# A leaked inline style attribute in the middle of a sentence: `, ; --tw-ring-color: …; color: inherit;">and Gaza`.
INLINE_STYLE = re.compile(r"\s*;\s*--[\w-]+\s*:[^<>]*?\"\s*>\s*")
STAGE_ONLY = re.compile(r"^[\[(（［](?:laughs?|laughter|crosstalk|inaudible|笑|笑い|笑声|笑聲)[\])）］]$", re.I)
LEADING_STAGE = re.compile(r"^[\[(（［](?:laughs?|laughter|笑|笑い|笑声|笑聲)[\])）］]\s*", re.I)
# Newsletter boxes, sign-up prompts and podcast promos seen inside article bodies.
PROMO = re.compile(
    r"^(?:Get the .{0,60}newsletter\.?|Sign Up|Subscribe|By continuing, I agree to the Privacy Policy.*"
    r"|Big ideas and open questions in the fascinating places.*|Listen to and follow .{0,80} wherever you get your podcasts\.?"
    r"|Share this article|この記事をシェア|関連記事|最新ニュース.*)$"
)


def clean_paragraph(text: str) -> str | None:
    """Whitespace-normalised paragraph, or None when it is chrome, an image tag, CSS or a bare stage direction."""
    text = INLINE_STYLE.sub(" ", text.replace("\r", ""))
    text = re.sub(r"[ \t\u00a0]+", " ", text).strip()
    if not text or IMAGE_TAG.match(text) or CSS_JUNK.search(text) or STAGE_ONLY.match(text) or PROMO.match(text):
        return None
    # A leading "[Laughs]" is a stage direction, not part of the quote.
    return LEADING_STAGE.sub("", text).strip() or None


def _blank_line_paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _line_paragraphs(text: str) -> list[str]:
    return [ln.strip() for ln in text.split("\n") if ln.strip()]


def _footnote_numbers(paras: list[str]) -> set[int]:
    """Numbers of the journalist's footnotes: paragraphs opening with the next number in sequence."""
    found, expected = set(), 1
    for p in paras:
        m = re.match(r"^(\d{1,2})(?=\s|[^\d/.,:%年月日])", p)
        if m and int(m.group(1)) == expected and len(p) > 20:
            found.add(expected)
            expected += 1
    return found


_TRAILING_MARKER = re.compile(r"^(.*?[.?!。？！”\"]) ?\s*(\d{1,2})$", re.S)


def _strip_footnote_marker(text: str, numbers: set[int]) -> str:
    m = _TRAILING_MARKER.match(text)
    if m and int(m.group(2)) in numbers:
        return m.group(1).rstrip()
    return text


CAPTION = re.compile(r"(?:Photographer:|Source: [A-Z][\w .]+$|攝影[師]?[:：]|摄影[师]?[:：]|圖片來源[:：]|图片来源[:：])")


def _to_raw(paras: list[str], numbers: set[int]) -> list[RawParagraph]:
    out = []
    for i, p in enumerate(paras):
        kind = "turn"
        if re.match(r"^(\d{1,2})(?=\s|[^\d/.,:%年月日])", p) and int(re.match(r"^\d+", p).group()) in numbers and len(p) > 20:
            kind = "footnote"
        elif CAPTION.search(p):
            kind = "caption"
        else:
            p = _strip_footnote_marker(p, numbers)
        out.append(RawParagraph(text=p, lang=detect_lang(p), kind=kind))
    return out


def _clean_all(paras: list[str]) -> list[str]:
    return [c for c in (clean_paragraph(p) for p in paras) if c is not None]


_RELATED_SOURCE = re.compile(r"^(?P<source>[^★\n]{1,80})★\d(?P<date>\d{4}年\d{1,2}月\d{1,2}日)")


def parse_related_articles(paras: list[str]) -> list[dict]:
    """The page's related-article list after the interview: a "Source★rating date time" line, then the
    headline, then a summary. Never quotable (not the interview), but kept so that a question about one of
    them can be told so."""
    out = []
    for i, p in enumerate(paras):
        m = _RELATED_SOURCE.match(p)
        if m and i + 1 < len(paras):
            summary = paras[i + 2] if i + 2 < len(paras) and not _RELATED_SOURCE.match(paras[i + 2]) else ""
            out.append({"source": m["source"].strip(), "date": m["date"], "title": paras[i + 1], "summary": summary})
    return out


# --- layout: a Japanese news aggregator page (translation, then "原文を表示", then the original) ---

def parse_ainew_aggregator(text: str) -> ParsedCapture:
    paras = _blank_line_paragraphs(text)
    try:
        split = paras.index("原文を表示")
    except ValueError:
        raise LayoutError("no '原文を表示' marker separating the translation from the original") from None
    end = len(paras)
    for marker in ("この記事をシェア", "関連記事"):
        if marker in paras[split:]:
            end = min(end, split + paras[split:].index(marker))
    meta: dict = {}
    header_end = None
    for i, p in enumerate(paras[:split]):
        if re.search(r"·約\d+分で読める$", p):
            meta["source_line"] = p.split("\n")[-1]
            meta["page_title"] = paras[i + 1] if i + 1 < split else ""
        if p.startswith("#") and "tags" not in meta:
            meta["tags"] = [t.strip() for t in p.split("\n")[0].split("#") if t.strip()]
        if p.split("\n")[-1] == "TL;DR":
            meta["tldr"] = paras[i + 1]
        elif p == "影響分析":
            meta["impact_analysis"] = paras[i + 1]
        elif p == "編集コメント":
            meta["editor_comment"] = paras[i + 1]
            header_end = i + 2
    if header_end is None:
        raise LayoutError("aggregator page without its '編集コメント' block: cannot tell where the interview starts")
    if "キーポイント" in paras[:split]:
        k = paras.index("キーポイント")
        block = paras[k + 1: paras.index("影響分析・編集コメントを表示") if "影響分析・編集コメントを表示" in paras else k + 10]
        meta["key_points"] = [b for b in block if not b.isdigit()]
    if "関連記事" in paras[end:]:
        meta["related"] = parse_related_articles(paras[end + paras[end:].index("関連記事") + 1:])
    translation = _clean_all(paras[header_end:split])
    original = _clean_all(paras[split + 1:end])
    if not translation or not original:
        raise LayoutError("aggregator page with an empty translation or original section")
    t_lang = max(("ja", "zh"), key=lambda lang: sum(detect_lang(p) == lang for p in translation))
    numbers_t, numbers_o = _footnote_numbers(translation), _footnote_numbers(original)
    return ParsedCapture(
        layout="ainew-aggregator",
        sections={t_lang: _to_raw(translation, numbers_t), "en": _to_raw(original, numbers_o)},
        original="en",
        metadata=meta,
    )


# --- layout: a Chinese social-platform repost (translation with header, then the English article) ---

_NOTICE = re.compile(r"^(?:特別聲明|特别声明|Notice: The content above)")


def parse_netease_repost(text: str) -> ParsedCapture:
    lines = _line_paragraphs(text)
    src = next((i for i, ln in enumerate(lines[:6]) if re.match(r"^(來源|来源)[:：]", ln)), None)
    if src is None:
        raise LayoutError("repost without its '來源:' source line")
    end = next((i for i, ln in enumerate(lines) if _NOTICE.match(ln)), len(lines))
    body = lines[src + 1:end]
    # English article header: a title, a standfirst, "By NAME", a date line.
    by = next((i for i, ln in enumerate(body) if re.match(r"^By [A-Z][\w.'-]+(?: [A-Z][\w.'-]+)+$", ln)), None)
    if by is None or by < 2:
        raise LayoutError("repost without the English original's 'By NAME' byline")
    zh_head = [b for b in body[:by - 2] if not IMAGE_TAG.match(b)]
    meta = {"source_line": lines[src], "platform_notice": lines[end] if end < len(lines) else None}
    # Chinese header: title, standfirst, "作者:" byline, date.
    author = next((i for i, ln in enumerate(zh_head[:6]) if re.match(r"^(作者|作者)[:：]", ln)), None)
    if author is None:
        raise LayoutError("repost translation without its '作者:' byline")
    meta["translated_title"] = zh_head[0]
    meta["translated_standfirst"] = zh_head[1] if author >= 2 else ""
    zh_start = author + 1
    if zh_start < len(zh_head) and re.match(r"^\d{4}年\d{1,2}月\d{1,2}日$", zh_head[zh_start]):
        meta["translated_date"] = zh_head[zh_start]
        zh_start += 1
    meta["title"], meta["standfirst"], meta["byline"] = body[by - 2], body[by - 1], body[by]
    en_start = by + 1
    if en_start < len(body) and re.match(r"^[A-Z][a-z]+ \d{1,2}, \d{4}", body[en_start]):
        meta["dateline"] = body[en_start]
        en_start += 1
    translation = _clean_all(zh_head[zh_start:])
    original = _clean_all(body[en_start:])
    if not translation or not original:
        raise LayoutError("repost with an empty translation or original section")
    t_lang = "zh" if sum(detect_lang(p) == "zh" for p in translation) >= len(translation) / 2 else "ja"
    return ParsedCapture(
        layout="netease-repost",
        sections={
            t_lang: _to_raw(translation, _footnote_numbers(translation)),
            "en": _to_raw(original, _footnote_numbers(original)),
        },
        original="en",
        metadata=meta,
    )


# --- layout: a labelled transcript, "NAME: text" per turn ---

_LABEL = re.compile(r"^(?:\*\*)?([A-Z\u3040-\u30ff\u4e00-\u9fff][\w .'’\-\u3040-\u30ff\u4e00-\u9fff]{0,40}?)(?:\*\*)?\s*[:：]\s+(.*)$")
_FRONT_MATTER = re.compile(r"^---\n(.*?)\n---\n", re.S)


def parse_labelled_transcript(text: str) -> ParsedCapture:
    meta: dict = {}
    fm = _FRONT_MATTER.match(text)
    if fm:
        for line in fm.group(1).splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                meta[k.strip().lower()] = v.strip()
        text = text[fm.end():]
    paras: list[RawParagraph] = []
    current: str | None = None
    for block in _blank_line_paragraphs(text) if "\n\n" in text else _line_paragraphs(text):
        for line in block.split("\n") if "\n\n" not in text else [block.replace("\n", " ")]:
            m = _LABEL.match(line.strip())
            if m and not re.match(r"^(https?|note)$", m.group(1), re.I):
                current = m.group(1).strip()
                body = m.group(2)
            else:
                body = line
            body = clean_paragraph(body) if body else None
            if body is None or current is None:
                continue
            paras.append(RawParagraph(text=body, lang=detect_lang(body), speaker_label=current))
    labels = {p.speaker_label for p in paras}
    if len(paras) < 2 or len(labels) < 2:
        raise LayoutError("not a labelled transcript (expected 'NAME: text' turns by at least two speakers)")
    lang = meta.get("lang") or max(("en", "ja", "zh"), key=lambda lg: sum(p.lang == lg for p in paras))
    return ParsedCapture(layout="transcript", sections={lang: paras}, original=lang, metadata=meta)


def sniff_layout(text: str) -> str:
    if "原文を表示" in text and ("TL;DR" in text or "編集コメント" in text):
        return "ainew-aggregator"
    head = "\n".join(text.split("\n")[:6])
    if re.search(r"^(來源|来源)[:：]", head, re.M):
        return "netease-repost"
    labelled = sum(bool(_LABEL.match(ln.strip())) for ln in text.split("\n") if ln.strip())
    if labelled >= 2:
        return "transcript"
    raise LayoutError("unknown layout: not an aggregator page, not a repost, and no 'NAME: text' speaker labels")


PARSERS = {
    "ainew-aggregator": parse_ainew_aggregator,
    "netease-repost": parse_netease_repost,
    "transcript": parse_labelled_transcript,
}


def parse_capture(text: str, layout: str | None = None) -> ParsedCapture:
    layout = layout or sniff_layout(text)
    if layout not in PARSERS:
        raise LayoutError(f"unknown layout {layout!r}")
    return PARSERS[layout](text)
