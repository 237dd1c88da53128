"""The reader tab: a whole interview as a speaker-labelled transcript, each translated paragraph beside the
original it translates, with search, and the router that opens it from any `?view=reader…` link on the page.

A reader view is a URL query (`rag.transcript.ReaderView`): the page's address follows the reader, so a
reload or a shared link opens the same interview at the same turn with the same highlight or search.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import gradio as gr

from interview_qa.errors import InterviewQAError
from rag.transcript import Para, ReaderView, Row, Transcript, find_hits, search_terms
from ui.common import LANG_NAMES, esc, role_badge, role_of

log = logging.getLogger(__name__)

KIND_LABELS = {"footnote": "Footnote", "caption": "Caption", "chart": "Chart", "note": "Editor's note",
               "intro": "Intro"}
EMPTY_READER = '<div class="rd-empty">Choose an interview to read it, or open a quote card “in the reader”.</div>'

CSS = """
#reader-html { min-height: 200px; }
#reader-html .reader { max-height: max(420px, calc(100dvh - 230px)); overflow-y: auto; padding-right: 4px; }
.reader .rd-head { position: sticky; top: 0; z-index: 2; background: var(--background-fill-primary);
  padding: 6px 0 8px 0; border-bottom: 1px solid var(--border-color-primary); }
