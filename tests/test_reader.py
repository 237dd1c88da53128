"""The reader, the outline and the follow-ups over the real index: what the index links is what the reader shows
side by side, the outline lists every host question of the curated turn maps, follow-ups lead to grounded answers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
INTERVIEWS = REPO / "data" / "interviews"


@pytest.fixture(scope="module")
def reading(_session_index):
    import os

    from interview_qa.settings import Settings
    from rag.reading import Reading
    from rag.service import QAService

    old = os.environ.get("INTERVIEW_QA_HOME")
    os.environ["INTERVIEW_QA_HOME"] = str(_session_index)
    try:
        service = QAService.from_settings(Settings.from_env(), build_if_missing=False, progress=False)
    finally:
        if old is None:
            os.environ.pop("INTERVIEW_QA_HOME", None)
        else:
            os.environ["INTERVIEW_QA_HOME"] = old
    return Reading(service)


@pytest.fixture(scope="module")
def jsonl_chunks(_session_index) -> list[dict]:
    """`interview-qa chunks --jsonl`, run through the real CLI."""
    import os

    from interview_qa.cli import cli

    env = {"INTERVIEW_QA_HOME": str(_session_index), "HF_HUB_OFFLINE": "1"}
    result = CliRunner().invoke(cli, ["chunks", "--jsonl"], env=env)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert rows and os.environ.get("INTERVIEW_QA_HOME") != ""  # noqa: SIM300 - the CLI saw the index
    return rows


def linked_paragraphs(rows: list[dict]) -> dict[tuple[str, str, int], list[int]]:
    """(interview, translation section, paragraph) -> the original paragraphs the index links it to."""
    out = {}
    for r in rows:
        for para, originals in r["para_links"]:
            if originals:
                out[(r["interview"], r["section"], para)] = sorted(originals)
    return out


def test_every_linked_translation_paragraph_is_shown_beside_its_original(reading, jsonl_chunks):
    from ui.reader import reader_html
    from rag.transcript import ReaderView

    expected = linked_paragraphs(jsonl_chunks)
    assert len(expected) > 200  # both interviews' translations
    shown: dict[tuple[str, str, int], list[int]] = {}
    for interview, manifest in reading.manifests().items():
        transcript = reading.transcript(interview)
        html = reader_html(transcript, ReaderView(interview=interview))
        # Each reader row lists the paragraphs it shows side by side: "<section>:<index> ...".
        for keys in re.findall(r'class="rd-row[^"]*" data-row="\d+" data-ps="([^"]*)"', html):
            paras = [k.split(":") for k in keys.split()]
            originals = sorted(int(i) for s, i in paras if s == manifest["original"])
            for s, i in paras:
                if s != manifest["original"] and (interview, s, int(i)) in expected:
                    shown[(interview, s, int(i))] = originals
    assert len(shown) == len(expected)
    for key, originals in expected.items():
        assert set(originals) <= set(shown[key]), (key, originals, shown[key])


def test_the_chinese_only_tail_is_marked(reading):
    from ui.reader import reader_html
    from rag.transcript import ReaderView

    t = reading.transcript("bloomberg-mishal-husain-2025-12-12")
    assert t.tail_start is not None
    tail = t.rows[t.tail_start:]
    assert len(tail) > 20 and all(r.translation and not r.original for r in tail)
    html = reader_html(t, ReaderView(interview=t.interview))
    assert html.count("中文 only") == len([r for r in t.rows if r.translation and not r.original])
    assert 'id="rd-tail"' in html and "capture stops here" in html
    # Footnotes sit where the capture has them (right after the paragraph they annotate), styled as footnotes.
    footnotes = [i for i, r in enumerate(t.rows) if any(p.kind == "footnote" for p in r.paras)]
    assert len(footnotes) >= 15 and footnotes[0] < 15
    assert "Footnote" in html and "rd-kind-footnote" in html


def host_turns_from_turn_map(interview: str) -> dict[str, list[list[int]]]:
    """Per section, the host's question turns (runs of host 'turn' paragraphs) from the curated turn map."""
    data = json.loads((INTERVIEWS / interview / "turns.json").read_text(encoding="utf-8"))
    out = {}
    for section, entries in data["sections"].items():
        turns, run = [], []
        for e in entries:
            if e["role"] == "host" and e.get("kind", "turn") == "turn":
                run.append(e["p"])
            elif run:
                turns.append(run)
                run = []
        if run:
            turns.append(run)
        out[section] = turns
    return out


