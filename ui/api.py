"""The JSON API (`/ask`, `/context`) for programs such as gradio_client: JSON in, JSON out."""

from __future__ import annotations

import logging

import gradio as gr

from interview_qa.errors import BadQuestionError, InterviewQAError
from interview_qa.validation import validate_k
from ui.common import ALL, plain
from ui.filters import ask_options

log = logging.getLogger(__name__)


def register_api(service) -> None:
    def ask(
        question: str,
        interview: str = ALL,
        lang: str = ALL,
        guest_only: bool = False,
        history: list | None = None,
        k: int = 5,
    ) -> dict:
        """Answer a question about the interviews with verbatim, speaker-attributed quotes.

        Returns the answer as JSON: question, answer, answer_lang, grounded, mode, notice, citations
        (chunk_id, interview, speaker, role, lang, quote, original, location), retrieved, model.
        On a bad question (or k outside 1-50) returns {"error": message, "error_type": name}.
        """
        try:
            answer = service.ask(question, k=validate_k(k), **ask_options(history, interview, lang, guest_only))
        except InterviewQAError as exc:
            return {"error": str(exc), "error_type": type(exc).__name__}
        except Exception as exc:  # noqa: BLE001 - a program gets a structured error, never a bare failure
            log.exception("/ask failed")
            return {"error": f"internal error ({type(exc).__name__}); see the server log", "error_type": "InternalError"}
        return plain(answer)

    def context(chunk_id: str, window: int = 2) -> dict:
        """The passage around a cited chunk: interview manifest, section, chunk, turns before and after."""
        try:
            ctx = service.context(str(chunk_id), window=_window(window))
        except InterviewQAError as exc:
            return {"error": str(exc), "error_type": type(exc).__name__}
        return {
            "interview": plain(ctx.get("interview")),
            "section": ctx.get("section"),
            "chunk": plain(ctx.get("chunk")),
            "before": [plain(c) for c in ctx.get("before") or []],
            "after": [plain(c) for c in ctx.get("after") or []],
        }

    def _window(window) -> int:
        if isinstance(window, bool) or not str(window).strip().isdigit() or not 0 <= int(window) <= 20:
            raise BadQuestionError(f"window must be an integer from 0 to 20, got {str(window)[:40]!r}")
        return int(window)

    gr.api(ask, api_name="ask")
    gr.api(context, api_name="context")
