"""Hostile markup in any document- or user-derived field is shown literally by every UI renderer: quote cards,
the chat text, the status line, the source viewer, and stays inside its quote in the Markdown export."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from ui.chat import status_md
from ui.common import display_text, esc, highlight, role_badge, role_of
from ui.evidence import card_html, context_html
from ui.export import export_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "</blockquote><script>alert(3)</script>",
    '"><svg onload=alert(4)>',
    "' onmouseover='alert(5)",
    "<iframe src=\"javascript:alert(6)\"></iframe>",
    "&lt;b&gt;already escaped&lt;/b&gt; & more",
]
ALLOWED_TAGS = {"div", "blockquote", "span", "details", "summary", "mark", "br", "small",
                "button", "a"}  # the cards' own actions: buttons, and links that open the reader in this page


class Audit(HTMLParser):
    """Every element and attribute the browser would create, and the text it would show."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)


def audit(markup: str) -> Audit:
    a = Audit()
    a.feed(markup)
    a.close()
    return a


def assert_inert(markup: str, *shown: str) -> None:
    a = audit(markup)
    assert set(a.tags) <= ALLOWED_TAGS, a.tags
    assert not [k for k, _ in a.attrs if k.startswith("on") or k in ("src", "style")], a.attrs
    # The only links are the app's own reader views, never a URL taken from the text.
    assert all((v or "").startswith("?view=reader&") for k, v in a.attrs if k == "href"), a.attrs
    text = "".join(a.text)
    for s in shown:  # the hostile text is visible, character for character
        assert s in text, (s, text)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_quote_card_shows_every_field_literally(payload):
    item = {"kind": "quote", "chunk_id": f"id{payload}", "interview": "ivw", "speaker": f"Eve {payload}",
            "role": "guest", "lang": f"en{payload}", "quote": f"I said {payload} twice",
            "original": {"lang": f"ja{payload}", "quote": f"原文 {payload}"}}
    manifests = {"ivw": {"title": f"T {payload}", "outlet": f"O {payload}", "date": f"D {payload}"}}
    markup = card_html(item, 1, manifests)
    assert_inert(markup, f"I said {payload} twice", f"Eve {payload}", f"O {payload}, D {payload}", f"原文 {payload}")
    assert audit(markup).tags.count("blockquote") == 2  # the payload opened no element of its own


@pytest.mark.parametrize("payload", PAYLOADS)
def test_passage_card_for_an_abstention_is_escaped_too(payload):
    item = {"kind": "passage", "chunk_id": "c1", "interview": f"raw-{payload}", "speaker": None, "role": "host",
            "lang": "zh", "quote": payload * 3, "original": None}
    markup = card_html(item, 2, {})
    assert_inert(markup, payload, f"raw-{payload}", "Unknown speaker")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_source_viewer_escapes_every_turn_and_the_highlight(payload):
    def chunk(i, text, speaker="Eve"):
        return {"chunk_id": f"c{i}{payload}", "lang": "en", "speaker": f"{speaker} {payload}", "role": "guest",
                "text": text, "interview": "ivw"}

    ctx = {"interview": {"title": f"Title {payload}", "outlet": "Out", "date": ""}, "section": "en",
           "chunk": chunk(2, f"before {payload} the quote {payload} after"),
           "before": [chunk(1, f"earlier {payload}", "Mallory")], "after": [chunk(3, f"later {payload}")]}
    markup = context_html(ctx, quote=f"the quote {payload}")
    assert_inert(markup, f"Title {payload}", f"earlier {payload}", f"later {payload}", f"Mallory {payload}",
                 f"before {payload} ")
    a = audit(markup)
    assert a.tags.count("mark") == 1
    assert html.unescape(markup.split("<mark>")[1].split("</mark>")[0]) == f"the quote {payload}"
    # a quote that is not in the text highlights nothing and still escapes
    assert_inert(context_html(ctx, quote="absent"), f"before {payload} the quote {payload} after")
    assert "<mark>" not in context_html(ctx, quote="absent") and "<mark>" not in context_html(ctx)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_chat_text_and_status_line_are_escaped(payload):
    assert_inert(display_text(f"He said {payload}\nand more"), f"He said {payload}", "and more")
    assert display_text(f"a\n{payload}").split("\n")[0] == "a  "  # a Markdown line break, text escaped after it
    assert_inert(status_md(f"mode {payload}", notice=f"n {payload}", error=f"e {payload}"),
                 f"mode {payload}", f"n {payload}", f"e {payload}")


