"""A two-exchange talk (Ada Lovelace and Charles) for tests that need a real index but not the interviews:
ingested in a second or two, it keeps server, CLI and concurrency tests fast."""

from __future__ import annotations

from pathlib import Path

from interview_qa.settings import Settings

TALK = ("---\nguest: Ada Lovelace\n---\nCHARLES: What is the engine for?\n\n"
        "ADA LOVELACE: It weaves algebraic patterns just as the Jacquard loom weaves flowers and leaves.\n\n"
        "CHARLES: Could it compose music?\n\nADA LOVELACE: It might compose elaborate pieces of music of any "
        "degree of complexity or extent.\n")


def ingest_small_talk(root: Path, text: str = TALK) -> tuple[Settings, Path]:
    """Writes `text` to root/talk.txt and ingests it into root/home: (the settings for that home, the talk)."""
    from ingest.pipeline import ingest

    talk = root / "talk.txt"
    talk.write_text(text, encoding="utf-8")
    settings = Settings.from_env().with_(home=root / "home")
    report = ingest([talk], settings, show_progress=False)
    assert not report.failed, report.failed
    return settings, talk
