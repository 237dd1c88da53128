"""Quote cards: a Chinese quote rendered as a PNG with its CJK text really drawn (not blank, not tofu), the
card's text exactly what was quoted, and the card and the Markdown exports naming the mode as the page does."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image, ImageDraw


@pytest.fixture(scope="module")
def zh_citation(_session_index):
    import os

    from interview_qa.settings import Settings
    from rag.service import QAService

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    old = os.environ.get("INTERVIEW_QA_HOME")
    os.environ["INTERVIEW_QA_HOME"] = str(_session_index)
    try:
        service = QAService.from_settings(Settings.from_env(), build_if_missing=False, progress=False)
        answer = service.ask("微软拥有多少吉瓦的计算能力？").to_json()
        ja_answer = service.ask("蒸留について彼は何と言いましたか？").to_json()
    finally:
        if old is None:
            os.environ.pop("INTERVIEW_QA_HOME", None)
        else:
            os.environ["INTERVIEW_QA_HOME"] = old
    cited = [c for c in answer["citations"] if c["lang"] == "zh"]
    assert cited, answer
    translated = [c for c in ja_answer["citations"] if c["lang"] == "ja" and c.get("original")]
    assert translated, ja_answer
    return service, answer, cited[0], ja_answer, translated[0]


def _card(service, answer, citation):
    from ui.common import answer_mode
    from ui.export import card_for

    manifest = service.manifests()[citation["interview"]]
    return card_for(citation, manifest, answer_mode(answer, service.mode_label()))


def _require_cjk_font():
    from interview_qa.errors import ConfigError
    from ui.quote_card import font_file

    try:
        font_file("Regular")
    except ConfigError as exc:
        pytest.fail(str(exc))  # .ci/run installs fonts-noto-cjk: a missing font is a broken setup, not a skip


def test_chinese_quote_card_png_shows_the_quote(zh_citation):
    from ui.quote_card import draw, layout_card, load_font, missing_glyphs, render_card

    _require_cjk_font()
    service, answer, citation = zh_citation[:3]
    card = _card(service, answer, citation)
    png, layout = render_card(card)
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.width == 1200 and img.height > 200

    # What the card says, readable by a program: exactly the quote, its speaker, and the page's mode name.
    assert img.text["Quote"] == citation["quote"]
    assert img.text["Speaker"] == "Mustafa Suleyman" and img.text["Role"] == "guest"
    assert img.text["Mode"] == "offline extractive"
    assert img.text["Outlet"] == "Bloomberg" and img.text["Date"] == "2025-12-12"

    # The quote's lines, put together, are the quote (only the line breaks differ) ...
    quote_lines = [ln for ln in layout.lines if ln.role == "quote"]
    assert "".join(ln.text for ln in quote_lines).replace(" ", "") == citation["quote"].replace(" ", "")
    # ... every character of them has a glyph in the font it is drawn with (no tofu boxes) ...
    for ln in layout.lines:
        assert not missing_glyphs(ln.text, ln.font), ln
    # ... and the image really holds those glyphs where the layout puts them: each quote line drawn alone on
    # the card's background matches the card's pixels there, and carries ink.
    pixels = np.asarray(img.convert("RGB"), dtype=np.int16)
    background = np.array([250, 250, 247])
    for ln in quote_lines:
        font = load_font(ln.font)
        box = ImageDraw.Draw(Image.new("RGB", (1, 1))).textbbox((ln.x, ln.y), ln.text, font=font)
        alone = Image.new("RGB", img.size, tuple(background))
        ImageDraw.Draw(alone).text((ln.x, ln.y), ln.text, font=font, fill=ln.fill)
        want = np.asarray(alone, dtype=np.int16)[box[1]:box[3], box[0]:box[2]]
        got = pixels[box[1]:box[3], box[0]:box[2]]
        assert np.abs(want - got).max() <= 2, ln.text
        ink = (np.abs(got - background).sum(axis=2) > 120).mean()
        assert ink > 0.04, (ln.text, ink)  # CJK strokes, not an empty strip
    # Not blank overall either.
    assert (np.abs(pixels - background).sum(axis=2) > 120).mean() > 0.01
    # The same layout drawn again gives the same image (the card is deterministic).
    assert np.array_equal(np.asarray(draw(layout_card(card)).convert("RGB"), dtype=np.int16), pixels)


def test_a_translated_quote_card_sets_the_original_beside_it(zh_citation):
    from ui.quote_card import render_card

    _require_cjk_font()
    service, _, _, answer, citation = zh_citation
    png, layout = render_card(_card(service, answer, citation))
    quote = [ln for ln in layout.lines if ln.role == "quote"]
    original = [ln for ln in layout.lines if ln.role == "original"]
    assert original and "".join(ln.text for ln in original).replace(" ", "") == citation["original"]["quote"].replace(" ", "")
    # Side by side: the original's column starts right of the quote's, on the same first line.
    assert min(ln.x for ln in original) > max(ln.x for ln in quote) + 300
    assert original[0].y == quote[0].y
    assert Image.open(io.BytesIO(png)).text["Original"] == citation["original"]["quote"]


def test_card_and_answer_exports_name_the_mode_as_the_page_does(zh_citation):
    from ui.chat import status_md
    from ui.common import answer_mode
    from ui.export import export_markdown
    from ui.quote_card import card_markdown

    service, _, _, answer, citation = zh_citation
    page = answer_mode(answer, service.mode_label())
    assert page == "offline extractive"
    assert f"**Mode:** {page}" in status_md(page)
    assert f"_Mode: {page}_" in export_markdown(answer, service.manifests(), service.mode_label())
    md = card_markdown(_card(service, answer, citation))
    assert f"_Mode: {page}_" in md and citation["quote"] in md and citation["original"]["quote"] in md
    assert re.search(r"\*\*Mustafa Suleyman\*\* \(guest\), The Verge \(Decoder\), 2026-06-08", md)
    # An LLM answer is named by its model on the page and in both exports; a fallback answer is offline.
    llm = dict(answer, mode="llm", model="stand-in-model")
    assert answer_mode(llm, "LLM: stand-in-model") == "LLM: stand-in-model"
    assert "_Mode: LLM: stand-in-model_" in export_markdown(llm, service.manifests(), "LLM: stand-in-model")
    assert answer_mode(dict(answer, mode="extractive"), "LLM: stand-in-model") == "offline extractive"
