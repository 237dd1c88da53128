"""Unit tests for evals/metrics.py (pure functions, no index) plus the gate/calibration helpers."""

from __future__ import annotations

import itertools
import json
import math

import pytest

from evals import metrics as M
from evals.baseline import first_sentences, true_role
from evals.ir import paired_test, passage_units, ranked_passages, score_rows, significance
from evals.runner import DEFAULT_THRESHOLDS, choose_threshold, gate

HOST_TEXT = "Everyone’s distilling everything. We just found out in this trial that Grok was distilled from a number of models."
GUEST_TEXT = "There’s definitely lots of shortcuts to the frontier. But it’s very unclear that they would then be able to surpass that teacher."
GUEST_JA = "しかし、その生徒モデルが、その教師モデルを上回る能力を持つことができるのかについては、非常に不透明です。"

CHUNKS = {
    "v:en:host": {"chunk_id": "v:en:host", "lang": "en", "role": "host", "text": HOST_TEXT, "linked_ids": []},
    "v:en:guest": {"chunk_id": "v:en:guest", "lang": "en", "role": "guest", "text": GUEST_TEXT, "linked_ids": ["v:ja:guest"]},
    "v:ja:guest": {"chunk_id": "v:ja:guest", "lang": "ja", "role": "guest", "text": GUEST_JA, "linked_ids": ["v:en:guest"]},
    "v:en:other": {"chunk_id": "v:en:other", "lang": "en", "role": "guest", "text": "Great to be with you again.", "linked_ids": []},
}


def retrieved(*ids, linked=None):
    linked = linked or {}
    return [{"chunk_id": i, "lang": CHUNKS[i]["lang"], "role": CHUNKS[i]["role"], "text": CHUNKS[i]["text"],
             "linked": [{"chunk_id": j, "lang": CHUNKS[j]["lang"], "text": CHUNKS[j]["text"]} for j in linked.get(i, [])]}
            for i in ids]


def cite(chunk_id, quote, role=None, lang=None, **extra):
    c = CHUNKS[chunk_id]
    return {"chunk_id": chunk_id, "interview": "v", "speaker": "x", "role": role or c["role"],
            "lang": lang or c["lang"], "quote": quote, "original": None, **extra}


def answer(citations, ret=None, **kw):
    base = {"question": "q", "answer": "", "answer_lang": "en", "grounded": True, "mode": "extractive",
            "notice": None, "citations": citations,
            "retrieved": ret if ret is not None else retrieved("v:en:guest", "v:en:host")}
    base.update(kw)
    return base


# --- retrieval -------------------------------------------------------------------------------

GOLD = ["would then be able to surpass that teacher", "その教師モデルを上回る能力を持つ"]


def _scored(items_and_answers, chunks=CHUNKS):
    rows = [{"item": it, "answer": a, "metrics": {"_counts": {}}} for it, a in items_and_answers]
    score_rows(rows, chunks)
    return [r["metrics"] for r in rows]


def _q(i, gold=GOLD):
    return {"id": f"q{i}", "lang": "en", "kind": "fact", "answerable": True, "gold_substrings": list(gold)}


def test_ranx_hit_mrr_ndcg_recall_over_passages():
    m = _scored([
        (_q(1), answer([], ret=retrieved("v:en:other", "v:en:host", "v:en:guest"))),
        (_q(2), answer([], ret=retrieved("v:en:guest"))),
        (_q(3), answer([], ret=retrieved("v:en:other"))),
        (_q(4), answer([], ret=[])),
    ])
    assert (m[0]["hit@1"], m[0]["hit@5"], m[0]["_rank"]) == (0.0, 1.0, 3)
    assert m[0]["mrr@10"] == pytest.approx(1 / 3)
    assert m[0]["ndcg@10"] == pytest.approx(1 / math.log2(4))
    assert (m[1]["hit@1"], m[1]["mrr@10"], m[1]["ndcg@10"], m[1]["recall@10"]) == (1.0, 1.0, 1.0, 1.0)
    assert (m[2]["hit@5"], m[2]["mrr@10"], m[2]["_rank"]) == (0.0, 0.0, None)
    assert (m[3]["hit@5"], m[3]["recall@10"]) == (0.0, 0.0)


