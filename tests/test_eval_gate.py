"""The eval gate fails a broken answerer and passes the real one (real index, a small subset of items), and
reads the test split only."""

from __future__ import annotations

import dataclasses
import json

import pytest

from evals.runner import evaluate, gate, load_items, load_thresholds, run_eval

pytestmark = pytest.mark.slow

# Non-trap items in all three languages, one unanswerable, and host traps the product should get right.
SUBSET = ("en-001", "ja-001", "zh-001", "en-047", "en-055", "ja-020")
GATES = {"min": {"overall.quote_verbatim": 1.0, "overall.citation_valid": 1.0},
         "max": {"overall.attribution_errors": 0, "overall.guest_misattributed": 0}}


def _subset(split="test"):
    """The subset, presented as the given split (the gate reads test rows only)."""
    items = {it["id"]: it for it in load_items("dev")}
    return [dict(items[i], split=split) for i in SUBSET]


def _broken_class():
    from rag.service import QAService
    from rag.types import Citation

    class FabricatingService(QAService):
        """The real service, then the answer is corrupted: the first quote gets one character changed,
        and a retrieved host passage is cited as the guest's words."""

        def ask(self, *args, **kwargs):
            ans = super().ask(*args, **kwargs)
            cits = list(ans.citations)
            if cits:
                q = cits[0].quote
                cits[0] = dataclasses.replace(cits[0], quote=q[:-1] + ("X" if q[-1:] != "X" else "Y"))
            host = next((r for r in ans.retrieved if r.role == "host"), None)
            if host is not None:
                cits.append(Citation(chunk_id=host.chunk_id, interview=host.interview, speaker="Mustafa Suleyman",
                                     role="guest", lang=host.lang, quote=host.text[:40]))
            return dataclasses.replace(ans, citations=cits, grounded=True)

    return FabricatingService


@pytest.fixture
def settings(indexed_home):
    from interview_qa.settings import Settings

    return Settings.from_env()


def test_gate_fails_on_fabricated_quotes_and_host_as_guest(settings, tmp_path, capsys):
    broken = _broken_class().from_settings(settings, build_if_missing=False, progress=False)
    run = evaluate(broken, _subset())
    failures = gate(run["summary"], GATES)
    assert any(f.startswith("FAILED: metric overall.quote_verbatim = ") and "< threshold 1" in f for f in failures)
    assert any(f.startswith("FAILED: metric overall.attribution_errors = ") and "> threshold 0" in f for f in failures)
    assert run["summary"]["overall"]["mislabelled_guest"] > 0
    assert run["by_split"]["test"]["overall"]["guest_misattributed"] > 0
    # ...and the committed gate (evals/thresholds.json, what CI's eval uses) fails it on the same two counts
    committed = gate(run["by_split"]["test"], load_thresholds())
    assert any(f.startswith("FAILED: metric overall.quote_verbatim = ") for f in committed)
    assert any(f.startswith("FAILED: metric overall.guest_misattributed = ") for f in committed)

    # The same through run_eval (what `interview-qa eval` calls): exit code 1 and the FAILED lines printed.
    th = tmp_path / "gates.json"
    th.write_text(json.dumps(GATES), encoding="utf-8")
    code = run_eval(settings, out_dir=tmp_path / "out", thresholds_path=th, baseline=False,
                    compare_embedders=False, calibrate=False, items=_subset(), service=broken)
    out = capsys.readouterr().out
    assert code == 1
    assert "FAILED: metric overall.quote_verbatim" in out
    assert "FAILED: metric overall.attribution_errors" in out
    assert (tmp_path / "out" / "eval-report.md").exists()


def test_real_product_passes_verbatim_and_attribution_gates(settings, tmp_path, capsys):
    from rag.service import QAService

    service = QAService.from_settings(settings, build_if_missing=False, progress=False)
    run = evaluate(service, _subset())
    assert gate(run["summary"], GATES) == [], run["summary"]["overall"]
    assert run["summary"]["overall"]["citations"] > 0

    th = tmp_path / "gates.json"
    th.write_text(json.dumps(GATES), encoding="utf-8")
    code = run_eval(settings, out_dir=tmp_path / "out", thresholds_path=th, baseline=False,
                    compare_embedders=False, calibrate=False, items=_subset(), service=service)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "FAILED: metric" not in out
    report = json.loads((tmp_path / "out" / "eval-report.json").read_text(encoding="utf-8"))
    assert report["gate"]["passed"] is True
    assert (tmp_path / "out" / "eval-chart.png").stat().st_size > 0


def test_gate_reads_only_the_test_split(settings, tmp_path, capsys):
    broken = _broken_class().from_settings(settings, build_if_missing=False, progress=False)
    th = tmp_path / "gates.json"
    th.write_text(json.dumps(GATES), encoding="utf-8")
    # the same broken answers, but all on dev: reported, not gated
    code = run_eval(settings, out_dir=tmp_path / "dev", thresholds_path=th, baseline=False,
                    items=_subset("dev"), service=broken)
    out = capsys.readouterr().out
    assert code == 0 and "FAILED: metric" not in out
    assert "gate skipped" in out and "dev split" in out
    report = json.loads((tmp_path / "dev" / "eval-report.json").read_text(encoding="utf-8"))
    assert report["gate"]["applied"] is False
    assert report["product"]["by_split"]["dev"]["overall"]["quote_verbatim"] < 1


def test_retrieval_ranks_fast_path_is_dev_only_and_uses_retrieve(settings):
    from rag.service import QAService

    from evals.runner import retrieval_ranks

    service = QAService.from_settings(settings, build_if_missing=False, progress=False)
    items = [it for it in _subset("dev") if it["answerable"]]
    got = retrieval_ranks(service, items)
    ranks = {x["id"]: x["rank"] for x in got["items"]}
    assert set(ranks) == {it["id"] for it in items}
    assert all(r is None or 1 <= r <= 10 for r in ranks.values())
    found = {i: r for i, r in ranks.items() if r}
    assert found, ranks
    assert got["summary"]["overall"]["n"] == len(items) and "en" in got["summary"]
    assert all(x["hit@1"] == (1.0 if x["rank"] == 1 else 0.0) for x in got["items"])

    class Reversed(QAService):
        """A retriever that returns the same passages worst first: the ranks must follow it."""

        def retrieve(self, question, history=None, k=10):
            return list(reversed(self.ask(question, history=history, k=k).retrieved))

    rev = retrieval_ranks(Reversed.from_settings(settings, build_if_missing=False, progress=False), items)
    rev_ranks = {x["id"]: x["rank"] for x in rev["items"]}
    assert any(rev_ranks[i] != r for i, r in found.items())
    assert rev["summary"]["overall"]["mrr@10"] < got["summary"]["overall"]["mrr@10"]

    with pytest.raises(ValueError, match="dev items only"):
        retrieval_ranks(service, _subset("test"))
