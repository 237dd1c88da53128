"""Mutation testing of the trust-critical code, with a report and a score gate.

    .venv/bin/python -m mutation.run            # every target in mutation/targets.toml, then the planted bugs
    .venv/bin/python -m mutation.run --ci       # the bounded subset CI runs (targets marked ci = true)
    .venv/bin/python -m mutation.run --only verify --no-planted

Each target mutates one module (optionally only some of its functions) with mutmut and runs only the test
files named for it. Every run works in a throwaway copy of the repository, so the checkout is never touched.
The report (reports/mutation/report.md and report.json) gives killed / survived per module and lists every
survivor with the one-line reason recorded in mutation/survivors.toml; an unexplained survivor is marked as
such. Planted bugs (mutation/planted.toml) are the specific mutations issue 10 names: each is applied on its
own and its tests must fail. Exit status 1 when a module scores below its committed `min_score` or a planted
bug goes unnoticed.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent

KILLED = {"killed", "timeout", "caught by type check", "segfault"}  # the tests noticed the mutant
STATUS_BY_EXIT = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
                  36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout",
                  37: "caught by type check", -11: "segfault", -9: "segfault", None: "not checked"}


@dataclass
class Target:
    name: str
    file: str
    tests: list[str]
    min_score: float
    functions: list[str] = field(default_factory=list)  # "func" or "Class.method"; empty = the whole module
    ci: bool = False
    timeout_constant: float = 1.0  # seconds added to each mutant's time limit (tests that build an index need more)
    isolation: str = "fork"  # "forkserver" when the tests leave threads behind (embedder, Chroma) that a fork hangs on

    @property
    def module(self) -> str:
        return self.file[:-3].replace("/", ".")

    def mutant_globs(self) -> list[str]:
        if not self.functions:
            return [f"{self.module}.*"]
        globs = []
        for fn in self.functions:
            if "." in fn:
                cls, meth = fn.split(".", 1)
                globs.append(f"{self.module}.x\u01c1{cls}\u01c1{meth}__mutmut_*")
            else:
                globs.append(f"{self.module}.x_{fn}__mutmut_*")
        return globs


def load_targets() -> list[Target]:
    data = tomllib.loads((HERE / "targets.toml").read_text(encoding="utf-8"))
    return [Target(**t) for t in data["target"]]


def load_survivor_reasons() -> list[dict]:
    path = HERE / "survivors.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")).get("survivor", []) if path.exists() else []


def repo_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout
    return [f for f in out.splitlines() if (REPO / f).is_file()]


def make_workspace(prefix: str) -> Path:
    """A copy of the repository's files (tracked and new, nothing ignored) in a fresh temp folder."""
    ws = Path(tempfile.mkdtemp(prefix=f"interview-qa-mutation-{prefix}-"))
    for rel in repo_files():
        dst = ws / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, dst)
    return ws


