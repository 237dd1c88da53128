"""The Chroma store, swapped atomically: readers only ever see a complete index.

Every ingest that changes anything builds a new collection (copying the unchanged interviews' records and
their embeddings from the live one, embedding only what changed), then flips `state.json` to it with an
atomic rename, then drops the old collection. An ingest killed at any point leaves `state.json` naming
the previous, complete collection; its half-built collection is removed by the next ingest.

One Chroma server can hold many indexes (several homes, a team): every collection an index creates is named
`iqa-<index id>-<random>`, the index id being stable per home (INTERVIEW_QA_INDEX, or an id created once
in the home), and cleanup only ever drops collections carrying this index's own prefix. `state.json` records
how many records the live collection holds and a hash of their content, so an ingest can tell a collection
that was dropped, emptied or changed on the server from a healthy one and rebuild it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from interview_qa.errors import ConfigError, IndexMissingError, InterviewQAError, StoreUnavailableError
from interview_qa.settings import Settings
from ingest.models import Chunk

STATE_VERSION = 2
COPY_BATCH = 500


@dataclass
class IndexState:
    collection: str | None = None
    embedder: str | None = None
    documents: dict[str, dict] = field(default_factory=dict)
    records: int | None = None  # how many records the live collection holds
    content_hash: str | None = None  # `content_hash` of those records

    @classmethod
    def load(cls, index_dir: Path) -> "IndexState":
        path = index_dir / "state.json"
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexMissingError(f"{path} is unreadable ({exc}): delete it and run `interview-qa ingest`") from None
        if data.get("version") != STATE_VERSION:
            return cls()  # an older layout: rebuild from scratch
        return cls(collection=data["collection"], embedder=data["embedder"], documents=data["documents"],
                   records=data.get("records"), content_hash=data.get("content_hash"))

    @property
    def expected_records(self) -> int:
        return self.records if self.records is not None else sum(d["chunks"] for d in self.documents.values())

    def save(self, index_dir: Path) -> None:
        index_dir.mkdir(parents=True, exist_ok=True)
        tmp = index_dir / f"state.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"version": STATE_VERSION, "collection": self.collection,
                                   "embedder": self.embedder, "records": self.records,
                                   "content_hash": self.content_hash, "documents": self.documents},
                                  ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, index_dir / "state.json")


def content_hash(ids: list[str], documents: list[str], metadatas: list[dict]) -> str:
    """A digest of a collection's records (order-free): what `state.json` expects the server to hold."""
    rows = sorted(zip(ids, documents, metadatas), key=lambda r: r[0])
    h = hashlib.sha256()
    for i, d, m in rows:
        h.update(json.dumps([i, d, m], ensure_ascii=False, sort_keys=True).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def index_id(settings: Settings) -> str:
    """This index's stable id: INTERVIEW_QA_INDEX, else a random id created once and kept in the home.

    The id file remembers the host and folder it was made for, so a copied home (cp -r) gets an id of its
    own instead of sharing (and later cleaning up) the original's collections on a shared server."""
    if settings.index_name:
        return settings.index_name.lower()
    path = settings.index_dir / "index_id.json"
    where = {"host": socket.gethostname(), "dir": str(settings.index_dir.resolve())}
    with contextlib.suppress(OSError, ValueError, KeyError):
        data = json.loads(path.read_text(encoding="utf-8"))
        if {k: data.get(k) for k in where} == where and data["id"]:
            return str(data["id"])
    new_id = uuid.uuid4().hex[:12]
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"id": new_id, **where}), encoding="utf-8")
    os.replace(tmp, path)
    return new_id


def collection_prefix(settings: Settings) -> str:
    return f"iqa-{index_id(settings)}-"


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

        try:
            url = urlparse(settings.chroma_url)
            host, port = url.hostname or "127.0.0.1", url.port or 8000
        except ValueError as exc:
            raise ConfigError(f"INTERVIEW_QA_CHROMA_URL is not a valid URL ({exc}): {settings.chroma_url!r}") from None
        try:
            return chromadb.HttpClient(host=host, port=port, ssl=url.scheme == "https", settings=chroma_settings)
        except Exception as exc:  # noqa: BLE001 - chromadb raises ValueError/ConnectError/... for "not there"
            raise server_unavailable(settings, exc) from None
    path = settings.index_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def server_unavailable(settings: Settings, exc: BaseException) -> StoreUnavailableError:
    return StoreUnavailableError(f"cannot reach the Chroma server at {settings.chroma_url} "
                                 f"({type(exc).__name__}): is `chroma run` running there?")