def test_highlight_and_escape_helpers():
    assert esc(None) == "" and esc(3) == "3"
    assert esc("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
    assert highlight("a <b> c <b>", "<b>") == "a <mark>&lt;b&gt;</mark> c &lt;b&gt;"
    assert highlight("<x>", None) == highlight("<x>", "") == highlight("<x>", "y") == "&lt;x&gt;"
    assert display_text("") == "" and display_text(None) == ""
    assert display_text("a\nb") == "a  \nb"


@pytest.mark.parametrize("role, shown", [("guest", "guest"), ("HOST", "host"), ("editor", "editor"),
                                         (None, "editor"), ('guest" onclick="x', "editor"),
                                         ("<script>", "editor")])
def test_role_badges_only_ever_show_a_known_role(role, shown):
    assert role_of(role) == shown
    assert role_badge(role) == f'<span class="badge badge-{shown}">{shown}</span>'


EXPORT_TAGS = {"h1", "h2", "h3", "p", "blockquote", "em", "strong", "br"}  # the export's own layout


def render_markdown(md: str) -> str:
    """What a Markdown viewer makes of an export (raw HTML allowed, as most viewers do)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(md)


def blockquote_lines(md: str) -> list[str]:
    """The text lines a viewer shows inside the export's block quotes."""
    rendered = render_markdown(md)
    lines = []
    for part in rendered.split("<blockquote>")[1:]:
        body = part.split("</blockquote>")[0]
        lines += [html.unescape(ln).strip() for ln in re.split(r"<br />|\n", re.sub(r"</?p>", "", body))]
    return [ln for ln in lines if ln]


def assert_export_inert(md: str, *quoted: str) -> None:
    a = audit(render_markdown(md))
    assert set(a.tags) <= EXPORT_TAGS, a.tags  # no link, image, script, heading or list from the text
    assert not a.attrs, a.attrs
    shown = blockquote_lines(md)
    for line in quoted:  # verbatim, and inside a quote block
        assert line in shown, (line, shown)


def test_export_keeps_hostile_quotes_verbatim_and_inside_their_quote_block():
    quote = "line one <script>alert(1)</script>\n## Injected heading\n- injected item\n[login](http://evil.example)"
    answer = {"question": "q", "answer": "a", "grounded": True, "mode": "offline", "citations": [
        {"chunk_id": "c1", "interview": "ivw", "speaker": "Eve", "role": "guest", "lang": "en", "quote": quote,
         "original": {"lang": "en", "quote": "orig <img src=x onerror=alert(2)>\n# Injected"}}]}
    md = export_markdown(answer, {"ivw": {"title": "T", "outlet": "O", "date": ""}})
    assert_export_inert(md, *quote.splitlines(), "orig <img src=x onerror=alert(2)>", "# Injected")


# --- what the cards and the viewer say, element by element (the escaping must not cost any of it) -------

class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children, self.parts = tag, dict(attrs), parent, [], []

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)

    def find_all(self, cls=None, tag=None):
        out = []
        for ch in self.children:
            if (cls is None or cls in ch.classes) and (tag is None or ch.tag == tag):
                out.append(ch)
            out += ch.find_all(cls, tag)
        return out

    def one(self, cls=None, tag=None):
        (node,) = self.find_all(cls, tag)
        return node


class Tree(HTMLParser):
    VOID = {"br"}

    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("root", [])
        self.feed(markup)
        self.close()
        assert self.cur is self.root, "unclosed element"

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        self.cur.parts.append(node)
        if tag not in self.VOID:
            self.cur = node

    def handle_endtag(self, tag):
        assert self.cur.tag == tag, (self.cur.tag, tag)
        self.cur = self.cur.parent

    def handle_data(self, data):
        self.cur.parts.append(data)


