"""The hand-written probe set (evals/data/probes.jsonl, `python -m evals.probes`): well formed, and the rules it
checks without an index hold for every probe of those sets."""

from __future__ import annotations

import json

import pytest

from evals.probes import (PROBES_FILE, SETS, _same_figure, cites_source, compare_sides, load_probes, outcome,
                          quotes_listed, run)
from rag.types import Answer, Citation, Section


BLIND = [PROBES_FILE.with_name(f"probes_blind_{part}.jsonl") for part in "abcdefghijklmno"]
VERGE, BLOOMBERG = "verge-decoder-2026-06-08", "bloomberg-mishal-husain-2025-12-12"


@pytest.mark.parametrize("path", [PROBES_FILE] + BLIND, ids=lambda p: p.name)
def test_every_probe_names_its_set_and_what_a_right_answer_does(path):
    probes = load_probes(path)
    assert {p["set"] for p in probes} <= set(SETS)
    for p in probes:
        assert "expect" in p
        if p["set"] == "figure":
            assert isinstance(p["expect"], str) and p["expect"].strip()
        elif p["set"] == "compare":  # interview -> the guest passages that answer on its side ([]: nothing there)
            assert set(p["expect"]) == {VERGE, BLOOMBERG} and any(p["expect"].values())
            assert all(cid.startswith(iv + ":") for iv, ids in p["expect"].items() for cid in ids)
        elif p["set"] == "quoted":  # the passages that answer it
            assert p["expect"] and all(cid.split(":")[0] in (VERGE, BLOOMBERG) for cid in p["expect"])
        else:
            assert p["expect"] in ({"yes", "no"} if p["set"].endswith("verdict") else
                                   {True, False} if p["set"] in ("asks_attribution", "answered", "refused") else
                                   {"yes_no", "open", "number", "date", "compare", "who_said"})


def test_the_blind_sets_share_no_question():
    # a to e were split from each other's batches; f to i were written independently later and repeat a few natural
    # questions ("How many parameters does MAI-Thinking-1 have?")
    sets = [{p["question"] for p in load_probes(path)} for path in BLIND[:5]]
    assert all(sets) and sum(map(len, sets)) == len(set().union(*sets))


@pytest.mark.parametrize("got, expected, same", [("65 percent", "65 percent", True), ("about 65 percent", "65 percent", True),
                                                 ("65", "65 percent", True), ("２０１４", "2014", True),
                                                 ("2015", "2014", False), (None, "2014", False), ("", "2014", False),
                                                 # the same values of the same measure, in other words or languages
                                                 ("四天", "four days", True), ("65 percent", "65%", True),
                                                 ("十二個月", "18 months", False), ("1.4 倍", "30%", False)])
def test_a_figure_probe_matches_the_figure_it_expects(got, expected, same):
    assert _same_figure(got, expected) is same


def test_a_malformed_probe_is_refused(tmp_path):
    bad = tmp_path / "probes.jsonl"
    bad.write_text(json.dumps({"set": "vibes", "question": "?", "expect": 1}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a probe"):
        load_probes(bad)


@pytest.mark.parametrize("name, right", [("asks_attribution", 18), ("question_kind", 27)])
def test_the_wording_rules_keep_their_probe_counts(name, right):
    counts, misses = run([p for p in load_probes() if p["set"] == name])
    assert counts[name][0] >= right, [(p["question"], got) for p, got in misses]


def test_outcome_reads_a_did_he_say_question_as_asking_yes_or_no():
    assert outcome({"set": "question_kind", "question": "Did Suleyman say X?", "expect": "yes_no"}) == "yes_no"
    assert outcome({"set": "question_kind", "question": "Did Suleyman say X?", "expect": "who_said"}) == "who_said"


def _citation(chunk_id: str, role: str = "guest") -> Citation:
    interview, lang = chunk_id.split(":")[:2]
    return Citation(chunk_id=chunk_id, interview=interview, speaker="?", role=role, lang=lang, quote="…")


def _answer(citations: list[Citation], sections: list[Section] = (), kind: str = "open") -> Answer:
    return Answer(question="?", answer="", answer_lang="en", grounded=True, mode="extractive", notice=None,
                  citations=list(citations), retrieved=[], kind=kind, sections=list(sections))


def _compare_answer(sections: dict[str, list[str] | None]) -> Answer:
    """A compare answer quoting, per interview, these chunks (None: the section says nothing was found)."""
    citations, out = [], []
    for interview, chunk_ids in sections.items():
        indexes = []
        for cid in chunk_ids or []:
            citations.append(_citation(cid))
            indexes.append(len(citations) - 1)
        out.append(Section(interview=interview, outlet=interview, date="", citations=indexes,
                           found=chunk_ids is not None))
    return _answer(citations, out, kind="compare")


def test_a_compare_side_is_right_when_it_quotes_a_listed_turn_in_any_language_or_says_it_has_nothing(indexed_service):
    index = indexed_service.index
    probe = {"set": "compare", "question": "?", "expect": {VERGE: [f"{VERGE}:en:t036"], BLOOMBERG: []}}
    # another piece of the same turn, in its Japanese translation; the empty side says so
    assert compare_sides(probe, _compare_answer({VERGE: [f"{VERGE}:ja:t036.1"], BLOOMBERG: None}), index) == \
        {VERGE: True, BLOOMBERG: True}
    # another turn; an empty side that quotes something anyway
    assert compare_sides(probe, _compare_answer({VERGE: [f"{VERGE}:en:t038"], BLOOMBERG: [f"{BLOOMBERG}:en:t017"]}),
                         index) == {VERGE: False, BLOOMBERG: False}


def test_a_who_said_probe_is_cited_right_when_its_source_is_quoted_as_whose_it_is(indexed_service):
    index = indexed_service.index
    probe = {"set": "who_said_verdict", "question": "?", "expect": "no", "source": f"{VERGE}:en:t013",
             "speaker_role": "host"}
    assert cites_source(probe, _answer([_citation(f"{VERGE}:ja:t013", "host")]), index)  # its translation, as the host's
    assert not cites_source(probe, _answer([_citation(f"{VERGE}:ja:t013", "guest")]), index)  # shown as the guest's
    assert not cites_source(probe, _answer([_citation(f"{VERGE}:en:t015", "host")]), index)  # another passage


def test_a_quoted_probe_is_right_when_the_answer_quotes_a_listed_passage_in_any_language(indexed_service):
    index = indexed_service.index
    probe = {"set": "quoted", "question": "?", "expect": [f"{VERGE}:en:t036"]}
    assert quotes_listed(probe, _answer([_citation(f"{VERGE}:ja:t036.1", "guest")]), index)  # a piece, translated
    assert not quotes_listed(probe, _answer([_citation(f"{VERGE}:en:t038", "guest")]), index)
