"""A QAService for long-running servers that follows the index: after another process ingests, the next request
notices that `state.json` names a newer collection, a fresh `QAService` is built over it in the background, and
it replaces the old one in a single assignment. A request always runs start to finish on the service it began
with (no request ever mixes two indexes); until the new one is ready, the old one keeps answering.

Answering itself is read-only and safe to run from many threads at once (Gradio's worker pool): the index
lives in memory (chunks, BM25 arrays, vectors), the embedder allocates per call, and per-request state is local.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator

from interview_qa.settings import Settings
from ingest.store import ChunkStore, IndexState
from rag.service import QAService

log = logging.getLogger(__name__)

CHECK_EVERY = 1.0  # seconds between looks at state.json (one stat() call)
RETRY_AFTER = 30.0  # seconds before retrying a newer index that failed to load (sooner if it changes again)


class LiveQAService:
    """Delegates to the current `QAService`; swaps in a newer index when one is published."""

    def __init__(self, settings: Settings, service: QAService | None = None, check_every: float = CHECK_EVERY):
        self.settings = settings
        self._service = service or QAService.from_settings(settings, build_if_missing=True, progress=True)
        self._collection = self._service.store.state.collection
        self._state_path = settings.index_dir / "state.json"
        self._stamp = self._state_stamp()
        self._check_every = check_every
        self._next_check = 0.0
        self._retry_at = 0.0
        self._failed_stamp = None
        self._lock = threading.Lock()
        self._loading: threading.Thread | None = None
        # The dictionaries load in the background while the server starts: the first question naming a word the
        # interviews never use would otherwise wait ≈0.9 s for them.
        threading.Thread(target=_warm_up, daemon=True, name="warm-up").start()

    # -- following the index -----------------------------------------------------------------------

    def _state_stamp(self):
        try:
            st = os.stat(self._state_path)
        except OSError:
            return None
        return st.st_mtime_ns, st.st_ino, st.st_size

    def current(self) -> QAService:
        """The service to run one request on (start a background switch first if the index changed)."""
        now = time.monotonic()
        if now >= self._next_check:
            self._next_check = now + self._check_every
            stamp = self._state_stamp()
            retry = stamp != self._failed_stamp or now >= self._retry_at
            if stamp != self._stamp and stamp is not None and retry:
                with self._lock:
                    if self._loading is None:
                        self._loading = threading.Thread(target=self._switch, args=(stamp,), daemon=True,
                                                         name="index-switch")
                        self._loading.start()
        return self._service

    def _switch(self, stamp) -> None:
        try:
            state = IndexState.load(self.settings.index_dir)
            if state.collection and state.collection != self._collection:
                t = time.monotonic()
                fresh = QAService(self.settings, ChunkStore.open_existing(self.settings))
                self._service, self._collection = fresh, state.collection  # the atomic switch
                log.warning("switched to the newer index %s (%d chunks, loaded in %.1f s)", state.collection,
                            len(fresh.index.chunks), time.monotonic() - t)
            self._stamp = stamp
        except Exception as exc:  # noqa: BLE001 - a server keeps serving what it has
            self._retry_at, self._failed_stamp = time.monotonic() + RETRY_AFTER, stamp
            log.warning("a newer index could not be loaded (%s: %s); still serving %s",
                        type(exc).__name__, " ".join(str(exc).split()), self._collection)
        finally:
            with self._lock:
                self._loading = None

    def wait_for_switch(self, timeout: float = 60.0) -> bool:
        """Check now and wait for any switch to finish (for tests and tools); True if the index is current."""
        self._next_check = 0.0
        self.current()
        loading = self._loading
        if loading is not None:
            loading.join(timeout)
        return self._collection == IndexState.load(self.settings.index_dir).collection

    # -- the QAService interface, each call on one service ------------------------------------------

    def stream(self, *args, **kwargs) -> Iterator:
        yield from self.current().stream(*args, **kwargs)

    def ask(self, *args, **kwargs):
        return self.current().ask(*args, **kwargs)

    def context(self, *args, **kwargs):
        return self.current().context(*args, **kwargs)

    def interviews(self):
        return self.current().interviews()

    def manifests(self):
        return self.current().manifests()

    def mode_label(self):
        return self.current().mode_label()

    def format_citations(self, answer):
        return self.current().format_citations(answer)

    @property
    def store(self):
        return self.current().store

    @property
    def index(self):
        return self.current().index


def _warm_up() -> None:
    from rag.translate import warm_up

    try:
        warm_up()
    except Exception as exc:  # noqa: BLE001 - the first question needing them loads them itself, or says why not
        logging.getLogger(__name__).warning("loading the dictionaries ahead of the first question failed: %s", exc)
