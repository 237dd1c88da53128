"""Evaluation metrics: each one a small pure function over plain data (ragas style).

Inputs are the stable ``--json`` contract of :class:`rag.types.Answer` (``answer.to_json()``) or
pieces of it, plus ``chunks_by_id``: ``{chunk_id: {"text", "lang", "role", "linked_ids", ...}}`` (what
the store holds; ``Chunk.to_json()`` fits). Nothing here touches the index, the network or the disk.

Relevance is *gold containment*: a retrieved passage is relevant (a HIT) when its text, or the text
of any passage in its ``linked`` list (the same passage in another language), contains one of the
item's gold substrings. Gold substrings are exact substrings of the raw captures; containment is
tested on lightly normalised text (:func:`normalize_for_match`: NFKC, whitespace collapsed) so that
ingest's cleaning of whitespace/width cannot hide a hit. Quote checks are never normalised: a
quote is verbatim only if it is an exact substring.

Per-answer metrics return a float in [0, 1] (or a count); the ``*_counts`` variants return
``(ok, total)`` so aggregation can be micro-averaged over citations.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

LANGS = ("en", "ja", "zh")

# --------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------

_WS = re.compile(r"\s+")


def normalize_for_match(text: str) -> str:
    """NFKC + collapsed whitespace: used for gold containment only, never for quote verification."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


# Opening -> closing quote marks. Nested marks inside an outer pair stay part of the outer quote.
_PAIRS = {"“": "”", "「": "」", "『": "』", "«": "»", '"': '"'}
_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:\.\.\.|…)\s*\]|\(\s*(?:\.\.\.|…)\s*\)|\.\.\.+|…+|⋯+)\s*")


def extract_quotes(text: str, min_chars: int = 1) -> list[str]:
    """Quoted spans of `text`: “…”, 「…」, 『…』, «…», "…" and straight single quotes '…'.

    Outermost pairs win (「彼は『X』と言った」 yields one quote). Straight single quotes count only
    at word boundaries, so apostrophes (don't, Suleyman's) are not mistaken for quote marks. An
    unclosed quote is ignored. Spans shorter than `min_chars` (after stripping) are dropped.
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        close = _PAIRS.get(ch)
        if close is None and ch == "'" and _is_single_open(text, i):
            close = "'"
        if close is None:
            i += 1
            continue
        j = _find_close(text, i + 1, ch, close)
        if j < 0:
            i += 1
            continue
        span = text[i + 1:j].strip()
        if len(span) >= min_chars:
            out.append(span)
        i = j + 1
    return out


def _is_single_open(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isalnum() and not after.isspace()


def _find_close(text: str, start: int, opener: str, close: str) -> int:
    if opener == close:  # straight quotes: next matching mark (single: at a word end only)
        k = start
        while True:
            k = text.find(close, k)
            if k < 0:
                return -1
            if close == '"':
                return k
            after = text[k + 1] if k + 1 < len(text) else " "
            if not after.isalnum():
                return k
            k += 1
    depth = 0
    for k in range(start, len(text)):
        if text[k] == opener:
            depth += 1
        elif text[k] == close:
            if depth == 0:
                return k
            depth -= 1
    return -1


def quote_fragments(quote: str) -> list[str]:
    """A quote split at elisions (…, ..., [...]): each fragment must be verbatim on its own."""
    return [f.strip() for f in _ELLIPSIS.split(quote) if f.strip()]


def is_verbatim(quote: str, text: str) -> bool:
    """Exact substring test (no normalisation); elided quotes must match fragment by fragment, in order."""
    if not quote:
        return False
    if quote in text:
        return True
    frags = quote_fragments(quote)
    if len(frags) < 2:
        return False
    pos = 0
    for f in frags:
        k = text.find(f, pos)
        if k < 0:
            return False
        pos = k + len(f)
    return True


# --------------------------------------------------------------------------------------------
# Retrieval (binary relevance by gold containment)
# --------------------------------------------------------------------------------------------

def passage_texts(passage: Mapping) -> list[str]:
    """A retrieved passage's text plus the texts of its `linked` translations."""
    texts = [passage.get("text") or ""]
    texts += [(link or {}).get("text") or "" for link in passage.get("linked") or []]
    return texts


