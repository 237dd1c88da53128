"""The offline answerer: quotes, not generated prose.

From the best guest passages it picks the sentences that best match the question and quotes them
verbatim (exact substrings of the stored chunk text), framed in the question's language; a translated
quote comes with the English original it translates. When the best evidence is something the host or
an editor said, it says so rather than putting those words in the guest's mouth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.models import Chunk
from ingest.text import sentence_spans
from rag.lexical import tokenize
from rag.retrieval import Passage
from rag.types import Citation, Original

MAX_QUOTE_CHARS = 420
MAX_QUOTES = 2
MIN_LEAD_CHARS = 25  # an opening like "No, not at all." says nothing on its own

# Yes/no questions about whether the guest said something ("Did he say that…?"), as opposed to open ones
# ("What did he say about…?"), in three languages.
_YES_NO_SAID = re.compile(
    r"^\s*(did|does|has|is it true|was it|were they|is that)\b.{0,80}\b(say|said|claim|call|mention|argue|state|"
    r"tell|describe|admit|recommend|talk|think|suggest|believe|joke|compare|predict|promise|deny|praise)|"
    r"(と言いました|と述べました|と言った|と発言|と語りました)|"
    r"(說過|说过|是他說|是他说|有沒有說|有没有说|是否說|是否说|是否曾說|是否曾说|真的說|真的说).*[嗎吗？?]?",
    re.I,
)
_OPEN_QUESTION = re.compile(r"^\s*(what|how|why|which|where|when)\b|何|どう|なぜ|什麼|什么|怎麼|怎么|為什麼|为什么|哪", re.I)


def asks_attribution(question: str) -> bool:
    return bool(_YES_NO_SAID.search(question)) and not _OPEN_QUESTION.search(question)


# The "did he say" frame around the claim: not evidence of who said the claim.
_CLAIM_FRAME = re.compile(
    r"^\s*(did|does|has|is it true that|was it)\s+\S+\s+(ever\s+)?(say|said|claim|mention|talk about|tell|state)"
    r"\s+(that\s+)?|"
    r"(と言いましたか|と言いました|と述べましたか|と述べました|と言ったのですか|と言った|と発言しましたか|と語りましたか|ですか)|"
    r"(有沒有說過|有没有说过|有沒有說|有没有说|是否說過|是否说过|是否說|是否说|說過|说过|真的說|真的说|嗎|吗|呢)",
    re.I,
)


def claim_of(question: str) -> str:
    """'Did he say that X?' → 'X' (in three languages); the question itself if no frame is found."""
    return _CLAIM_FRAME.sub(" ", question).strip(" ?？。") or question


FRAMES = {
    "en": {
        "said": "{guest} said ({outlet}, {date}):",
        "abstain": "The interviews don't cover that. These were the closest passages searched:",
        "not_guest": "That was not {guest}: it was {speaker} ({role}) who said it ({outlet}, {date}):",
        "reply": "{guest}'s reply:",
        "original": "Original",
    },
    "ja": {
        "said": "{guest}氏の発言（{outlet}、{date}）：",
        "abstain": "インタビューではその話題は扱われていません。検索した中で最も近い箇所：",
        "not_guest": "それは{guest}氏の発言ではありません。{speaker}（{role}）の発言です（{outlet}、{date}）：",
        "reply": "これに対する{guest}氏の返答：",
        "original": "原文",
    },
    "zh": {
        "said": "{guest}說（{outlet}，{date}）：",
        "abstain": "訪談中沒有涉及這個問題。以下是檢索到的最接近的段落：",
        "not_guest": "這不是{guest}說的，而是{speaker}（{role}）說的（{outlet}，{date}）：",
        "reply": "{guest}的回答：",
        "original": "原文",
    },
}
GUEST_NAMES = {"ja": "ムスタファ・スレイマン", "zh": "穆斯塔法·蘇萊曼"}
ROLE_NAMES = {
    "en": {"host": "the host", "editor": "an editor's note", "guest": "the guest"},
    "ja": {"host": "聞き手", "editor": "編集部の注記", "guest": "ゲスト"},
    "zh": {"host": "主持人", "editor": "編輯註釋", "guest": "嘉賓"},
}


def _weight(token: str) -> float:
    if re.match(r"^[a-z0-9]", token):
        return 1.0
    return 1.0 if len(token) > 1 else 0.25  # CJK bigrams carry meaning; single characters much less


def best_window(text: str, query: str, max_chars: int = MAX_QUOTE_CHARS) -> tuple[int, int]:
    """The 1–2 consecutive sentences of `text` sharing most with the query (the opening ones if none do)."""
    spans = sentence_spans(text) or [(0, len(text))]
    q = set(tokenize(query))
    scores = [sum(_weight(t) for t in set(tokenize(text[s:e])) & q) for s, e in spans]
    best, best_score = (spans[0][0], spans[0][1]), -1.0
    for i, (s, e) in enumerate(spans):
        for j in (i, i + 1):
            if j >= len(spans):
                continue
            end = spans[j][1]
            if j > i and not _fits(text, s, end, max_chars):
                continue
            score = sum(scores[i:j + 1]) - 0.01 * i  # earlier wins ties: answers lead with the point
            if score > best_score:
                best, best_score = (s, end), score
    if best_score <= 0:
        s = spans[0][0]
        e = spans[1][1] if len(spans) > 1 and _fits(text, s, spans[1][1], max_chars) else spans[0][1]
        best = (s, e)
    return best


def _fits(text: str, start: int, end: int, max_chars: int) -> bool:
    """A two-sentence quote stays short and within one paragraph."""
    return end - start <= max_chars and "\n\n" not in text[start:end]


def original_for(chunk: Chunk, span: tuple[int, int], original_chunks: list[Chunk]) -> tuple[Chunk, tuple[int, int]] | None:
    """The English sentences a translated quote renders: via paragraph links, then relative position."""
    if not original_chunks:
        return None
    para_texts = chunk.text.split("\n\n") if len(chunk.paragraphs) > 1 else [chunk.text]
    # Which paragraph of the chunk the quote starts in, and where in it.
    pos, pi_local, offset_in_para = 0, 0, span[0]
    for i, t in enumerate(para_texts):
        if span[0] < pos + len(t) + 2 or i == len(para_texts) - 1:
            pi_local, offset_in_para = i, span[0] - pos
            break
        pos += len(t) + 2
    para_index = chunk.paragraphs[min(pi_local, len(chunk.paragraphs) - 1)]
    links = dict((p, ls) for p, ls in chunk.para_links).get(para_index, [])
    target = next((c for c in original_chunks if set(links) & set(c.paragraphs)), original_chunks[0])
    t_paras = target.text.split("\n\n") if len(target.paragraphs) > 1 else [target.text]
    wanted = [i for i, p in enumerate(target.paragraphs) if p in links] or [0]
    start = sum(len(t) + 2 for t in t_paras[:wanted[0]])
    end = start + sum(len(t) + 2 for t in t_paras[wanted[0]:wanted[-1] + 1]) - 2
    region = target.text[start:end]
    this_para = para_texts[min(pi_local, len(para_texts) - 1)]
    frac_a = offset_in_para / max(len(this_para), 1)
    frac_b = min(1.0, frac_a + (span[1] - span[0]) / max(len(this_para), 1))
    spans = sentence_spans(region) or [(0, len(region))]
    picked = [(s, e) for s, e in spans if frac_a - 0.08 <= ((s + e) / 2) / max(len(region), 1) <= frac_b + 0.08]
    if not picked:
        mid = (frac_a + frac_b) / 2 * len(region)
        picked = [min(spans, key=lambda se: abs((se[0] + se[1]) / 2 - mid))]
    return target, (start + picked[0][0], start + picked[-1][1])


@dataclass
class Draft:
    answer: str
    citations: list[Citation]


def _location(chunk: Chunk, span: tuple[int, int]) -> str:
    return f"{chunk.interview}#{chunk.section}:{chunk.char_start + span[0]}-{chunk.char_start + span[1]}"


def cite(chunk: Chunk, span: tuple[int, int], passage: Passage, with_original: bool = True) -> Citation:
    citation = Citation(chunk_id=chunk.chunk_id, interview=chunk.interview, speaker=chunk.speaker, role=chunk.role,
                        lang=chunk.lang, quote=chunk.text[span[0]:span[1]], location=_location(chunk, span))
    if with_original and chunk.section != "en":
        originals = [c for c in passage.members.values() if c.section == "en"]
        found = original_for(chunk, span, originals)
        if found:
            target, (s, e) = found
            citation.original = Original(lang=target.lang, quote=target.text[s:e])
            citation.original_chunk_id = target.chunk_id
    return citation


def _guest_name(lang: str, manifest: dict) -> str:
    guest = manifest.get("guest", "the guest")
    return GUEST_NAMES.get(lang, guest) if guest == "Mustafa Suleyman" else guest


def _frame(lang: str, key: str, manifests: dict, chunk: Chunk) -> str:
    m = manifests.get(chunk.interview, {})
    return FRAMES[lang][key].format(guest=_guest_name(lang, m), outlet=m.get("outlet", chunk.interview), date=m.get("date", ""),
                                    speaker=chunk.speaker, role=ROLE_NAMES[lang].get(chunk.role, chunk.role))


def _quote_line(c: Citation, n: int, lang: str) -> str:
    line = f"{n}. “{c.quote}” — {c.speaker}"
    if c.original is not None:
        line += f"\n   ({FRAMES[lang]['original']}: “{c.original.quote}”)"
    return line


def compose_attribution(question: str, lang: str, speakers: list[Passage], manifests: dict, next_turn=None) -> Draft:
    """The words asked about are someone else's (host or editor): say whose, quote them, then the guest's reply."""
    citations, parts = [], []
    for p in speakers:
        chunk = p.best_in(lang)
        citations.append(cite(chunk, best_window(chunk.text, question), p))
        if len(citations) == 1:
            parts.append(_frame(lang, "not_guest", manifests, chunk))
        parts.append(_quote_line(citations[-1], len(citations), lang))
    reply = next_turn(speakers[0].best_in(lang)) if next_turn else None
    if reply is not None:
        r_chunk, r_passage = reply
        citations.append(cite(r_chunk, best_window(r_chunk.text, question), r_passage))
        parts += [_frame(lang, "reply", manifests, r_chunk), _quote_line(citations[-1], len(citations), lang)]
    return Draft("\n".join(parts), citations)


def compose(question: str, lang: str, passages: list[Passage], manifests: dict, grounded: bool,
            next_turn=None) -> Draft:
    """The guest's words that answer the question. `next_turn(chunk)` gives the guest reply to a host turn."""
    frames = FRAMES[lang]
    if not grounded or not passages:
        return Draft(frames["abstain"], [])
    guest_passages = [p for p in passages if p.role == "guest"]
    if not guest_passages:
        return Draft(frames["abstain"], [])
    # A host question ranked above every guest passage points at the answer: its reply leads.
    first = passages.index(guest_passages[0])
    question_turn = next((p for p in passages[:first] if p.role == "host"), None)
    if question_turn is not None and next_turn is not None:
        reply = next_turn(question_turn.best_in(lang))
        if reply is not None:
            key = reply[1].key
            led = next((p for p in guest_passages if p.key == key), reply[1])
            guest_passages = [led] + [p for p in guest_passages if p.key != key]
    chosen = [guest_passages[0]] + [p for p in guest_passages[1:MAX_QUOTES] 
                           if p.score >= 0.85 * guest_passages[0].score and p.dense >= guest_passages[0].dense - 0.015]
    citations = []
    for n, p in enumerate(chosen):
        chunk = p.best_in(lang)
        span = best_window(chunk.text, question)
        lead = (sentence_spans(chunk.text) or [(0, len(chunk.text))])[0]
        if n == 0 and span[0] > lead[0] and lead[1] - lead[0] >= MIN_LEAD_CHARS:
            # Answers lead with their point: quote the opening too when the best match is further in.
            citations.append(cite(chunk, lead, p))
        citations.append(cite(chunk, span, p))
    lines = [_frame(lang, "said", manifests, chosen[0].best_in(lang))]
    lines += [_quote_line(c, i + 1, lang) for i, c in enumerate(citations)]
    return Draft("\n".join(lines), citations)