def test_a_passage_and_its_translation_are_one_unit():
    units = passage_units(CHUNKS)
    assert units["v:en:guest"] == units["v:ja:guest"] != units["v:en:host"]
    # the Japanese version ranked first counts as the passage; the English one after it is the same passage
    m = _scored([(_q(1, ["その教師モデルを上回る能力を持つ"]), answer([], ret=retrieved("v:ja:guest", "v:en:guest")))])[0]
    assert m["hit@1"] == 1.0 and m["_n_relevant"] == 1 and m["recall@10"] == 1.0
    assert ranked_passages(answer([], ret=retrieved("v:ja:guest", "v:en:guest", "v:en:host")), units) == [
        units["v:en:guest"], "v:en:host"]
    # gold in two different passages: finding one of them is recall 0.5
    two = _scored([(_q(2, ["Grok was distilled", "surpass that teacher"]), answer([], ret=retrieved("v:en:host")))])[0]
    assert two["recall@10"] == 0.5 and two["hit@1"] == 1.0


def test_gold_containment_tolerates_whitespace_only():
    chunks = {"a": {"text": "they would  then be able\nto surpass that teacher", "linked_ids": []},
              "b": {"text": "they would then be able to surpass the teacher", "linked_ids": []}}
    m = _scored([(_q(1), answer([], ret=[{"chunk_id": "a"}])), (_q(2), answer([], ret=[{"chunk_id": "b"}]))], chunks)
    assert m[0]["hit@1"] == 1.0 and m[1]["hit@1"] == 0.0


def test_paired_test_detects_a_better_system_and_not_an_equal_one():
    def rows(scores):
        return [{"item": {"id": f"q{i}", "lang": "en"}, "metrics": {"mrr@10": s}} for i, s in enumerate(scores)]

    prod = rows([1, 1, 1, 0.5, 1, 1, 0.5, 1, 1, 1, 1, 0.5])
    base = rows([0, 0.5, 0, 0, 1, 0, 0.5, 0.33, 0, 1, 0, 0])
    got = paired_test(prod, base, "mrr@10")
    assert got["n"] == 12 and got["delta"] > 0 and got["p"] < 0.01 and got["better_p"] == got["p"]
    worse = paired_test(base, prod, "mrr@10")
    assert worse["p"] == got["p"] and worse["better_p"] == 1.0
    assert paired_test(prod, prod, "mrr@10")["p"] == 1.0
    sig = significance(prod, base)
    assert sig["en"]["mrr@10"]["better_p"] < 0.05 and sig["ja"]["mrr@10"] is None


# --- quotes ----------------------------------------------------------------------------------

def test_quote_verbatim_exact_and_one_char_changed():
    quote = "But it’s very unclear that they would then be able to surpass that teacher."
    assert M.quote_verbatim(answer([cite("v:en:guest", quote)]), CHUNKS) == 1.0
    changed = quote.replace("unclear", "uncleer")
    assert M.quote_verbatim(answer([cite("v:en:guest", changed)]), CHUNKS) < 1.0
    # straight apostrophe instead of the corpus's curly one is not verbatim either
    assert M.quote_verbatim(answer([cite("v:en:guest", quote.replace("’", "'"))]), CHUNKS) < 1.0
    mixed = answer([cite("v:en:guest", quote), cite("v:en:host", "Grok was distilled from many models")])
    assert M.quote_verbatim(mixed, CHUNKS) == 0.5
    assert M.quote_verbatim(answer([]), CHUNKS) == 1.0
    # plain id -> text mapping works too
    assert M.quote_verbatim(answer([cite("v:en:guest", quote)]), {"v:en:guest": GUEST_TEXT}) == 1.0


def test_quote_verbatim_checks_original_and_elisions():
    ok = cite("v:ja:guest", "その教師モデルを上回る能力", original={"lang": "en", "quote": "surpass that teacher"},
              original_chunk_id="v:en:guest")
    assert M.quote_verbatim(answer([ok]), CHUNKS) == 1.0
    bad = dict(ok, original={"lang": "en", "quote": "surpass the teacher"})
    assert M.quote_verbatim(answer([bad]), CHUNKS) == 0.0
    assert M.is_verbatim("There’s definitely lots … surpass that teacher", GUEST_TEXT)
    assert not M.is_verbatim("surpass that teacher … There’s definitely", GUEST_TEXT)  # out of order


def test_extract_quotes_handles_cjk_and_straight_quotes():
    text = ('He said “We can exceed the teacher.” Then 「教師モデルを超える」 and 『二重』, '
            'also "straight quote here" and \'single one\' but don\'t split Suleyman\'s words. 「外『内』外」')
    got = M.extract_quotes(text)
    assert "We can exceed the teacher." in got
    assert "教師モデルを超える" in got
    assert "二重" in got
    assert "straight quote here" in got
    assert "single one" in got
    assert "外『内』外" in got and "内" not in got  # outermost pair wins
    assert not any("t split" in q for q in got)
    assert M.extract_quotes("unclosed “quote here") == []
    assert M.extract_quotes("“ab” and “a longer quote”", min_chars=5) == ["a longer quote"]


