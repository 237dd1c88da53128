"""The eval gate on the committed thresholds file: its values pinned against a recorded floor, and the gate
failing on the smallest miss of any one of them (no slack beyond float rounding)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.runner import DEFAULT_THRESHOLDS, _fmt, gate, gate_code, load_thresholds

RECORD = json.loads((Path(__file__).resolve().parent.parent / "evals" / "gate_record.json").read_text("utf-8"))
COMMITTED = load_thresholds()


def test_the_committed_file_is_what_the_eval_loads():
    assert DEFAULT_THRESHOLDS.name == "thresholds.json" and DEFAULT_THRESHOLDS.parent.name == "evals"
    assert COMMITTED == json.loads(DEFAULT_THRESHOLDS.read_text(encoding="utf-8"))


@pytest.mark.parametrize("key", sorted(RECORD["floor"]["min"]))
def test_no_minimum_is_removed_or_lowered_below_the_record(key):
    assert key in COMMITTED["min"], f"{key} dropped from the gate"
    assert COMMITTED["min"][key] >= RECORD["floor"]["min"][key], f"{key} lowered below the recorded floor"


@pytest.mark.parametrize("key", sorted(RECORD["floor"]["max"]))
def test_no_maximum_is_removed_or_raised_above_the_record(key):
    assert key in COMMITTED["max"], f"{key} dropped from the gate"
    assert COMMITTED["max"][key] <= RECORD["floor"]["max"][key]


def test_trust_metrics_are_absolute():
    for key in ("overall.quote_verbatim", "overall.citation_valid"):
        assert COMMITTED["min"][key] == 1.0
    # judged against the curated turn maps: role/speaker of every citation, and words given to the guest
    assert COMMITTED["max"]["overall.misattributed"] == 0
    assert COMMITTED["max"]["overall.guest_misattributed"] == 0


@pytest.mark.parametrize("key", sorted(RECORD["naive_baseline"]))
def test_retrieval_thresholds_stay_above_the_naive_baseline(key):
    assert COMMITTED["min"][key] > RECORD["naive_baseline"][key]


def summary_at(thresholds: dict) -> dict:
    """A run summary sitting exactly on every committed threshold."""
    summary: dict = {}
    for kind in ("min", "max"):
        for key, bound in thresholds[kind].items():
            scope, _, metric = key.partition(".")
            summary.setdefault(scope, {})[metric] = float(bound)
    return summary


def test_a_run_exactly_on_every_committed_threshold_passes():
    assert gate(summary_at(COMMITTED), COMMITTED) == []
    assert gate_code(summary_at(COMMITTED), COMMITTED, echo=None) == 0


@pytest.mark.parametrize("key", sorted(COMMITTED["min"]))
def test_missing_any_minimum_by_a_hair_fails_on_that_metric_alone(key):
    summary = summary_at(COMMITTED)
    scope, _, metric = key.partition(".")
    summary[scope][metric] -= 1e-6
    failures = gate(summary, COMMITTED)
    assert len(failures) == 1 and failures[0].startswith(f"FAILED: metric {key} = ")
    assert " < threshold " in failures[0]


@pytest.mark.parametrize("key", sorted(COMMITTED["max"]))
def test_exceeding_any_maximum_fails_on_that_metric_alone(key):
    summary = summary_at(COMMITTED)
    scope, _, metric = key.partition(".")
    summary[scope][metric] += 1
    bound = float(COMMITTED["max"][key])
    assert gate(summary, COMMITTED) == [f"FAILED: metric {key} = {_fmt(bound + 1)} > threshold {_fmt(bound)}"]


@pytest.mark.parametrize("key", sorted(COMMITTED["min"]) + sorted(COMMITTED["max"]))
def test_a_missing_or_undefined_metric_fails(key):
    scope, _, metric = key.partition(".")
    summary = summary_at(COMMITTED)
    summary[scope][metric] = None
    op = "<" if key in COMMITTED["min"] else ">"
    bound = _fmt(float((COMMITTED["min"] | COMMITTED["max"])[key]))
    assert gate(summary, COMMITTED) == [f"FAILED: metric {key} = n/a (undefined) {op} threshold {bound}"]
    del summary[scope][metric]
    assert len(gate(summary, COMMITTED)) == 1
    assert len(gate({}, COMMITTED)) == len(COMMITTED["min"]) + len(COMMITTED["max"])


def test_failure_lines_and_exit_code():
    th = {"min": {"en.hit@5": 0.8}, "max": {"overall.attribution_errors": 0}}
    summary = {"en": {"hit@5": 0.7}, "overall": {"attribution_errors": 2}}
    assert gate(summary, th) == ["FAILED: metric en.hit@5 = 0.700 < threshold 0.800",
                                 "FAILED: metric overall.attribution_errors = 2 > threshold 0"]
    printed: list[str] = []
    assert gate_code(summary, th, echo=printed.append) == 1
    assert printed == gate(summary, th)
    assert gate_code({"en": {"hit@5": 0.9}, "overall": {"attribution_errors": 0}}, th, echo=printed.append) == 0
    assert gate({"en": {"hit@5": 0.0}}, {"min": {"en.hit@5": 0.0}}) == []  # a bound is inclusive
    assert gate({}, {}) == [] and gate({}, {"min": None}) == []


@pytest.mark.parametrize("value, text", [(None, "n/a"), (0.5, "0.500"), (1.0, "1"), (0.0, "0"), (2, "2"),
                                         (0.12345, "0.123")])
def test_fmt(value, text):
    assert _fmt(value) == text


def test_load_thresholds_from_a_given_file(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"min": {"en.hit@5": 0.5}}), encoding="utf-8")
    assert load_thresholds(path) == {"min": {"en.hit@5": 0.5}}
    assert load_thresholds() == COMMITTED


def test_the_committed_file_is_ascii():
    assert DEFAULT_THRESHOLDS.read_bytes().isascii()