@pytest.mark.parametrize("lang", ["en", "ja", "zh"])
def test_outline_lists_every_host_question_of_both_interviews(reading, jsonl_chunks, lang):
    links = linked_paragraphs(jsonl_chunks)
    groups = dict((m["id"], entries) for m, entries in reading.outline(lang))
    assert set(groups) == {p.name for p in INTERVIEWS.iterdir() if (p / "turns.json").exists()}
    for interview, entries in groups.items():
        manifest = reading.manifests()[interview]
        original = manifest["original"]
        turns = host_turns_from_turn_map(interview)
        shown = lang if lang in turns else original
        expected = {(shown, t[0]) for t in turns[shown]}
        linked_originals = {o for (iv, s, _), os in links.items() if iv == interview for o in os}
        for section, section_turns in turns.items():
            if section == shown:
                continue
            for t in section_turns:
                if section == original:
                    unmatched = not set(t) & linked_originals
                else:
                    unmatched = all((interview, section, p) not in links for p in t)
                if unmatched:
                    expected.add((section, t[0]))
        got = [(e.section, e.paragraph) for e in entries]
        assert len(got) == len(set(got))
        assert set(got) == expected, (interview, lang, sorted(set(got) ^ expected))
        assert all((e.only_in is None) == (e.section == shown) for e in entries)
        assert all(e.question.strip() and len(e.question) <= 240 for e in entries)


def test_each_outline_entry_opens_the_reader_at_its_exchange(reading):
    from ui.reader import reader_html

    for _, entries in reading.outline("ja"):
        for e in entries:
            view = reading.view_for_entry(e)
            transcript = reading.transcript(e.interview, e.section if e.section != "en" else None)
            html = reader_html(transcript, view)
            focus = re.search(r'<div id="reader-focus" class="[^"]*" data-row="\d+" data-ps="([^"]*)"', html)
            assert focus, e
            assert f"{e.section}:{e.paragraph}" in focus.group(1).split()
            assert 'class="rd-quote"' not in html  # an exchange is opened, not a quote highlighted


@pytest.mark.parametrize("question", ["What did he say about distillation?", "蒸留について彼は何と言いましたか？"])
def test_follow_ups_are_host_questions_near_the_citations_and_answerable(reading, question):
    service = reading.service
    answer = service.ask(question).to_json()
    assert answer["grounded"]
    follow = reading.follow_ups(answer)
    assert 2 <= len(follow) <= 3, follow
    cited_turns = {(c["interview"], service.index.by_id[c["chunk_id"]].section, service.index.by_id[c["chunk_id"]].turn)
                   for c in answer["citations"]}
    history = [(answer["question"], answer["answer"])]
    for f in follow:
        # A host question of a cited interview, in the section quoted, in the exchange before or after a cited turn.
        assert any(f.interview == iv and f.section == s and abs(f.turn - t) <= 8 for iv, s, t in cited_turns), f
        paras = reading.paragraphs(f.interview, f.section)
        turn_text = " ".join(p.text for p in paras if p.turn == f.turn and p.role == "host")
        assert " ".join(f.question.lstrip("…").split()) in " ".join(turn_text.split())
        assert service.ask(f.question, history=history).grounded, f.question
    assert len({f.question for f in follow}) == len(follow)


def test_reader_views_round_trip_through_the_url():
    from urllib.parse import parse_qs

    from rag.transcript import ReaderView, Span

    view = ReaderView("verge-decoder-2026-06-08", Span("ja", 10, 20), Span("en", 30, 55), True, "蒸留 AI")
    assert ReaderView.from_params(parse_qs(view.query()[1:])) == view
    go = ReaderView("x", Span("en", 1, 2), mark=False)
    assert ReaderView.from_params(parse_qs(go.query()[1:])) == go
    assert ReaderView.from_params({"view": "chat"}) is None
    bad = ReaderView.from_params({"view": "reader", "iv": "x", "at": "<script>", "oat": "en:5-1"})
    assert bad.at is None and bad.original == Span("en", 5, 5)


def test_search_matches_across_case_width_and_chinese_scripts():
    from rag.transcript import find_hits, search_terms

    assert find_hits("知識蒸留(distillation)について", search_terms("蒸留")) == [(2, 4)]
    assert find_hits("我們擁有 33 吉瓦的計算能力", search_terms("计算")) == [(11, 13)]
    assert find_hits("Distillation, DISTILLATION", search_terms("distillation")) == [(0, 12), (14, 26)]
    assert find_hits("ＡＩ and AI", search_terms("ai")) == [(0, 2), (7, 9)]
    assert find_hits("nothing", search_terms("   ")) == []


def test_follow_ups_cost_no_model_calls_in_llm_mode(reading):
    """With an LLM configured, suggestions are checked with the offline answer: no request reaches the model."""
    from tests.fake_openai_server import FakeOpenAI

    from rag.reading import Reading
    from rag.service import QAService

    offline = reading.service
    answer = offline.ask("What did he say about distillation?").to_json()
    fake = FakeOpenAI().start()
    try:
        settings = offline.settings.with_(llm_base_url=fake.base_url, llm_model="stand-in")
        llm_service = QAService(settings, offline.store)
        assert llm_service.settings.llm_enabled
        follow = Reading(llm_service).follow_ups(answer)
        assert 2 <= len(follow) <= 3
        assert [f.question for f in follow] == [f.question for f in reading.follow_ups(answer)]
        assert fake.requests == []
    finally:
        fake.stop()
