"""Link each translated paragraph to the original paragraph(s) it translates.

A monotonic alignment (dynamic programming over 1-1, 1-2, 2-1 and skip moves, as in Gale-Church style
sentence aligners) scored by the multilingual embedder's cosine similarity, standardised per section,
plus anchors both sides share (numbers, Latin-script names such as `MAI-Thinking-1` or `OpenAI`) and a
length-ratio prior. Paragraphs with no counterpart (the Chinese tail of the Bloomberg piece) are skipped
and stay unlinked.
"""

from __future__ import annotations

import math
import re

import numpy as np

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9\-]*[A-Za-z0-9]")
_STOP = {"the", "and", "of", "to", "a", "in", "that", "is", "it", "i", "we", "you", "ai"}

MATCH_THRESHOLD = 0.3  # standardised score a pairing must beat to be worth more than two skips
SKIP = 0.0


def anchors(text: str) -> set[str]:
    nums = {n.replace(",", "") for n in _NUMBER.findall(text)}
    names = {w.lower() for w in _LATIN_NAME.findall(text) if w[0].isupper() or any(c.isdigit() for c in w)}
    return nums | (names - _STOP)


def _anchor_score(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def align(
    translation: list[str],
    original: list[str],
    t_vecs: np.ndarray,
    o_vecs: np.ndarray,
) -> list[list[int]]:
    """For each translated paragraph, the indices of the original paragraphs it translates ([] if none)."""
    n, m = len(translation), len(original)
    if n == 0 or m == 0:
        return [[] for _ in range(n)]
    sim = t_vecs @ o_vecs.T
    mu, sd = float(sim.mean()), float(sim.std()) or 1.0
    t_len = np.array([max(len(t), 1) for t in translation], dtype=float)
    o_len = np.array([max(len(o), 1) for o in original], dtype=float)
    ratio = t_len.sum() / o_len.sum()
    t_anc = [anchors(t) for t in translation]
    o_anc = [anchors(o) for o in original]

    def unit(v: np.ndarray) -> np.ndarray:
        return v / max(float(np.linalg.norm(v)), 1e-12)

    def score(ts: list[int], os_: list[int]) -> float:
        tv = unit(t_vecs[ts].sum(axis=0))
        ov = unit(o_vecs[os_].sum(axis=0))
        z = (float(tv @ ov) - mu) / sd
        anc = _anchor_score(set().union(*(t_anc[i] for i in ts)), set().union(*(o_anc[j] for j in os_)))
        length = abs(math.log((t_len[ts].sum() / o_len[os_].sum()) / ratio))
        return z + 2.0 * anc - 0.8 * length - MATCH_THRESHOLD

    neg = -1e18
    best = np.full((n + 1, m + 1), neg)
    back: dict[tuple[int, int], tuple[int, int, str]] = {}
    best[0, 0] = 0.0
    moves = ((1, 1), (1, 2), (2, 1), (1, 0), (0, 1))
    for i in range(n + 1):
        for j in range(m + 1):
            if best[i, j] == neg:
                continue
            for di, dj in moves:
                ni, nj = i + di, j + dj
                if ni > n or nj > m:
                    continue
                if di and dj:
                    # Merges pay a small price so that 1-1 wins when both explain the text equally well.
                    s = score(list(range(i, ni)), list(range(j, nj))) - (0.3 if di + dj > 2 else 0.0)
                else:
                    s = SKIP
                if best[i, j] + s > best[ni, nj]:
                    best[ni, nj] = best[i, j] + s
                    back[(ni, nj)] = (i, j, "m" if di and dj else "s")
    links: list[list[int]] = [[] for _ in range(n)]
    i, j = n, m
    while (i, j) != (0, 0):
        pi, pj, kind = back[(i, j)]
        if kind == "m":
            for ti in range(pi, i):
                links[ti] = list(range(pj, j))
        i, j = pi, pj
    return links
