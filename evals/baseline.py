"""The naive LangChain RAG pipeline the product is measured against, in the same run.

What a quick tutorial build does: `RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`
over the raw capture files exactly as they are (site chrome, newsletter boxes and related-article
headlines included), dense top-5 with the same embedder as the product, in an in-memory Chroma
collection (embeddings precomputed, nothing written outside a temp dir). Its "answer" is the top chunk's
first sentence(s) up to ~300 characters (an exact substring), cited as said by the guest (naive
pipelines attribute everything to the interviewee); it never abstains and always answers in English.

It returns the same Answer-like dicts as `rag.types.Answer.to_json()`, so the same metrics apply.
Its chunks carry a *true* role for attribution scoring: the role of the product's cleaned chunk that
contains the quoted text, or "chrome" when the quote is page furniture found in no interview turn.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from pathlib import Path

import numpy as np

from ingest.text import detect_lang, sentence_spans
from interview_qa.settings import Settings

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 5
QUOTE_CHARS = 300


def raw_captures(settings: Settings) -> list[tuple[str, Path]]:
    """(interview id, raw capture path) for every bundled interview folder."""
    out = []
    for folder in sorted(p for p in Path(settings.interviews_dir).iterdir() if p.is_dir()):
        manifest = folder / "manifest.json"
        interview = json.loads(manifest.read_text(encoding="utf-8"))["id"] if manifest.exists() else folder.name
        for txt in sorted(folder.glob("*.txt")):
            out.append((interview, txt))
    return out


def first_sentences(text: str, limit: int = QUOTE_CHARS) -> str:
    """The chunk's first sentence(s), up to ~`limit` chars, as an exact substring of `text`."""
    spans = [(s, e) for s, e in sentence_spans(text) if text[s:e].strip()]
    if not spans:
        return text.strip()[:limit]
    start, end = spans[0]
    for s, e in spans[1:]:
        if e - start > limit:
            break
        end = e
    quote = text[start:end]
    if len(quote) > limit:  # one very long "sentence" (e.g. chrome without punctuation): cut at a space
        cut = quote.rfind(" ", 0, limit)
        quote = quote[:cut if cut > limit // 2 else limit]
    return quote.strip()


_WS = re.compile(r"\s+")


def _norm(s: str) -> str:
    return _WS.sub(" ", s).strip()


def true_role(quote: str, product_chunks: list) -> str:
    """Who really said the quoted text, by the product's cleaned, attributed chunks: the role of the
    chunk holding its longest line; a quote spanning several turns counts as guest only if all are."""
    index = [(_norm(c.text), c.role) for c in product_chunks]
    roles = []
    for line in sorted((ln.strip() for ln in quote.splitlines()), key=len, reverse=True):
        if len(line) < 12:
            continue
        probe = _norm(line)[:120]
        hit = next((role for text, role in index if probe in text), None)
        roles.append(hit or "chrome")
    if not roles:
        return "chrome"
    if all(r == "guest" for r in roles):
        return "guest"
    return next(r for r in roles if r != "guest")


class NaiveBaseline:
    """Answer-like dicts from the naive pipeline; `.ask(question, history=..., k=...)` like QAService."""

    name = "baseline"
    cached = False

    def __init__(self, settings: Settings, product_chunks: list | None = None, guest_names: dict | None = None,
                 top_k: int = TOP_K, use_chroma: bool = True, cache_dir: Path | None = None):
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from ingest.embeddings import make_embeddings

        self.settings = settings
        self.top_k = top_k
        self.embeddings = make_embeddings(settings)
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
        self.chunks: list[dict] = []
        guest_names = guest_names or {}
        for interview, path in raw_captures(settings):
            raw = path.read_text(encoding="utf-8")
            for i, text in enumerate(splitter.split_text(raw)):
                self.chunks.append({"chunk_id": f"baseline:{interview}:{i:04d}", "interview": interview,
                                    "text": text, "lang": detect_lang(text),
                                    "speaker": guest_names.get(interview, "Mustafa Suleyman")})
        for c in self.chunks:
            c["quote"] = first_sentences(c["text"])
            c["role"] = true_role(c["quote"], product_chunks) if product_chunks is not None else "unknown"
            c["linked_ids"] = []
        self.by_id = {c["chunk_id"]: c for c in self.chunks}
        t0 = time.perf_counter()
        self.vectors = self._vectors(cache_dir)
        self.embed_seconds = time.perf_counter() - t0
        self._collection = None
        if use_chroma:
            self._collection = self._chroma()

    def _vectors(self, cache_dir: Path | None) -> np.ndarray:
        """Passage embeddings; cached as .npy under `cache_dir` (the reports dir) keyed by embedder + texts."""
        cache = None
        if cache_dir is not None:
            cache = Path(cache_dir) / f"baseline-{self.embeddings.name.replace(':', '_')}-{self.fingerprint()}.npy"
            if cache.exists():
                arr = np.load(cache)
                if arr.shape[0] == len(self.chunks):
                    self.cached = True
                    return arr
        vectors = self.embeddings.passages([c["text"] for c in self.chunks])
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(cache)
        return vectors

    def _chroma(self):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        from ingest.embeddings import ChromaEmbeddingAdapter

        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        col = client.create_collection(name=f"baseline_{uuid.uuid4().hex[:8]}",
                                       embedding_function=ChromaEmbeddingAdapter(self.embeddings),
                                       configuration={"hnsw": {"space": "cosine"}})
        col.add(ids=[c["chunk_id"] for c in self.chunks], documents=[c["text"] for c in self.chunks],
                embeddings=[v.tolist() for v in self.vectors])
        return col

    def search(self, question: str, k: int) -> list[tuple[dict, float]]:
        qv = self.embeddings.query_vector(question)
        if self._collection is not None:
            got = self._collection.query(query_embeddings=[qv.tolist()], n_results=min(k, len(self.chunks)))
            return [(self.by_id[i], 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0])]
        scores = self.vectors @ qv
        order = np.argsort(-scores)[:k]
        return [(self.chunks[i], float(scores[i])) for i in order]

    def ask(self, question: str, history=None, k: int = 10, **_ignored) -> dict:
        hits = self.search(question, self.top_k)  # naive: no history, always top-5
        retrieved = [{"chunk_id": c["chunk_id"], "interview": c["interview"], "speaker": c["speaker"],
                      "role": "guest", "lang": c["lang"], "text": c["text"], "score": round(s, 6), "linked": []}
                     for c, s in hits]
        top = hits[0][0] if hits else None
        citations = []
        answer = "No answer."
        if top is not None:
            citations = [{"chunk_id": top["chunk_id"], "interview": top["interview"], "speaker": top["speaker"],
                          "role": "guest", "lang": top["lang"], "quote": top["quote"], "original": None,
                          "original_chunk_id": None, "location": ""}]
            answer = f"{top['speaker']} said: “{top['quote']}”"
        return {"question": question, "answer": answer, "answer_lang": "en", "grounded": True, "mode": "baseline",
                "notice": None, "citations": citations, "retrieved": retrieved, "model": None,
                "confidence": hits[0][1] if hits else None}

    def chunks_by_id(self) -> dict[str, dict]:
        return self.by_id

    def fingerprint(self) -> str:
        h = hashlib.sha256(f"{CHUNK_SIZE}/{CHUNK_OVERLAP}".encode())
        for c in self.chunks:
            h.update(c["text"].encode("utf-8"))
        return h.hexdigest()[:12]
