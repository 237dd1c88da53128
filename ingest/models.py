"""What ingest produces: interviews made of language sections of paragraphs, then chunks."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROLES = ("guest", "host", "editor")
PARAGRAPH_SEP = "\n\n"


@dataclass
class Manifest:
    id: str
    title: str
    outlet: str
    date: str
    host: str
    guest: str
    languages: list[str]
    original: str  # language of the original section
    translations: list[str] = field(default_factory=list)
    layout: str = "transcript"  # ainew-aggregator | netease-repost | transcript
    source_file: str = ""
    url: str | None = None

    @classmethod
    def load(cls, path: Path) -> "Manifest":
        data = json.loads(path.read_text(encoding="utf-8"))
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Paragraph:
    index: int  # position within its section
    text: str
    lang: str  # language of this paragraph (a Japanese section can hold a Chinese paragraph)
    role: str = "guest"
    kind: str = "turn"  # turn | intro | footnote | caption | chart | note
    speaker: str = ""
    start: int = 0  # character offset in the section's cleaned text
    links: list[int] = field(default_factory=list)  # indices of the original-language paragraphs it translates

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass
class Section:
    lang: str  # the section's language ("ja" for the Japanese translation even where a paragraph is Chinese)
    is_original: bool
    paragraphs: list[Paragraph]
    # A translation whose links to the original come from a human-checked turn map: nothing to align.
    curated_links: bool = False

    @property
    def text(self) -> str:
        return PARAGRAPH_SEP.join(p.text for p in self.paragraphs)

    def assign_offsets(self) -> None:
        pos = 0
        for i, p in enumerate(self.paragraphs):
            p.index = i
            p.start = pos
            pos += len(p.text) + len(PARAGRAPH_SEP)


@dataclass
class Interview:
    manifest: Manifest
    sections: dict[str, Section]
    content_hash: str
    page_metadata: dict = field(default_factory=dict)  # aggregator summary, ratings... never quotable
    warnings: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.manifest.id

    def original(self) -> Section | None:
        return self.sections.get(self.manifest.original)


@dataclass
class Chunk:
    chunk_id: str
    interview: str
    lang: str
    section: str
    role: str
    speaker: str
    text: str
    turn: int
    paragraphs: list[int]
    char_start: int
    char_end: int
    question: str = ""  # the host question a guest chunk answers: retrieval context, never quoted
    piece: int = 0  # position of this chunk within its turn (long turns are split)
    linked_ids: list[str] = field(default_factory=list)
    # For a translation chunk: [paragraph index, [original paragraph indices]] pairs, to map a quote back.
    para_links: list = field(default_factory=list)
    kind: str = "turn"  # turn | intro | footnote | caption | chart | note: how the reader styles it

    def embedding_text(self) -> str:
        # Only the opening piece of an answer carries its question: otherwise every piece of a long answer
        # would look equally like what was asked, and crowd out other turns.
        return f"{self.question}\n{self.text}" if self.question and self.piece == 0 else self.text

    def to_metadata(self) -> dict:
        # Chroma metadata values must be scalars: lists are stored as JSON strings.
        return {
            "interview": self.interview,
            "lang": self.lang,
            "section": self.section,
            "role": self.role,
            "speaker": self.speaker,
            "turn": self.turn,
            "paragraphs": json.dumps(self.paragraphs),
            "char_start": self.char_start,
            "char_end": self.char_end,
            "question": self.question,
            "piece": self.piece,
            "linked_ids": json.dumps(self.linked_ids, ensure_ascii=False),
            "para_links": json.dumps(self.para_links),
            "kind": self.kind,
        }

    @classmethod
    def from_record(cls, chunk_id: str, text: str, meta: dict) -> "Chunk":
        return cls(
            chunk_id=chunk_id,
            interview=meta["interview"],
            lang=meta["lang"],
            section=meta["section"],
            role=meta["role"],
            speaker=meta["speaker"],
            text=text,
            turn=int(meta["turn"]),
            paragraphs=json.loads(meta["paragraphs"]),
            char_start=int(meta["char_start"]),
            char_end=int(meta["char_end"]),
            question=meta.get("question", ""),
            piece=int(meta.get("piece", 0)),
            linked_ids=json.loads(meta.get("linked_ids", "[]")),
            para_links=json.loads(meta.get("para_links", "[]")),
            kind=meta.get("kind", "turn"),
        )

    def to_json(self) -> dict:
        return asdict(self)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
