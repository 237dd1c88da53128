"""What answering returns: the `--json` contract read by the eval harness, the UI and outside checks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

MODES = ("extractive", "llm")


@dataclass
class Original:
    lang: str
    quote: str  # exact substring of the linked original chunk's text


@dataclass
class Citation:
    chunk_id: str
    interview: str
    speaker: str
    role: str  # guest | host | editor
    lang: str
    quote: str  # exact substring of the cited chunk's text
    original: Original | None = None
    original_chunk_id: str | None = None
    location: str = ""  # "<interview>#<section>:<char_start>-<char_end>" of the quote in the cleaned text


@dataclass
class Retrieved:
    chunk_id: str
    interview: str
    speaker: str
    role: str
    lang: str
    text: str
    score: float
    linked: list[dict] = field(default_factory=list)  # the same passage in other languages: chunk_id, lang, text


@dataclass
class Section:
    """One interview's side of a compare answer."""

    interview: str
    outlet: str
    date: str
    citations: list[int]  # indexes into Answer.citations
    found: bool  # False: nothing in this interview passed the relevance floor (the answer says so)


@dataclass
class Answer:
    question: str
    answer: str
    answer_lang: str  # en | ja | zh
    # False when the interviews don't answer: "not covered" (closest passages in `retrieved`), "only partly
    # covered" (the capture ends before the reply to the question asked; the host's question is cited), "no
    # such figure" (a how-many / how-much question whose kind of figure nothing relevant gives; the closest
    # words are cited), a view only a photo caption names (the caption is cited), or a related article listed
    # below the interview (its headline is named, nothing cited)
    grounded: bool
    mode: str  # extractive | llm
    notice: str | None
    citations: list[Citation]
    retrieved: list[Retrieved]
    model: str | None = None  # the LLM's name in llm mode
    confidence: float | None = None  # evidence score compared with the calibrated abstention threshold
    # The answer's shape (its first line says it): what kind of question this is — who_said | yes_no | number |
    # date | compare | open —, the verdict for yes/no and who-said questions, the figure or date for how-much /
    # when questions (verbatim from the first citation), and one section per interview for compare questions.
    kind: str = "open"
    # "yes" | "no": for who-said questions, whether the words asked about are the guest's, also when the question
    # asks "who said X?" (its first line then names the speaker instead of saying yes or no)
    verdict: str | None = None
    figure: str | None = None
    sections: list[Section] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)