def gold_found(passage: Mapping, gold: Sequence[str]) -> set[str]:
    """The gold substrings contained in this passage (or its linked translations)."""
    hay = [normalize_for_match(t) for t in passage_texts(passage)]
    return {g for g in gold if any(normalize_for_match(g) in h for h in hay)}


def relevance(retrieved: Sequence[Mapping], gold: Sequence[str]) -> list[int]:
    """Binary relevance per rank: 1 if the passage (or a linked translation) contains any gold substring."""
    return [1 if gold_found(p, gold) else 0 for p in retrieved]


# --------------------------------------------------------------------------------------------
# Citations
# --------------------------------------------------------------------------------------------

def _citations(answer: Mapping) -> list[Mapping]:
    return list(answer.get("citations") or [])


def _text_of(chunk) -> str:
    if chunk is None:
        return ""
    if isinstance(chunk, str):
        return chunk
    return chunk.get("text") or ""


def quote_verbatim_counts(answer: Mapping, chunk_texts_by_id: Mapping) -> tuple[int, int]:
    """(citations whose quote is an exact substring of the cited chunk's text, citations).

    A citation with an `original` (the same quote in the original language) must also have that
    quote verbatim in `original_chunk_id`'s text, when the id is given."""
    ok = 0
    cits = _citations(answer)
    for c in cits:
        good = is_verbatim(c.get("quote") or "", _text_of(chunk_texts_by_id.get(c.get("chunk_id"))))
        orig = c.get("original")
        if good and orig and c.get("original_chunk_id"):
            good = is_verbatim(orig.get("quote") or "", _text_of(chunk_texts_by_id.get(c["original_chunk_id"])))
        ok += good
    return ok, len(cits)


def quote_verbatim(answer: Mapping, chunk_texts_by_id: Mapping) -> float:
    """Fraction of citations whose quote is an exact substring of its cited chunk's text (1.0 when none).

    `chunk_texts_by_id` maps chunk id -> text (or a chunk dict with "text")."""
    ok, total = quote_verbatim_counts(answer, chunk_texts_by_id)
    return ok / total if total else 1.0


def retrieved_ids(answer: Mapping) -> set[str]:
    """Ids of the retrieved passages and of their linked translations."""
    ids: set[str] = set()
    for r in answer.get("retrieved") or []:
        ids.add(r.get("chunk_id"))
        ids |= {(link or {}).get("chunk_id") for link in r.get("linked") or []}
    ids.discard(None)
    return ids


def citation_valid_counts(answer: Mapping, chunks_by_id: Mapping[str, Mapping]) -> tuple[int, int]:
    """(valid citations, citations). Valid = the cited chunk exists, was retrieved (or is linked to a
    retrieved passage), and the citation's lang equals that chunk's stored lang."""
    pool = retrieved_ids(answer)
    ok = 0
    cits = _citations(answer)
    for c in cits:
        chunk = chunks_by_id.get(c.get("chunk_id"))
        ok += bool(chunk is not None and c.get("chunk_id") in pool and c.get("lang") == chunk.get("lang"))
    return ok, len(cits)


def citation_valid(answer: Mapping, chunks_by_id: Mapping[str, Mapping]) -> float:
    """Fraction of valid citations (see :func:`citation_valid_counts`); 1.0 when there are none."""
    ok, total = citation_valid_counts(answer, chunks_by_id)
    return ok / total if total else 1.0


def mislabelled_guest_citations(answer: Mapping, chunks_by_id: Mapping[str, Mapping]) -> int:
    """Citations labelled role "guest" whose chunk's stored role is not guest (unknown chunk = not guest).
    This checks the answer against the index's own labels; :func:`misattributed_guest_citations` checks it
    against the curated turn maps."""
    n = 0
    for c in _citations(answer):
        if c.get("role") == "guest":
            chunk = chunks_by_id.get(c.get("chunk_id"))
            n += chunk is None or chunk.get("role") != "guest"
    return n


def misattributed_citations(answer: Mapping, chunks_by_id: Mapping[str, Mapping]) -> int:
    """Citations whose role, or speaker where the chunk names one, differs from the cited chunk's (true, see
    evals.truth) role and speaker; a citation of an unknown chunk, or of one the truth cannot attribute
    (role "unknown"), counts as wrong."""
    n = 0
    for c in _citations(answer):
        chunk = chunks_by_id.get(c.get("chunk_id"))
        n += (chunk is None or c.get("role") != chunk.get("role")
              or (chunk.get("speaker") is not None and c.get("speaker") != chunk.get("speaker")))
    return n


