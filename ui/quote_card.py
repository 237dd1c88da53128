"""A quote as a shareable PNG card: the quote, who said it (speaker, role), where (outlet, date, title), the
original beside a translated quote, and the answer mode named as the page names it.

Text is drawn with Noto Sans CJK (Debian's fonts-noto-cjk), which covers Latin, kana and both Chinese
scripts, so the glyphs are in the image itself; a character no configured font has is an error, never a
silent blank box. The card's texts are also stored in the PNG (iTXt) so a program can read what it says.
"""

from __future__ import annotations

import functools
import io
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

from interview_qa.errors import ConfigError
from ui.plain_text import markdown_text

FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/truetype/noto"),
             Path("/usr/local/share/fonts"), Path.home() / ".local/share/fonts")
# Face index inside NotoSansCJK-*.ttc, by the script the text should look right in.
TTC_FACE = {"ja": 0, "ko": 1, "zh-hans": 2, "zh": 3, "en": 0}
WIDTH = 1200
PAD = 56
GAP = 40
BG = (250, 250, 247)
INK = (17, 24, 39)
SUBDUED = (75, 85, 99)
ROLE_COLOURS = {"guest": (21, 128, 61), "host": (29, 78, 216), "editor": (180, 83, 9)}
LANG_NAMES = {"en": "English", "ja": "日本語", "zh": "中文"}
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


@dataclass
class Line:
    text: str
    x: int
    y: int
    font: str  # key into the card's fonts: "<weight>:<size>:<lang>"
    fill: tuple[int, int, int]
    role: str  # quote | original | meta | footer | label


@dataclass
class CardLayout:
    width: int
    height: int
    lines: list[Line] = field(default_factory=list)
    boxes: list[tuple[tuple[int, int, int, int], tuple[int, int, int]]] = field(default_factory=list)


@functools.cache
def font_file(weight: str = "Regular") -> Path:
    """NotoSansCJK-<weight>.ttc, from the usual places or fontconfig; a clear error when it is not installed."""
    name = f"NotoSansCJK-{weight}.ttc"
    for d in FONT_DIRS:
        if (d / name).exists():
            return d / name
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", f"Noto Sans CJK JP:style={weight}"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    if out.endswith(".ttc") and "NotoSansCJK" in out and Path(out).exists():
        return Path(out)
    raise ConfigError("quote cards need the Noto Sans CJK fonts: apt-get install fonts-noto-cjk")


@functools.cache
def load_font(key: str) -> ImageFont.FreeTypeFont:
    weight, size, lang = key.split(":")
    return ImageFont.truetype(str(font_file(weight)), int(size), index=TTC_FACE.get(lang, 0))


@functools.cache
def font_charset(weight: str, lang: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(font_file(weight)), fontNumber=TTC_FACE.get(lang, 0), lazy=True) as tt:
        return frozenset(tt.getBestCmap())