def test_env(ws: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENAI_API_KEY", "INTERVIEW_QA_LLM_BASE_URL", "PYTEST_ADDOPTS")}
    env.update(HF_HUB_OFFLINE="1", INTERVIEW_QA_HOME=str(ws / ".home"), PYTHONDONTWRITEBYTECODE="1")
    return env


def mutmut_config(target: Target) -> str:
    top = target.file.split("/", 1)[0]
    tests = ", ".join(json.dumps(t) for t in target.tests)
    others = ", ".join(json.dumps(d + "/") for d in ("data", "interview_qa", "ingest", "rag", "evals", "ui", "benchmarks")
                       if d != top)
    return (
        "\n[tool.mutmut]\n"
        f"source_paths = [{json.dumps(top + '/')}]\n"
        f"only_mutate = [{json.dumps(target.file)}]\n"
        f"pytest_add_cli_args_test_selection = [{tests}]\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]\n'
        f"also_copy = [{others}]\n"
        "use_git_change_detection = false\n"
        f"timeout_constant = {float(target.timeout_constant)}\n"
        f"process_isolation = {json.dumps(target.isolation)}\n"
    )


def mutated_line(diff: str) -> str:
    """The changed source line(s) of a mutant's diff, whitespace-collapsed: a key that survives edits elsewhere."""
    plus = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    return re.sub(r"\s+", " ", " | ".join(plus))


def function_of(mutant: str, module: str) -> str:
    rest = mutant[len(module) + 1:]
    rest = re.sub(r"__mutmut_\d+$", "", rest)
    if rest.startswith("x\u01c1"):
        return ".".join(rest[2:].split("\u01c1"))
    return rest[2:] if rest.startswith("x_") else rest


def reason_for(target: Target, function: str, line: str, reasons: list[dict]) -> str | None:
    for r in reasons:
        if r["file"] == target.file and r["function"] == function and \
                re.sub(r"\s+", " ", r["mutation"].strip()) == line:
            return r["reason"]
    return None


def run_target(target: Target, jobs: int, reasons: list[dict], log) -> dict:
    t0 = time.monotonic()
    ws = make_workspace(target.name.replace("/", "-"))
    try:
        pyproject = ws / "pyproject.toml"
        pyproject.write_text(pyproject.read_text(encoding="utf-8") + mutmut_config(target), encoding="utf-8")
        mutmut = Path(sys.executable).parent / "mutmut"
        cmd = [str(mutmut), "run", "--max-children", str(jobs), *target.mutant_globs()]
        proc = subprocess.run(cmd, cwd=ws, env=test_env(ws), capture_output=True, text=True)
        (log / f"{target.name.replace('/', '-')}.log").write_text(
            proc.stdout[-20000:] + "\n--- stderr ---\n" + proc.stderr[-20000:], encoding="utf-8")
        meta_path = ws / "mutants" / (target.file + ".meta")
        if not meta_path.exists():
            raise RuntimeError(f"mutmut produced no results for {target.file} (exit {proc.returncode}); "
                               f"see {log}/{target.name.replace('/', '-')}.log")
        codes = json.loads(meta_path.read_text(encoding="utf-8"))["exit_code_by_key"]
        globs = target.mutant_globs()
        selected = {k: v for k, v in codes.items() if any(fnmatch.fnmatch(k, g) for g in globs)}
        counts: dict[str, int] = {}
        survivors = []
        for name, code in sorted(selected.items(), key=lambda kv: _natural(kv[0])):
            status = STATUS_BY_EXIT.get(code, "suspicious")
            counts[status] = counts.get(status, 0) + 1
            if status in KILLED or status == "skipped":
                continue
            diff = subprocess.run([str(mutmut), "show", name], cwd=ws, env=test_env(ws),
                                  capture_output=True, text=True).stdout
            fn = function_of(name, target.module)
            line = mutated_line(diff)
            survivors.append({"mutant": name, "status": status, "function": fn, "mutation": line,
                              "reason": reason_for(target, fn, line, reasons), "diff": diff})
        considered = sum(n for s, n in counts.items() if s != "skipped")
        killed = sum(n for s, n in counts.items() if s in KILLED)
        score = killed / considered if considered else 0.0
        return {"name": target.name, "file": target.file, "functions": target.functions or ["(whole module)"],
                "tests": target.tests, "counts": counts, "mutants": considered, "killed": killed,
                "survived": considered - killed, "score": round(score, 4), "min_score": target.min_score,
                "ok": score >= target.min_score and considered > 0, "seconds": round(time.monotonic() - t0, 1),
                "survivors": survivors}
    finally:
        shutil.rmtree(ws, ignore_errors=True)


def _natural(name: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def run_planted(ws: Path, items: list[dict]) -> list[dict]:
    """Apply each planted bug alone; its tests must fail."""
    results = []
    for item in items:
        path = ws / item["file"]
        original = path.read_text(encoding="utf-8")
        if "json_path" in item:  # a value in a JSON file, wherever it stands now: set, or shifted by `add`
            data = json.loads(original)
            *parents, key = item["json_path"]
            node = data
            for part in parents:
                node = node[part]
            if key not in node:
                results.append({**item, "caught": False, "detail": f"stale entry: no {item['json_path']}"})
                continue
            node[key] = item["set"] if "set" in item else node[key] + item["add"]
            mutated = json.dumps(data, indent=1, ensure_ascii=False)
        else:
            n = original.count(item["old"])
            if n != 1:
                results.append({**item, "caught": False,
                                "detail": f"stale entry: the text to replace occurs {n} times"})
                continue
            mutated = original.replace(item["old"], item["new"])
        path.write_text(mutated, encoding="utf-8")
        try:
            cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *item["tests"]]
            proc = subprocess.run(cmd, cwd=ws, env=test_env(ws), capture_output=True, text=True)
        finally:
            path.write_text(original, encoding="utf-8")
        tail = (proc.stdout.strip().splitlines() or [""])[-1]
        results.append({**item, "caught": proc.returncode == 1, "detail": tail})
    return results


def write_report(out: Path, results: list[dict], planted: list[dict], ci: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps({"targets": results, "planted": planted}, indent=2,
                                                ensure_ascii=False), encoding="utf-8")
    lines = [f"# Mutation testing report{' (CI subset)' if ci else ''}", "",
             "| module | functions | mutants | killed | survived | score | committed min | |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        fns = ", ".join(r["functions"])
        lines.append(f"| {r['file']} | {fns} | {r['mutants']} | {r['killed']} | {r['survived']} | "
                     f"{r['score']:.1%} | {r['min_score']:.0%} | {'ok' if r['ok'] else 'BELOW'} |")
    for r in results:
        lines += ["", f"## {r['name']} ({r['file']}) — survivors", ""]
        if not r["survivors"]:
            lines.append("none")
        for s in r["survivors"]:
            why = s["reason"] or "UNEXPLAINED (add a test, or record why it is equivalent in mutation/survivors.toml)"
            lines.append(f"- `{s['mutant']}` ({s['status']}) in `{s['function']}`: `{s['mutation']}` — {why}")
    if planted:
        lines += ["", "## Planted bugs (issue 10's named mutations)", ""]
        for p in planted:
            lines.append(f"- {'caught' if p['caught'] else 'NOT CAUGHT'}: {p['name']} — {p['detail']}")
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ci", action="store_true", help="only the targets marked ci = true (the bounded subset)")
    ap.add_argument("--only", action="append", default=[], help="only targets whose name contains this")
    ap.add_argument("--no-planted", action="store_true", help="skip the planted bugs")
    ap.add_argument("--planted-only", action="store_true", help="only the planted bugs")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, default=REPO / "reports" / "mutation")
    args = ap.parse_args(argv)
    try:
        os.nice(10)  # mutation runs are heavy; let interactive work go first
    except OSError:
        pass
    targets = [t for t in load_targets() if (t.ci or not args.ci)
               and (not args.only or any(o in t.name for o in args.only))]
    if args.planted_only:
        targets = []
    reasons = load_survivor_reasons()
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for t in targets:
        print(f"mutating {t.file} ({', '.join(t.functions) or 'whole module'}) with {', '.join(t.tests)} …",
              flush=True)
        r = run_target(t, args.jobs, reasons, args.out)
        results.append(r)
        print(f"  {r['killed']}/{r['mutants']} killed, score {r['score']:.1%} (min {r['min_score']:.0%}), "
              f"{r['seconds']}s", flush=True)
    planted = []
    if not args.no_planted and not args.only:
        items = tomllib.loads((HERE / "planted.toml").read_text(encoding="utf-8"))["planted"]
        items = [p for p in items if p.get("ci", True) or not args.ci]
        print(f"planting {len(items)} named bugs …", flush=True)
        ws = make_workspace("planted")
        try:
            planted = run_planted(ws, items)
        finally:
            shutil.rmtree(ws, ignore_errors=True)
        for p in planted:
            print(f"  {'caught' if p['caught'] else 'NOT CAUGHT'}: {p['name']}", flush=True)
    write_report(args.out, results, planted, args.ci)
    failed = [r["name"] for r in results if not r["ok"]] + [p["name"] for p in planted if not p["caught"]]
    print(f"report: {args.out / 'report.md'}")
    if failed:
        print("mutation testing FAILED: " + "; ".join(failed))
        return 1
    print("mutation testing passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