def chunk_contains_gold(chunk_id: str, chunks_by_id: Mapping[str, Mapping], gold: Sequence[str]) -> bool:
    """The chunk's text, or a linked chunk's text (same passage, other language), contains a gold substring."""
    chunk = chunks_by_id.get(chunk_id)
    if chunk is None or not gold:
        return False
    texts = [chunk.get("text") or ""]
    texts += [(chunks_by_id.get(i) or {}).get("text") or "" for i in chunk.get("linked_ids") or []]
    hay = [normalize_for_match(t) for t in texts]
    return any(normalize_for_match(g) in h for g in gold for h in hay)


# Outside truth: who really said a quote. `truth` is an evals.truth.Truth (the curated turn maps and
# manifests); for interviews it does not know (test fakes, user transcripts) the cited chunk's stored role
# stands in.

_LINE_OR_ELISION = re.compile(_ELLIPSIS.pattern + r"|\n+")


def quote_roles(citation: Mapping, chunks_by_id: Mapping[str, Mapping], truth=None) -> list[set[str]]:
    """For each fragment of the citation's quote (split at elisions and line breaks), the roles of the
    curated paragraphs of its interview that contain it (an empty set: in no paragraph, e.g. page chrome)."""
    frags = [f.strip() for f in _LINE_OR_ELISION.split(citation.get("quote") or "") if f.strip()] or [""]
    interview = citation.get("interview")
    if truth is not None and interview in truth.interviews:
        return [{p.role for p in truth.containing(f, interview)} for f in frags]
    chunk = chunks_by_id.get(citation.get("chunk_id"))
    return [{chunk.get("role")} if chunk else set()]


def said_by(citation: Mapping, role: str, chunks_by_id: Mapping[str, Mapping], truth=None) -> bool:
    """Every fragment of the quote is in a paragraph that `role` said (see :func:`quote_roles`)."""
    return all(role in roles for roles in quote_roles(citation, chunks_by_id, truth))


def labelled_guest(citation: Mapping, truth=None) -> bool:
    """The citation presents its words as the guest's: role "guest", or the guest's name as speaker."""
    names = truth.guest_names() if truth is not None else set()
    return citation.get("role") == "guest" or (citation.get("speaker") in names)


def misattributed_guest_citations(answer: Mapping, chunks_by_id: Mapping[str, Mapping], truth=None) -> int:
    """Citations presented as the guest's words (:func:`labelled_guest`) that the turn maps do not give to
    the guest: some fragment of the quote is in no guest paragraph of the cited interview."""
    return sum(labelled_guest(c, truth) and not said_by(c, "guest", chunks_by_id, truth) for c in _citations(answer))


def verdict_of(answer: Mapping) -> str | None:
    """The answer's verdict ("yes" | "no"), None when it gives none."""
    v = str(answer.get("verdict") or "").strip().lower()
    return v if v in ("yes", "no") else None


def trap_correct(answer: Mapping, chunks_by_id: Mapping[str, Mapping], expected_role: str, gold: Sequence[str],
                 truth=None) -> bool:
    """A who-said trap (words said by the host or an editor's note, asked as if the guest said them) is
    answered correctly when the answer cites, labelled with `expected_role`, a passage containing a gold
    substring whose quote that role really said (turn maps); no guest-labelled citation contains a gold
    substring (in its quote or its passage); and its verdict, if it gives one, is "no"."""
    cits = _citations(answer)
    right = any(
        c.get("role") == expected_role and said_by(c, expected_role, chunks_by_id, truth)
        and chunk_contains_gold(c.get("chunk_id"), chunks_by_id, gold)
        for c in cits
    )
    wrong = any(
        labelled_guest(c, truth)
        and (chunk_contains_gold(c.get("chunk_id"), chunks_by_id, gold)
             or any(normalize_for_match(g) in normalize_for_match(c.get("quote") or "") for g in gold))
        for c in cits
    )
    return right and not wrong and verdict_of(answer) in (None, "no")