MANIFESTS = {"ivw": {"title": "The <Title>", "outlet": "Outlet & Co", "date": "2026-01-02"}}


def test_cited_card_structure():
    item = {"kind": "quote", "chunk_id": "ivw#ja#3", "interview": "ivw", "speaker": "Ada <Guest>", "role": "guest",
            "lang": "ja", "quote": "引用 <b>です</b>", "original": {"lang": "en", "quote": "the <original>"}}
    markup = card_html(item, 7, MANIFESTS)
    card = Tree(markup).root.one("quote-card")
    assert card.tag == "div" and card.classes == ["quote-card", "cited-card", "role-guest"]
    assert card.attrs["data-chunk-id"] == "ivw#ja#3"
    quote = card.one("quote-text")
    assert quote.tag == "blockquote" and quote.attrs["lang"] == "ja" and quote.text == "[7]引用 <b>です</b>"
    assert quote.one("card-num").text == "[7]"
    meta = card.one("card-meta")
    assert meta.one("speaker").text == "Ada <Guest>"
    assert meta.one("badge-guest").text == "guest"
    assert meta.one("interview").text == "Outlet & Co, 2026-01-02"
    assert meta.one("interview").attrs["title"] == "The <Title>"
    assert meta.one("badge-lang").text == "日本語"
    original = card.one("original")
    assert original.tag == "details" and original.one(tag="summary").text == "Show the English original"
    assert original.one(tag="blockquote").attrs["lang"] == "en"
    assert original.one(tag="blockquote").text == "the <original>"
    # wrapper, card, meta line, actions (show in context, copy as quote card; no reader link without a view)
    assert markup.count("<div") == markup.count("</div>") == 4
    assert 'data-act="context" data-n="7"' in markup and 'data-act="card" data-n="7"' in markup
    assert "<a " not in markup
    linked = card_html(item, 7, MANIFESTS, reader_href="?view=reader&iv=ivw&at=ja%3A1-5")
    assert '<a class="open-reader" href="?view=reader&amp;iv=ivw&amp;at=ja%3A1-5">' in linked


def test_passage_card_structure_and_defaults():
    long = "word " * 200
    item = {"kind": "passage", "chunk_id": "c9", "interview": "other", "speaker": "", "role": "HOST", "lang": "",
            "quote": long, "original": None}
    card = Tree(card_html(item, 2, MANIFESTS)).root.one("quote-card")
    assert card.classes == ["quote-card", "passage-card", "role-host"]
    assert card.one("quote-text").text == "[2]" + long[:600].rstrip() + " …"
    assert card.one("quote-text").attrs["lang"] == ""
    assert card.one("speaker").text == "Unknown speaker"
    assert card.one("interview").text == "other" and card.one("interview").attrs["title"] == ""
    assert card.one("badge-lang").text == "?"
    assert not card.find_all("original")
    # exactly 600 characters is not cut, a cited quote is never cut, an unknown language shows its code
    assert Tree(card_html(dict(item, quote="x" * 600), 1, {})).root.one("quote-text").text == "[1]" + "x" * 600
    cited = dict(item, kind="quote", quote=long, lang="de")
    tree = Tree(card_html(cited, 1, {})).root
    assert tree.one("quote-text").text == "[1]" + long and tree.one("badge-lang").text == "de"
    assert Tree(card_html({"quote": None, "role": None}, 1, {})).root.one("quote-card").classes == \
        ["quote-card", "cited-card", "role-editor"]
    assert Tree(card_html({"quote": None}, 1, {})).root.one("quote-text").text == "[1]"
    assert Tree(card_html({"quote": "q", "original": {"quote": "o"}}, 1, {})).root.one(tag="summary").text == \
        "Show the English original"
    assert not Tree(card_html({"quote": "q", "original": {"quote": ""}}, 1, {})).root.find_all("original")


