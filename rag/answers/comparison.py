"""Compare questions ("Compare what he said about jobs on Decoder and at Bloomberg"): one section per
interview, with its outlet and date and its best quote; a side where nothing passes the relevance floor says
so rather than quoting something unrelated."""

from __future__ import annotations

from collections.abc import Callable

from rag.extractive import Draft, FRAMES, MAX_QUOTES, best_window, cite, frame_for, _quote_line
from rag.retrieval import Passage

QUOTES_PER_SIDE = 1


def compose_comparison(lang: str, sides: dict[str, list[Passage]], manifests: dict, query,
                       relevant: Callable[[list[Passage]], bool]) -> Draft:
    """`sides`: interview id -> its ranked passages (guest turns first); `relevant(passages)` says whether a
    side's best passages pass the relevance floor."""
    draft = Draft("", [], kind="compare")
    lines = [FRAMES[lang]["compare"]]
    for interview in sorted(sides, key=lambda i: manifests.get(i, {}).get("date", "")):
        passages = [p for p in sides[interview] if p.role == "guest"]
        if not passages or not relevant(passages):
            lines.append(frame_for(lang, "side_empty", manifests, interview))
            draft.sections.append({"interview": interview, "outlet": manifests.get(interview, {}).get("outlet", interview),
                                   "date": manifests.get(interview, {}).get("date", ""), "citations": [], "found": False})
            continue
        lines.append(frame_for(lang, "side", manifests, interview))
        indexes = []
        for p in passages[:QUOTES_PER_SIDE]:
            if len(draft.citations) >= MAX_QUOTES:
                break
            chunk = p.best_in(lang)
            draft.citations.append(cite(chunk, best_window(chunk.text, query), p))
            indexes.append(len(draft.citations) - 1)
            lines.append(_quote_line(draft.citations[-1], len(draft.citations), lang))
        draft.sections.append({"interview": interview, "outlet": manifests.get(interview, {}).get("outlet", interview),
                               "date": manifests.get(interview, {}).get("date", ""), "citations": indexes, "found": True})
    draft.answer = "\n".join(lines)
    return draft