def who_said_correct(answer: Mapping, item: Mapping, chunks_by_id: Mapping[str, Mapping], truth=None) -> bool:
    """who_said items: expected "no" -> :func:`trap_correct`; expected "yes" -> a guest-labelled citation
    of a passage containing gold that the guest really said, and no "no" verdict."""
    gold = item.get("gold_substrings") or []
    if (item.get("expected_verdict") or "no") == "no":
        return trap_correct(answer, chunks_by_id, item.get("expected_role") or "", gold, truth)
    return verdict_of(answer) in (None, "yes") and any(
        labelled_guest(c, truth) and said_by(c, "guest", chunks_by_id, truth)
        and chunk_contains_gold(c.get("chunk_id"), chunks_by_id, gold) for c in _citations(answer))


def attribution_errors(answer: Mapping, chunks_by_id: Mapping[str, Mapping], item: Mapping | None = None,
                       truth=None) -> int:
    """Citations attributed wrongly by the outside truth, each counted once: its role or speaker differs from
    the cited chunk's (curated, :func:`misattributed_citations`), or it presents as the guest's words a quote
    the turn maps do not give to him (:func:`misattributed_guest_citations`); plus 1 if `item` is a who-said
    trap (expected verdict "no") answered wrongly (:func:`trap_correct`)."""
    n = sum(bool(misattributed_citations({"citations": [c]}, chunks_by_id)
                 or misattributed_guest_citations({"citations": [c]}, chunks_by_id, truth)) for c in _citations(answer))
    if item is not None and _is_trap(item):
        n += not trap_correct(answer, chunks_by_id, item.get("expected_role") or "", item.get("gold_substrings") or [],
                              truth)
    return n


def _is_trap(item: Mapping) -> bool:
    return (str(item.get("kind", "")).startswith("trap")
            or (item.get("kind") == "who_said" and (item.get("expected_verdict") or "no") == "no"))


def answer_quote_counts(answer: Mapping, chunk_texts_by_id: Mapping, min_chars: int = 12) -> tuple[int, int]:
    """(quoted spans in the answer text found verbatim in a cited chunk, quoted spans of >= min_chars).

    Short quoted words (scare quotes, titles) are ignored; elided quotes match fragment by fragment."""
    texts = [_text_of(chunk_texts_by_id.get(c.get("chunk_id"))) for c in _citations(answer)]
    for c in _citations(answer):
        if c.get("original_chunk_id"):
            texts.append(_text_of(chunk_texts_by_id.get(c["original_chunk_id"])))
    quotes = extract_quotes(answer.get("answer") or "", min_chars=min_chars)
    ok = sum(any(is_verbatim(q, t) for t in texts) for q in quotes)
    return ok, len(quotes)


# --------------------------------------------------------------------------------------------
# The answer layer: is the right passage quoted, is the rest filler, does the first line answer?
# --------------------------------------------------------------------------------------------

def answer_hit(answer: Mapping, chunks_by_id: Mapping[str, Mapping], gold: Sequence[str]) -> float:
    """1.0 when a gold passage is quoted in the answer: some citation's chunk, or a chunk linked to it (the
    same passage in another language), contains a gold substring. Retrieved-but-not-cited does not count."""
    return 1.0 if any(chunk_contains_gold(c.get("chunk_id"), chunks_by_id, gold) for c in _citations(answer)) else 0.0


QUOTE_HIT_CHARS = 30  # fixed a priori, not chosen on any eval question


def quote_hit(answer: Mapping, gold: Sequence[str]) -> float:
    """1.0 when a quote holds the point, not just its passage: some citation's quoted words, or the original
    they render, contain the first or the last QUOTE_HIT_CHARS characters of a gold substring (a shorter one
    whole; NFKC + whitespace normalised). A quote stopping one sentence before the point misses."""
    ends = set()
    for g in gold:
        g = normalize_for_match(g)
        if g:
            ends.update((g[:QUOTE_HIT_CHARS], g[-QUOTE_HIT_CHARS:]))
    for c in _citations(answer):
        original = c.get("original")
        texts = [c.get("quote") or "", (original.get("quote") if isinstance(original, Mapping) else original) or ""]
        if any(e in normalize_for_match(t) for t in texts if t for e in ends):
            return 1.0
    return 0.0