def test_source_viewer_structure():
    def chunk(i, role, speaker, lang="en"):
        return {"chunk_id": f"c{i}", "interview": "ivw", "speaker": speaker, "role": role, "lang": lang,
                "text": f"turn {i} <text>"}

    ctx = {"interview": MANIFESTS["ivw"], "section": "ja", "chunk": chunk(2, "guest", "Ada"),
           "before": [chunk(0, "host", "Hal"), chunk(1, "editor", None)], "after": [chunk(3, "host", "Hal", "ja")]}
    body = Tree(context_html(ctx, quote="2 <text>")).root.one("source-viewer-body")
    head = body.one("ctx-head")
    assert head.text == "The <Title>Outlet & Co, 2026-01-02 · 日本語 section"
    turns = body.find_all("ctx-turn")
    assert [t.attrs["data-chunk-id"] for t in turns] == ["c0", "c1", "c2", "c3"]
    assert [t.classes for t in turns] == [["ctx-turn"], ["ctx-turn"], ["ctx-turn", "ctx-current"], ["ctx-turn"]]
    assert [t.attrs["lang"] for t in turns] == ["en", "en", "en", "ja"]
    assert [t.one("ctx-speaker").text for t in turns] == ["Hal host", "Unknown speaker editor", "Ada guest",
                                                          "Hal host"]
    assert [t.text.split("</div>")[-1] for t in turns][0].endswith("turn 0 <text>")
    assert turns[2].one(tag="mark").text == "2 <text>" and turns[2].text.endswith("turn 2 <text>")
    assert not turns[0].find_all(tag="mark") and not turns[3].find_all(tag="mark")
    assert all(t.text.endswith(f"turn {i} <text>") for i, t in enumerate(turns))
    # no manifest: the interview id stands in; no section: the chunk's language; no neighbours
    bare = {"chunk": {"chunk_id": "c", "interview": "ivw-id", "lang": "zh", "text": None}}
    body = Tree(context_html(bare)).root.one("source-viewer-body")
    assert body.one("ctx-head").text == "ivw-idivw-id · 中文 section"
    assert len(body.find_all("ctx-turn")) == 1 and body.one("ctx-current").attrs["lang"] == "zh"
    assert Tree(context_html({"chunk": {}})).root.one("ctx-head").text == " ·  section"


def test_status_line():
    assert status_md("offline") == "**Mode:** offline"
    assert status_md("m", notice="n") == "**Mode:** m  \nℹ️ n"
    assert status_md("m", error="e") == "**Mode:** m  \n⚠️ e"
    assert status_md("m", notice="n", error="<e>") == "**Mode:** m  \nℹ️ n  \n⚠️ &lt;e&gt;"


def test_escaping_details():
    assert esc('"') == "&quot;"  # attribute values stay closed
    assert highlight("<q>rest", "<q>") == "<mark>&lt;q&gt;</mark>rest"  # a quote at the very start
    assert role_of("") == "editor" and role_of("Guest") == "guest"


def direct_text(node: Node) -> str:
    return "".join(p for p in node.parts if isinstance(p, str))


