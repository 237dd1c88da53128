"""A read-only copy of the live index for answering, and the structures derived from it, kept on disk.

Answering needs every chunk and its vector in memory (retrieval scores them with numpy), not a database
query per question. Reading them from the embedded Chroma store costs a Chroma client, its imports and a
full read in every process; the snapshot is the same records as plain files beside `state.json`
(`index/snapshot/<collection>/`: `chunks.json`, `vectors.npy`), so `interview-qa ask` answers without
opening Chroma. Derived structures such as the BM25 index are stored there too (`derived/<name>-<key>.pkl`),
built once instead of in every process, and keyed by a fingerprint of the code and packages that build
them: change the tokenizer (or upgrade a package) and they are rebuilt on first use.

A snapshot belongs to one collection (a new one per ingest), is written to a temporary folder and renamed
into place, and is only trusted if it loads and agrees with `state.json` (the same embedder, record count
and content hash that the Chroma store is held to); otherwise answering falls back to Chroma and writes a
fresh one. With a Chroma server (INTERVIEW_QA_CHROMA_URL) the server stays the
source of truth and no snapshot is kept.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import shutil
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from interview_qa.errors import IndexMissingError
from interview_qa.settings import REPO_ROOT, Settings
from ingest.models import Chunk
from ingest.store import IndexState, check_embedder, content_hash

FORMAT = 1
# The code whose output a derived structure is: any change to these rebuilds it.
_FINGERPRINTED = ("rag", "ingest")


def snapshot_root(settings: Settings) -> Path:
    return settings.index_dir / "snapshot"


def snapshot_dir(settings: Settings, collection: str) -> Path:
    return snapshot_root(settings) / collection


@functools.cache
def code_fingerprint() -> str:
    """A digest of the retrieval and ingest sources (and their data files), the installed packages and the
    Python version: what a derived structure depends on. Cheap: a few dozen small files and directory names."""
    h = hashlib.sha256(sys.version.encode())
    for package in _FINGERPRINTED:
        root = REPO_ROOT / package
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc",):
                h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    for entry in sys.path:
        if entry.endswith("site-packages") and os.path.isdir(entry):
            h.update("\n".join(sorted(n for n in os.listdir(entry) if n.endswith(".dist-info"))).encode())
    return h.hexdigest()[:16]


class IndexSnapshot:
    """The live index read from its snapshot: the same `state`, `chunks()`, `vectors()`, `embeddings` and
    `derived()` that retrieval uses on a `ChunkStore`, without Chroma."""

    def __init__(self, settings: Settings, state: IndexState, chunks: list[Chunk], vectors: np.ndarray):
        self.settings = settings
        self.state = state
        self._chunks = chunks
        self._vectors = vectors
        self._embeddings = None
        self.dir = snapshot_dir(settings, state.collection)

    @property
    def embeddings(self):
        """The configured embedder, loaded on first use (only queries need it)."""
        if self._embeddings is None:
            from ingest.embeddings import make_embeddings

            self._embeddings = make_embeddings(self.settings)
        return self._embeddings

    def chunks(self) -> list[Chunk]:
        return self._chunks

    def vectors(self) -> np.ndarray:
        return self._vectors

    def derived(self, name: str, build: Callable[[], Any]) -> Any:
        return load_or_build(self.dir / "derived", name, build)

    @classmethod
    def load(cls, settings: Settings, state: IndexState) -> "IndexSnapshot":
        """The snapshot of `state`'s collection; ValueError/OSError if it is missing or doesn't match."""
        folder = snapshot_dir(settings, state.collection)
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        expected = state.expected_records
        if meta.get("format") != FORMAT or meta.get("collection") != state.collection or meta.get("count") != expected:
            raise ValueError(f"snapshot {folder} does not match the index")
        records = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
        if not _matches_state(records, state):
            raise ValueError(f"snapshot {folder} does not hold what state.json records")
        chunks = [Chunk.from_record(i, text, m) for i, text, m in records]
        vectors = np.load(folder / "vectors.npy", allow_pickle=False)
        if len(chunks) != expected or vectors.shape[0] != expected or not np.isfinite(vectors).all():
            raise ValueError(f"snapshot {folder} is incomplete")
        return cls(settings, state, chunks, vectors)


def _matches_state(records: list, state: IndexState) -> bool:
    """Whether `[id, text, metadata]` records are exactly what `state.json` says the live collection holds
    (its content hash; a state from before hashes were kept is checked by count alone, in `load`)."""
    if not state.content_hash:
        return True
    return content_hash([r[0] for r in records], [r[1] for r in records], [r[2] for r in records]) == state.content_hash


def write_snapshot(settings: Settings, store) -> Path | None:
    """Write the snapshot of `store`'s live collection (atomically), and drop snapshots of older collections.
    Best effort: a failure only means answering reads Chroma until the next try. A collection that does not
    hold what `state.json` records gets no snapshot (it would not be trusted)."""
    collection = store.state.collection
    if settings.chroma_url or not collection:
        return None
    chunks = store.chunks()
    records = [[c.chunk_id, c.text, c.to_metadata()] for c in chunks]
    if not _matches_state(records, store.state):
        return None
    vectors = store.vectors()
    root = snapshot_root(settings)
    final = snapshot_dir(settings, collection)
    tmp = root / f".tmp-{uuid.uuid4().hex[:8]}"
    old = root / f".old-{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir(parents=True)
        (tmp / "chunks.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        np.save(tmp / "vectors.npy", np.asarray(vectors, dtype=np.float32))
        (tmp / "meta.json").write_text(json.dumps({"format": FORMAT, "collection": collection,
                                                   "count": len(chunks)}), encoding="utf-8")
        with contextlib.suppress(FileNotFoundError):
            os.replace(final, old)  # a damaged snapshot of this collection: set aside, then replaced
        os.replace(tmp, final)
    except OSError:
        return None  # e.g. another process put its (identical) snapshot in place first
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    for other in root.iterdir():
        if other.name != collection and not other.name.startswith("."):
            shutil.rmtree(other, ignore_errors=True)
    return final


def load_or_build(folder: Path, name: str, build: Callable[[], Any]) -> Any:
    """`build()`'s result, from `folder` if an earlier process stored it with the same code fingerprint."""
    path = folder / f"{name}-{code_fingerprint()}.pkl"
    with contextlib.suppress(Exception):  # missing, truncated, or from code that no longer unpickles: rebuild
        with open(path, "rb") as fh:
            return pickle.load(fh)
    value = build()
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for stale in folder.glob(f"{name}-*.pkl"):
            if stale != path:
                stale.unlink(missing_ok=True)
    return value


def open_for_reading(settings: Settings):
    """The live index for answering: its snapshot when one suffices, else the Chroma store (then writing the
    snapshot for the next process)."""
    from ingest.store import ChunkStore

    state = IndexState.load(settings.index_dir)
    if not state.collection:
        raise IndexMissingError(f"no index in {settings.index_dir}: run `interview-qa ingest` first")
    check_embedder(settings, state)
    if not settings.chroma_url:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            return IndexSnapshot.load(settings, state)
    store = ChunkStore.open_existing(settings)
    write_snapshot(settings, store)
    return store