# Function words never count as shared content. Fixed a priori (general English function words and
# spoken fillers; CJK particles, pronouns and copulas), not chosen on any eval question.
EN_FUNCTION_WORDS = frozenset("""
a about above after again against all also am an and any are aren as at be because been before being below
between both but by can cannot could couldn did didn do does doesn doing don down during each even few for from
further get gets getting going got had hadn has hasn have haven having he her here hers herself him himself his
how i if in into is isn it its itself just know let like lot lots may me mean might more most much must my
myself no nor not now of off oh ok okay on once one only or other our ours ourselves out over own really said
same say says she should shouldn so some something such than that the their theirs them themselves then there
these they thing things think this those through to too under until up us very was wasn way we well were weren
what when where which while who whom why will with won would wouldn yeah yes yet you your yours yourself
yourselves
""".split())
CJK_FUNCTION_CHARS = frozenset(
    "的了是在我你他她它們们这這那就也都而和与與及或不没沒有个個说說会會能要把被对對从從为為以之其所于於"
    "很还還又再已但并並吗嗎呢吧啊些哪什么麼怎样樣着著过過一")
_LATIN = re.compile(r"[a-z0-9]+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u30a1-\u30fa\u30fc]+")


def content_words(text: str) -> set[str]:
    """Content-bearing units of `text` (NFKC, lower-cased): Latin words of 3+ letters that are not
    :data:`EN_FUNCTION_WORDS` (a plural "s"/"ies" folded), numbers of 2+ digits, and character bigrams inside
    runs of Han or katakana characters (hiragana and punctuation break runs) that contain no
    :data:`CJK_FUNCTION_CHARS`."""
    t = unicodedata.normalize("NFKC", text or "").lower().replace("’", "'")
    out: set[str] = set()
    for w in _LATIN.findall(t):
        if w.isdigit():
            if len(w) >= 2:
                out.add(w)
            continue
        if len(w) < 3 or w in EN_FUNCTION_WORDS:
            continue
        if w.endswith("ies") and len(w) > 4:
            w = w[:-3] + "y"
        elif w.endswith("s") and not w.endswith("ss") and len(w) > 3:
            w = w[:-1]
        out.add(w)
    for run in _CJK_RUN.findall(t):
        for i in range(len(run) - 1):
            bg = run[i:i + 2]
            if not (set(bg) & CJK_FUNCTION_CHARS):
                out.add(bg)
    return out


def gold_passage_texts(gold: Sequence[str], truth, interview: str | None = None) -> list[str]:
    """The texts of the gold passages by the turn maps: every curated paragraph containing a gold substring,
    with its linked translations."""
    seen: dict = {}
    for g in gold:
        for p in truth.containing(g, interview):
            for q in truth.passage(p):
                seen.setdefault(q.key, q.text)
    return list(seen.values())


def filler_counts(answer: Mapping, chunks_by_id: Mapping[str, Mapping], gold: Sequence[str],
                  gold_texts: Sequence[str]) -> tuple[int, int]:
    """(filler quotes, quotes) of one answer; a quote is one citation.

    A quote is FILLER when both hold: (1) its cited passage contains no gold substring (the cited chunk and
    the chunks linked to it, as in :func:`answer_hit`), and (2) its quote shares no content word
    (:func:`content_words`) with any gold passage text (`gold_texts`, :func:`gold_passage_texts`: the curated
    paragraphs holding a gold substring and their translations). An item without gold (unanswerable) has
    only filler quotes; the report counts filler over answerable items."""
    gold_words: set[str] = set()
    for t in gold_texts:
        gold_words |= content_words(t)
    filler = 0
    cits = _citations(answer)
    for c in cits:
        if chunk_contains_gold(c.get("chunk_id"), chunks_by_id, gold):
            continue
        if content_words(c.get("quote") or "") & gold_words:
            continue
        filler += 1
    return filler, len(cits)


def both_sides(answer: Mapping, chunks_by_id: Mapping[str, Mapping], gold_by_interview: Mapping[str, Sequence[str]]
               ) -> float:
    """Compare questions: 1.0 when, for every interview in `gold_by_interview`, some citation's passage
    contains one of that interview's gold substrings (see :func:`answer_hit`)."""
    if not gold_by_interview:
        return 0.0
    return 1.0 if all(answer_hit(answer, chunks_by_id, spans) for spans in gold_by_interview.values()) else 0.0