def test_answer_quote_counts():
    a = answer([cite("v:en:guest", GUEST_TEXT)], answer="He said: “it’s very unclear that they would then be able”.")
    assert M.answer_quote_counts(a, CHUNKS) == (1, 1)
    a["answer"] = "He said: “it is very unclear that they could surpass it”."
    assert M.answer_quote_counts(a, CHUNKS) == (0, 1)


# --- citations & attribution -----------------------------------------------------------------

def test_citation_valid_swapped_id_and_lang():
    good = answer([cite("v:en:guest", "surpass that teacher")])
    assert M.citation_valid(good, CHUNKS) == 1.0
    swapped = answer([cite("v:en:guest", "surpass that teacher"), cite("v:en:other", "Great to be with you again.")])
    assert M.citation_valid(swapped, CHUNKS) == 0.5  # v:en:other was not retrieved
    unknown = answer([dict(cite("v:en:guest", "x"), chunk_id="v:en:nope")])
    assert M.citation_valid(unknown, CHUNKS) == 0.0
    wrong_lang = answer([cite("v:en:guest", "surpass that teacher", lang="ja")])
    assert M.citation_valid(wrong_lang, CHUNKS) == 0.0
    via_link = answer([cite("v:ja:guest", "教師モデル")], ret=retrieved("v:en:guest", linked={"v:en:guest": ["v:ja:guest"]}))
    assert M.citation_valid(via_link, CHUNKS) == 1.0
    assert M.citation_valid(answer([]), CHUNKS) == 1.0


def test_host_quote_labelled_guest_is_an_attribution_error():
    fine = answer([cite("v:en:host", "Grok was distilled from a number of models.")])
    assert M.attribution_errors(fine, CHUNKS) == 0
    bad = answer([cite("v:en:host", "Grok was distilled from a number of models.", role="guest")])
    assert M.attribution_errors(bad, CHUNKS) > 0
    assert M.mislabelled_guest_citations(bad, CHUNKS) == 1


def test_trap_items():
    item = {"kind": "trap_host", "expected_role": "host", "gold_substrings": ["Grok was distilled from a number of models"]}
    right = answer([cite("v:en:host", "Grok was distilled from a number of models."), cite("v:en:guest", "surpass that teacher")])
    assert M.trap_correct(right, CHUNKS, "host", item["gold_substrings"])
    assert M.attribution_errors(right, CHUNKS, item) == 0
    missing = answer([cite("v:en:guest", "surpass that teacher")])
    assert M.attribution_errors(missing, CHUNKS, item) == 1
    assert M.attribution_errors(answer([]), CHUNKS, item) == 1  # abstaining is not the right answer to a trap
    as_guest = answer([cite("v:en:host", "Grok was distilled from a number of models."),
                       cite("v:en:host", "Grok was distilled from a number of models.", role="guest")])
    assert M.attribution_errors(as_guest, CHUNKS, item) == 2  # one mislabel + the trap


# --- outside truth: the curated turn maps ----------------------------------------------------------

VERGE = "verge-decoder-2026-06-08"
REAL_HOST = "We just found out in this trial that Grok was distilled from a number of models."
REAL_GUEST = "But it’s very unclear that they would then be able to surpass that teacher."
# An index that got the roles wrong: the host's words stored as the guest's.
BAD_INDEX = {
    "x:host": {"chunk_id": "x:host", "lang": "en", "role": "guest", "text": HOST_TEXT, "linked_ids": []},
    "x:guest": {"chunk_id": "x:guest", "lang": "en", "role": "guest", "text": GUEST_TEXT, "linked_ids": []},
}


def real_cite(chunk_id, quote, role="guest", speaker="Mustafa Suleyman"):
    return {"chunk_id": chunk_id, "interview": VERGE, "speaker": speaker, "role": role, "lang": "en",
            "quote": quote, "original": None}


@pytest.fixture(scope="module")
def truth():
    from evals.truth import load_truth

    return load_truth()


def test_misattribution_is_judged_by_the_turn_maps_not_the_index(truth):
    a = answer([real_cite("x:host", REAL_HOST), real_cite("x:guest", REAL_GUEST)])
    assert M.mislabelled_guest_citations(a, BAD_INDEX) == 0  # the index agrees with itself...
    assert M.misattributed_guest_citations(a, BAD_INDEX, truth) == 1  # ...the turn map says host
    assert M.attribution_errors(a, BAD_INDEX, truth=truth) == 1
    # labelled by name only (role missing) still counts as the guest's words
    by_name = answer([dict(real_cite("x:host", REAL_HOST), role="")])
    assert M.misattributed_guest_citations(by_name, BAD_INDEX, truth) == 1
    # the host's words labelled as the host's are fine; page chrome labelled guest is not
    assert M.misattributed_guest_citations(answer([real_cite("x:host", REAL_HOST, "host", "Nilay Patel")]),
                                           BAD_INDEX, truth) == 0
    chrome = answer([real_cite("x:guest", "Sign up for the newsletter and never miss a story")])
    assert M.misattributed_guest_citations(chrome, BAD_INDEX, truth) == 1
    # a quote running from the guest's words into the host's is not all the guest's
    mixed = answer([real_cite("x:guest", REAL_GUEST + "\n" + REAL_HOST)])
    assert M.misattributed_guest_citations(mixed, BAD_INDEX, truth) == 1


