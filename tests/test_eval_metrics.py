"""Unit tests for evals/metrics.py (pure functions, no index) plus the gate/calibration helpers."""

from __future__ import annotations

import json

import pytest

from evals import metrics as M
from evals.baseline import first_sentences, true_role
from evals.runner import DEFAULT_THRESHOLDS, choose_threshold, gate, relevant_units

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


def test_hit_at_k_and_linked_translation_counts():
    ret = retrieved("v:en:other", "v:en:host", "v:en:guest")
    assert M.hit_at_k(ret, GOLD, 1) == 0.0
    assert M.hit_at_k(ret, GOLD, 2) == 0.0
    assert M.hit_at_k(ret, GOLD, 5) == 1.0
    # A passage that only carries the gold in its linked translation is still a hit.
    only_linked = [{"chunk_id": "x", "text": "nothing here", "linked": [{"chunk_id": "v:ja:guest", "text": GUEST_JA}]}]
    assert M.hit_at_k(only_linked, ["その教師モデルを上回る能力を持つ"], 1) == 1.0
    assert M.hit_at_k([], GOLD, 5) == 0.0


def test_recall_mrr_ndcg():
    ret = retrieved("v:en:other", "v:en:guest")
    assert M.recall_at_k(ret, GOLD, 10) == 0.5  # the Japanese gold is not in any passage (no linked)
    ret_linked = retrieved("v:en:other", "v:en:guest", linked={"v:en:guest": ["v:ja:guest"]})
    assert M.recall_at_k(ret_linked, GOLD, 10) == 1.0
    assert M.mrr_at_k(ret, GOLD, 10) == 0.5
    assert M.mrr_at_k(retrieved("v:en:other"), GOLD, 10) == 0.0
    assert M.ndcg_at_k(retrieved("v:en:guest"), GOLD, 10) == pytest.approx(1.0)
    assert M.ndcg_at_k(ret, GOLD, 10) == pytest.approx(1 / 1.5849625, rel=1e-6)
    # Two relevant passages exist in the corpus but only one was retrieved: below 1.
    assert M.ndcg_at_k(retrieved("v:en:guest"), GOLD, 10, n_relevant=2) < 1.0
    assert M.ndcg_from_relevance([0, 0, 0], 10, n_relevant=1) == 0.0


def test_gold_containment_tolerates_whitespace_only():
    ret = [{"chunk_id": "a", "text": "they would  then be able\nto surpass that teacher"}]
    assert M.hit_at_k(ret, GOLD, 1) == 1.0
    assert M.hit_at_k([{"chunk_id": "a", "text": "they would then be able to surpass the teacher"}], GOLD, 1) == 0.0


def test_relevant_units_groups_translations():
    assert relevant_units(CHUNKS, GOLD) == 1  # en + ja guest chunks are one passage
    assert relevant_units(CHUNKS, ["Grok was distilled"]) == 1
    assert relevant_units(CHUNKS, ["not in the corpus at all"]) == 0


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

def _row(lang, answerable=True, **metrics):
    item = {"id": "x", "lang": lang, "kind": "direct", "answerable": answerable,
            "gold_substrings": GOLD if answerable else [], "reference_answer": "r"}
    a = answer(metrics.pop("citations", [cite("v:en:guest", "surpass that teacher")]), grounded=metrics.pop("grounded", True),
               answer_lang=lang)
    return {"item": item, "metrics": M.item_metrics(item, a, CHUNKS), "answer": a}


def test_aggregate_by_lang():
    rows = [_row("en"), _row("ja"), _row("en", answerable=False, grounded=False, citations=[])]
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
    assert th["max"]["overall.attribution_errors"] == 0
    for lang in ("en", "ja", "zh"):
        assert f"{lang}.hit@5" in th["min"] and f"{lang}.mrr@10" in th["min"]
    assert "overall.abstention_recall" in th["min"]


def test_choose_threshold_max_f1_then_coverage():
    # unanswerable items score 0.2 / 0.3, answerable 0.5 / 0.9: any t in (0.3, 0.5] is perfect; the lowest wins.
    got = choose_threshold([0.2, 0.3, 0.5, 0.9], [False, False, True, True])
    assert got["f1"] == 1.0 and got["answerable_coverage"] == 1.0
    assert 0.3 < got["abstain_threshold"] <= 0.5
    assert got["abstain_threshold"] == pytest.approx(0.4)
    # overlapping scores: F1 decides, then coverage
    got = choose_threshold([0.6, 0.4, 0.5, 0.9], [False, False, True, True])
    assert got["f1"] == pytest.approx(0.8) and got["answerable_coverage"] == 0.5


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
