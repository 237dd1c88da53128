"""The Chroma store, swapped atomically: readers only ever see a complete index.

Every ingest that changes anything builds a new collection (copying the unchanged interviews' records and
their embeddings from the live one, embedding only what changed), then flips `state.json` to it with an
atomic rename, then drops the old collection. An ingest killed at any point leaves `state.json` naming
the previous, complete collection; its half-built collection is removed by the next ingest.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from interview_qa.errors import IndexMissingError, InterviewQAError
from interview_qa.settings import Settings
from ingest.models import Chunk

STATE_VERSION = 2
COPY_BATCH = 500


@dataclass
class IndexState:
    collection: str | None = None
    embedder: str | None = None
    documents: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, index_dir: Path) -> "IndexState":
        path = index_dir / "state.json"
        if not path.exists():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != STATE_VERSION:
            return cls()  # an older layout: rebuild from scratch
        return cls(collection=data["collection"], embedder=data["embedder"], documents=data["documents"])

    def save(self, index_dir: Path) -> None:
        index_dir.mkdir(parents=True, exist_ok=True)
        tmp = index_dir / f"state.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"version": STATE_VERSION, "collection": self.collection,
                                   "embedder": self.embedder, "documents": self.documents},
                                  ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, index_dir / "state.json")


@contextlib.contextmanager
def ingest_lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / "ingest.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InterviewQAError(f"another ingest is running on {index_dir}") from None
        yield


def chroma_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or 8000,
                                   ssl=url.scheme == "https", settings=chroma_settings)
    path = settings.index_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class ChunkStore:
    """The live index: its Chroma collection, its embedder, and the chunks it holds."""

    def __init__(self, settings: Settings, state: IndexState | None = None):
        from ingest.embeddings import make_embeddings

        self.settings = settings
        self.state = state or IndexState.load(settings.index_dir)
        self.embeddings = make_embeddings(settings)
        self.client = chroma_client(settings)
        self._chunks: list[Chunk] | None = None

    @classmethod
    def open_existing(cls, settings: Settings) -> "ChunkStore":
        state = IndexState.load(settings.index_dir)
        if not state.collection:
            raise IndexMissingError(f"no index in {settings.index_dir}: run `interview-qa ingest` first")
        return cls(settings, state)

    def _collection(self, name: str):
        from ingest.embeddings import ChromaEmbeddingAdapter

        return self.client.get_or_create_collection(
            name=name,
            embedding_function=ChromaEmbeddingAdapter(self.embeddings),
            configuration={"hnsw": {"space": "cosine"}},
        )

    @property
    def collection(self):
        if not self.state.collection:
            raise IndexMissingError("the index is empty: run `interview-qa ingest` first")
        return self._collection(self.state.collection)

    def chunks(self) -> list[Chunk]:
        """Every chunk in the live collection, in a stable order."""
        if self._chunks is None:
            got = self.collection.get(include=["documents", "metadatas"])
            chunks = [Chunk.from_record(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]
            chunks.sort(key=lambda c: (c.interview, c.section, c.char_start))
            self._chunks = chunks
        return self._chunks

    def remove_orphans(self) -> None:
        """Drop collections no state points to: what an interrupted ingest left behind."""
        for col in self.client.list_collections():
            name = col if isinstance(col, str) else col.name
            if name.startswith("chunks_") and name != self.state.collection:
                self.client.delete_collection(name)

    def commit(self, keep: set[str], new: dict[str, tuple[list[Chunk], np.ndarray, dict]]) -> None:
        """Publish a new collection holding the kept interviews as they are plus the new ones, atomically."""
        staging_name = f"chunks_{uuid.uuid4().hex[:12]}"
        staging = self._collection(staging_name)
        try:
            if self.state.collection and keep:
                old = self.collection
                for interview_id in sorted(keep):
                    got = old.get(where={"interview": interview_id}, include=["documents", "metadatas", "embeddings"])
                    for s in range(0, len(got["ids"]), COPY_BATCH):
                        staging.add(ids=got["ids"][s:s + COPY_BATCH], documents=got["documents"][s:s + COPY_BATCH],
                                    metadatas=got["metadatas"][s:s + COPY_BATCH],
                                    embeddings=np.asarray(got["embeddings"][s:s + COPY_BATCH]))
            for chunks, vectors, _ in new.values():
                for s in range(0, len(chunks), COPY_BATCH):
                    part = chunks[s:s + COPY_BATCH]
                    staging.add(ids=[c.chunk_id for c in part], documents=[c.text for c in part],
                                metadatas=[c.to_metadata() for c in part], embeddings=vectors[s:s + COPY_BATCH])
        except BaseException:
            with contextlib.suppress(Exception):
                self.client.delete_collection(staging_name)
            raise
        documents = {k: v for k, v in self.state.documents.items() if k in keep}
        documents.update({k: info for k, (_, _, info) in new.items()})
        old_name = self.state.collection
        self.state = IndexState(collection=staging_name, embedder=self.embeddings.name, documents=documents)
        self.state.save(self.settings.index_dir)  # the moment the new index goes live
        self._chunks = None
        if old_name:
            with contextlib.suppress(Exception):
                self.client.delete_collection(old_name)