def test_a_quote_across_a_style_attribute_the_capture_leaked_is_still_in_its_paragraph(truth):
    # The Bloomberg capture's "keen reader" note has `, ; --tw-ring-color: …">` in the middle of a sentence;
    # the cleaned quote runs across it, and is the note's words.
    bloomberg = "bloomberg-mishal-husain-2025-12-12"
    quote = "as well as The Tech Coup: How to Save Democracy from Silicon Valley, and Gaza: An Inquest"
    assert {p.role for p in truth.containing(quote, bloomberg)} == {"editor"}


def test_who_said_items_with_truth(truth):
    index = {"x:host": dict(BAD_INDEX["x:host"], role="host"), "x:guest": BAD_INDEX["x:guest"]}  # roles right
    trap = {"kind": "who_said", "expected_verdict": "no", "expected_role": "host",
            "gold_substrings": ["Grok was distilled from a number of models"]}
    right = answer([real_cite("x:host", REAL_HOST, "host", "Nilay Patel")], verdict="no")
    assert M.who_said_correct(right, trap, index, truth) and M.attribution_errors(right, index, trap, truth) == 0
    assert not M.who_said_correct(dict(right, verdict="yes"), trap, index, truth)
    as_guest = answer([real_cite("x:host", REAL_HOST)])
    assert M.attribution_errors(as_guest, index, trap, truth) == 2  # a misattribution + the trap
    real = {"kind": "who_said", "expected_verdict": "yes", "expected_role": "guest",
            "gold_substrings": ["surpass that teacher"]}
    assert M.who_said_correct(answer([real_cite("x:guest", REAL_GUEST)], verdict="yes"), real, index, truth)
    assert not M.who_said_correct(answer([real_cite("x:guest", REAL_GUEST)], verdict="no"), real, index, truth)
    assert not M.who_said_correct(answer([real_cite("x:host", REAL_HOST)]), real, index, truth)


# --- the answer layer ----------------------------------------------------------------------------

def test_answer_hit_needs_a_cited_gold_passage():
    ret = retrieved("v:en:guest", "v:en:other")
    assert M.answer_hit(answer([cite("v:en:other", "Great to be with you again.")], ret=ret), CHUNKS, GOLD) == 0.0
    assert M.answer_hit(answer([cite("v:en:guest", "surpass that teacher")], ret=ret), CHUNKS, GOLD) == 1.0
    # the Japanese version of the gold passage, gold given only in English: linked, so a hit
    assert M.answer_hit(answer([cite("v:ja:guest", "教師モデル")]), CHUNKS, ["would then be able to surpass"]) == 1.0
    assert M.answer_hit(answer([]), CHUNKS, GOLD) == 0.0


def test_content_words():
    got = M.content_words("It’s very unclear that the models would surpass their teachers in 2014.")
    assert {"unclear", "model", "surpass", "teacher", "2014"} <= got
    assert not {"it", "the", "that", "very", "would", "their", "in"} & got
    assert "教師" in M.content_words("その教師モデルを上回る")
    assert "我們" not in M.content_words("我們的模型")  # a pronoun is no content
    assert M.content_words("Yeah, I think so.") == set()


def test_filler_rate_counts_quotes_unrelated_to_any_gold_passage():
    gold_texts = [GUEST_TEXT, GUEST_JA]
    a = answer([cite("v:en:guest", "surpass that teacher"),               # the gold passage
                cite("v:en:host", "Grok was distilled from a number of models."),  # no shared content word
                cite("v:en:other", "Great to be with you again.")])        # filler
    assert M.filler_counts(a, CHUNKS, GOLD, gold_texts) == (2, 3)
    # a non-gold passage whose quote shares a content word with the gold passage is not filler
    a2 = answer([cite("v:en:host", "Everyone’s distilling everything.")])
    assert M.filler_counts(a2, CHUNKS, GOLD, gold_texts + ["Distilling everything from the teacher"]) == (0, 1)
    assert M.filler_counts(answer([]), CHUNKS, GOLD, gold_texts) == (0, 0)


