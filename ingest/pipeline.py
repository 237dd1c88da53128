"""Ingest: files → clean speaker turns → linked translations → chunks → one Chroma collection.

Per-file problems (missing, empty, binary, not UTF-8, unknown layout, turn map out of date) become one
line naming the file; the other files are still ingested; nothing half-written ever goes live.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from interview_qa.errors import IngestError
from interview_qa.settings import Settings
from ingest.captures import LayoutError, parse_capture
from ingest.models import Chunk, Interview, Manifest
from ingest.turns import TurnMapError, draft_sections, load_turn_map, sections_from_labels, sections_from_turn_map

# Bump when cleaning, turn or chunking logic changes, so unchanged files are re-ingested once.
INGEST_VERSION = "8"


@dataclass
class InterviewSource:
    """Where an interview comes from: its text, manifest and (for unlabelled captures) turn map."""

    path: Path
    capture: Path
    manifest: Manifest
    turn_map_path: Path | None

    def content_hash(self, settings: Settings) -> str:
        h = hashlib.sha256()
        for part in (self.capture.read_bytes(), json.dumps(self.manifest.to_dict(), sort_keys=True).encode(),
                     self.turn_map_path.read_bytes() if self.turn_map_path else b"",
                     f"{INGEST_VERSION}/{settings.chunk_tokens}".encode()):
            h.update(hashlib.sha256(part).digest())
        return h.hexdigest()


def _read_text(path: Path, max_mb: float | None = None) -> str:
    if not path.exists():
        raise IngestError(path, "no such file or directory")
    if path.is_dir():
        raise IngestError(path, "is a directory without a manifest.json")
    size = path.stat().st_size
    if max_mb is not None and size > max_mb * 1_000_000:
        raise IngestError(path, f"{size / 1_000_000:.1f} MB is over the {max_mb:g} MB limit per file "
                                "(INTERVIEW_QA_MAX_FILE_MB)")
    data = path.read_bytes()
    if not data.strip():
        raise IngestError(path, "empty file")
    if b"\x00" in data[:8192]:
        raise IngestError(path, "binary file, not text")
    try:
        return data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise IngestError(path, f"not UTF-8 text (invalid byte at offset {exc.start})") from None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "interview"


def bundled_sources(settings: Settings) -> list[Path]:
    return sorted(p for p in settings.interviews_dir.iterdir() if (p / "manifest.json").exists())


def resolve_source(path: Path, settings: Settings) -> InterviewSource:
    """An interview folder (manifest.json + capture [+ turns.json]), a known capture file, or a transcript."""
    path = path.expanduser()
    if path.is_dir() and (path / "manifest.json").exists():
        manifest = Manifest.load(path / "manifest.json")
        capture = path / manifest.source_file
        turns = path / "turns.json"
        return InterviewSource(path, capture, manifest, turns if turns.exists() else None)
    text = _read_text(path, settings.max_file_mb)
    # A bundled capture given by its own path keeps its curated manifest and turn map.
    if settings.interviews_dir.exists():
        for folder in bundled_sources(settings):
            manifest = Manifest.load(folder / "manifest.json")
            if manifest.source_file == path.name:
                turns = folder / "turns.json"
                return InterviewSource(path, path, manifest, turns if turns.exists() else None)
    try:
        parsed = parse_capture(text)
    except LayoutError as exc:
        raise IngestError(path, str(exc)) from None
    meta = parsed.metadata
    if parsed.layout == "transcript":
        labels = Counter()
        for p in parsed.sections[parsed.original]:
            labels[p.speaker_label] += len(p.text)
        guest = meta.get("guest") or labels.most_common(1)[0][0]
        host = meta.get("host") or next((lab for lab, _ in labels.most_common() if lab != guest), "Host")
    else:
        guest, host = meta.get("guest", "Guest"), meta.get("host", "Host")
    manifest = Manifest(
        id=meta.get("id") or _slug(path.stem), title=meta.get("title") or path.stem,
        outlet=meta.get("outlet", ""), date=meta.get("date", ""), host=host, guest=guest,
        languages=list(parsed.sections), original=parsed.original,
        translations=[lang for lang in parsed.sections if lang != parsed.original],
        layout=parsed.layout, source_file=path.name, url=meta.get("url"),
    )
    return InterviewSource(path, path, manifest, None)


def load_interview(source: InterviewSource, settings: Settings) -> Interview:
    """Parse and attribute one interview (translations are linked separately: `link_translations`)."""
    text = _read_text(source.capture, settings.max_file_mb)
    try:
        parsed = parse_capture(text, source.manifest.layout)
    except LayoutError as exc:
        raise IngestError(source.capture, str(exc)) from None
    warnings = []
    try:
        if parsed.layout == "transcript":
            sections = sections_from_labels(parsed, source.manifest)
        elif source.turn_map_path:
            sections = sections_from_turn_map(parsed, source.manifest, load_turn_map(source.turn_map_path))
        else:
            sections = draft_sections(parsed, source.manifest)
            warnings.append("no curated turn map: speaker roles are guessed (questions → host)")
    except TurnMapError as exc:
        raise IngestError(source.turn_map_path or source.capture, str(exc)) from None
    return Interview(manifest=source.manifest, sections=sections, content_hash=source.content_hash(settings),
                     page_metadata=parsed.metadata, warnings=warnings)


def sections_to_align(interview: Interview) -> list[str]:
    """Translations whose links must be computed (a curated turn map already gives the others)."""
    original = interview.original()
    if original is None:
        return []
    return [lang for lang, s in interview.sections.items() if s is not original and not s.curated_links]


def link_translations(interview: Interview, embeddings, progress=None) -> None:
    """Link each translated paragraph to the original it translates, by embeddings, where no curated map did."""
    from ingest.align import align

    todo = sections_to_align(interview)
    if not todo:
        return
    original = interview.original()
    o_vecs = embeddings.passages([p.text for p in original.paragraphs], progress)
    for lang in todo:
        section = interview.sections[lang]
        t_vecs = embeddings.passages([p.text for p in section.paragraphs], progress)
        links = align([p.text for p in section.paragraphs], [p.text for p in original.paragraphs], t_vecs, o_vecs)
        for p, link in zip(section.paragraphs, links):
            p.links = link


def counts(chunks: list[Chunk]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for c in chunks:
        out.setdefault(c.lang, {}).setdefault(c.role, 0)
        out[c.lang][c.role] += 1
    return out


@dataclass
class InterviewResult:
    interview: str
    path: str
    status: str  # added | updated | rebuilt | unchanged | failed
    counts: dict = field(default_factory=dict)
    chunks: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    results: list[InterviewResult]
    notes: list[str] = field(default_factory=list)  # index-wide events worth a line (e.g. a rebuild and why)

    @property
    def failed(self) -> list[InterviewResult]:
        return [r for r in self.results if r.status == "failed"]


def _progress_bar(total: int, desc: str, enabled: bool, delay: float = 0.0):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="text", disable=not enabled, file=sys.stderr, leave=False, delay=delay)


@contextlib.contextmanager
def _phase(desc: str, enabled: bool, delay: float):
    """A line on stderr for a step without countable parts, printed only if it runs longer than `delay` s."""
    if not enabled:
        yield
        return
    timer = threading.Timer(delay, lambda: print(f"{desc}…", file=sys.stderr, flush=True))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def ingest(paths: list[Path] | None, settings: Settings, show_progress: bool = True) -> IngestReport:
    """Bring the index up to date with `paths` (default: the bundled interviews)."""
    from ingest.store import IndexState, ingest_lock

    results: list[InterviewResult] = []
    sources: list[InterviewSource] = []
    for path in paths or bundled_sources(settings):
        try:
            sources.append(resolve_source(Path(path), settings))
        except IngestError as exc:
            results.append(InterviewResult(interview="?", path=exc.path, status="failed", error=exc.reason))
    seen: dict[str, Path] = {}
    for src in list(sources):
        if src.manifest.id in seen:
            results.append(InterviewResult(src.manifest.id, str(src.path), "failed",
                                           error=f"same interview id as {seen[src.manifest.id]}"))
            sources.remove(src)
        seen[src.manifest.id] = src.path

    notes: list[str] = []
    delay = settings.progress_delay
    with ingest_lock(settings.index_dir):
        state = IndexState.load(settings.index_dir)
        store = None
        problem = None
        if state.collection and _must_check_store(settings):
            from ingest.store import ChunkStore

            store = ChunkStore(settings, state)
            with _phase(f"checking the index on {settings.chroma_url or settings.index_dir}", show_progress, delay):
                problem = store.problem()
            if problem:
                notes.append(f"{problem}: rebuilding it")
        embedder_changed = state.embedder not in (None, settings.embedder_id)
        rebuild = embedder_changed or bool(problem)
        if rebuild:
            # Vectors from another embedder can't be mixed in, and a lost collection has nothing to copy:
            # re-ingest what the index held too.
            for doc_id, info in state.documents.items():
                if doc_id not in seen:
                    try:
                        sources.append(resolve_source(Path(info["source"]), settings))
                    except IngestError as exc:
                        results.append(InterviewResult(doc_id, exc.path, "failed", error=exc.reason))
        todo: list[tuple[InterviewSource, str]] = []
        for src in sources:
            try:
                digest = src.content_hash(settings)
            except OSError as exc:
                results.append(InterviewResult(src.manifest.id, str(src.capture), "failed", error=str(exc)))
                continue
            known = state.documents.get(src.manifest.id)
            if known and known["hash"] == digest and not rebuild:
                results.append(InterviewResult(src.manifest.id, str(src.path), "unchanged", known["counts"], known["chunks"]))
            else:
                todo.append((src, "rebuilt" if known and known["hash"] == digest else "updated" if known else "added"))
        if not todo and not rebuild:
            return IngestReport(results, notes)  # the fast path: no model loaded
        from ingest.chunking import chunk_interview
        from ingest.embedding_cache import PassageEmbedder
        from ingest.store import ChunkStore

        store = store or ChunkStore(settings, state)
        store.remove_orphans()
        loaded = []

        def embedder():
            """The model, loaded on first need (the embedding cache may make it unnecessary), under a progress line."""
            if not loaded:
                with _phase(f"loading the {settings.embedder_id} embedder", show_progress, delay):
                    loaded.append(store.embeddings)
            return loaded[0]

        passages = PassageEmbedder(settings, embedder)
        new: dict[str, tuple[list[Chunk], object, dict]] = {}
        for src, status in todo:
            try:
                with _phase(f"reading {src.manifest.id}", show_progress, delay):
                    interview = load_interview(src, settings)
                align = sections_to_align(interview)
                if align:  # a single-language transcript has nothing to align (and nothing to embed for it)
                    n_paras = sum(len(interview.sections[lang].paragraphs) for lang in align)
                    n_paras += len(interview.original().paragraphs)
                    with _progress_bar(n_paras, f"aligning {src.manifest.id}", show_progress, delay) as bar:
                        link_translations(interview, embedder(), bar.update)
                with _phase(f"chunking {src.manifest.id}", show_progress, delay):
                    chunks = chunk_interview(interview, settings.chunk_tokens)
                texts = [c.embedding_text() for c in chunks]
                missing = len(passages.missing(texts))
                if show_progress:
                    print(f"{src.manifest.id}: {len(texts)} passages, {len(texts) - missing} from the embedding "
                          f"cache, {missing} to embed", file=sys.stderr, flush=True)
                with _progress_bar(missing, f"embedding {src.manifest.id}", show_progress and missing > 0,
                                   delay) as bar:
                    vectors = passages.embed(texts, bar.update)
            except IngestError as exc:
                results.append(InterviewResult(src.manifest.id, exc.path, "failed", error=exc.reason))
                continue
            info = {"hash": interview.content_hash, "source": str(src.path), "chunks": len(chunks),
                    "counts": counts(chunks), "manifest": src.manifest.to_dict(),
                    "page_metadata": interview.page_metadata}
            new[src.manifest.id] = (chunks, vectors, info)
            results.append(InterviewResult(src.manifest.id, str(src.path), status, info["counts"], len(chunks),
                                           warnings=interview.warnings))
        passages.save()
        keep = {k for k in state.documents if k not in new} if not rebuild else set()
        if new or keep != set(state.documents) or problem:
            total = sum(state.documents[k]["chunks"] for k in keep) + sum(len(c) for c, _, _ in new.values())
            with _progress_bar(total, "writing the index", show_progress, delay) as bar:
                store.commit(keep, new, bar.update)
            from ingest.snapshot import write_snapshot

            write_snapshot(settings, store)  # what answering reads instead of opening Chroma
    return IngestReport(results, notes)


def _must_check_store(settings: Settings) -> bool:
    """A Chroma server can be emptied, restarted on a new folder or cleaned by someone else: check it on every
    ingest. The embedded store lives inside the home; only its disappearance needs noticing."""
    return bool(settings.chroma_url) or not (settings.index_dir / "chroma" / "chroma.sqlite3").exists()