def _is_not_found(exc: BaseException) -> bool:
    return type(exc).__name__ in ("NotFoundError", "InvalidCollectionException") or (
        isinstance(exc, ValueError) and "does not exist" in str(exc))


def check_embedder(settings: Settings, state: IndexState) -> None:
    """Vectors from one embedder can't be searched with another's queries: say so before any model loads."""
    if state.embedder and state.embedder != settings.embedder_id:
        raise ConfigError(f"the index was built with the {state.embedder} embedder but INTERVIEW_QA_EMBEDDER is "
                          f"{settings.embedder_id}: run `interview-qa ingest` to rebuild it, or set "
                          f"INTERVIEW_QA_EMBEDDER={state.embedder.split(':')[0]}")


class ChunkStore:
    """The live index: its Chroma collection, its embedder, and the chunks it holds."""

    def __init__(self, settings: Settings, state: IndexState | None = None):
        self.settings = settings
        self.state = state or IndexState.load(settings.index_dir)
        self.client = chroma_client(settings)
        self._embeddings = None
        self._chunks: list[Chunk] | None = None

    @property
    def embeddings(self):
        """The configured embedder, loaded on first use (checking or copying records needs no model)."""
        if self._embeddings is None:
            from ingest.embeddings import make_embeddings

            self._embeddings = make_embeddings(self.settings)
        return self._embeddings

    @classmethod
    def open_existing(cls, settings: Settings) -> "ChunkStore":
        """The live index, checked: built with the configured embedder, its collection there and complete."""
        state = IndexState.load(settings.index_dir)
        if not state.collection:
            raise IndexMissingError(f"no index in {settings.index_dir}: run `interview-qa ingest` first")
        check_embedder(settings, state)
        store = cls(settings, state)
        problem = store.problem(deep=False)
        if problem:
            raise IndexMissingError(f"{problem}: run `interview-qa ingest` to rebuild it")
        return store

    def _adapter(self):
        from ingest.embeddings import ChromaEmbeddingAdapter

        if self._embeddings is None:  # lazy: the model loads only if Chroma ever needs to embed
            return ChromaEmbeddingAdapter(embedder_name=self.state.embedder or self.settings.embedder_id)
        return ChromaEmbeddingAdapter(self._embeddings)

    def _collection(self, name: str):
        return self.client.get_or_create_collection(
            name=name,
            embedding_function=self._adapter(),
            configuration={"hnsw": {"space": "cosine"}},
        )

    def _where(self) -> str:
        return f"the Chroma server at {self.settings.chroma_url}" if self.settings.chroma_url else \
            str(self.settings.index_dir / "chroma")

    @property
    def collection(self):
        """The live collection (never created here: a missing one is reported, not silently replaced)."""
        if not self.state.collection:
            raise IndexMissingError("the index is empty: run `interview-qa ingest` first")
        try:
            return self.client.get_collection(name=self.state.collection, embedding_function=self._adapter())
        except Exception as exc:  # noqa: BLE001
            if _is_not_found(exc):
                raise IndexMissingError(f"the index collection {self.state.collection} is missing from "
                                        f"{self._where()}: run `interview-qa ingest` to rebuild it") from None
            raise self._unavailable(exc) from None

    def _unavailable(self, exc: BaseException) -> InterviewQAError:
        if isinstance(exc, InterviewQAError):
            return exc
        if self.settings.chroma_url:
            return server_unavailable(self.settings, exc)
        return StoreUnavailableError(f"the index in {self._where()} cannot be read ({type(exc).__name__}: {exc})")

    def problem(self, deep: bool = True) -> str | None:
        """Why the live collection does not hold what `state.json` says (missing, a different number of records,
        different content), or None. `deep` also compares the content hash (reads every record)."""
        name = self.state.collection
        if not name:
            return None
        try:
            col = self.client.get_collection(name=name, embedding_function=self._adapter())
            count = col.count()
        except Exception as exc:  # noqa: BLE001
            if _is_not_found(exc):
                return f"the index collection {name} is missing from {self._where()}"
            raise self._unavailable(exc) from None
        expected = self.state.expected_records
        if count != expected:
            return f"the index collection {name} on {self._where()} holds {count} records, not {expected}"
        if deep and self.state.content_hash:
            try:
                got = col.get(include=["documents", "metadatas"])
            except Exception as exc:  # noqa: BLE001
                raise self._unavailable(exc) from None
            if content_hash(got["ids"], got["documents"], got["metadatas"]) != self.state.content_hash:
                return f"the index collection {name} on {self._where()} does not hold what state.json records"
        return None

    def chunks(self) -> list[Chunk]:
        """Every chunk in the live collection, in a stable order."""
        if self._chunks is None:
            try:
                got = self.collection.get(include=["documents", "metadatas"])
            except InterviewQAError:
                raise
            except Exception as exc:  # noqa: BLE001
                raise self._unavailable(exc) from None
            chunks = [Chunk.from_record(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]
            if not chunks:
                raise IndexMissingError(f"the index collection {self.state.collection} on {self._where()} is empty: "
                                        "run `interview-qa ingest` to rebuild it")
            chunks.sort(key=lambda c: (c.interview, c.section, c.char_start))
            self._chunks = chunks
        return self._chunks

    def owns(self, name: str) -> bool:
        """Collections this index may drop: its own prefix on a shared server; in the private embedded store,
        also what older versions named `chunks_*` and what a copied home's previous id created."""
        if name.startswith(collection_prefix(self.settings)):
            return True
        return not self.settings.chroma_url and name.startswith(("chunks_", "iqa-"))

    def vectors(self) -> np.ndarray:
        """The stored embeddings of `chunks()`, row for row."""
        chunks = self.chunks()
        try:
            got = self.collection.get(ids=[c.chunk_id for c in chunks], include=["embeddings"])
        except InterviewQAError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise self._unavailable(exc) from None
        by_id = dict(zip(got["ids"], got["embeddings"]))
        return np.asarray([by_id[c.chunk_id] for c in chunks], dtype=np.float32).reshape(len(chunks), -1)

    def derived(self, name: str, build):
        """A structure computed from the chunks (see `ingest.snapshot`); read from Chroma, it is just built."""
        return build()

    def remove_orphans(self) -> None:
        """Drop this index's collections no state points to: what an interrupted ingest left behind."""
        for col in self.client.list_collections():
            name = col if isinstance(col, str) else col.name
            if name != self.state.collection and self.owns(name):
                with contextlib.suppress(Exception):  # another cleanup may have got there first
                    self.client.delete_collection(name)

    def commit(self, keep: set[str], new: dict[str, tuple[list[Chunk], np.ndarray, dict]],
               progress: Callable[[int], None] | None = None) -> None:
        """Publish a new collection holding the kept interviews as they are plus the new ones, atomically."""
        progress = progress or (lambda n: None)
        staging_name = f"{collection_prefix(self.settings)}{uuid.uuid4().hex[:12]}"
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
                        progress(len(got["ids"][s:s + COPY_BATCH]))
            for chunks, vectors, _ in new.values():
                for s in range(0, len(chunks), COPY_BATCH):
                    part = chunks[s:s + COPY_BATCH]
                    staging.add(ids=[c.chunk_id for c in part], documents=[c.text for c in part],
                                metadatas=[c.to_metadata() for c in part], embeddings=vectors[s:s + COPY_BATCH])
                    progress(len(part))
            documents = {k: v for k, v in self.state.documents.items() if k in keep}
            documents.update({k: info for k, (_, _, info) in new.items()})
            # What the server really holds now is what state.json will promise (and later ingests check).
            got = staging.get(include=["documents", "metadatas"])
            expected = sum(d["chunks"] for d in documents.values())
            if len(got["ids"]) != expected:
                raise StoreUnavailableError(f"the new collection {staging_name} on {self._where()} holds "
                                            f"{len(got['ids'])} records after writing {expected}")
            digest = content_hash(got["ids"], got["documents"], got["metadatas"])
        except BaseException as exc:
            with contextlib.suppress(Exception):
                self.client.delete_collection(staging_name)
            if isinstance(exc, Exception) and not isinstance(exc, InterviewQAError) and self.settings.chroma_url:
                raise self._unavailable(exc) from None
            raise
        old_name = self.state.collection
        self.state = IndexState(collection=staging_name, embedder=self.settings.embedder_id, documents=documents,
                                records=expected, content_hash=digest)
        self.state.save(self.settings.index_dir)  # the moment the new index goes live
        self._chunks = None
        if old_name and self.owns(old_name):
            with contextlib.suppress(Exception):
                self.client.delete_collection(old_name)