.reader .rd-title { font-weight: 700; font-size: 1.1em; }
.reader .rd-sub { color: var(--body-text-color-subdued); font-size: 0.9em; }
.reader .rd-hits { margin-top: 4px; font-size: 0.92em; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.reader .rd-hits button { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 0 8px; }
.reader .rd-cols, .reader .rd-row { display: grid; grid-template-columns: 1fr 1fr; gap: 6px 18px; }
.reader.rd-single .rd-cols, .reader.rd-single .rd-row { grid-template-columns: 1fr; }
.reader .rd-cols { font-size: 0.82em; font-weight: 700; color: var(--body-text-color-subdued); text-transform: uppercase;
  letter-spacing: 0.03em; padding: 8px 0 4px 0; }
.reader .rd-row { padding: 4px 0; border-radius: 8px; line-height: 1.6; }
.reader .rd-cell { padding: 2px 8px; border-left: 4px solid transparent; }
.reader .rd-role-guest .rd-cell { border-left-color: #15803d; }
.reader .rd-role-host .rd-cell { border-left-color: #1d4ed8; background: rgba(29, 78, 216, 0.05); }
.reader .rd-role-editor .rd-cell { border-left-color: #b45309; font-size: 0.9em; color: var(--body-text-color-subdued); }
.reader .rd-kind-footnote .rd-cell, .reader .rd-kind-caption .rd-cell { font-style: italic; }
.reader .rd-cell.rd-missing { border-left-color: transparent !important; background: none !important;
  color: var(--body-text-color-subdued); font-size: 0.85em; }
.reader .rd-speaker { font-weight: 600; font-size: 0.9em; margin: 6px 0 2px 0; font-style: normal; }
.reader .rd-kind { font-weight: 600; font-style: normal; text-transform: uppercase; font-size: 0.75em; letter-spacing: 0.04em; }
.reader p.rd-p { margin: 0 0 6px 0; white-space: pre-wrap; }
.reader .rd-only { display: inline-block; font-size: 0.75em; font-weight: 700; border-radius: 999px; padding: 0 8px;
  background: #7c3aed; color: #fff; margin-left: 6px; font-style: normal; }
.reader .rd-tail-note { margin: 14px 0 8px 0; padding: 8px 12px; border: 1px dashed #7c3aed; border-radius: 8px;
  color: #5b21b6; background: rgba(124, 58, 237, 0.06); }
.reader .rd-focus { outline: 2px solid #f59e0b; background: rgba(245, 158, 11, 0.08); }
.reader mark.rd-quote { background: #fde047; color: #111; padding: 0 1px; }
.reader mark.rd-hit { background: #a5f3fc; color: #111; padding: 0 1px; }
.reader mark.rd-hit.rd-hit-current { background: #22d3ee; outline: 2px solid #0e7490; }
.reader .rd-hit-row .rd-cell { background: rgba(34, 211, 238, 0.07); }
.rd-empty { color: var(--body-text-color-subdued); padding: 12px; }
@media (max-width: 700px) {
  .reader .rd-cols { display: none; }
  .reader .rd-row { grid-template-columns: 1fr; gap: 2px; }
  .reader .rd-cell.rd-or:not(.rd-missing) { margin-left: 10px; }
  .reader .rd-cell.rd-missing { display: none; }
}
"""

# Runs once when the reader is first shown: follow each new view with the address bar, bring the focused turn
# into view (waiting until the tab is visible and laid out), and step through search hits.
READER_JS = """
function settle() {
  const root = element.querySelector('.reader[data-url]');
  if (!root) return;
  const url = root.getAttribute('data-url');
  if (location.search !== url) history.pushState(null, '', url);
  root.dataset.settled = '';
  let tries = 0, done = 0;
  const tick = () => {
    const f = element.querySelector('#reader-focus');
    if (!f) { root.dataset.settled = '1'; return; }
    if (f.getBoundingClientRect().height > 0) {
      // A turn taller than the reader (a phone, a long answer) is brought in by its highlighted quote, whose
      // first line goes just under the reader's sticky heading.
      const room = Math.min(root.getBoundingClientRect().height, innerHeight);
      const mark = f.querySelector('mark.rd-quote, mark.rd-hit');
      const target = (f.getBoundingClientRect().height > 0.8 * room && mark) ? mark : f;
      const head = root.querySelector('.rd-head');
      target.style.scrollMarginTop = ((head ? head.offsetHeight : 0) + 8) + 'px';
      const tall = target.getBoundingClientRect().height > 0.6 * room;
      target.scrollIntoView({block: tall ? 'start' : 'center', behavior: 'instant'});
      // Layout can still shift while the tab settles: scroll again a few times, then say so.
      if (++done < 4) setTimeout(tick, 120); else root.dataset.settled = '1';
    } else if (tries++ < 100) setTimeout(tick, 50);
    else root.dataset.settled = '1';
  };
  tick();
}
let current = -1;
element.addEventListener('click', (e) => {
  const b = e.target.closest('button[data-hit]');
  if (!b) return;
  const hits = [...element.querySelectorAll('mark.rd-hit')];
  if (!hits.length) return;
  hits.forEach(h => h.classList.remove('rd-hit-current'));
  current = b.dataset.hit === 'prev' ? (current - 1 + hits.length) % hits.length : (current + 1) % hits.length;
  hits[current].classList.add('rd-hit-current');
  hits[current].scrollIntoView({block: 'center', behavior: 'instant'});
  const n = element.querySelector('.rd-hit-n');
  if (n) n.textContent = String(current + 1);
});
watch('value', () => { current = -1; settle(); });
settle();
"""

# Any link to a reader view anywhere on the page (cards, the chat's citations, the outline) opens it here
# instead of reloading the page; a modified click (new tab) still follows the real link.
ROUTER_JS = """
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a[href*="view=reader"]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || e.button !== 0) return;
  e.preventDefault();
  e.stopPropagation();
  trigger('click', {href: a.getAttribute('href')});
}, true);
"""

# Leaving the reader for another tab takes its view out of the address bar; coming back puts it back.
TAB_URL_JS = """
(tab) => {
  const root = document.querySelector('#reader-html .reader[data-url]');
  if (tab === 'reader' && root) { history.replaceState(null, '', root.getAttribute('data-url')); }
  else if (tab !== 'reader' && root && location.search.includes('view=reader')) { history.replaceState(null, '', location.pathname); }
}
"""


def view_from_href(href: str) -> ReaderView | None:
    return ReaderView.from_params(parse_qs(urlsplit(href or "").query))


def _speaker_html(p: Para, manifest: dict) -> str:
    if p.role == "editor":
        label = KIND_LABELS.get(p.kind, "Editor")
        return f'<div class="rd-speaker"><span class="rd-kind">{esc(label)}</span> {role_badge("editor")}</div>'
    intro = ' <span class="rd-kind">intro</span>' if p.kind == "intro" else ""
    return f'<div class="rd-speaker">{esc(p.speaker or "Unknown speaker")} {role_badge(p.role)}{intro}</div>'


def _marked(p: Para, view: ReaderView, terms: list[str]) -> tuple[str, int, bool]:
    """A paragraph's escaped text with the quote (and its original) and the search hits marked."""
    spans: list[tuple[int, int, str]] = []
    for span in (view.at, view.original) if view.mark else ():
        if span and span.section == p.section and span.start < p.end and span.end > p.start:
            spans.append((max(span.start, p.start) - p.start, min(span.end, p.end) - p.start, "rd-quote"))
    hits = find_hits(p.text, terms)
    spans += [(s, e, "rd-hit") for s, e in hits]
    if not spans:
        return esc(p.text), 0, False
    cuts = sorted({0, len(p.text)} | {s for s, _, _ in spans} | {e for _, e, _ in spans})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        classes = sorted({c for s, e, c in spans if s <= a and b <= e})
        piece = esc(p.text[a:b])
        out.append(f'<mark class="{" ".join(classes)}">{piece}</mark>' if classes else piece)
    return "".join(out), len(hits), any(c == "rd-quote" for _, _, c in spans)


def _cell(paras: list[Para], side: str, view: ReaderView, terms: list[str], manifest: dict,
          last_turn: dict[str, tuple], missing: str, badge: str | None = None) -> tuple[str, int]:
    if not paras:
        return f'<div class="rd-cell rd-{side} rd-missing">{esc(missing)}</div>', 0
    parts, hits = [], 0
    if badge:
        parts.append(f'<span class="rd-only">{esc(badge)}</span>')
    for p in paras:
        who = (p.section, p.turn, p.kind)
        if last_turn.get(side) != who:
            parts.append(_speaker_html(p, manifest))
            last_turn[side] = who
        body, n, _ = _marked(p, view, terms)
        hits += n
        parts.append(f'<p class="rd-p" data-p="{esc(p.key)}">{body}</p>')
    lang = paras[0].lang
    return f'<div class="rd-cell rd-{side}" lang="{esc(lang)}">{"".join(parts)}</div>', hits


def _row_classes(row: Row) -> list[str]:
    head = (row.translation or row.original)[0]
    kind = "rd-pair" if row.linked else ("rd-only-tr" if row.translation else "rd-only-or")
    return ["rd-row", kind, f"rd-role-{role_of(head.role)}", f"rd-kind-{head.kind}"]


def reader_html(transcript: Transcript, view: ReaderView) -> str:
    m = transcript.manifest
    terms = search_terms(view.search)
    tr, orig = transcript.translation, transcript.original
    tr_name, orig_name = LANG_NAMES.get(tr or "", tr or ""), LANG_NAMES.get(orig, orig)
    focus_row = transcript.row_of(view.at.section, view.at.start) if view.at else None
    tail = transcript.tail_start
    rows_html, total_hits, first_hit_row = [], 0, None
    last_turn: dict[str, tuple] = {}
    for i, row in enumerate(transcript.rows):
        if i == tail:
            rows_html.append(
                f'<div class="rd-tail-note" id="rd-tail">The {esc(orig_name)} capture stops here: what follows exists '
                f"only in the {esc(tr_name)} translation.</div>"
            )
        cells = []
        hits = 0
        in_tail = tail is not None and i >= tail
        if tr:
            badge = f"{tr_name} only" if row.translation and not row.original else None
            html_tr, n = _cell(row.translation, "tr", view, terms, m, last_turn, f"no {tr_name} translation", badge)
            cells.append(html_tr)
            hits += n
        missing = f"not in the {orig_name} capture" if in_tail else f"no {orig_name} counterpart"
        html_or, n = _cell(row.original, "or", view, terms, m, last_turn, missing)
        cells.append(html_or)
        hits += n
        classes = _row_classes(row)
        if hits:
            classes.append("rd-hit-row")
            total_hits += hits
            if first_hit_row is None:
                first_hit_row = i
        if i == focus_row:
            classes.append("rd-focus")
        keys = " ".join(p.key for p in row.paras)
        rows_html.append(f'<div class="{" ".join(classes)}" data-row="{i}" data-ps="{esc(keys)}">{"".join(cells)}</div>')
    target = focus_row if focus_row is not None else first_hit_row
    if target is not None:
        # The row to bring into view; offset by the tail note when it precedes the row.
        idx = target + (1 if tail is not None and target >= tail else 0)
        rows_html[idx] = rows_html[idx].replace("<div ", '<div id="reader-focus" ', 1)
    search_line = ""
    if view.search:
        if total_hits:
            search_line = (
                f'<div class="rd-hits"><span><b>{total_hits}</b> hit{"s" if total_hits != 1 else ""} for '
                f"“{esc(view.search)}” (<span class=\"rd-hit-n\">1</span>/{total_hits})</span>"
                '<button data-hit="prev" title="Previous hit">↑</button><button data-hit="next" title="Next hit">↓</button></div>'
            )
        else:
            search_line = f'<div class="rd-hits">No hits for “{esc(view.search)}” in this interview.</div>'
    cols = (f'<div class="rd-cols"><div>{esc(tr_name)} · translation</div><div>{esc(orig_name)} · original</div></div>'
            if tr else "")
    head = (
        f'<div class="rd-head"><div class="rd-title">{esc(m.get("title") or transcript.interview)}</div>'
        f'<div class="rd-sub">{esc(m.get("outlet") or "")}{", " + esc(m["date"]) if m.get("date") else ""} · '
        f'{esc(m.get("host") or "")} (host) with {esc(m.get("guest") or "")} (guest)</div>{search_line}</div>'
    )
    single = "" if tr else " rd-single"
    return (f'<div class="reader{single}" data-url="{esc(view.query())}" data-interview="{esc(transcript.interview)}" '
            f'data-hits="{total_hits}">{head}{cols}{"".join(rows_html)}</div>')


def interview_choices(manifests: dict[str, dict]) -> list[tuple[str, str]]:
    """Radio labels naming each interview in full (never cut short the way a dropdown cuts a title)."""
    out = []
    for m in manifests.values():
        label = f"{m.get('outlet') or m['id']}, {m.get('date') or ''} — {m.get('title') or m['id']}".replace(", —", " —")
        out.append((label, m["id"]))
    return out


class ReaderPanel:
    CSS = CSS

    def __init__(self, reading, manifests: dict[str, dict]):
        self.reading = reading
        self.manifests = manifests

    def render(self) -> None:
        with gr.Row(equal_height=False, elem_id="reader-controls"):
            self.interview = gr.Radio(interview_choices(self.manifests), value=None, label="Interview",
                                      elem_id="reader-interview", scale=3)
            with gr.Column(scale=2, min_width=260):
                with gr.Row():
                    self.search = gr.Textbox(placeholder="Search this interview (any language)…", show_label=False,
                                             elem_id="reader-search", scale=4, lines=1, max_lines=1)
                    self.find = gr.Button("Find", elem_id="reader-find", scale=1, min_width=70)
        self.html = gr.HTML(EMPTY_READER, elem_id="reader-html", js_on_load=READER_JS)

    def render_router(self) -> None:
        self.router = gr.HTML("", elem_id="reader-router", js_on_load=ROUTER_JS, container=False, padding=False)

    # -- handlers --------------------------------------------------------------------------------

    def show(self, view: ReaderView | None):
        """Outputs for a view: the reader's interview, search box and transcript."""
        if view is None or view.interview not in self.manifests:
            if view is not None:
                gr.Warning(esc(f"Unknown interview {view.interview!r} in the link."))
            return gr.update(), gr.update(), EMPTY_READER
        translation = view.at.section if view.at and view.at.section != self.manifests[view.interview].get("original") else None
        try:
            transcript = self.reading.transcript(view.interview, translation)
        except InterviewQAError as exc:
            gr.Warning(esc(exc))
            return gr.update(), gr.update(), f'<div class="rd-empty">⚠️ {esc(exc)}</div>'
        return view.interview, view.search, reader_html(transcript, view)

    def open_href(self, evt: gr.EventData):
        view = view_from_href((getattr(evt, "_data", None) or {}).get("href", ""))
        return (gr.Tabs(selected="reader"), *self.show(view))

    def pick_interview(self, interview: str | None, search: str):
        if not interview:
            return gr.update()
        return self.show(ReaderView(interview=interview, search=(search or "").strip()))[2]

    def do_search(self, interview: str | None, search: str):
        if not interview:
            gr.Warning("Choose an interview to search.")
            return gr.update()
        return self.show(ReaderView(interview=interview, search=(search or "").strip()))[2]

    def on_load(self, request: gr.Request):
        params = dict(request.query_params) if request is not None else {}
        view = ReaderView.from_params(params)
        if view is None:
            return gr.update(), gr.update(), gr.update(), gr.update()
        return (gr.Tabs(selected="reader"), *self.show(view))

    # -- events ----------------------------------------------------------------------------------

    def wire(self, tabs) -> None:
        outputs = [tabs, self.interview, self.search, self.html]
        self.router.click(self.open_href, None, outputs, api_visibility="private")
        self.interview.input(self.pick_interview, [self.interview, self.search], [self.html], api_visibility="private")
        for trigger in (self.search.submit, self.find.click):
            trigger(self.do_search, [self.interview, self.search], [self.html], api_visibility="private")

    def load_outputs(self, tabs) -> list:
        return [tabs, self.interview, self.search, self.html]