def verdict_line(answer: Mapping) -> float:
    """yes_no / who_said questions: 1.0 when the answer states a verdict (its `verdict` field is yes or no)."""
    return 1.0 if verdict_of(answer) else 0.0


def verdict_correct(answer: Mapping, expected: str) -> float:
    """1.0 when the answer's verdict equals the expected one (no verdict is wrong)."""
    return 1.0 if verdict_of(answer) == expected else 0.0


def first_line(answer: Mapping) -> str:
    """The first non-blank line of the answer text."""
    return next((ln for ln in (answer.get("answer") or "").splitlines() if ln.strip()), "")


def figure_in_first_line(answer: Mapping, figures: Sequence[str]) -> float:
    """number / date questions: 1.0 when one of the expected figures (verbatim forms of it in the passage,
    any language) is in the answer's first line (NFKC + whitespace-normalised containment)."""
    line = normalize_for_match(first_line(answer))
    return 1.0 if any(normalize_for_match(f) and normalize_for_match(f) in line for f in figures) else 0.0


# --------------------------------------------------------------------------------------------
# Abstention, language, chrF
# --------------------------------------------------------------------------------------------

def abstained(answer: Mapping) -> bool:
    """An answer abstains when it is not grounded (it says the interviews don't answer the question)."""
    return not bool(answer.get("grounded"))


def abstention_scores(abstentions: Iterable[bool], answerable: Iterable[bool]) -> dict:
    """Abstention as a classifier, positive = abstained; unanswerable items should abstain.

    Returns precision, recall, f1 (None when undefined: no abstentions / no unanswerable items),
    the confusion counts and answerable coverage (share of answerable items not abstained)."""
    pairs = list(zip(abstentions, answerable))
    tp = sum(a and not ans for a, ans in pairs)
    fp = sum(a and ans for a, ans in pairs)
    fn = sum((not a) and (not ans) for a, ans in pairs)
    n_ans = sum(ans for _, ans in pairs)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    if precision is None or recall is None:
        f1 = None
    else:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    coverage = (n_ans - fp) / n_ans if n_ans else None
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn,
            "answerable_coverage": coverage}


def answer_language_match(answer: Mapping, lang: str) -> float:
    """1.0 if the answer's declared language equals the question's language."""
    return 1.0 if answer.get("answer_lang") == lang else 0.0


_CHRF = None


def chrf(hypothesis: str, reference: str) -> float:
    """Sentence chrF (0-100) with sacrebleu, character n-grams only (word_order=0: CJK has no spaces;
    whitespace ignored), char_order 6 with effective-order fallback for short strings. Report only."""
    global _CHRF
    if not hypothesis or not reference:
        return 0.0
    if _CHRF is None:
        from sacrebleu.metrics import CHRF

        _CHRF = CHRF(char_order=6, word_order=0, beta=2, whitespace=False, eps_smoothing=False)
    return float(_CHRF.sentence_score(hypothesis, [reference]).score)


# --------------------------------------------------------------------------------------------
# Aggregation
# --------------------------------------------------------------------------------------------

def mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


RETRIEVAL_METRICS = ("hit@1", "hit@5", "recall@10", "mrr@10", "ndcg@10")
# Answer-layer rates: the mean over the items that have them (see item_metrics for which).
ANSWER_RATES = ("answer_hit", "quote_hit", "both_sides", "verdict_line", "verdict_correct", "figure_first_line",
                "who_said_correct")


def gold_languages(item: Mapping, chunks_by_id: Mapping[str, Mapping], truth=None) -> list[str]:
    """The languages the gold passage exists in (the turn maps' paragraphs holding gold and their
    translations; the store's chunks when `truth` does not know the interview)."""
    gold = item.get("gold_substrings") or []
    if truth is not None:
        langs = set()
        for g in gold:
            for p in truth.containing(g, item.get("interview")):
                langs |= {q.lang for q in truth.passage(p)}
        if langs or not gold:
            return sorted(langs)
    langs = set()
    for cid, c in chunks_by_id.items():
        if chunk_contains_gold(cid, chunks_by_id, gold):
            langs.add(c.get("lang"))
    return sorted(x for x in langs if x)


