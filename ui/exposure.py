"""What the server exposes beyond the chat: no uploads (no feature needs them), throttled logins, and a warning
when it listens beyond this machine without a login.

`GuardMiddleware` wraps Gradio's FastAPI app (passed through `launch(app_kwargs=...)`):
- any POST to an `…/upload` route is refused (Gradio would otherwise store arbitrary files for anyone);
- a client (by IP) with `LOGIN_FAILURES` failed logins within `LOGIN_WINDOW` seconds gets 429 until the window
  has passed; a successful login clears its record.
"""

from __future__ import annotations

import ipaddress
import json
import os
import sys
import threading
import time
from collections import defaultdict, deque

LOGIN_FAILURES = 5
LOGIN_WINDOW = 60.0


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    """USER:PASSWORD from --auth or INTERVIEW_QA_AUTH, or None; a malformed value is a one-line error."""
    from interview_qa.errors import ConfigError

    auth = auth if auth is not None else os.environ.get("INTERVIEW_QA_AUTH")
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise ConfigError("auth must look like USER:PASSWORD (from --auth or INTERVIEW_QA_AUTH)")
    return user, password


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, has_auth: bool) -> str | None:
    """The warning to print when the chat is reachable from other machines without a login, else None."""
    if has_auth or is_loopback(host):
        return None
    return (f"warning: serving on {host} without a login: anyone who can reach this machine can use the chat and "
            "its API; add --auth USER:PASSWORD (or INTERVIEW_QA_AUTH), or serve on 127.0.0.1")


def warn_if_exposed(host: str, has_auth: bool) -> None:
    message = exposure_warning(host, has_auth)
    if message:
        print(message, file=sys.stderr, flush=True)


class GuardMiddleware:
    """Pure ASGI middleware: refuses uploads, throttles failed logins per client address."""

    def __init__(self, app, login_failures: int = LOGIN_FAILURES, login_window: float = LOGIN_WINDOW):
        self.app = app
        self.login_failures = login_failures
        self.login_window = login_window
        self._failures: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST":
            return await self.app(scope, receive, send)
        path = scope.get("path", "").rstrip("/")
        if path.endswith("/upload"):
            return await _reply(send, 403, {"detail": "uploads are disabled on this server"})
        if path.endswith("/login"):
            return await self._login(scope, receive, send)
        return await self.app(scope, receive, send)

    async def _login(self, scope, receive, send):
        client = (scope.get("client") or ("?", 0))[0]
        now = time.monotonic()
        with self._lock:
            recent = self._failures[client]
            while recent and now - recent[0] > self.login_window:
                recent.popleft()
            wait = self.login_window - (now - recent[0]) if len(recent) >= self.login_failures else 0
        if wait > 0:
            return await _reply(send, 429, {"detail": f"too many failed logins; try again in {int(wait) + 1} s"},
                                [(b"retry-after", str(int(wait) + 1).encode())])
        status = {}

        async def watch(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        with self._lock:
            if status.get("code") == 200:
                self._failures.pop(client, None)
            elif status.get("code", 400) >= 400:
                self._failures[client].append(time.monotonic())


async def _reply(send, status: int, payload: dict, headers: list | None = None) -> None:
    body = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


def app_kwargs() -> dict:
    """FastAPI keyword arguments for `launch(app_kwargs=...)`: a fresh dict each time (Gradio adds to it)."""
    from starlette.middleware import Middleware

    return {"middleware": [Middleware(GuardMiddleware)]}
