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

import math
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


def hit_at_k(retrieved: Sequence[Mapping], gold: Sequence[str], k: int) -> float:
    """1.0 if any of the top-k passages is relevant, else 0.0."""
    return 1.0 if any(relevance(retrieved[:k], gold)) else 0.0


def recall_at_k(retrieved: Sequence[Mapping], gold: Sequence[str], k: int = 10) -> float:
    """Fraction of the item's distinct gold substrings found anywhere in the top-k (1.0 if no gold)."""
    distinct = set(gold)
    if not distinct:
        return 1.0
    found: set[str] = set()
    for p in retrieved[:k]:
        found |= gold_found(p, list(distinct))
    return len(found) / len(distinct)


def mrr_at_k(retrieved: Sequence[Mapping], gold: Sequence[str], k: int = 10) -> float:
    """Reciprocal rank of the first relevant passage within the top-k (0.0 if none)."""
    for rank, rel in enumerate(relevance(retrieved[:k], gold), start=1):
        if rel:
            return 1.0 / rank
    return 0.0


def ndcg_from_relevance(rels: Sequence[int], k: int = 10, n_relevant: int | None = None) -> float:
    """Binary nDCG@k. The ideal ranking puts min(k, n_relevant) relevant passages first; n_relevant is
    how many relevant passages the system's whole corpus holds (default: those in `rels`)."""
    rels = list(rels)[:k]
    dcg = sum(r / math.log2(i + 2) for i, r in enumerate(rels))
    ideal_n = min(k, n_relevant if n_relevant is not None else sum(rels))
    ideal_n = max(ideal_n, sum(rels))  # never below what was actually retrieved
    idcg = sum(1.0 / math.log2(i + 2) for i in range(ideal_n))
    return dcg / idcg if idcg else 0.0


def ndcg_at_k(retrieved: Sequence[Mapping], gold: Sequence[str], k: int = 10, n_relevant: int | None = None) -> float:
    """Binary nDCG@k by gold containment (see :func:`ndcg_from_relevance`)."""
    return ndcg_from_relevance(relevance(retrieved[:k], gold), k, n_relevant)


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
    """Citations labelled role "guest" whose chunk's stored role is not guest (unknown chunk = not guest)."""
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
    if chunk is None:
        return False
    texts = [chunk.get("text") or ""]
    texts += [(chunks_by_id.get(i) or {}).get("text") or "" for i in chunk.get("linked_ids") or []]
    hay = [normalize_for_match(t) for t in texts]
    return any(normalize_for_match(g) in h for g in gold for h in hay)


def trap_correct(answer: Mapping, chunks_by_id: Mapping[str, Mapping], expected_role: str, gold: Sequence[str]) -> bool:
    """A trap item (words said by the host/editor, asked as if the guest said them) is answered correctly
    when the answer cites at least one chunk whose stored role is `expected_role` and which contains a
    gold substring, and no guest-labelled citation contains a gold substring (in its quote or chunk)."""
    cits = _citations(answer)
    right = any(
        (chunks_by_id.get(c.get("chunk_id")) or {}).get("role") == expected_role
        and chunk_contains_gold(c.get("chunk_id"), chunks_by_id, gold)
        for c in cits
    )
    wrong = any(
        c.get("role") == "guest"
        and (chunk_contains_gold(c.get("chunk_id"), chunks_by_id, gold)
             or any(normalize_for_match(g) in normalize_for_match(c.get("quote") or "") for g in gold))
        for c in cits
    )
    return right and not wrong


def attribution_errors(answer: Mapping, chunks_by_id: Mapping[str, Mapping], item: Mapping | None = None) -> int:
    """Citations attributed to anyone but the cited chunk's speaker (see misattributed_citations), plus 1 if `item` is a trap (kind trap_*) answered
    wrongly (see :func:`trap_correct`)."""
    n = misattributed_citations(answer, chunks_by_id)
    if item is not None and str(item.get("kind", "")).startswith("trap"):
        n += not trap_correct(answer, chunks_by_id, item.get("expected_role") or "", item.get("gold_substrings") or [])
    return n


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


def item_metrics(item: Mapping, answer: Mapping, chunks_by_id: Mapping[str, Mapping],
                 n_relevant: int | None = None) -> dict:
    """Every per-item metric of one answer to one eval item (a row of questions.jsonl)."""
    gold = list(item.get("gold_substrings") or [])
    retrieved = list(answer.get("retrieved") or [])
    m: dict = {}
    if item.get("answerable") and gold:
        m["hit@1"] = hit_at_k(retrieved, gold, 1)
        m["hit@5"] = hit_at_k(retrieved, gold, 5)
        m["recall@10"] = recall_at_k(retrieved, gold, 10)
        m["mrr@10"] = mrr_at_k(retrieved, gold, 10)
        m["ndcg@10"] = ndcg_at_k(retrieved, gold, 10, n_relevant)
    qv_ok, qv_n = quote_verbatim_counts(answer, chunks_by_id)
    cv_ok, cv_n = citation_valid_counts(answer, chunks_by_id)
    aq_ok, aq_n = answer_quote_counts(answer, chunks_by_id)
    m["quote_verbatim"] = qv_ok / qv_n if qv_n else 1.0
    m["citation_valid"] = cv_ok / cv_n if cv_n else 1.0
    m["_counts"] = {"quote_ok": qv_ok, "citations": qv_n, "citation_ok": cv_ok, "answer_quote_ok": aq_ok,
                    "answer_quotes": aq_n}
    m["mislabelled_guest"] = mislabelled_guest_citations(answer, chunks_by_id)
    if str(item.get("kind", "")).startswith("trap"):
        m["trap_correct"] = 1.0 if trap_correct(answer, chunks_by_id, item.get("expected_role") or "", gold) else 0.0
    m["misattributed"] = misattributed_citations(answer, chunks_by_id)
    m["attribution_errors"] = m["misattributed"] + (1 - int(m.get("trap_correct", 1.0)))
    m["abstained"] = abstained(answer)
    m["answer_language_match"] = answer_language_match(answer, item.get("lang", "en"))
    if item.get("answerable"):
        m["chrf"] = chrf(answer.get("answer") or "", item.get("reference_answer") or "")
    return m


def aggregate(rows: Sequence[Mapping]) -> dict:
    """Aggregate per-item rows ({"item": ..., "metrics": ...}) into one metric dict.

    Retrieval metrics: mean over answerable items with gold. quote_verbatim / citation_valid /
    answer_quote_verbatim: micro-averaged over citations (1.0 when none). attribution_errors: sum.
    Abstention: precision/recall/f1 over all items. chrF: mean over answerable items."""
    out: dict = {"n_items": len(rows)}
    for name in RETRIEVAL_METRICS:
        out[name] = mean(r["metrics"].get(name) for r in rows)
    counts = [r["metrics"]["_counts"] for r in rows]
    cits = sum(c["citations"] for c in counts)
    out["citations"] = cits
    out["quote_verbatim"] = sum(c["quote_ok"] for c in counts) / cits if cits else 1.0
    out["citation_valid"] = sum(c["citation_ok"] for c in counts) / cits if cits else 1.0
    aq = sum(c["answer_quotes"] for c in counts)
    out["answer_quote_verbatim"] = sum(c["answer_quote_ok"] for c in counts) / aq if aq else 1.0
    out["mislabelled_guest"] = sum(r["metrics"]["mislabelled_guest"] for r in rows)
    out["misattributed"] = sum(r["metrics"].get("misattributed", 0) for r in rows)
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
