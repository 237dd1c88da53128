"""Probe questions: hand-written checks of the answer layer's rules, outside both eval splits.

    .venv/bin/python -m evals.probes            # counts per set
    .venv/bin/python -m evals.probes --misses   # and every probe answered otherwise than expected

``evals/data/probes.jsonl`` holds questions I wrote from the transcripts while changing the answer layer, each
with what a right answer does: the verdict it gives (``yes_no_verdict``, ``who_said_verdict``, ``note_verdict``),
the kind of question it is (``question_kind``), whether it asks who said something (``asks_attribution``), or
whether it is answered at all (``answered``, ``refused``). They are neither `dev` nor `test`: the closing notes
quote these counts beside the eval's, so anyone can re-run them. Some probes fail on purpose: they record what
is still wrong.

``evals/data/probes_blind_a.jsonl`` and ``probes_blind_b.jsonl`` (sixth round) were written by a helper who never
ran the product nor read its code or the eval questions: yes/no and who-said verdicts, figures (``figure``: the
figure the answer gives holds the expected one, or is held by it), answered and refused. Only the ``a`` half is
read for misses while changing the product; ``b`` is held out and only counted. ``probes_blind_c.jsonl`` is a
second batch by another such helper (figures, yes/no with many a "no" the text implies without a negation word,
refused), read like ``a``. ``probes_blind_d.jsonl`` (seventh round, a third such helper) asks 45 compare questions;
each lists, per interview, the guest passages that answer it (none when only the other interview covers the
topic). ``compare`` counts the probes with both sections right, ``compare_side`` each section: it quotes a listed
passage (any language version, any piece of the turn), or says its interview has nothing on it.
``probes_blind_e.jsonl`` (seventh round, a fourth such helper) asks 50 who-said questions, 30 of them traps (the
host's or an outlet's note's words); each names its ``source`` passage and whose words they are
(``speaker_role``): ``who_said_cited`` counts the right verdicts that also cite that passage as that speaker's.
``probes_blind_f.jsonl`` (eighth round) asks 60 who-said questions, 12 of them an open "who said…?", and
``probes_blind_g.jsonl`` (eighth round) 100 mixed ones (yes/no, who-said, figures, refused); ``f`` was read from
the eighth round on, ``g`` from the ninth (held out in the eighth). ``probes_blind_h.jsonl`` (ninth round, 100
mixed questions like ``g``) was held out in the ninth round and is read from the tenth. ``probes_blind_i.jsonl``
(tenth round, 100 mixed questions, 25 of them open ones listing the passages that answer them: ``quoted`` counts
the answers quoting one) was held out in the tenth round and is read from the eleventh. ``probes_blind_j.jsonl``
(eleventh round, 100 mixed questions, 35 of them open ones for ``quoted``) was held out in the eleventh round and is
read from the twelfth; ``probes_blind_k.jsonl`` (twelfth round, like ``j``) was held out in the twelfth round and
is read from the thirteenth; ``probes_blind_l.jsonl`` (thirteenth round, like ``j``) was held out in the thirteenth
round and is read from the fourteenth; ``probes_blind_m.jsonl`` (fourteenth round, like ``j``) was held out in the
fourteenth round and is read from the fifteenth; ``probes_blind_n.jsonl`` (fifteenth round, like ``j``) was held out
in the fifteenth round and is read from the sixteenth; ``probes_blind_o.jsonl`` (sixteenth round, like ``j``) was held
out in the sixteenth round and is read from the seventeenth; ``probes_blind_p.jsonl`` (seventeenth round, like ``j``)
was held out in the seventeenth round and is read from the eighteenth; ``probes_blind_q.jsonl`` (eighteenth round,
like ``j``) was held out in the eighteenth round and is read from the nineteenth; ``probes_blind_r.jsonl`` (nineteenth
round, like ``j``) is held out: run at the start and the end of the round, counts only. ``probes_blind_s.jsonl``
(nineteenth round, 50 yes/no and 50 who-said questions) and ``probes_blind_t.jsonl`` (nineteenth round, 40 figures,
30 refused, 15 compare, 15 open) were written by two more such helpers asked for varied, natural phrasing (tags,
statements with a question mark, leading clauses, casual Japanese and Chinese); they are read from the nineteenth
round. ``probes_blind_u.jsonl`` and ``probes_blind_v.jsonl`` (nineteenth round, like ``s`` and ``t``, asked for
sloppier phrasing still) were first run only to check the changes ``s`` led to, then read. ``r`` is read from the twentieth round.
``probes_blind_x.jsonl`` (twentieth round, like ``j``) and ``probes_blind_hc.jsonl`` (twentieth round, 30 compare, 30
refused and 20 open questions in varied phrasing) are held out: run at the start and the end of the round, counts
only. ``probes_blind_y.jsonl`` (30 compare, 40 refused, 30 open), ``probes_blind_z.jsonl`` (50 yes/no, 50 who-said) and
``probes_blind_z2.jsonl`` (40 yes/no, 40 who-said, 20 figures), all twentieth round and asked for varied, sloppy
phrasing (tags, negated questions, hearsay, casual Japanese and Chinese), are read, and so is ``probes_blind_z3.jsonl``
(30 figures, 30 refused, 40 yes/no, twentieth round). ``x`` is read from the twenty-first round.
``probes_blind_x2.jsonl`` (twenty-first round, like ``j``, in the phrasing of varied chat users) and
``probes_blind_x3.jsonl`` (twenty-first round, 20 open, 25 yes/no, 20 who-said, 15 figures, 20 refused, phrased as a
fact-checker would) were held out in the twenty-first round and are read from the twenty-second.
``probes_blind_x4.jsonl`` (twenty-second round, 20 open, 20 yes/no, 15 who-said, 15 figures, 25 refused, 5 compare,
phrased as a sceptical analyst after specifics would) and ``probes_blind_x5.jsonl`` (twenty-second round, 25 open,
20 yes/no, 15 who-said, 15 figures, 20 refused, 5 compare, paraphrased as a student not writing in their first
language would) were held out in the twenty-second round and are read from the twenty-third.
``probes_blind_x6.jsonl`` (twenty-third round, 20 open, 20 yes/no, 15 who-said, 15 figures, 25 refused, 5 compare,
asked as a business journalist in Tokyo and Taipei would, often formally) and ``probes_blind_x7.jsonl`` (twenty-third
round, the same counts, typed as a casual listener half-remembering the interviews would) are held out: run at the
start and the end of the round, counts only. Every blind set but ``b``, ``hc``, ``x6`` and ``x7`` is also in the
question bank (``rag/question_bank.py``; ``l``, ``m`` and ``n`` from the
sixteenth round, ``o`` from the seventeenth, ``p`` from the eighteenth, ``q`` and ``s`` to ``v`` from the nineteenth,
``r``, ``w``, ``y``, ``z`` and ``z2`` from the twentieth, ``z3`` and ``x`` from the twenty-first, ``x2`` and ``x3``
from the twenty-second, ``x4`` and ``x5`` from the twenty-third), so only those four still ask questions the retrieval has never seen.

    .venv/bin/python -m evals.probes --file evals/data/probes_blind_b.jsonl
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

PROBES_FILE = Path(__file__).resolve().parent / "data" / "probes.jsonl"
SETS = ("yes_no_verdict", "who_said_verdict", "note_verdict", "figure", "question_kind", "asks_attribution",
        "answered", "refused", "compare", "compare_side", "who_said_cited", "quoted")


def load_probes(path: Path = PROBES_FILE) -> list[dict]:
    probes = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for p in probes:
        if p.get("set") not in SETS or not p.get("question"):
            raise ValueError(f"{path}: not a probe: {p}")
    return probes


def outcome(probe: dict, service=None):
    """What the system does with the probe, in the terms of its set."""
    from rag.extractive import asks_attribution
    from rag.kinds import WHO_SAID, YES_NO, question_kind

    question, kind = probe["question"], probe["set"]
    if kind == "asks_attribution":
        return asks_attribution(question)
    if kind == "question_kind":
        got = question_kind(question, asks_attribution(question))
        return YES_NO if got == WHO_SAID and probe["expect"] == YES_NO else got  # "did he say…?" asks yes or no too
    history = [(h, "") for h in probe.get("history") or []] or None
    answer = service.ask(question, history=history)
    if kind in ("answered", "refused"):
        return answer.grounded
    if kind == "figure":
        return answer.figure
    if kind == "compare":
        return compare_sides(probe, answer, service.index)
    if kind == "quoted":
        return quotes_listed(probe, answer, service.index)
    if kind == "who_said_verdict" and probe.get("speaker_role"):
        return answer.verdict, cites_source(probe, answer, service.index)
    return answer.verdict


def _turn(chunk_id: str) -> str:
    """"interview:lang:t036.2" -> "interview:lang:t036": the pieces of one long turn answer together."""
    return chunk_id.rsplit(".", 1)[0] if "." in chunk_id.rsplit(":", 1)[-1] else chunk_id


@functools.lru_cache(maxsize=4)
def _pieces_by_turn(index) -> dict[str, list[str]]:
    """turn -> the chunk ids of its pieces, built once per index (not once per probe scored)."""
    turns_of: dict[str, list[str]] = {}
    for cid in index.by_id:
        turns_of.setdefault(_turn(cid), []).append(cid)
    return turns_of


def _passage_turns(index, chunk_ids) -> set[str]:
    """The turns (any language version, any piece) of the passages holding these chunks."""
    turns_of = _pieces_by_turn(index)
    out = set()
    for cid in chunk_ids:
        for piece in turns_of.get(_turn(cid), [cid]):
            if piece in index.by_id:
                out |= {_turn(m) for m in index.passage_of(piece).members}
    return out


def cites_source(probe: dict, answer, index) -> bool:
    """A who-said probe naming its ``source`` passage and ``speaker_role``: the answer cites that passage (any
    language version), labelled with that role (the host's or the note's words shown as theirs, the guest's as
    his)."""
    source = _passage_turns(index, [probe["source"]])
    return any(_turn(c.chunk_id) in source and c.role == probe["speaker_role"] for c in answer.citations)


def quotes_listed(probe: dict, answer, index) -> bool:
    """A ``quoted`` probe (an open question) lists the passages that answer it: the answer quotes one of them (any
    language version, any piece of the same turn)."""
    expected = _passage_turns(index, probe["expect"])
    return any(_turn(c.chunk_id) in expected for c in answer.citations)


def compare_sides(probe: dict, answer, index) -> dict[str, bool]:
    """For each interview of a ``compare`` probe, whether its section is right: it quotes one of the passages
    listed for that side (any language version, any piece of the same turn), or, when none is listed, says that
    interview has nothing on it."""
    out = {}
    for interview, ids in probe["expect"].items():
        section = next((s for s in answer.sections if s.interview == interview), None)
        if not ids:
            out[interview] = section is None or not section.found
            continue
        expected = _passage_turns(index, ids)
        cited = {_turn(answer.citations[i].chunk_id) for i in (section.citations if section else [])}
        out[interview] = bool(cited & expected)
    return out


def _same_figure(got, expected: str) -> bool:
    """The figure given is the one expected, or holds it ("65 percent" in "65 percent of"), or is held by it, or
    gives the same values of the same measure ("四天" for "four days")."""
    if not got:
        return False
    got, expected = (unicodedata.normalize("NFKC", x).lower().strip() for x in (got, expected))
    if expected in got or got in expected:
        return True
    # or the same values of the same measure, in whatever language or words: "四天" is "four days", "65%" "65 percent"
    from rag.answers.figure import figure_values

    wanted, given = set(figure_values(expected)), set(figure_values(got))
    return bool(wanted) and wanted <= given


def run(probes: list[dict], service=None) -> tuple[dict[str, list[int]], list[tuple[dict, object]]]:
    """{set: [right, total]} and the probes answered otherwise than expected (with what was got)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for probe in probes:
        got = outcome(probe, service)
        if probe["set"] == "compare":  # right when both sides are; each side is counted too
            for right in got.values():
                counts["compare_side"][0] += right
                counts["compare_side"][1] += 1
        if isinstance(got, tuple):  # a who-said verdict, and whether the source passage is cited as whose it is
            got, cited = got
            counts["who_said_cited"][0] += got == probe["expect"] and cited
            counts["who_said_cited"][1] += 1
        counts[probe["set"]][1] += 1
        if probe["set"] == "compare" and all(got.values()) or got == probe["expect"] \
                or probe["set"] == "quoted" and got is True \
                or probe["set"] == "figure" and _same_figure(got, probe["expect"]):
            counts[probe["set"]][0] += 1
        else:
            misses.append((probe, got))
    return dict(counts), misses


def main(argv: list[str] | None = None) -> int:
    from interview_qa.settings import Settings
    from rag.service import QAService

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--misses", action="store_true", help="list the probes answered otherwise than expected")
    ap.add_argument("--file", type=Path, default=PROBES_FILE, help="probe file (default: %(default)s)")
    args = ap.parse_args(argv)
    service = QAService.from_settings(Settings.from_env(), build_if_missing=True, progress=True)
    counts, misses = run(load_probes(args.file), service)
    for name in SETS:
        if name in counts:
            right, total = counts[name]
            print(f"{name:18s} {right:3d} / {total:3d}")
    if args.misses:
        for probe, got in misses:
            print(f"  miss [{probe['set']}] expected {probe['expect']!r}, got {got!r}: {probe['question']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