def item_metrics(item: Mapping, answer: Mapping, chunks_by_id: Mapping[str, Mapping], *, truth=None,
                 gold_texts: Sequence[str] | None = None) -> dict:
    """Every per-item metric of one answer to one eval item, except the retrieval metrics (hit@k, MRR,
    nDCG, recall: evals.ir computes them with ranx over the whole run and adds them to these dicts).

    `truth` (evals.truth.Truth) is the outside truth for attribution and gold passages; `gold_texts`
    defaults to :func:`gold_passage_texts` from it."""
    gold = list(item.get("gold_substrings") or [])
    kind = str(item.get("kind", ""))
    m: dict = {}
    qv_ok, qv_n = quote_verbatim_counts(answer, chunks_by_id)
    cv_ok, cv_n = citation_valid_counts(answer, chunks_by_id)
    aq_ok, aq_n = answer_quote_counts(answer, chunks_by_id)
    if gold_texts is None:
        gold_texts = gold_passage_texts(gold, truth, item.get("interview")) if truth is not None else []
    fl, fl_n = filler_counts(answer, chunks_by_id, gold, gold_texts)
    m["quote_verbatim"] = qv_ok / qv_n if qv_n else 1.0
    m["citation_valid"] = cv_ok / cv_n if cv_n else 1.0
    m["_counts"] = {"quote_ok": qv_ok, "citations": qv_n, "citation_ok": cv_ok, "answer_quote_ok": aq_ok,
                    "answer_quotes": aq_n, "filler": fl, "quotes": fl_n}
    m["mislabelled_guest"] = mislabelled_guest_citations(answer, chunks_by_id)
    m["misattributed"] = misattributed_citations(answer, chunks_by_id)
    m["guest_misattributed"] = misattributed_guest_citations(answer, chunks_by_id, truth)
    if _is_trap(item):
        m["trap_correct"] = 1.0 if trap_correct(answer, chunks_by_id, item.get("expected_role") or "", gold, truth) else 0.0
    m["attribution_errors"] = attribution_errors(answer, chunks_by_id, item, truth)
    m["abstained"] = abstained(answer)
    m["answer_language_match"] = answer_language_match(answer, item.get("lang", "en"))
    if item.get("answerable"):
        m["chrf"] = chrf(answer.get("answer") or "", item.get("reference_answer") or "")
        if gold:
            m["answer_hit"] = answer_hit(answer, chunks_by_id, gold)
            m["quote_hit"] = quote_hit(answer, gold)
    if kind == "compare":
        m["both_sides"] = both_sides(answer, chunks_by_id, item.get("gold_by_interview") or {})
    if kind in ("yes_no", "who_said") and item.get("expected_verdict"):
        m["verdict_line"] = verdict_line(answer)
        m["verdict_correct"] = verdict_correct(answer, item["expected_verdict"])
    if kind == "who_said":
        m["who_said_correct"] = 1.0 if who_said_correct(answer, item, chunks_by_id, truth) else 0.0
    if kind in ("number", "date"):
        m["figure_first_line"] = figure_in_first_line(answer, item.get("expected_figures") or [])
    m["_gold_langs"] = gold_languages(item, chunks_by_id, truth) if gold else []
    return m