def test_nothing_outside_the_elements_and_every_default():
    item = {"kind": "quote", "chunk_id": "c", "speaker": "S", "role": "guest", "lang": "en", "quote": "q",
            "original": {"lang": "zh", "quote": "o"}}
    root = Tree(card_html(item, 1, MANIFESTS)).root
    card = root.one("quote-card")
    assert direct_text(root) == direct_text(card) == direct_text(card.one("card-meta")) == ""
    assert card.one("interview").text == "" and card.one(tag="summary").text == "Show the 中文 original"
    item["original"]["lang"] = "de"
    assert Tree(card_html(item, 1, {})).root.one(tag="summary").text == "Show the de original"
    no_kind = {"quote": "y" * 601}
    assert Tree(card_html(no_kind, 1, {})).root.one("quote-text").text == "[1]" + "y" * 601  # a quote: never cut
    cut = Tree(card_html(dict(no_kind, kind="passage"), 1, {})).root.one("quote-text").text
    assert cut == "[1]" + "y" * 600 + " …"

    ctx = {"section": "de", "chunk": {"chunk_id": "c2", "text": "has <text> too", "speaker": "S"},
           "before": [{"chunk_id": "c1", "text": "also <text>", "speaker": "B"}],
           "after": [{"chunk_id": "c3", "text": None, "speaker": "A"}]}
    body = Tree(context_html(ctx, quote="<text>")).root.one("source-viewer-body")
    assert direct_text(body) == ""
    assert body.one("ctx-head").text.endswith("de section")
    assert len(body.find_all(tag="mark")) == 1 and body.one("ctx-current").one(tag="mark").text == "<text>"
    turns = body.find_all("ctx-turn")
    assert [t.attrs["lang"] for t in turns] == ["", "", ""]
    assert turns[2].text == "A editor"  # no text: nothing but the speaker line
    ctx["chunk"]["text"] = None
    assert Tree(context_html(ctx, quote="<text>")).root.one("ctx-current").text == "S editor"


def test_a_quote_the_answer_already_shows_is_named_by_its_opening_words():
    long_quote = "We are going to build the best models in the world, and we will do it <safely>, " * 2
    item = {"kind": "quote", "chunk_id": "c", "role": "guest", "lang": "en", "quote": long_quote}
    root = Tree(card_html(item, 3, {}, answer_text=f"He said: {long_quote} — and more")).root
    wrap = root.one("card-wrap")
    assert wrap.classes == ["card-wrap", "role-guest", "kind-quote"] and direct_text(wrap) == ""
    quote = wrap.one("quote-text")
    assert quote.classes == ["quote-text", "in-answer"]
    shown = quote.text[len("[3]"):]
    assert shown.endswith(" …") and long_quote.startswith(shown[:-2]) and len(shown) <= 92
    # not in the answer (or no answer text): shown in full, not marked
    for answer_text in ("something else", "", None):
        q = Tree(card_html(item, 3, {}, answer_text=answer_text)).root.one("quote-text")
        assert q.classes == ["quote-text"] and q.text == "[3]" + long_quote
    # a short quote is named by fewer words than it has: the answer shows it, the card doesn't again
    short = "Oh, we didn’t, but I think I understand why a lot of people get frustrated."
    item_short = dict(item, quote=short)
    shown = Tree(card_html(item_short, 1, {}, answer_text=f"3. “{short}”")).root.one("quote-text").text[len("[1]"):]
    assert short not in shown and shown.endswith(" …") and short.startswith(shown[:-2])
    # a passage card is never "in the answer", even when its text is
    passage = dict(item, kind="passage")
    q = Tree(card_html(passage, 1, {}, answer_text=long_quote)).root.one("quote-text")
    assert q.classes == ["quote-text"] and q.text == "[1]" + long_quote
    assert Tree(card_html(passage, 1, {})).root.one("card-wrap").classes == ["card-wrap", "role-guest", "kind-passage"]
    # without an answer text nothing is "in" it, whatever the quote says
    assert Tree(card_html(dict(item, quote="XXXX"), 1, {})).root.one("quote-text").classes == ["quote-text"]
    # an empty quote is not "in" any answer
    assert Tree(card_html(dict(item, quote=""), 1, {}, answer_text="x")).root.one("quote-text").classes == ["quote-text"]


def test_source_viewer_links_to_the_reader_only_when_given_a_link():
    ctx = {"chunk": {"chunk_id": "c", "interview": "ivw", "lang": "en", "text": "t"}}
    body = Tree(context_html(ctx, reader_href="?view=reader&iv=ivw&at=en%3A1")).root.one("source-viewer-body")
    link = body.one("open-reader")
    assert link.tag == "a" and link.attrs["href"] == "?view=reader&iv=ivw&at=en%3A1"
    assert link.text == "Read the whole interview ↗" and direct_text(body) == ""
    assert not Tree(context_html(ctx)).root.find_all("open-reader")