def missing_glyphs(text: str, key: str) -> list[str]:
    weight, _, lang = key.split(":")
    have = font_charset(weight, lang)
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in have})


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Lines no wider than `width`: break between words, or between any two CJK characters."""
    lines: list[str] = []
    for para in text.split("\n"):
        tokens = re.findall(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]|\S+|\s+", para)
        line = ""
        for tok in tokens:
            trial = line + tok
            if font.getlength(trial) <= width or not line.strip():
                line = trial
                continue
            lines.append(line.rstrip())
            line = "" if tok.isspace() else tok
            # A single word wider than the card is cut by character.
            while font.getlength(line) > width and len(line) > 1:
                cut = len(line)
                while cut > 1 and font.getlength(line[:cut]) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line.rstrip())
    return [ln for ln in lines if ln] or [""]


def _script(text: str, lang: str) -> str:
    return lang if lang in TTC_FACE else ("zh" if _CJK.search(text) else "en")


def layout_card(card: dict) -> CardLayout:
    """Where every line of the card goes. `card`: quote, lang, original {quote, lang} | None, speaker, role,
    outlet, date, title, mode, location."""
    quote, lang = card["quote"], card.get("lang") or "en"
    original = card.get("original") or None
    two = bool(original and original.get("quote"))
    col_w = (WIDTH - 2 * PAD - GAP) // 2 if two else WIDTH - 2 * PAD
    qsize = 34 if len(quote) < 160 else 28 if len(quote) < 400 else 23
    out = CardLayout(WIDTH, 0)
    y = PAD

    def block(text: str, key: str, x: int, y0: int, width: int, fill, role: str, spacing: float = 1.45) -> int:
        font = load_font(key)
        step = int(font.size * spacing)
        for ln in wrap(text, font, width):
            out.lines.append(Line(ln, x, y0, key, fill, role))
            y0 += step
        return y0

    qkey = f"Regular:{qsize}:{_script(quote, lang)}"
    label_key = f"Bold:18:{_script(quote, lang)}"
    if two:
        olang = original.get("lang") or "en"
        okey = f"Regular:{max(qsize - 6, 20)}:{_script(original['quote'], olang)}"
        y_left = block(f"{LANG_NAMES.get(lang, lang)} · translation", label_key, PAD, y, col_w, SUBDUED, "label")
        y_right = block(f"{LANG_NAMES.get(olang, olang)} · original", f"Bold:18:{_script(original['quote'], olang)}",
                        PAD + col_w + GAP, y, col_w, SUBDUED, "label")
        y_left = block(quote, qkey, PAD, y_left + 8, col_w, INK, "quote")
        y_right = block(original["quote"], okey, PAD + col_w + GAP, y_right + 8, col_w, SUBDUED, "original")
        x_rule = PAD + col_w + GAP // 2
        y = max(y_left, y_right)
        out.boxes.append(((x_rule - 1, PAD, x_rule + 1, y), (209, 213, 219)))
    else:
        y = block(quote, qkey, PAD, y, col_w, INK, "quote")
    y += 18
    role = card.get("role") or "guest"
    out.boxes.append(((PAD, y, PAD + 6, y + 70), ROLE_COLOURS.get(role, SUBDUED)))
    who = f"{card.get('speaker') or 'Unknown speaker'} · {role}"
    y2 = block(who, f"Bold:26:{_script(who, 'en')}", PAD + 22, y, WIDTH - 2 * PAD - 22, INK, "meta", 1.3)
    where = ", ".join(x for x in (card.get("outlet"), card.get("date")) if x)
    if card.get("title"):
        where = f"{where} — {card['title']}" if where else card["title"]
    y2 = block(where, f"Regular:22:{_script(where, 'en')}", PAD + 22, y2 + 2, WIDTH - 2 * PAD - 22, SUBDUED, "meta", 1.35)
    y = max(y2, y + 70) + 20
    footer = f"interview-qa · {card.get('mode') or ''}" + (f" · {card['location']}" if card.get("location") else "")
    y = block(footer, "Regular:17:en", PAD, y, WIDTH - 2 * PAD, SUBDUED, "footer", 1.3)
    out.height = y + PAD - 10
    return out


def draw(layout: CardLayout) -> Image.Image:
    img = Image.new("RGB", (layout.width, layout.height), BG)
    d = ImageDraw.Draw(img)
    for box, colour in layout.boxes:
        d.rectangle(box, fill=colour)
    for ln in layout.lines:
        d.text((ln.x, ln.y), ln.text, font=load_font(ln.font), fill=ln.fill)
    return img


def render_card(card: dict) -> tuple[bytes, CardLayout]:
    """The card as PNG bytes, with its layout (for checks) and its texts in the PNG's iTXt chunks."""
    layout = layout_card(card)
    for ln in layout.lines:
        missing = missing_glyphs(ln.text, ln.font)
        if missing:
            raise ConfigError(f"no glyph for {''.join(missing[:10])!r} in the card font")
    info = PngInfo()
    orig = card.get("original") or {}
    for key, value in (("Quote", card["quote"]), ("Original", orig.get("quote") or ""), ("Speaker", card.get("speaker")),
                       ("Role", card.get("role")), ("Outlet", card.get("outlet")), ("Date", card.get("date")),
                       ("Title", card.get("title")), ("Mode", card.get("mode")), ("Source", card.get("location"))):
        if value:
            info.add_itxt(key, str(value))
    buf = io.BytesIO()
    draw(layout).save(buf, format="PNG", pnginfo=info, optimize=True)
    return buf.getvalue(), layout


def card_markdown(card: dict) -> str:
    """The same card as Markdown (for a post or a document)."""
    md = markdown_text  # interview text stays text: no link, image or markup from it
    lines = ["> " + md(ln, hard_breaks=False) for ln in card["quote"].splitlines() or [""]]
    orig = card.get("original") or {}
    if orig.get("quote"):
        lines += [">", f"> — original ({md(LANG_NAMES.get(orig.get('lang') or 'en', orig.get('lang')))}):"]
        lines += ["> " + md(ln, hard_breaks=False) for ln in orig["quote"].splitlines()]
    where = md(", ".join(x for x in (card.get("outlet"), card.get("date")) if x))
    title = f" — *{md(card['title'])}*" if card.get("title") else ""
    speaker, role = md(card.get("speaker") or "Unknown speaker"), md(card.get("role") or "guest")
    lines += ["", f"— **{speaker}** ({role}), {where}{title}"]
    src = f" · {md(card['location'])}" if card.get("location") else ""
    lines += ["", f"_Mode: {md(card.get('mode') or '')}_{src}"]
    return "\n".join(lines) + "\n"