def test_both_sides_verdict_and_figure():
    chunks = dict(CHUNKS, **{"b:zh": {"chunk_id": "b:zh", "lang": "zh", "role": "guest",
                                      "text": "在未來20到30年內,機器在大多數工作中比人類更有能力", "linked_ids": []}})
    gbi = {"verge": ["surpass that teacher"], "bloomberg": ["機器在大多數工作中"]}
    one = answer([cite("v:en:guest", "surpass that teacher")])
    both = answer([cite("v:en:guest", "surpass that teacher"), dict(cite("v:en:guest", "x"), chunk_id="b:zh")])
    assert M.both_sides(one, chunks, gbi) == 0.0 and M.both_sides(both, chunks, gbi) == 1.0
    assert M.verdict_line({"verdict": "yes"}) == 1.0 and M.verdict_line({"verdict": None}) == 0.0
    assert M.verdict_line({}) == 0.0 and M.verdict_line({"verdict": "maybe"}) == 0.0
    assert M.verdict_correct({"verdict": "No"}, "no") == 1.0 and M.verdict_correct({}, "no") == 0.0
    a = {"answer": "\n$650 million, he said.\n“Google paid $650 million”"}
    assert M.first_line(a) == "$650 million, he said."
    assert M.figure_in_first_line(a, ["$650 million", "6.5億美元"]) == 1.0
    assert M.figure_in_first_line({"answer": "Header\n$650 million"}, ["$650 million"]) == 0.0
    assert M.figure_in_first_line({"answer": "昨年の　10 月です"}, ["昨年の 10 月"]) == 1.0  # NFKC + spaces


def test_item_metrics_by_kind_and_summary_scopes(truth):
    cmp_item = {"id": "c1", "lang": "ja", "kind": "compare", "answerable": True, "interview": None,
                "gold_substrings": GOLD, "gold_by_interview": {"v": GOLD}, "reference_answer": "r"}
    yn = {"id": "y1", "lang": "en", "kind": "yes_no", "answerable": True, "expected_verdict": "no",
          "gold_substrings": GOLD, "reference_answer": "r"}
    num = {"id": "n1", "lang": "zh", "kind": "number", "answerable": True, "expected_figures": ["33"],
           "gold_substrings": GOLD, "reference_answer": "r"}
    a = answer([cite("v:en:guest", "surpass that teacher")], verdict="no", answer="No.\n“surpass that teacher”")
    rows = [{"item": it, "answer": a, "metrics": M.item_metrics(it, a, CHUNKS, gold_texts=[GUEST_TEXT])}
            for it in (cmp_item, yn, num)]
    assert rows[0]["metrics"]["both_sides"] == 1.0 and "verdict_line" not in rows[0]["metrics"]
    assert rows[1]["metrics"]["verdict_correct"] == 1.0 and rows[2]["metrics"]["figure_first_line"] == 0.0
    assert rows[0]["metrics"]["_gold_langs"] == ["en", "ja"]
    score_rows(rows, CHUNKS)
    s = M.summarize(rows)
    assert {"overall", "en", "ja", "zh", "kind:compare", "kind:yes_no:en", "pair:ja>en+ja"} <= set(s)
    assert s["kind:yes_no"]["verdict_correct"] == 1.0 and s["kind:compare"]["verdict_correct"] is None
    assert s["overall"]["answer_hit"] == 1.0 and s["overall"]["filler_rate"] == 0.0
    assert s["pair:zh>en+ja"]["hit@5"] == 1.0 and s["overall"]["refused_with_gold_first"] == 0
    refused = dict(rows[1], metrics=dict(rows[1]["metrics"], abstained=True))
    assert M.aggregate([refused])["refused_with_gold_first"] == 1


# --- abstention, language, chrF --------------------------------------------------------------

def test_abstention_scores():
    s = M.abstention_scores([True, True, False, False], [False, True, False, True])
    assert s["precision"] == 0.5 and s["recall"] == 0.5 and s["f1"] == 0.5
    assert s["answerable_coverage"] == 0.5
    never = M.abstention_scores([False, False], [False, True])
    assert never["precision"] is None and never["recall"] == 0.0 and never["f1"] is None
    assert M.abstained({"grounded": False}) and not M.abstained({"grounded": True})


def test_answer_language_match():
    assert M.answer_language_match({"answer_lang": "ja"}, "ja") == 1.0
    assert M.answer_language_match({"answer_lang": "en"}, "zh") == 0.0