def aggregate(rows: Sequence[Mapping]) -> dict:
    """Aggregate per-item rows ({"item": ..., "metrics": ...}) into one metric dict.

    Retrieval metrics: mean over answerable items with gold (once evals.ir has added them).
    quote_verbatim / citation_valid / answer_quote_verbatim: micro-averaged over citations (1.0 when none).
    filler_rate: filler quotes / quotes over answerable items (None without quotes). Answer-layer rates
    (:data:`ANSWER_RATES`): mean over the items that have them. Attribution counts: sums. Abstention:
    precision/recall/f1 over all items; refused_with_gold_first counts answerable items that abstained
    although a gold passage ranked first. chrF: mean over answerable items."""
    out: dict = {"n_items": len(rows)}
    for name in RETRIEVAL_METRICS:
        out[name] = mean(r["metrics"].get(name) for r in rows)
    out["n_retrieval"] = sum(r["metrics"].get("hit@5") is not None for r in rows)
    counts = [r["metrics"]["_counts"] for r in rows]
    cits = sum(c["citations"] for c in counts)
    out["citations"] = cits
    out["quote_verbatim"] = sum(c["quote_ok"] for c in counts) / cits if cits else 1.0
    out["citation_valid"] = sum(c["citation_ok"] for c in counts) / cits if cits else 1.0
    aq = sum(c["answer_quotes"] for c in counts)
    out["answer_quote_verbatim"] = sum(c["answer_quote_ok"] for c in counts) / aq if aq else 1.0
    ans_counts = [r["metrics"]["_counts"] for r in rows if r["item"].get("answerable")]
    quotes = sum(c.get("quotes", 0) for c in ans_counts)
    out["filler_rate"] = sum(c.get("filler", 0) for c in ans_counts) / quotes if quotes else None
    out["quotes_per_answer"] = quotes / len(ans_counts) if ans_counts else None
    for name in ANSWER_RATES:
        out[name] = mean(r["metrics"].get(name) for r in rows)
    out["mislabelled_guest"] = sum(r["metrics"]["mislabelled_guest"] for r in rows)
    out["misattributed"] = sum(r["metrics"].get("misattributed", 0) for r in rows)
    out["guest_misattributed"] = sum(r["metrics"].get("guest_misattributed", 0) for r in rows)
    traps = [r for r in rows if "trap_correct" in r["metrics"]]
    out["traps"] = len(traps)
    out["traps_wrong"] = sum(1 - int(r["metrics"]["trap_correct"]) for r in traps)
    out["attribution_errors"] = sum(r["metrics"]["attribution_errors"] for r in rows)
    ab = abstention_scores([r["metrics"]["abstained"] for r in rows], [bool(r["item"].get("answerable")) for r in rows])
    out["abstention_precision"] = ab["precision"]
    out["abstention_recall"] = ab["recall"]
    out["abstention_f1"] = ab["f1"]
    out["answerable_coverage"] = ab["answerable_coverage"]
    out["n_unanswerable"] = sum(not r["item"].get("answerable") for r in rows)
    out["refused_with_gold_first"] = sum(bool(r["item"].get("answerable") and r["metrics"]["abstained"]
                                              and r["metrics"].get("hit@1") == 1.0) for r in rows)
    out["answer_language_match"] = mean(r["metrics"]["answer_language_match"] for r in rows)
    out["chrf"] = mean(r["metrics"].get("chrf") for r in rows)
    return out


def aggregate_by_lang(rows: Sequence[Mapping]) -> dict:
    """{"overall": ..., "en": ..., "ja": ..., "zh": ...} (languages of the questions)."""
    out = {"overall": aggregate(rows)}
    for lang in LANGS:
        sub = [r for r in rows if r["item"].get("lang") == lang]
        if sub:
            out[lang] = aggregate(sub)
    return out


def pair_key(row: Mapping) -> str | None:
    """"<question lang>><gold passage langs>", e.g. "en>zh" (a Chinese-only passage asked in English) or
    "ja>en+ja"; None for items without gold."""
    langs = row["metrics"].get("_gold_langs") or []
    return f"{row['item'].get('lang')}>{'+'.join(langs)}" if langs else None


def summarize(rows: Sequence[Mapping]) -> dict:
    """Every scope the report and the gate read: "overall", "en" / "ja" / "zh", "kind:<kind>",
    "kind:<kind>:<lang>" and "pair:<question lang>><gold passage langs>" (answerable items with gold)."""
    out = aggregate_by_lang(rows)
    by_kind: dict[str, list] = {}
    for r in rows:
        by_kind.setdefault(str(r["item"].get("kind")), []).append(r)
    for kind, sub in sorted(by_kind.items()):
        out[f"kind:{kind}"] = aggregate(sub)
        for lang in LANGS:
            part = [r for r in sub if r["item"].get("lang") == lang]
            if part:
                out[f"kind:{kind}:{lang}"] = aggregate(part)
    by_pair: dict[str, list] = {}
    for r in rows:
        key = pair_key(r)
        if key and r["item"].get("answerable"):
            by_pair.setdefault(key, []).append(r)
    for key, sub in sorted(by_pair.items()):
        out[f"pair:{key}"] = aggregate(sub)
    return out
