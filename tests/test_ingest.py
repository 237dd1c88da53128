"""Ingest on the real captures: cleaning, speaker roles, linked translations, chunks, the real store."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from interview_qa.cli import cli
from interview_qa.settings import Settings
from ingest.captures import clean_paragraph, parse_capture
from ingest.pipeline import bundled_sources, link_translations, load_interview, resolve_source
from ingest.store import ChunkStore
from ingest.turns import TurnMapError, load_turn_map, sections_from_turn_map

VERGE = "verge-decoder-2026-06-08"
BLOOMBERG = "bloomberg-mishal-husain-2025-12-12"

CHROME = ["この記事をシェア", "関連記事", "最新ニュース", "深度40%", "Get the Bloomberg Weekend newsletter", "Sign Up",
          "--tw-ring-color", "![]()", "特別聲明", "マルウェア", "TL;DR", "編集コメント", "影響分析", "原文を表示",
          "By continuing, I agree", "Notice: The content above", "Listen to and follow", "AIニュース最前線"]


@pytest.fixture
def stored_chunks(indexed_home):
    return ChunkStore.open_existing(Settings.from_env()).chunks()


def _interviews():
    settings = Settings.from_env()
    return {src.manifest.id: load_interview(src, settings)
            for src in (resolve_source(p, settings) for p in bundled_sources(settings))}


def test_chunks_cover_both_interviews_in_three_languages(stored_chunks):
    seen = {(c.interview, c.lang) for c in stored_chunks}
    assert {(VERGE, "en"), (VERGE, "ja"), (BLOOMBERG, "en"), (BLOOMBERG, "zh")} <= seen
    # The Japanese capture has Chinese paragraphs in the middle: they are Chinese chunks, still linked.
    verge_zh = [c for c in stored_chunks if c.interview == VERGE and c.lang == "zh"]
    assert verge_zh and all(c.linked_ids for c in verge_zh)


@pytest.mark.parametrize("marker", CHROME)
def test_no_chunk_contains_page_chrome(stored_chunks, marker):
    offenders = [c.chunk_id for c in stored_chunks if marker in c.text]
    assert not offenders, f"{marker!r} in {offenders[:3]}"


def test_photo_captions_only_as_editor(stored_chunks):
    for c in stored_chunks:
        if re.search(r"Photographer:|攝影[師]?:|圖片來源", c.text):
            assert c.role == "editor", c.chunk_id


def test_aggregator_summary_is_metadata_not_quotable(stored_chunks, indexed_home):
    state = json.loads((indexed_home / "index" / "state.json").read_text(encoding="utf-8"))
    meta = state["documents"][VERGE]["page_metadata"]
    assert meta["tldr"] and meta["editor_comment"] and meta["key_points"]
    assert not any(meta["tldr"][:30] in c.text for c in stored_chunks)


def _role_of(chunks, needle):
    hits = [c for c in chunks if needle in c.text]
    assert hits, f"no chunk contains {needle!r}"
    return {c.role for c in hits}


@pytest.mark.parametrize("needle, role", [
    ("Grok was distilled from a number of models", "host"),
    ("There’s definitely lots of shortcuts to the frontier", "guest"),
    ("1 Suleyman also appears to be a keen reader", "editor"),
    ("That’s “directly responsible individual” and “individual contributor.”", "host"),
    ("Photographer: Kyle Grillot/Bloomberg", "editor"),
    ("I guess a bulldozer.", "guest"),
    ("I interviewed him. He ended up calling me an NPC.", "host"),
    ("This interview has been lightly edited for length and clarity.", "editor"),
    ("我們擁有 33 吉瓦的計算能力", "guest"),  # the Chinese-only tail
    ("Big Tech Spending Expected To Keep Climbing", "editor"),  # a chart label
])
def test_roles_on_hard_cases(stored_chunks, needle, role):
    assert _role_of(stored_chunks, needle) == {role}


def test_speaker_names_follow_roles(stored_chunks):
    """Every stored chunk, editor notes included, is named as the manifest (read from disk) says for its role."""
    manifests = {p.parent.name: json.loads(p.read_text(encoding="utf-8"))
                 for p in (Settings.from_env().interviews_dir).glob("*/manifest.json")}
    seen = set()
    for c in stored_chunks:
        m = manifests[c.interview]
        if c.role == "guest":
            assert c.speaker == m["guest"] == "Mustafa Suleyman"
        elif c.role == "host":
            assert c.speaker == m["host"] == ("Nilay Patel" if c.interview == VERGE else "Mishal Husain")
        else:
            assert c.role == "editor", c.chunk_id
            assert re.fullmatch(re.escape(m["outlet"]) + r"( \((intro|footnote|caption|chart|note)\))?", c.speaker), \
                (c.chunk_id, c.speaker)
            assert c.speaker not in (m["guest"], m["host"]), c.chunk_id
        seen.add(c.role)
    assert seen == {"guest", "host", "editor"}


def test_stage_directions_are_not_quotable(stored_chunks):
    assert not any(re.search(r"\[(Laughs|笑)\]", c.text) for c in stored_chunks)


def test_footnote_markers_stripped_from_turns(stored_chunks):
    texts = {c.text for c in stored_chunks}
    assert any(t.startswith("I haven’t, no.") for t in texts)
    assert not any(re.search(r"all in one week\. 12", t) for t in texts)


def test_chunk_offsets_point_into_cleaned_text(stored_chunks):
    interviews = _interviews()
    for c in stored_chunks:
        section = interviews[c.interview].sections[c.section]
        assert section.text[c.char_start:c.char_end] == c.text, c.chunk_id


def test_guest_chunks_carry_the_question_they_answer(stored_chunks):
    bulldozer = next(c for c in stored_chunks if c.text.startswith("I guess a bulldozer."))
    assert "Elon Musk, how would you describe him?" in bulldozer.question
    assert all(not c.question for c in stored_chunks if c.role != "guest")


def test_turn_map_roles_agree_with_alignment():
    """The curated roles of each translated paragraph match those of the English it is linked to."""
    settings = Settings.from_env()
    for folder in bundled_sources(settings):
        tm = load_turn_map(folder / "turns.json")["sections"]
        original = tm["en"]
        for lang, entries in tm.items():
            if lang == "en":
                continue
            for e in entries:
                for j in e["links"]:
                    assert original[j]["role"] == e["role"], (folder.name, lang, e["p"])


# Hand-picked by reading both texts: (interview, start of translated paragraph, start of English, or None).
PAIRS = [
    (VERGE, "Microsoft に採用された時点でこれが計画", "Was this the plan when you were hired at Microsoft?"),
    (VERGE, "知識蒸留(distillation)において法的", "Were there any legal or IP concerns with distillation?"),
    (VERGE, "我们还是沿用同样的周期节奏", "We still operate by the same cycle rhythm."),
    (VERGE, "これは「直接責任者」と「個人貢献者」を指します", "That’s “directly responsible individual”"),
    (VERGE, "フロンティアへの近道は確かに多く存在します", "There’s definitely lots of shortcuts to the frontier"),
    (VERGE, "わかりました。", "Okay."),
    (BLOOMBERG, "我對這些事情非常冷靜", "I’m very stoic about these things."),
    (BLOOMBERG, "我猜他像推土機一樣", "I guess a bulldozer."),
    (BLOOMBERG, "1 蘇萊曼似乎也是一位愛讀書的人", "1 Suleyman also appears to be a keen reader"),
    (BLOOMBERG, "沒錯。我不知道你是從哪里看到的", "That’s true. I don’t know where you read that."),
    (BLOOMBERG, "OpenAI 最初由 Altman 和埃隆·馬斯克創立", "3 It will be interesting to see"),  # two → one
    (BLOOMBERG, "我沒有, 10號", "I haven’t, no."),
    (BLOOMBERG, "對微軟來說幸運的是,我們擁有 33 吉瓦", None),  # the Chinese-only tail
    (BLOOMBERG, "米沙爾·侯賽因是彭博周末版的特約編輯", None),
]


@pytest.fixture(scope="module")
def computed_links():
    """(interview, section, paragraph) -> original paragraphs, as the aligner links them with the real embedder
    when a turn map gives no links (what happens to a capture without a curated map)."""
    from ingest.embeddings import make_embeddings

    links = {}
    for interview in _interviews().values():
        for section in interview.sections.values():
            if not section.is_original:
                assert section.curated_links  # the shipped maps are curated: strip them to run the aligner
                section.curated_links = False
                for p in section.paragraphs:
                    p.links = []
        link_translations(interview, make_embeddings(Settings.from_env()))
        for lang, section in interview.sections.items():
            if not section.is_original:
                links.update({(interview.id, lang, p.index): p.links for p in section.paragraphs})
    return links


def _stored_links(chunks):
    links = {}
    for c in chunks:
        for pi, targets in c.para_links:
            links[(c.interview, c.section, pi)] = targets
    return links


def test_ingest_links_translations_as_the_curated_turn_maps_say(stored_chunks):
    stored = _stored_links(stored_chunks)
    for folder in bundled_sources(Settings.from_env()):
        for lang, entries in load_turn_map(folder / "turns.json")["sections"].items():
            if lang != "en":
                for e in entries:
                    assert stored[(folder.name, lang, e["p"])] == e["links"], (folder.name, lang, e["p"])


def _verge_parts():
    folder = next(p for p in bundled_sources(Settings.from_env()) if p.name == VERGE)
    source = resolve_source(folder, Settings.from_env())
    parsed = parse_capture(source.capture.read_text(encoding="utf-8"), source.manifest.layout)
    return parsed, source.manifest, load_turn_map(folder / "turns.json")


def test_curated_links_are_used_only_when_every_paragraph_has_them():
    parsed, manifest, turn_map = _verge_parts()
    sections = sections_from_turn_map(parsed, manifest, turn_map)
    assert sections["ja"].curated_links and not sections["en"].curated_links
    assert [p.links for p in sections["ja"].paragraphs] == [e["links"] for e in turn_map["sections"]["ja"]]
    del turn_map["sections"]["ja"][7]["links"]  # one paragraph left to the aligner: align the whole section
    assert not sections_from_turn_map(parsed, manifest, turn_map)["ja"].curated_links


@pytest.mark.parametrize("target", [-1, "size"])
def test_a_curated_link_to_a_missing_paragraph_is_an_error(target):
    parsed, manifest, turn_map = _verge_parts()
    size = len(turn_map["sections"]["en"])
    turn_map["sections"]["ja"][3]["links"] = [size if target == "size" else target]
    with pytest.raises(TurnMapError, match="paragraph 3 links to an original paragraph that does not exist"):
        sections_from_turn_map(parsed, manifest, turn_map)
    turn_map["sections"]["ja"][3]["links"] = [size - 1]
    assert sections_from_turn_map(parsed, manifest, turn_map)["ja"].curated_links


def test_hand_picked_translation_pairs(computed_links):
    interviews = _interviews()
    computed = computed_links
    for interview_id, translated, english in PAIRS:
        iv = interviews[interview_id]
        section = next(s for s in iv.sections.values() if not s.is_original)
        para = next(p for p in section.paragraphs if p.text.startswith(translated))
        targets = computed[(interview_id, section.lang, para.index)]
        if english is None:
            assert targets == [], translated
        else:
            assert any(iv.sections["en"].paragraphs[j].text.startswith(english) for j in targets), translated


def test_at_least_95_percent_of_translations_linked_correctly(computed_links):
    """Computed links against the human-checked links in the turn maps."""
    computed = computed_links
    settings = Settings.from_env()
    total = correct = 0
    for folder in bundled_sources(settings):
        for lang, entries in load_turn_map(folder / "turns.json")["sections"].items():
            if lang == "en":
                continue
            for e in entries:
                if not e["links"]:
                    continue  # no English counterpart
                total += 1
                correct += computed.get((folder.name, lang, e["p"])) == e["links"]
    assert total > 200
    assert correct / total >= 0.95, f"{correct}/{total}"


def test_chunks_cli_prints_jsonl(indexed_home):
    result = CliRunner().invoke(cli, ["chunks", "--jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) > 400
    for key in ("chunk_id", "interview", "lang", "role", "speaker", "text", "linked_ids"):
        assert key in rows[0]
    assert {r["lang"] for r in rows} == {"en", "ja", "zh"}


def test_clean_paragraph_drops_chrome():
    assert clean_paragraph("![]()") is None
    assert clean_paragraph("--tw-ring-color: rgb(59 130 246 / .5); --tw-shadow: 0 0 ;") is None
    assert clean_paragraph(".btn { color: red }") is None
    assert clean_paragraph("[Laughs]") is None
    assert clean_paragraph("[笑]當然,它可能會買錯東西") == "當然,它可能會買錯東西"
    leaked = 'as well as The Tech Coup, ; --tw-ring-color: rgb(59 130 246 / .5); color: inherit;">and Gaza.'
    assert clean_paragraph(leaked) == "as well as The Tech Coup, and Gaza."


def test_labelled_transcript_roles():
    text = ("---\ntitle: Demo\nguest: Ada Lovelace\nhost: Charles\n---\n"
            "CHARLES: What is the engine for?\n\nADA LOVELACE: It weaves algebraic patterns.\n\n"
            "CHARLES: [Laughs]\n\nADA LOVELACE: [Laughs] Truly.\n")
    parsed = parse_capture(text)
    assert parsed.layout == "transcript"
    labels = [(p.speaker_label, p.text) for p in parsed.sections["en"]]
    assert labels == [("CHARLES", "What is the engine for?"), ("ADA LOVELACE", "It weaves algebraic patterns."),
                      ("ADA LOVELACE", "Truly.")]
