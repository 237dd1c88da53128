"""The benchmark runs end to end on a tiny corpus (every measurement, the naive pipeline beside it, a real
`chroma run` server, a real `serve` driven through gradio_client) and writes its reports. No timing is asserted:
speed targets live in the benchmark's own output, not in tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).with_name("interview-qa"))


def _tiny_corpus(root: Path) -> Path:
    folder = root / "corpus" / "looms-talk"
    folder.mkdir(parents=True)
    lines = []
    for i, topic in enumerate(["looms", "engines", "music", "numbers", "poetry", "machines"]):
        lines.append(f"CHARLES BABBAGE: What do you think about {topic}?")  # short: only answers get perturbed
        lines.append("")
        lines.append(f"ADA LOVELACE: About {topic}, I believe the analytical engine weaves algebraic patterns just as "
                     f"the Jacquard loom weaves flowers and leaves, and it might act upon {topic} one day.")
        lines.append("")
    (folder / "talk.txt").write_text("\n".join(lines), encoding="utf-8")
    manifest = {"id": "looms-talk", "title": "Looms", "outlet": "Notes", "date": "1843-01-01",
                "host": "Charles Babbage", "guest": "Ada Lovelace", "languages": ["en"], "original": "en",
                "layout": "transcript", "source_file": "talk.txt"}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder.parent


@pytest.mark.slow
def test_bench_runs_on_a_tiny_corpus_and_writes_its_reports(tmp_path):
    corpus = _tiny_corpus(tmp_path)
    out = tmp_path / "out"
    real_home, data_home = tmp_path / "real-home", tmp_path / "xdg-data"
    env = {**os.environ, "INTERVIEW_QA_HOME": str(real_home), "XDG_DATA_HOME": str(data_home), "HF_HUB_OFFLINE": "1"}
    result = subprocess.run([CLI, "bench", "--corpus", str(corpus), "--scales", "1,2,3", "--naive-scales", "2",
                             "--questions", "3",
                             "--cli-samples", "2", "--serve-samples", "2", "--out", str(out)],
                            env=env, cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "naive baseline" in result.stdout and "3×" in result.stdout
    report = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    for key in ("ingest_with_cache", "ingest_without_cache", "embedder_alone", "ingest_vs_embedder",
                "reingest_unchanged", "one_changed_document", "ask_in_process", "naive_ask_in_process", "cli_ask",
                "naive_cli_ask", "naive_build", "serve", "scale_query_ratio"):
        assert report[key] is not None, key
    assert report["one_changed_document"]["embedded"] == 1
    assert report["ask_in_process"]["store"] == "IndexSnapshot"
    assert set(report["scale"]) == {"1", "2", "3"}
    two = report["scale"]["2"]
    assert two["ingest"]["passages"] == 2 * report["scale"]["1"]["ingest"]["passages"]
    assert two["server_query"]["store"] == "ChunkStore" and two["naive_query"]["p50"] is not None
    assert two["serve"]["rss_mb"] > 0
    three = report["scale"]["3"]  # --naive-scales 2: the naive pipeline is not built at 3x
    assert three["query"]["p50"] is not None and "naive_build" not in three and three.get("naive_query") is None
    md = (out / "bench.md").read_text(encoding="utf-8")
    assert "| measure | product | naive baseline |" in md and "| 3× |" in md and "not run" in md
    assert (out / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Everything happened in temporary homes: neither the configured home nor the default one was touched.
    assert not real_home.exists() and not (data_home / "interview-qa").exists()
