"""A tiny local OpenAI-compatible `/v1/chat/completions` stand-in for tests (127.0.0.1 only).

Usage in a test::

    from tests.fake_openai_server import fake_llm, Reply  # noqa: F401  (fixture import)

    def test_x(fake_llm):
        fake_llm.script(Reply(content='{"answer": "hi", "citations": []}'))
        ...  # point ChatOpenAI at fake_llm.base_url
        assert fake_llm.requests[0].body["stream"] is True

Replies are consumed in order, one per request; the last one keeps answering once the script runs out.
Every request is recorded (path, headers, JSON body) in `fake_llm.requests`.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Reply:
    """One scripted answer.

    content:      the assistant message text (sent verbatim, JSON or not)
    status:       HTTP status; != 200 sends an OpenAI-style error body instead of a completion
    error_body:   extra text put into the error message (e.g. to check it never leaks to users)
    delay:        seconds to sleep before sending anything (to provoke client timeouts)
    chunk_size:   characters of content per streamed SSE chunk
    stall_after:  when streaming, stop after this many chunks and sleep `stall_for` seconds (mid-stream stall)
    gate_after:   when streaming, after this many chunks wait until `server.release()` is called
                  (up to `gate_timeout` s) — proves the client consumes chunks as they arrive
    trickle_bytes, trickle_every: when streaming, send the response body `trickle_bytes` bytes at a time,
                  one slice every `trickle_every` seconds (never idle long enough for a read timeout)
    """

    content: str = ""
    status: int = 200
    error_body: str = ""
    delay: float = 0.0
    chunk_size: int = 5
    stall_after: int | None = None
    stall_for: float = 0.0
    gate_after: int | None = None
    gate_timeout: float = 5.0
    trickle_bytes: int = 0
    trickle_every: float = 0.0


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]  # keys lower-cased
    body: dict[str, Any]

    @property
    def system_prompt(self) -> str:
        return "\n".join(str(m.get("content")) for m in self.body.get("messages", []) if m.get("role") == "system")

    @property
    def user_text(self) -> str:
        return "\n".join(str(m.get("content")) for m in self.body.get("messages", []) if m.get("role") != "system")


@dataclass
class FakeOpenAI:
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[RecordedRequest] = field(default_factory=list)
    gate_timed_out: bool = False
    _replies: list[Reply] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _gate: threading.Event = field(default_factory=threading.Event)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def script(self, *replies: Reply | str) -> None:
        """Replace the script. A bare string means Reply(content=that string)."""
        with self._lock:
            self._replies = [r if isinstance(r, Reply) else Reply(content=r) for r in replies]
            self._gate.clear()
            self.gate_timed_out = False

    def release(self) -> None:
        self._gate.set()

    def _next_reply(self) -> Reply:
        with self._lock:
            if not self._replies:
                return Reply(status=500, error_body="fake server: no reply scripted")
            return self._replies.pop(0) if len(self._replies) > 1 else self._replies[0]

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)  # returns early when the server is shutting down

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> "FakeOpenAI":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep pytest output clean
                pass

            def _send_json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                fake.requests.append(RecordedRequest(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                    return
                reply = fake._next_reply()
                if reply.delay:
                    fake._sleep(reply.delay)
                if fake._stopping.is_set():
                    return
                if reply.status != 200:
                    msg = f"fake error {reply.status}. {reply.error_body}".strip()
                    self._send_json(reply.status, {"error": {"message": msg, "type": "fake_error", "code": None}})
                    return
                model = body.get("model", "fake-model")
                if body.get("stream"):
                    self._stream(reply, model)
                else:
                    self._send_json(200, {
                        "id": "chatcmpl-fake",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": model,
                        "choices": [{
                            "index": 0,
                            "message": {"role": "assistant", "content": reply.content},
                            "finish_reason": "stop",
                        }],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    })

            def _event(self, payload: dict | str) -> None:
                text = payload if isinstance(payload, str) else json.dumps(payload)
                self._send_chunk(f"data: {text}\n\n".encode())

            def _send_chunk(self, data: bytes) -> None:
                if self._trickle is not None:
                    self._trickle.append(data)
                    return
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            _trickle: list[bytes] | None = None

            def _stream(self, reply: Reply, model: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                        "model": model}
                if reply.trickle_bytes:
                    self._trickle = []  # collect the whole body, then send it slice by slice
                self._event({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                                  "finish_reason": None}]})
                pieces = [reply.content[i:i + reply.chunk_size] for i in range(0, len(reply.content), reply.chunk_size)]
                for n, piece in enumerate(pieces):
                    if reply.stall_after is not None and n == reply.stall_after:
                        fake._sleep(reply.stall_for)
                        if fake._stopping.is_set():
                            return
                    if reply.gate_after is not None and n == reply.gate_after:
                        if not fake._gate.wait(reply.gate_timeout):
                            fake.gate_timed_out = True
                    self._event({**base, "choices": [{"index": 0, "delta": {"content": piece},
                                                      "finish_reason": None}]})
                self._event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                self._event("[DONE]")
                if self._trickle is not None:
                    body, self._trickle = b"".join(self._trickle), None
                    for i in range(0, len(body), reply.trickle_bytes):
                        if fake._stopping.is_set():
                            return
                        try:
                            self._send_chunk(body[i:i + reply.trickle_bytes])
                        except OSError:  # the client gave up: that is the point
                            return
                        fake._sleep(reply.trickle_every)
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._gate.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


@pytest.fixture
def fake_llm():
    server = FakeOpenAI().start()
    try:
        yield server
    finally:
        server.stop()
