"""Helpers for tests and local checks: run the real app on a free 127.0.0.1 port in a background thread."""

from __future__ import annotations

import contextlib
import socket
import time
import urllib.request
from collections.abc import Iterator

from ui.app import CONCURRENCY, build_app, launch_kwargs


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - 127.0.0.1 only
                if resp.status == 200:
                    return
        except Exception as exc:  # noqa: BLE001
            last = exc
        time.sleep(0.2)
    raise RuntimeError(f"the app did not come up at {url}: {last}")


@contextlib.contextmanager
def running_app(service, auth=None) -> Iterator[str]:
    """Launch `build_app(service)` without blocking; yield its URL; close it afterwards."""
    demo = build_app(service)
    port = free_port()
    kwargs = launch_kwargs("127.0.0.1", port, auth)
    demo.queue(default_concurrency_limit=CONCURRENCY).launch(prevent_thread_lock=True, quiet=True, **kwargs)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url)
        yield url
    finally:
        demo.close()