def test_chrf_cjk_nonzero_and_ordered():
    ref = "他说微软拥有 33 吉瓦的计算能力。"
    close = M.chrf("微软拥有 33 吉瓦的计算能力", ref)
    far = M.chrf("完全无关的句子", ref)
    assert close > 0
    assert close > far
    assert M.chrf("33 ギガワットの計算能力を持っています", "33 ギガワットの計算能力を持っており") > 0
    assert M.chrf("", ref) == 0.0
    assert M.chrf(ref, ref) == pytest.approx(100.0)


# --- aggregation, gate, calibration ----------------------------------------------------------

_IDS = itertools.count()


def _row(lang, answerable=True, **metrics):
    item = {"id": f"x{next(_IDS)}", "lang": lang, "kind": "direct", "answerable": answerable,
            "gold_substrings": GOLD if answerable else [], "reference_answer": "r"}
    a = answer(metrics.pop("citations", [cite("v:en:guest", "surpass that teacher")]), grounded=metrics.pop("grounded", True),
               answer_lang=lang)
    return {"item": item, "metrics": M.item_metrics(item, a, CHUNKS), "answer": a}


def test_aggregate_by_lang():
    rows = [_row("en"), _row("ja"), _row("en", answerable=False, grounded=False, citations=[])]
    score_rows(rows, CHUNKS)
    agg = M.aggregate_by_lang(rows)
    assert set(agg) == {"overall", "en", "ja"}
    assert agg["overall"]["hit@5"] == 1.0 and agg["overall"]["quote_verbatim"] == 1.0
    assert agg["en"]["abstention_recall"] == 1.0 and agg["en"]["abstention_precision"] == 1.0
    assert agg["ja"]["abstention_recall"] is None
    assert agg["overall"]["attribution_errors"] == 0


def test_gate_lines():
    summary = {"overall": {"quote_verbatim": 0.9, "attribution_errors": 2, "abstention_precision": None},
               "en": {"hit@5": 0.9}}
    th = {"min": {"overall.quote_verbatim": 1.0, "en.hit@5": 0.8, "overall.abstention_precision": 0.5},
          "max": {"overall.attribution_errors": 0}}
    lines = gate(summary, th)
    assert "FAILED: metric overall.quote_verbatim = 0.900 < threshold 1" in lines
    assert "FAILED: metric overall.attribution_errors = 2 > threshold 0" in lines
    assert any(line.startswith("FAILED: metric overall.abstention_precision = n/a") for line in lines)
    assert not any("en.hit@5" in line for line in lines)
    assert gate({"overall": {"quote_verbatim": 1.0}}, {"min": {"overall.quote_verbatim": 1.0}}) == []


def test_committed_thresholds_have_the_required_gates():
    th = json.loads(DEFAULT_THRESHOLDS.read_text(encoding="utf-8"))
    assert th["min"]["overall.quote_verbatim"] == 1.0
    assert th["min"]["overall.citation_valid"] == 1.0
    assert th["max"]["overall.guest_misattributed"] == 0  # judged against the turn maps
    for lang in ("en", "ja", "zh"):
        assert f"{lang}.hit@5" in th["min"] and f"{lang}.mrr@10" in th["min"]
    # abstention is reported, not gated (see the file's comment); refusing a question whose gold ranks first is
    assert th["max"]["overall.refused_with_gold_first"] <= 1
    for scope in ("overall", "en", "ja", "zh"):
        assert th["max"][f"{scope}.mrr@10_vs_baseline_p"] <= 0.05


def test_choose_threshold_max_f1_then_coverage():
    # unanswerable items score 0.2 / 0.3, answerable 0.5 / 0.9: any t in (0.3, 0.5] is perfect; the lowest wins.
    got = choose_threshold([0.2, 0.3, 0.5, 0.9], [False, False, True, True])
    assert got["f1"] == 1.0 and got["answerable_coverage"] == 1.0
    assert 0.3 < got["abstain_threshold"] <= 0.5
    assert got["abstain_threshold"] == pytest.approx(0.4)
    # overlapping scores: F1 decides, then coverage
    got = choose_threshold([0.6, 0.4, 0.5, 0.9], [False, False, True, True])
    assert got["f1"] == pytest.approx(0.8) and got["answerable_coverage"] == 0.5


