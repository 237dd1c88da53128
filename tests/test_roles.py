"""Who said it: roles and speaker names checked against outside truth (the curated turn maps and manifests
as files on disk), for every role and kind, plus labelled transcripts with full-name and surname-only labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.captures import RawParagraph, parse_capture
from ingest.models import Manifest
from ingest.pipeline import IngestError, load_interview, resolve_source
from ingest.turns import (
    KINDS,
    TurnMapError,
    _name_matches,
    guess_role,
    sections_from_labels,
    sections_from_turn_map,
    speaker_for,
)
from interview_qa.settings import Settings

CORPUS = Path(__file__).resolve().parent.parent / "data" / "interviews"
FOLDERS = sorted(p for p in CORPUS.iterdir() if (p / "manifest.json").exists())


def expected_speaker(role: str, kind: str, manifest: dict) -> str:
    """What the product must call the speaker, written out from the manifest independently of ingest.turns."""
    if role == "guest":
        return manifest["guest"]
    if role == "host":
        return manifest["host"]
    return manifest["outlet"] if kind == "turn" else f"{manifest['outlet']} ({kind})"


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_every_paragraph_has_its_curated_role_and_the_manifests_speaker(folder):
    truth = json.loads((folder / "turns.json").read_text(encoding="utf-8"))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    settings = Settings.from_env()
    interview = load_interview(resolve_source(folder, settings), settings)
    seen_roles = set()
    assert set(interview.sections) == set(truth["sections"])
    for lang, entries in truth["sections"].items():
        section = interview.sections[lang]
        assert section.lang == lang and section.is_original is (lang == manifest["original"])
        paras = section.paragraphs
        assert len(paras) == len(entries)
        for entry, p in zip(entries, paras):
            kind = entry.get("kind", "turn")
            where = f"{folder.name} {lang} p{entry['p']}"
            assert p.index == entry["p"] and p.lang in ("en", "ja", "zh"), where
            if not section.is_original:
                assert p.links == entry["links"], where
            assert (p.role, p.kind) == (entry["role"], kind), where
            assert p.speaker == expected_speaker(entry["role"], kind, manifest), where
            if p.role != "guest":  # an editor's note or a host turn is never the guest's words
                assert p.speaker != manifest["guest"], where
            seen_roles.add(p.role)
    assert seen_roles == {"guest", "host", "editor"}  # the bundled interviews exercise every role


@pytest.mark.parametrize("role, kind, speaker", [
    ("guest", "turn", "Ada Guest"),
    ("host", "turn", "Hal Host"),
    ("host", "intro", "Hal Host"),
    ("editor", "turn", "The Daily"),
    ("editor", "footnote", "The Daily (footnote)"),
    ("editor", "caption", "The Daily (caption)"),
    ("editor", "note", "The Daily (note)"),
])
def test_speaker_for_every_role_and_kind(role, kind, speaker):
    m = Manifest(id="x", title="t", outlet="The Daily", date="", host="Hal Host", guest="Ada Guest",
                 languages=["en"], original="en", translations=[], layout="transcript", source_file="x.txt")
    assert speaker_for(role, kind, m) == speaker


def transcript(tmp_path, text: str, name="talk.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    settings = Settings.from_env()
    return load_interview(resolve_source(path, settings), settings)


TALK = ("PATEL: What is the plan for superintelligence?\n\n"
        "SULEYMAN: We are building it to serve people, and that means keeping it contained.\n\n"
        "PATEL: And the chips?\n\n"
        "SULEYMAN: We will build our own, over time, and buy the rest.\n")


def roles_and_speakers(interview):
    return [(p.role, p.speaker) for sec in interview.sections.values() for p in sec.paragraphs]


def test_surname_only_labels_are_the_guest(tmp_path):
    iv = transcript(tmp_path, "---\ntitle: Demo\nguest: Mustafa Suleyman\nhost: Nilay Patel\n---\n" + TALK)
    assert roles_and_speakers(iv) == [("host", "Patel"), ("guest", "Mustafa Suleyman"),
                                      ("host", "Patel"), ("guest", "Mustafa Suleyman")]


def test_full_name_labels_and_a_guest_guessed_from_who_talks_most(tmp_path):
    iv = transcript(tmp_path, TALK.replace("SULEYMAN:", "MUSTAFA SULEYMAN:"))
    assert iv.manifest.guest == "MUSTAFA SULEYMAN" and iv.manifest.host == "PATEL"
    assert roles_and_speakers(iv) == [("host", "Patel"), ("guest", "MUSTAFA SULEYMAN"),
                                      ("host", "Patel"), ("guest", "MUSTAFA SULEYMAN")]


def test_mixed_case_labels_keep_their_spelling(tmp_path):
    iv = transcript(tmp_path, "---\nguest: Ada Lovelace\n---\n"
                              "Jim McIntyre: What is it for?\n\nAda: Weaving algebraic patterns, mostly.\n")
    assert roles_and_speakers(iv) == [("host", "Jim McIntyre"), ("guest", "Ada Lovelace")]


@pytest.mark.parametrize("label, name, same", [
    ("SULEYMAN", "Mustafa Suleyman", True),
    ("Mustafa", "Mustafa Suleyman", True),
    ("MUSTAFA SULEYMAN", "Mustafa Suleyman", True),
    ("  mustafa suleyman ", "Mustafa Suleyman", True),
    ("Dr. Mustafa Suleyman", "Mustafa Suleyman", True),
    ("SULEY", "Mustafa Suleyman", False),
    ("PATEL", "Mustafa Suleyman", False),
    ("", "Mustafa Suleyman", False),
    ("   ", "Mustafa Suleyman", False),
    ("Mustafa Suleyman", "", False),
])
def test_name_matching(label, name, same):
    assert _name_matches(label, name) is same


def test_labels_section_is_the_original_with_offsets(tmp_path):
    iv = transcript(tmp_path, "---\nguest: Mustafa Suleyman\n---\n" + TALK)
    (sec,) = iv.sections.values()
    assert sec.is_original and sec.lang == "en" == iv.manifest.original
    assert [p.index for p in sec.paragraphs] == [0, 1, 2, 3]
    assert [p.lang for p in sec.paragraphs] == ["en"] * 4
    assert sec.paragraphs[1].start > sec.paragraphs[0].start


@pytest.mark.parametrize("text, kind, role", [
    ("1 Suleyman also appears to be a keen reader.", "footnote", ("editor", "footnote")),
    ("Photo: Kyle Grillot", "caption", ("editor", "caption")),
    ("So where does that leave OpenAI?", "turn", ("host", "turn")),
    ("So where does that leave OpenAI? 12", "turn", ("host", "turn")),  # a trailing footnote marker
    ("それは本当ですか。", "turn", ("host", "turn")),
    ("那你怎么看呢", "turn", ("host", "turn")),
    ("We will build our own chips.", "turn", ("guest", "turn")),
    ("Why? " + "Because it matters. " * 40, "turn", ("guest", "turn")),  # long turns ending in ? are answers
    ("x" * 590 + " but why?", "turn", ("host", "turn")),
    ("x" * 591 + " but why?", "turn", ("guest", "turn")),  # 600 chars: already an answer
])
def test_guess_role(text, kind, role):
    assert guess_role(RawParagraph(text=text, lang="en", kind=kind)) == role


def _bundled(folder):
    settings = Settings.from_env()
    source = resolve_source(folder, settings)
    parsed = parse_capture(source.capture.read_text(encoding="utf-8"), source.manifest.layout)
    return source.manifest, parsed, json.loads(source.turn_map_path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("break_it, message", [
    (lambda tm, lang: tm["sections"].pop(lang), "has no section"),
    (lambda tm, lang: tm["sections"][lang].pop(), "lists"),
    (lambda tm, lang: tm["sections"][lang][5].update(starts="Something else entirely"), "should start"),
    (lambda tm, lang: tm["sections"][lang][5].update(role="narrator"), "bad role/kind"),
    (lambda tm, lang: tm["sections"][lang][5].update(kind="aside"), "bad role/kind"),
])
def test_a_turn_map_that_drifts_from_its_capture_is_an_error(break_it, message):
    manifest, parsed, turn_map = _bundled(FOLDERS[0])
    lang = next(iter(parsed.sections))
    break_it(turn_map, lang)
    with pytest.raises(TurnMapError, match=message):
        sections_from_turn_map(parsed, manifest, turn_map)


def test_all_kinds_are_accepted_and_kind_defaults_to_turn():
    manifest, parsed, turn_map = _bundled(FOLDERS[0])
    lang = next(iter(parsed.sections))
    for kind, entry in zip(KINDS, turn_map["sections"][lang]):
        entry.update(role="editor", kind=kind)
    del turn_map["sections"][lang][len(KINDS)]["kind"]
    turn_map["sections"][lang][len(KINDS)]["role"] = "guest"
    paras = sections_from_turn_map(parsed, manifest, turn_map)[lang].paragraphs
    assert [p.kind for p in paras[:len(KINDS) + 1]] == [*KINDS, "turn"]
    assert paras[len(KINDS)].speaker == manifest.guest


def test_bad_turn_map_file_is_an_ingest_error(tmp_path, corpus_copy):
    folder = corpus_copy / FOLDERS[0].name
    (folder / "turns.json").write_text('{"interview": "x"}', encoding="utf-8")
    settings = Settings.from_env()
    with pytest.raises(IngestError, match="missing 'sections'"):
        load_interview(resolve_source(folder, settings), settings)


def test_a_paragraph_without_a_label_is_nobody_in_particular():
    manifest = Manifest(id="x", title="t", outlet="", date="", host="Hal", guest="Ada Guest", languages=["en"],
                        original="en", translations=[], layout="transcript", source_file="x.txt")
    parsed = parse_capture("HAL: Why so?\n\nADA: Because.\n")
    parsed.sections["en"].append(RawParagraph(text="(unlabelled)", lang="en"))
    paras = sections_from_labels(parsed, manifest)["en"].paragraphs
    assert [(p.role, p.speaker) for p in paras] == [("host", "Hal"), ("guest", "Ada Guest"), ("host", "")]
