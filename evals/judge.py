"""Optional LLM judge (report only): claim-level faithfulness of grounded answers.

For each grounded answer the judge model (1) splits the answer into atomic factual claims, then (2) says,
for each claim, whether the cited passages support it. faithfulness = supported claims / claims.
Temperature 0; every call is cached in `<out_dir>/judge-cache.json` keyed by model + prompt, so a rerun
costs nothing. Runs only when an LLM is configured (settings.llm_enabled); never gates.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

CLAIMS_PROMPT = """Split the ANSWER into short, atomic factual claims about what was said in the interview.
Ignore formatting, citation markers and speaker labels themselves (but keep who-said-what as part of a claim).
Reply with JSON only: {{"claims": ["...", "..."]}}

QUESTION: {question}
ANSWER:
{answer}"""

VERDICT_PROMPT = """You check claims against interview passages. For each claim, answer true only if the
PASSAGES (and the stated speakers) directly support it; otherwise false.
Reply with JSON only: {{"verdicts": [true, false, ...]}} (one per claim, same order).

PASSAGES:
{passages}

CLAIMS:
{claims}"""


class Judge:
    def __init__(self, settings, cache_path: Path, client=None):
        self.model = settings.llm_model
        self.cache_path = Path(cache_path)
        self.cache = json.loads(self.cache_path.read_text(encoding="utf-8")) if self.cache_path.exists() else {}
        if client is None:
            from openai import OpenAI

            client = OpenAI(base_url=settings.llm_base_url, api_key=settings.llm_api_key or "not-needed",
                            timeout=settings.llm_timeout, max_retries=1)
        self.client = client

    def _call(self, prompt: str) -> dict:
        key = hashlib.sha256(f"{self.model}\n{prompt}".encode()).hexdigest()
        if key not in self.cache:
            resp = self.client.chat.completions.create(
                model=self.model, temperature=0, messages=[{"role": "user", "content": prompt}])
            self.cache[key] = resp.choices[0].message.content or ""
            self.save()
        return _parse_json(self.cache[key])

    def save(self) -> None:
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        self.cache_path.write_text(json.dumps(self.cache, ensure_ascii=False, indent=0), encoding="utf-8")

    def claims(self, question: str, answer: str) -> list[str]:
        got = self._call(CLAIMS_PROMPT.format(question=question, answer=answer))
        return [str(c) for c in got.get("claims") or [] if str(c).strip()]

    def faithfulness(self, answer: dict, chunk_texts: dict[str, str]) -> dict:
        """{"claims": [...], "verdicts": [...], "faithfulness": supported/total (None if no claims)}."""
        claims = self.claims(answer.get("question", ""), answer.get("answer", ""))
        if not claims:
            return {"claims": [], "verdicts": [], "faithfulness": None}
        passages = "\n\n".join(
            f"[{c['chunk_id']}] {c.get('speaker')} ({c.get('role')}): {chunk_texts.get(c['chunk_id'], c.get('quote', ''))}"
            for c in answer.get("citations") or [])
        got = self._call(VERDICT_PROMPT.format(passages=passages or "(none)",
                                               claims="\n".join(f"{i + 1}. {c}" for i, c in enumerate(claims))))
        verdicts = [bool(v) for v in (got.get("verdicts") or [])][:len(claims)]
        verdicts += [False] * (len(claims) - len(verdicts))
        return {"claims": claims, "verdicts": verdicts, "faithfulness": sum(verdicts) / len(claims)}


def _parse_json(text: str) -> dict:
    m = re.search(r"\{.*\}", text or "", re.S)
    if not m:
        return {}
    try:
        return json.loads(m.group(0))
    except json.JSONDecodeError:
        return {}


def judge_run(settings, rows: list[dict], out_dir: Path, client=None, limit: int | None = None) -> dict:
    """Claim-level faithfulness over the grounded answers of an evaluated run (report only)."""
    judge = Judge(settings, Path(out_dir) / "judge-cache.json", client)
    total = supported = answers = 0
    per_item = []
    for r in rows[:limit] if limit else rows:
        ans = r["answer"]
        if not ans.get("grounded") or not ans.get("citations"):
            continue
        texts = {x["chunk_id"]: x.get("text", "") for x in ans.get("retrieved") or []}
        for x in ans.get("retrieved") or []:
            texts.update({ln["chunk_id"]: ln.get("text", "") for ln in x.get("linked") or []})
        res = judge.faithfulness(ans, texts)
        answers += 1
        total += len(res["claims"])
        supported += sum(res["verdicts"])
        per_item.append({"id": r["item"]["id"], **res})
    return {"model": judge.model, "answers": answers, "claims": total,
            "faithfulness": supported / total if total else None, "cache": str(judge.cache_path), "items": per_item}