def test_cross_validated_threshold_and_calibration_refuses_test_items():
    from evals.runner import calibrate, cross_validate_threshold, cv_folds

    confs = [0.2, 0.3, 0.25, 0.9, 0.8, 0.85, 0.7, 0.95, 0.35, 0.75]
    answerable = [False, False, False, True, True, True, True, True, False, True]
    cv = cross_validate_threshold(confs, answerable, [i % 5 for i in range(10)])
    assert cv["folds"] == 5 and len(cv["thresholds"]) == 5 and cv["f1"] == 1.0
    # a separable-looking set whose held-out folds disagree: CV is below the in-sample fit
    confs2 = [0.2, 0.6, 0.5, 0.9, 0.55, 0.4]
    answerable2 = [False, False, True, True, True, False]
    assert cross_validate_threshold(confs2, answerable2, [0, 1, 2, 0, 1, 2])["f1"] < choose_threshold(confs2, answerable2)["f1"]
    items = [{"id": "a", "question": "q", "history": []}, {"id": "b", "question": "r", "history": ["q"]},
             {"id": "c", "question": "s", "history": []}]
    folds = cv_folds(items, 5)
    assert folds[0] == folds[1]  # a follow-up is held out with the question its history asks
    with pytest.raises(ValueError, match="dev only"):
        calibrate(object(), [{"id": "t", "split": "test", "question": "q"}])


# --- baseline helpers ------------------------------------------------------------------------

def test_baseline_quote_is_exact_prefix_sentences():
    text = "Intro line here.\nThis is the second sentence. And a third one that is long. " + "x" * 400
    q = first_sentences(text, 300)
    assert q in text and q.startswith("Intro line here.") and len(q) <= 300
    assert first_sentences("no punctuation " * 40, 300) in "no punctuation " * 40


def test_baseline_true_role():
    class C:
        def __init__(self, text, role):
            self.text, self.role = text, role

    chunks = [C(HOST_TEXT, "host"), C(GUEST_TEXT, "guest")]
    assert true_role("There’s definitely lots of shortcuts to the frontier.", chunks) == "guest"
    assert true_role("We just found out in this trial that Grok was distilled", chunks) == "host"
    assert true_role("Sign up for the newsletter today and save", chunks) == "chrome"
    mixed = "We just found out in this trial that Grok was distilled\nThere’s definitely lots of shortcuts"
    assert true_role(mixed, chunks) == "host"


# --- LLM judge (report only) -----------------------------------------------------------------


class _FakeClient:
    """Stands in for openai.OpenAI: returns canned JSON and records the calls."""

    def __init__(self):
        self.calls = []
        outer = self

        class _Completions:
            def create(self, model, temperature, messages):
                outer.calls.append({"model": model, "temperature": temperature, "prompt": messages[0]["content"]})
                prompt = messages[0]["content"]
                content = ('{"claims": ["Suleyman said it is unclear a student can surpass the teacher", '
                           '"Suleyman said Grok was distilled"]}' if "atomic factual claims" in prompt
                           else '{"verdicts": [true, false]}')
                msg = type("M", (), {"content": content})
                return type("R", (), {"choices": [type("C", (), {"message": msg})]})

        self.chat = type("Chat", (), {"completions": _Completions()})()


def test_judge_faithfulness_with_fake_client_is_cached(tmp_path):
    from interview_qa.settings import Settings
    from evals.judge import judge_run

    settings = Settings(home=tmp_path, llm_base_url="http://fake")
    a = answer([cite("v:en:guest", "surpass that teacher")], answer="He said “surpass that teacher”.",
               ret=retrieved("v:en:guest"))
    rows = [{"item": {"id": "en-x"}, "answer": a}, {"item": {"id": "en-y"}, "answer": answer([], grounded=False)}]
    client = _FakeClient()
    got = judge_run(settings, rows, tmp_path, client=client)
    assert got["answers"] == 1 and got["claims"] == 2 and got["faithfulness"] == 0.5
    assert len(client.calls) == 2 and all(c["temperature"] == 0 for c in client.calls)
    again = judge_run(settings, rows, tmp_path, client=_FakeClient())  # served from judge-cache.json
    assert again["faithfulness"] == 0.5
    assert (tmp_path / "judge-cache.json").exists()


@pytest.mark.e2e
def test_judge_live_endpoint(tmp_path, monkeypatch, live_llm_env):
    from interview_qa.settings import Settings
    from evals.judge import judge_run

    for k, v in live_llm_env.items():
        monkeypatch.setenv(k, v)
    settings = Settings.from_env()
    faithful = answer([cite("v:en:guest", "it’s very unclear that they would then be able to surpass that teacher")],
                      answer="Suleyman said it’s very unclear that a distilled model would be able to surpass its teacher.",
                      ret=retrieved("v:en:guest"))
    got = judge_run(settings, [{"item": {"id": "live"}, "answer": faithful}], tmp_path)
    assert got["answers"] == 1 and got["claims"] >= 1
    assert got["faithfulness"] is not None and got["faithfulness"] >= 0.5


# --- attribution against outside truth (curated turn maps + manifests), not the index's labels ---------

