"""The JSON API (`/ask`, `/context`) for programs such as gradio_client: JSON in, JSON out."""

from __future__ import annotations

import gradio as gr

from interview_qa.errors import InterviewQAError
from ui.common import ALL, plain
from ui.filters import ask_options


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
        On a bad question returns {"error": message}.
        """
        try:
            answer = service.ask(question or "", k=int(k), **ask_options(history, interview, lang, guest_only))
        except InterviewQAError as exc:
            return {"error": str(exc), "error_type": type(exc).__name__}
        return plain(answer)

    def context(chunk_id: str, window: int = 2) -> dict:
        """The passage around a cited chunk: interview manifest, section, chunk, turns before and after."""
        try:
            ctx = service.context(chunk_id, window=int(window))
        except InterviewQAError as exc:
            return {"error": str(exc), "error_type": type(exc).__name__}
        return {
            "interview": plain(ctx.get("interview")),
            "section": ctx.get("section"),
            "chunk": plain(ctx.get("chunk")),
            "before": [plain(c) for c in ctx.get("before") or []],
            "after": [plain(c) for c in ctx.get("after") or []],
        }

    gr.api(ask, api_name="ask")
    gr.api(context, api_name="context")
