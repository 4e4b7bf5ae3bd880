"""Find the lines of an article that are not part of the story.

Teasers ("Also Read: ..."), social footers ("Follow our WhatsApp Channel ...") and
section headings are kept in the stored text, so offsets stay true, but they are never
split into sentences and so never come back as answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

BOILERPLATE = re.compile(
    r"""^\s*(?:
        (?:also|further|more|related)\s+(?:read|reading|stories|coverage)\b
      | read\s+(?:more|also|next)\b
      | (?:see|watch)\s+also\b
      | related\s*:
      | recommended\s*:
      | advertisement\s*$
      | sponsored\b
      | (?:follow|join|like)\s+(?:us|our)\b
      | subscribe\b | sign\s+up\b | click\s+here\b | share\s+this\b
      | (?:copyright|©)\s
      | all\s+rights\s+reserved
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_TERMINAL = tuple(".!?:;\"'”’)…")
_SMALL_WORDS = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "by",
    "for",
    "from",
    "in",
    "into",
    "near",
    "of",
    "on",
    "or",
    "over",
    "the",
    "to",
    "up",
    "with",
    "vs",
    "via",
}

# A heading never ends with one of these; a hard-wrapped line of prose often does.
_WRAP_ENDS = _SMALL_WORDS | {"said", "says", "told", "that", "which", "who", "is", "are", "was"}


def is_boilerplate(line: str) -> bool:
    return bool(BOILERPLATE.match(line))


def is_heading(line: str) -> bool:
    """A short title-case line with no sentence-final punctuation."""
    words = line.split()
    if not words or len(words) > 14 or len(line) > 120 or line.rstrip().endswith(_TERMINAL):
        return False
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    capitalised = sum(1 for w in content if w[:1].isupper() or w[:1].isdigit())
    return bool(content) and capitalised / len(content) >= 0.6


# A line that ends with one of these has not ended its sentence: "the U.S.", "Rep.".
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|Rep|Sen|Gov|Gen|Lt|Col|Sgt|Capt|Prof|Rev|Hon|St|Mt|Ft)\.)$"
)


def _ends_sentence(line: str) -> bool:
    return line.endswith(_TERMINAL) and not _ABBREVIATION.search(line)


def _wraps(line: str, following: str) -> bool:
    """`line` is prose broken mid-sentence: `following` goes on with it.

    The line right after a heading starts a paragraph; after a hard-wrapped line of prose
    ("Gulf Applied Technologies Inc said it"), it starts with a small letter, or it is more
    prose that runs on to the next line.
    """
    last = line.split()[-1].lower()  # a heading has words
    if line.endswith((",", "-")) or last in _WRAP_ENDS or following[:1].islower():
        return True
    return bool(following) and not is_heading(following) and not _ends_sentence(following)


def _lines(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in re.finditer(r"\n", text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


def _line_after(text: str, lines: list[tuple[int, int]], i: int) -> str:
    return text[slice(*lines[i + 1])].strip() if i + 1 < len(lines) else ""


def story_regions(text: str, title: str = "") -> list[tuple[int, int]]:
    """Character ranges of the text that belong to the story, in order."""
    regions: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    previous_ends_sentence = True
    after_break = False  # a blank line came before: a line in title case there is a heading
    lines = list(_lines(text))
    for i, (start, end) in enumerate(lines):
        line = text[start:end].strip()
        excluded = bool(line) and (
            is_boilerplate(line)
            or line == title.strip()
            or (
                previous_ends_sentence
                and is_heading(line)
                and (after_break or not _wraps(line, _line_after(text, lines, i)))
            )
        )
        if line:
            previous_ends_sentence = excluded or _ends_sentence(line)
        after_break = not line and (after_break or start > 0)
        if excluded:
            if current is not None:
                regions.append(current)
                current = None
            continue
        if line:
            current = (current[0] if current else start, end)
    if current is not None:
        regions.append(current)
    return regions


def headline(text: str) -> str | None:
    """The first line, when it reads as a headline rather than a sentence."""
    first = text.lstrip().split("\n", 1)[0].strip()
    rest = text.lstrip()[len(first) :].strip()
    if first and rest and not first.endswith((".", "!", "?", ",", ";", ":")) and len(first) <= 150:
        return first
    return None