def _real_chunk(interview_dir: str, lang: str, role: str, stored_role: str | None = None, stored_speaker=None):
    """A chunk dict like the store's, pointing at the first paragraph the curated map gives `role`."""
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "data" / "interviews" / interview_dir
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    entries = json.loads((folder / "turns.json").read_text(encoding="utf-8"))["sections"][lang]
    p = next(e for e in entries if e["role"] == role)
    from evals.truth import expected_speaker

    true_speaker = expected_speaker(role, p.get("kind", "turn"), manifest)
    return {"chunk_id": f"{manifest['id']}:{lang}:{p['p']}", "interview": manifest["id"], "section": lang,
            "lang": lang, "paragraphs": [p["p"]], "role": stored_role or role,
            "speaker": stored_speaker or true_speaker, "text": p["starts"], "linked_ids": []}, true_speaker


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_an_index_that_mislabels_an_editor_note_cannot_hide_it(lang):
    from evals.truth import curated_truth
    from interview_qa.settings import Settings

    # the index (wrongly) stored an editor's note as the guest's words, and the answer repeats that label
    chunk, truth_speaker = _real_chunk("verge-decoder-2026-06-08", lang, "editor", stored_role="guest",
                                       stored_speaker="Mustafa Suleyman")
    stored = {chunk["chunk_id"]: chunk}
    cit = {"chunk_id": chunk["chunk_id"], "role": "guest", "speaker": "Mustafa Suleyman", "lang": lang,
           "quote": chunk["text"], "interview": chunk["interview"]}
    ans = answer([cit], ret=[{"chunk_id": chunk["chunk_id"], "text": chunk["text"]}])
    assert M.attribution_errors(ans, stored) == 0  # judged by the index's own labels: invisible
    truth = curated_truth(stored, Settings.from_env().interviews_dir)
    assert truth[chunk["chunk_id"]]["role"] == "editor" and truth[chunk["chunk_id"]]["speaker"] == truth_speaker
    assert truth[chunk["chunk_id"]]["stored_role"] == "guest"
    assert M.attribution_errors(ans, truth) == 1 and M.mislabelled_guest_citations(ans, truth) == 1
    # a correct label passes against the truth
    right = answer([dict(cit, role="editor", speaker=truth_speaker)], ret=ans["retrieved"])
    assert M.attribution_errors(right, truth) == 0
    # the right role under the wrong name is an error too
    assert M.attribution_errors(answer([dict(cit, role="editor", speaker="Nilay Patel")]), truth) == 1


def test_curated_truth_leaves_uncurated_chunks_and_flags_mixed_ones():
    from evals.truth import curated_truth
    from interview_qa.settings import Settings

    guest, _ = _real_chunk("bloomberg-mishal-husain-2025-12-12", "en", "guest")
    host, _ = _real_chunk("bloomberg-mishal-husain-2025-12-12", "en", "host")
    mixed = dict(guest, chunk_id="mixed", paragraphs=guest["paragraphs"] + host["paragraphs"])
    outside = {"chunk_id": "mine", "interview": "my-talk", "section": "en", "paragraphs": [0], "role": "guest",
               "speaker": "Ada"}
    truth = curated_truth({"g": guest, "mixed": mixed, "mine": outside}, Settings.from_env().interviews_dir)
    assert truth["g"]["role"] == "guest" and truth["g"]["speaker"] == "Mustafa Suleyman"
    assert truth["mixed"]["role"] == "unknown"
    assert truth["mine"] == outside  # no curated map: the stored labels are all there is


def test_eval_cli_flags():
    from click.testing import CliRunner

    from interview_qa.cli import cli

    help_text = CliRunner().invoke(cli, ["eval", "--help"]).output
    for flag in ("--split", "--retrieval-only", "--calibrate", "--no-baseline", "--compare-embedders", "--out"):
        assert flag in help_text
    got = CliRunner().invoke(cli, ["eval", "--retrieval-only", "--split", "test"])
    assert got.exit_code != 0 and "dev split only" in got.output


def test_quote_hit_needs_the_gold_sentence_in_the_quote_not_just_its_passage():
    from evals.metrics import quote_hit

    gold = ["But it's very unclear that they would then be able to surpass that teacher."]
    stops_short = {"citations": [{"quote": "then it's true that the model might quickly fit to that distribution."}]}
    holds_end = {"citations": [{"quote": "fit to that distribution. But it's very unclear that they would"}]}
    in_original = {"citations": [{"quote": "その教師を超えられるかは不明です。",
                                  "original": {"quote": "…would then be able to surpass that teacher."}}]}
    assert quote_hit(stops_short, gold) == 0.0
    assert quote_hit(holds_end, gold) == 1.0
    assert quote_hit(in_original, gold) == 1.0
    assert quote_hit({"citations": []}, gold) == 0.0
