"""Related-article headlines a captured page lists after the interview ("関連記事"). They are not the
interview and never quoted, but a question about one of them ("What did Suleyman say about Microsoft being
hacked to spread malware?") is told that this is only a headline on the page, rather than answered with the
nearest quotes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text import detect_lang
from rag.lexical import tokenize, word_forms
from rag.translate import cedict_glosses, gloss_stems, jmdict_glosses

# Question words the interviews never use that one article must hold: one shared word is chance ("package"
# in a pay question), two name the article's own story (chosen on dev: 6 unanswerable questions, no answerable).
MIN_SHARED_UNKNOWN = 2


@dataclass(frozen=True)
class RelatedArticle:
    interview: str
    source: str
    date: str
    title: str
    words: frozenset[str]  # its words and CJK bigrams, with the English stems of their dictionary glosses


def _words(text: str) -> frozenset[str]:
    lang = detect_lang(text)
    out = set(tokenize(text, lang))
    if lang in ("ja", "zh"):
        forms = [surface for _, surface in word_forms(text, lang)]
        glosses = jmdict_glosses(forms) if lang == "ja" else {f: cedict_glosses(f) for f in forms}
        out.update(stem for gl in glosses.values() for g in gl for stem in gloss_stems(g))
    out.update(stem for w in re.findall(r"[A-Za-z][A-Za-z-]{2,}", text) for stem in gloss_stems(w))
    return frozenset(out)


def related_articles(documents: dict[str, dict]) -> list[RelatedArticle]:
    """Every indexed page's related articles (from its page metadata, kept by ingest)."""
    return [RelatedArticle(interview, a["source"], a["date"], a["title"],
                           _words(f"{a['source']}\n{a['title']}\n{a.get('summary', '')}"))
            for interview, doc in documents.items()
            for a in (doc.get("page_metadata") or {}).get("related", [])]


def _forms(word: str, lang: str, surface: str) -> set[str]:
    """A question word as itself and as the English stems of its dictionary glosses."""
    out = {word}
    if lang == "zh":
        out.update(stem for g in cedict_glosses(word) for stem in gloss_stems(g))
    elif lang == "ja":
        out.update(stem for g in jmdict_glosses([surface]).get(surface, []) for stem in gloss_stems(g))
    return out


def asked_about(unknown: list[str], lang: str, surfaces: dict[str, str],
                articles: list[RelatedArticle]) -> RelatedArticle | None:
    """The related article holding at least MIN_SHARED_UNKNOWN of the question's words the interviews never use
    (`unknown`), as written or through a dictionary; the one holding most, if several do."""
    forms = [_forms(w, lang, surfaces.get(w, w)) for w in unknown]
    best, best_n = None, MIN_SHARED_UNKNOWN - 1
    for article in articles:
        n = sum(bool(f & article.words) for f in forms)
        if n > best_n:
            best, best_n = article, n
    return best
