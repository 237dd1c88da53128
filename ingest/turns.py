"""Who says each paragraph: a curated turn map for the shipped interviews, labels for transcripts.

The shipped captures lost their speaker labels, so each interview folder carries `turns.json`: every
paragraph of every section with its role, its kind and the first words of its text (checked on load, so
a capture that drifts from its map is an error, never silently mislabelled). It was drafted by
`draft_turn_map` and then checked by reading the text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ingest.captures import ParsedCapture, RawParagraph
from ingest.models import Manifest, Paragraph, Section

STARTS_LEN = 24
KINDS = ("turn", "intro", "footnote", "caption", "chart", "note")


class TurnMapError(ValueError):
    pass


def speaker_for(role: str, kind: str, manifest: Manifest) -> str:
    if role == "guest":
        return manifest.guest
    if role == "host":
        return manifest.host
    return f"{manifest.outlet} ({kind})" if kind != "turn" else manifest.outlet


def _starts(text: str) -> str:
    return text[:STARTS_LEN]


def load_turn_map(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data.get("sections"), dict):
        raise TurnMapError(f"{path.name}: missing 'sections'")
    return data


def sections_from_turn_map(parsed: ParsedCapture, manifest: Manifest, turn_map: dict) -> dict[str, Section]:
    sections: dict[str, Section] = {}
    for lang, raws in parsed.sections.items():
        entries = turn_map["sections"].get(lang)
        if entries is None:
            raise TurnMapError(f"turn map has no section {lang!r}")
        if len(entries) != len(raws):
            raise TurnMapError(
                f"turn map section {lang!r} lists {len(entries)} paragraphs but the capture has {len(raws)}"
            )
        paras = []
        for i, (entry, raw) in enumerate(zip(entries, raws)):
            if not raw.text.startswith(entry["starts"]):
                raise TurnMapError(
                    f"turn map section {lang!r} paragraph {i} should start {entry['starts']!r}, "
                    f"the capture has {raw.text[:STARTS_LEN]!r}"
                )
            role, kind = entry["role"], entry.get("kind", "turn")
            if role not in ("guest", "host", "editor") or kind not in KINDS:
                raise TurnMapError(f"turn map section {lang!r} paragraph {i}: bad role/kind {role!r}/{kind!r}")
            paras.append(Paragraph(
                index=i, text=raw.text, lang=raw.lang, role=role, kind=kind,
                speaker=speaker_for(role, kind, manifest), links=list(entry.get("links", [])),
            ))
        section = Section(lang=lang, is_original=(lang == parsed.original), paragraphs=paras)
        section.assign_offsets()
        sections[lang] = section
    mark_curated_links(sections, turn_map)
    return sections


def mark_curated_links(sections: dict[str, Section], turn_map: dict) -> None:
    """A translation whose every turn-map entry lists its links is aligned by hand: ingest uses those links
    and embeds nothing to align it. Links must point at paragraphs the original has."""
    original = next((s for s in sections.values() if s.is_original), None)
    size = len(original.paragraphs) if original else 0
    for lang, section in sections.items():
        entries = turn_map["sections"].get(lang) or []
        if section.is_original or not entries or not all("links" in e for e in entries):
            continue
        bad = next((p.index for p in section.paragraphs if any(not 0 <= j < size for j in p.links)), None)
        if bad is not None:
            raise TurnMapError(f"turn map section {lang!r} paragraph {bad} links to an original paragraph "
                               f"that does not exist (the original has {size})")
        section.curated_links = True


def _name_matches(label: str, name: str) -> bool:
    label, name = label.lower().strip(), name.lower().strip()
    # An empty name matches nothing (else every speaker would become the guest).
    return bool(label) and bool(name) and (label == name or label in name.split() or name in label)


def sections_from_labels(parsed: ParsedCapture, manifest: Manifest) -> dict[str, Section]:
    """Roles for a labelled transcript: the guest's label is the guest, anyone else is the host."""
    sections = {}
    for lang, raws in parsed.sections.items():
        paras = []
        for i, raw in enumerate(raws):
            label = raw.speaker_label or ""
            role = "guest" if _name_matches(label, manifest.guest) else "host"
            paras.append(Paragraph(index=i, text=raw.text, lang=raw.lang, role=role,
                                   speaker=manifest.guest if role == "guest" else label.title() if label.isupper() else label))
        section = Section(lang=lang, is_original=True, paragraphs=paras)
        section.assign_offsets()
        sections[lang] = section
    return sections


_QUESTION_END = re.compile(r"[?？]\s*(?:\d{1,2})?\s*$|(?:嗎|吗|呢|ですか|ますか|でしょうか)[。?？]?\s*$")


def guess_role(raw: RawParagraph) -> tuple[str, str]:
    """A first guess at (role, kind) for a paragraph of an unlabelled capture; curated maps override it."""
    if raw.kind in ("footnote", "caption"):
        return "editor", raw.kind
    if _QUESTION_END.search(raw.text) and len(raw.text) < 600:
        return "host", "turn"
    return "guest", "turn"


def draft_sections(parsed: ParsedCapture, manifest: Manifest) -> dict[str, Section]:
    sections = {}
    for lang, raws in parsed.sections.items():
        paras = []
        for i, raw in enumerate(raws):
            role, kind = guess_role(raw)
            paras.append(Paragraph(index=i, text=raw.text, lang=raw.lang, role=role, kind=kind,
                                   speaker=speaker_for(role, kind, manifest)))
        section = Section(lang=lang, is_original=(lang == parsed.original), paragraphs=paras)
        section.assign_offsets()
        sections[lang] = section
    return sections


def turn_map_from_sections(interview_id: str, sections: dict[str, Section]) -> dict:
    return {
        "interview": interview_id,
        "sections": {
            lang: [
                {"p": p.index, "role": p.role, "kind": p.kind, "starts": _starts(p.text),
                 **({"links": p.links} if not sec.is_original else {})}
                for p in sec.paragraphs
            ]
            for lang, sec in sections.items()
        },
    }


def write_turn_map(path: Path, turn_map: dict) -> None:
    # One paragraph per line keeps the file reviewable by eye and diffable.
    lines = ["{", f'  "interview": {json.dumps(turn_map["interview"])},', '  "sections": {']
    langs = list(turn_map["sections"])
    for li, lang in enumerate(langs):
        lines.append(f"    {json.dumps(lang)}: [")
        entries = turn_map["sections"][lang]
        for ei, e in enumerate(entries):
            comma = "," if ei < len(entries) - 1 else ""
            lines.append("      " + json.dumps(e, ensure_ascii=False) + comma)
        lines.append("    ]" + ("," if li < len(langs) - 1 else ""))
    lines += ["  }", "}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
