#!/usr/bin/env python3
"""Validate the evaluation question sets (evals/data/questions.jsonl, schema v1, and
evals/data/questions_v2/*.jsonl, schema v2).

Pure standard library. Usage:

    python3 evals/data/check_questions.py [CORPUS_DIR] [--questions PATH ...] [--interviews DIR]

CORPUS_DIR holds the raw captures (``*.txt`` files whose names start with the
interview id, e.g. ``verge-decoder-2026-06-08.ja-en.txt``); it is searched
recursively, so ``data/interviews`` works too. It defaults to
``<repo>/../shared/corpus`` (or ``<repo>/data/interviews`` when that is absent).
Without ``--questions`` every question file is checked; ids must be unique
across all of them. Items whose id starts with ``v2-`` follow schema v2.

Checks (schema v1):
  * every line is a JSON object with exactly the expected keys and types;
  * allowed values for lang / script / kind / interview / expected_role;
  * unique ids, id prefix matches lang;
  * history non-empty iff kind == "followup"; script set iff lang == "zh";
  * consistency between kind, answerable, expected_role and gold_substrings;
  * every gold substring is 12-60 characters, contains no line break and
    occurs in the interview's corpus file, inside the interview text (not in
    site chrome, newsletter boxes, chart labels or related-article headlines);
  * gold substrings occurring more than once in the file are reported (error);
  * answerable items whose passage exists in both languages cite at least one
    English-original span and one translation span; Chinese-only items
    (kind "zh_only") cite only spans from the Chinese-only tail.
Checks (schema v2, against the curated turn maps ``data/interviews/*/turns.json``
and manifests, read by ``evals/truth.py``):
  * required keys present, no unknown keys; lang / script / kind / interview /
    answerable / expected_role values; history non-empty iff followup_*;
  * gold substrings: 1-6 (none for unanswerable), 12-60 characters, verbatim
    and once in the capture, inside a curated paragraph (not page chrome);
    a gold passage that exists in two languages has a span in each;
    tail_only gold lies in the Chinese-only tail of the Bloomberg capture;
  * compare: gold_by_interview has both interviews and its union is the gold;
  * yes_no / who_said: expected_verdict yes|no; who_said gold is in
    paragraphs of expected_role, verdict "yes" iff that role is the guest, and
    expected_speaker names who said it (manifest guest / host / outlet);
  * number / date: every expected figure is verbatim in a gold passage (the
    paragraph holding a gold span or its linked translation).
Prints counts by lang / kind / answerable. Exits 1 on any error.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from evals.truth import Truth  # noqa: E402  (standard library only)
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
DEFAULT_QUESTIONS = Path(__file__).resolve().parent / "questions.jsonl"
DEFAULT_V2_DIR = Path(__file__).resolve().parent / "questions_v2"
DEFAULT_INTERVIEWS = REPO / "data" / "interviews"

VERGE = "verge-decoder-2026-06-08"
BLOOMBERG = "bloomberg-mishal-husain-2025-12-12"

KEYS = {
    "id", "question", "lang", "script", "kind", "history", "interview",
    "answerable", "expected_role", "gold_substrings", "reference_answer",
}
LANGS = {"en", "ja", "zh"}
SCRIPTS = {"hans", "hant"}
KINDS = {"direct", "paraphrase", "followup", "zh_only", "unanswerable",
         "headline", "trap_host", "trap_editor"}
INTERVIEWS = {VERGE, BLOOMBERG}
ROLES = {"guest", "host", "editor"}
MIN_LEN, MAX_LEN = 12, 60
V2_REQUIRED = KEYS
V2_OPTIONAL = {"gold_by_interview", "expected_verdict", "expected_speaker", "expected_figures", "coverage"}
V2_KINDS = {"fact", "number", "date", "opinion", "why", "yes_no", "compare", "who_said", "tail_only",
            "paraphrase", "followup_elliptical", "followup_self", "unanswerable"}

# Region markers per capture. Each region is [start, end) between the first
# occurrence of the start marker and the first occurrence of the end marker
# after it. Everything outside the regions is chrome.
REGIONS = {
    VERGE: {
        "translation": ("今日は Microsoft AI の CEO", "原文を表示"),
        "english": ("Today I’m talking with Mustafa Suleyman", "この記事をシェア"),
    },
    BLOOMBERG: {
        "translation": ("人工智能競賽正進入", "Microsoft’s Mustafa Suleyman: ‘AI Is Already Superhuman’"),
        "english": ("The AI race is entering an uncharted", "特別聲明"),
    },
}
# Where the English original of the Bloomberg piece stops: Chinese paragraphs
# after this marker have no English counterpart.
ZH_ONLY_START = {BLOOMBERG: "對于人們來說,這套體系很復雜"}
# Paragraphs (lines) inside a region that are still not interview text.
CHROME_LINE_PREFIXES = (
    "Get the Bloomberg Weekend newsletter",
    "Big ideas and open questions",
    "Sign Up",
    "By continuing, I agree",
    "Listen to and follow The Mishal Husain Show",
    "Big Tech Spending Expected To Keep Climbing",
    "Companies are boosting capex",
    "Note: 2025, 2026 figures",
    "Source: Bloomberg",
    "*This interview has been lightly edited",
    "*本インタビューは",
)


def find_corpus_files(corpus_dir: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in sorted(corpus_dir.rglob("*.txt")):
        for interview in INTERVIEWS:
            if path.name.startswith(interview) and interview not in files:
                files[interview] = path
    return files


def occurrences(text: str, sub: str) -> list[int]:
    out, i = [], text.find(sub)
    while i >= 0:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


def region_bounds(text: str, interview: str) -> dict[str, tuple[int, int]] | None:
    bounds = {}
    for name, (start_m, end_m) in REGIONS[interview].items():
        s = text.find(start_m)
        e = text.find(end_m, s + 1) if s >= 0 else -1
        if s < 0 or e < 0:
            return None
        bounds[name] = (s, e)
    return bounds


def line_at(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start:] if end < 0 else text[start:end]


def classify(text: str, interview: str, pos: int, bounds) -> str:
    """Return 'english', 'translation', 'zh_only' or 'chrome'."""
    if bounds is None:
        return "unknown"
    if line_at(text, pos).lstrip().startswith(CHROME_LINE_PREFIXES):
        return "chrome"
    for name, (s, e) in bounds.items():
        if s <= pos < e:
            if name == "translation" and interview in ZH_ONLY_START:
                z = text.find(ZH_ONLY_START[interview], s)
                if 0 <= z <= pos:
                    return "zh_only"
            return name
    return "chrome"


def check_v1(items, texts, bounds, errors: list[str], seen_ids: set[str]) -> None:
    """Schema v1 (questions.jsonl): `items` are (where, item) pairs."""
    for n, it in items:
        where = f"{n} ({it.get('id', '?')})"

        def err(msg: str) -> None:
            errors.append(f"{where}: {msg}")

        keys = set(it)
        if keys != KEYS:
            missing, extra = KEYS - keys, keys - KEYS
            err(f"bad keys: missing={sorted(missing)} extra={sorted(extra)}")
            continue

        iid, q, lang, script, kind = it["id"], it["question"], it["lang"], it["script"], it["kind"]
        history, interview, answerable = it["history"], it["interview"], it["answerable"]
        role, gold, ref = it["expected_role"], it["gold_substrings"], it["reference_answer"]

        if not isinstance(iid, str) or not iid:
            err("id must be a non-empty string")
        elif iid in seen_ids:
            err("duplicate id")
        else:
            seen_ids.add(iid)
        if not isinstance(q, str) or not q.strip():
            err("question must be a non-empty string")
        if lang not in LANGS:
            err(f"lang {lang!r} not in {sorted(LANGS)}")
        elif isinstance(iid, str) and not iid.startswith(lang + "-"):
            err(f"id should start with '{lang}-'")
        if lang == "zh":
            if script not in SCRIPTS:
                err(f"zh item needs script in {sorted(SCRIPTS)}, got {script!r}")
        elif script is not None:
            err("script must be null unless lang is zh")
        if kind not in KINDS:
            err(f"kind {kind!r} not in {sorted(KINDS)}")
        if not isinstance(history, list) or not all(isinstance(h, str) and h.strip() for h in history):
            err("history must be a list of non-empty strings")
        elif (kind == "followup") != bool(history):
            err("history must be non-empty iff kind is followup")
        if interview is not None and interview not in INTERVIEWS:
            err(f"interview {interview!r} not allowed")
        if not isinstance(answerable, bool):
            err("answerable must be a boolean")
        if role is not None and role not in ROLES:
            err(f"expected_role {role!r} not in {sorted(ROLES)}")
        if not isinstance(gold, list) or not all(isinstance(g, str) for g in gold):
            err("gold_substrings must be a list of strings")
            continue
        if ref is not None and (not isinstance(ref, str) or not ref.strip()):
            err("reference_answer must be a non-empty string or null")

        # kind / answerable / role consistency
        if kind in ("unanswerable", "headline"):
            if answerable is not False:
                err(f"kind {kind} must have answerable=false")
        elif answerable is not True:
            err(f"kind {kind} must have answerable=true")
        if answerable is False:
            if role is not None:
                err("expected_role must be null when unanswerable")
            if gold:
                err("gold_substrings must be empty when unanswerable")
        elif answerable is True:
            if role is None:
                err("answerable item needs expected_role")
            if not gold:
                err("answerable item needs gold_substrings")
            if interview is None:
                err("answerable item needs interview")
        if kind == "trap_host" and role != "host":
            err("trap_host needs expected_role 'host'")
        if kind == "trap_editor" and role != "editor":
            err("trap_editor needs expected_role 'editor'")
        if kind in ("direct", "paraphrase", "zh_only") and role != "guest":
            err(f"{kind} item should have expected_role 'guest'")
        if kind == "zh_only" and interview != BLOOMBERG:
            err("zh_only items belong to the Bloomberg interview")

        # gold substrings
        regions_hit: list[str] = []
        for g in gold:
            if not (MIN_LEN <= len(g) <= MAX_LEN):
                err(f"gold substring length {len(g)} not in {MIN_LEN}-{MAX_LEN}: {g!r}")
            if "\n" in g or "\r" in g:
                err(f"gold substring spans a line break: {g!r}")
            found_in = [k for k, t in texts.items() if g in t]
            if not found_in:
                err(f"gold substring not found in corpus: {g!r}")
                continue
            if interview in texts and interview not in found_in:
                err(f"gold substring not in {interview} file (found in {found_in}): {g!r}")
                continue
            key = interview if interview in found_in else found_in[0]
            occ = occurrences(texts[key], g)
            if len(occ) > 1:
                err(f"gold substring occurs {len(occ)} times in {key}: {g!r}")
            region = classify(texts[key], key, occ[0], bounds.get(key))
            regions_hit.append(region)
            if region == "chrome":
                err(f"gold substring is in page chrome, not the interview: {g!r}")

        if answerable is True and gold and "unknown" not in regions_hit:
            if kind == "zh_only":
                if any(r != "zh_only" for r in regions_hit):
                    err(f"zh_only item cites spans outside the Chinese-only tail: {regions_hit}")
            elif "zh_only" in regions_hit:
                if any(r != "zh_only" for r in regions_hit):
                    err(f"mixes Chinese-only tail with bilingual spans: {regions_hit}")
            else:
                if "english" not in regions_hit:
                    err("needs at least one gold substring from the English original")
                if "translation" not in regions_hit:
                    err("needs at least one gold substring from the translation")



def check_v2(items, truth, texts, bounds, errors: list[str], seen_ids: set[str]) -> None:
    """Schema v2 (questions_v2/*.jsonl, see the module docstring): `items` are (where, item) pairs."""
    for where, it in items:
        where = f"{where} ({it.get('id', '?')})"

        def err(msg: str) -> None:
            errors.append(f"{where}: {msg}")

        keys = set(it)
        if V2_REQUIRED - keys or keys - V2_REQUIRED - V2_OPTIONAL:
            err(f"bad keys: missing={sorted(V2_REQUIRED - keys)} unknown={sorted(keys - V2_REQUIRED - V2_OPTIONAL)}")
            continue
        iid, lang, kind, interview = it["id"], it["lang"], it["kind"], it["interview"]
        gold, role, answerable = it["gold_substrings"], it["expected_role"], it["answerable"]
        if not isinstance(iid, str) or iid in seen_ids:
            err("duplicate or bad id")
        seen_ids.add(iid)
        if not isinstance(it["question"], str) or not it["question"].strip():
            err("question must be a non-empty string")
        if lang not in LANGS:
            err(f"lang {lang!r} not in {sorted(LANGS)}")
        elif f"-{lang}-" not in str(iid):
            err(f"id should name its language ('-{lang}-')")
        if (lang == "zh") != (it["script"] in SCRIPTS) or (lang != "zh" and it["script"] is not None):
            err(f"script {it['script']!r} does not fit lang {lang!r} (hant/hans for zh, null otherwise)")
        if kind not in V2_KINDS:
            err(f"kind {kind!r} not in {sorted(V2_KINDS)}")
            continue
        history = it["history"]
        if not isinstance(history, list) or not all(isinstance(h, str) and h.strip() for h in history):
            err("history must be a list of non-empty strings")
        elif kind.startswith("followup") != bool(history):
            err("history must be non-empty iff kind is followup_*")
        if kind in ("compare", "unanswerable"):
            if interview is not None:
                err(f"{kind} items have interview null")
        elif interview not in INTERVIEWS:
            err(f"interview {interview!r} not in {sorted(INTERVIEWS)}")
            continue
        if answerable is not (kind != "unanswerable"):
            err("answerable must be false exactly for kind unanswerable")
        if role not in ROLES and not (kind == "unanswerable" and role in (None, "guest")):
            err(f"expected_role {role!r} not in {sorted(ROLES)}")
        if not isinstance(it["reference_answer"], str) or not it["reference_answer"].strip():
            err("reference_answer must be a non-empty string")
        if it.get("coverage", "full") not in ("full", "partial"):
            err("coverage must be 'partial' or 'full'")
        if not isinstance(gold, list) or not all(isinstance(g, str) for g in gold):
            err("gold_substrings must be a list of strings")
            continue
        if kind == "unanswerable":
            if gold:
                err("unanswerable items have no gold_substrings")
        elif not 1 <= len(gold) <= 6:
            err(f"{len(gold)} gold substrings (1-6 expected)")

        # which interview each gold span must come from
        home = {g: interview for g in gold}
        if kind == "compare":
            gbi = it.get("gold_by_interview")
            if not isinstance(gbi, dict) or set(gbi) != INTERVIEWS or not all(
                    isinstance(v, list) and v for v in gbi.values()):
                err("compare items need gold_by_interview with a non-empty list for each interview")
                continue
            if {g for v in gbi.values() for g in v} != set(gold):
                err("gold_substrings must be the union of gold_by_interview's lists")
            home = {g: iv for iv, spans in gbi.items() for g in spans}
        elif "gold_by_interview" in it:
            err("gold_by_interview is for compare items only")

        gold_paras = []
        for g in gold:
            if not MIN_LEN <= len(g) <= MAX_LEN:
                err(f"gold substring length {len(g)} not in {MIN_LEN}-{MAX_LEN}: {g!r}")
            if "\n" in g or "\r" in g:
                err(f"gold substring spans a line break: {g!r}")
            iv = home.get(g)
            text = texts.get(iv)
            if text is None:
                continue
            occ = occurrences(text, g)
            if not occ:
                err(f"gold substring not verbatim in the {iv} capture: {g!r}")
                continue
            if len(occ) > 1:
                err(f"gold substring occurs {len(occ)} times in the {iv} capture: {g!r}")
            paras = [p for p in truth.containing(g, iv) if p.start <= occ[0] < p.start + len(p.text)]
            if not paras:
                err(f"gold substring is outside the interview text (page chrome): {g!r}")
                continue
            region = classify(text, iv, occ[0], bounds.get(iv))
            gold_paras.append((g, paras[0], region))
        if not gold_paras:
            continue

        regions = {r for _, _, r in gold_paras}
        if kind == "tail_only" and regions != {"zh_only"}:
            err(f"tail_only gold must lie in the Chinese-only tail of the Bloomberg capture, got {sorted(regions)}")
        # Both language versions, per interview, when the gold passages exist in both.
        for iv in sorted({p.interview for _, p, _ in gold_paras}):
            mine = [p for _, p, _ in gold_paras if p.interview == iv]
            have = {p.lang for p in mine}
            # (a version too short to hold a 12-character span, like "我沒有, 10號 。", cannot be cited)
            exist = have | {o.lang for p in mine for o in truth.linked(p) if len(o.text.strip()) >= MIN_LEN}
            if exist - have:
                err(f"the gold passage in {iv} also exists in {sorted(exist - have)}: add a span from that version")
        roles = {p.role for _, p, _ in gold_paras}
        if kind == "who_said":
            if roles != {role}:
                err(f"who_said gold must be words of the expected_role {role!r}; the turn maps say {sorted(roles)}")
            if it.get("expected_verdict") != ("yes" if role == "guest" else "no"):
                err("who_said expected_verdict must be 'yes' when the guest said it, else 'no'")
            names = {p.speaker for _, p, _ in gold_paras}
            names |= {re.sub(r"\s*\(.*\)$", "", n) for n in names}
            if it.get("expected_speaker") not in names:
                err(f"expected_speaker {it.get('expected_speaker')!r} is not who said it ({sorted(names)})")
        elif kind != "unanswerable" and role in ROLES and role not in roles:
            err(f"no gold span is in a {role!r} paragraph (the turn maps say {sorted(roles)})")
        if (kind in ("yes_no", "who_said")) != ("expected_verdict" in it):
            err("expected_verdict is required for yes_no / who_said items only")
        elif "expected_verdict" in it and it["expected_verdict"] not in ("yes", "no"):
            err("expected_verdict must be 'yes' or 'no'")
        if kind != "who_said" and "expected_speaker" in it:
            err("expected_speaker is for who_said items only")
        if (kind in ("number", "date")) != ("expected_figures" in it):
            err("expected_figures is required for number / date items only")
        elif "expected_figures" in it:
            figs = it["expected_figures"]
            if not isinstance(figs, list) or not figs or not all(isinstance(f, str) and f.strip() for f in figs):
                err("expected_figures must be a non-empty list of strings")
                continue
            passage = {q.key: q for _, p, _ in gold_paras for q in truth.passage(p)}
            for f in figs:
                if not any(f in q.text for q in passage.values()):
                    err(f"expected figure {f!r} is not verbatim in a gold passage")

def read_items(path: Path, errors: list[str]) -> list[tuple[str, dict]]:
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        errors.append(f"cannot read {path}: {exc}")
        return out
    for n, line in enumerate(lines, 1):
        where = f"{path.name}:{n}"
        if not line.strip():
            errors.append(f"{where}: blank line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: invalid JSON: {exc}")
            continue
        if not isinstance(obj, dict):
            errors.append(f"{where}: not a JSON object")
            continue
        out.append((where, obj))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus_dir", nargs="?", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--questions", type=Path, action="append",
                    help="a question file (repeatable; default: questions.jsonl and questions_v2/*.jsonl); "
                         "items whose id starts with 'v2-' are checked against schema v2")
    ap.add_argument("--interviews", type=Path, default=DEFAULT_INTERVIEWS,
                    help="interview folders with manifest.json and turns.json (schema v2 checks)")
    args = ap.parse_args(argv)
    if not args.corpus_dir.exists() and args.corpus_dir == DEFAULT_CORPUS:
        args.corpus_dir = DEFAULT_INTERVIEWS
    paths = args.questions or [DEFAULT_QUESTIONS, *sorted(DEFAULT_V2_DIR.glob("*.jsonl"))]

    errors: list[str] = []
    warnings: list[str] = []

    files = find_corpus_files(args.corpus_dir)
    for interview in sorted(INTERVIEWS - files.keys()):
        errors.append(f"corpus file for {interview} not found under {args.corpus_dir}")
    texts = {k: p.read_text(encoding="utf-8") for k, p in files.items()}
    bounds = {}
    for k, t in texts.items():
        bounds[k] = region_bounds(t, k)
        if bounds[k] is None:
            warnings.append(f"{k}: region markers not found; region checks skipped")

    items: list[tuple[str, dict]] = []
    for path in paths:
        items += read_items(path, errors)
    v1 = [(w, it) for w, it in items if not str(it.get("id", "")).startswith("v2-")]
    v2 = [(w, it) for w, it in items if str(it.get("id", "")).startswith("v2-")]
    seen_ids: set[str] = set()
    check_v1(v1, texts, bounds, errors, seen_ids)
    if v2:
        truth = Truth(args.interviews)
        check_v2(v2, truth, texts, bounds, errors, seen_ids)

    # summary
    objs = [it for _, it in items]
    print(f"questions: {len(objs)}  ({', '.join(str(p) for p in paths)})")
    print(f"corpus:    {args.corpus_dir}")
    for field in ("lang", "kind", "answerable", "expected_role", "interview"):
        c = Counter(str(it.get(field)) for it in objs)
        print(f"by {field}: " + ", ".join(f"{k}={v}" for k, v in sorted(c.items())))
    c = Counter(str(it.get("script")) for it in objs if it.get("lang") == "zh")
    print("zh by script: " + ", ".join(f"{k}={v}" for k, v in sorted(c.items())))
    c = Counter(f"{it.get('lang')}/{it.get('kind')}" for it in objs)
    print("by lang/kind: " + ", ".join(f"{k}={v}" for k, v in sorted(c.items())))

    for w in warnings:
        print(f"WARNING: {w}")
    for e in errors:
        print(f"ERROR: {e}")
    print(f"{'FAILED' if errors else 'OK'}: {len(errors)} error(s), {len(warnings)} warning(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
