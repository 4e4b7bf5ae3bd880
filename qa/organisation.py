"""Where a sentence names the organisation a question asks about, words only.

"Who is the chairman of Pennzoil?" and "Where is FMR Corp based?" name an organisation that
a sentence writes right beside what it says of it: "Pennzoil Co <PZL> chairman J. Hugh
Liedtke", "Boston-based FMR Corp", "Robert Adler, president of the Cabletelevision
Advertising Bureau". An organisation is its words' stems, without the words that close a
company's name ("Corp", "Inc", "Bank"), so "American Motors" is written in "American
Motors Corp president" and "Lloyds Bank" in "Lloyds Bank NZA Ltd chief economist".
"""

from __future__ import annotations

import re

from qa.terms import stem, words

_TICKER = re.compile(r"<[^>]*>")
_GLUE = frozenset(("the", "of", "and", "a", "an", "s", "de"))
# Words that close a company's name ("American Motors Corp president").
_SUFFIXES = frozenset(
    stem(w) for w in "corp corporation inc co company ltd plc ag sa nv group bank".split()
)
_BETWEEN = _SUFFIXES | {stem(w) for w in "central senior chief acting interim official".split()}
_CLAUSE_END = re.compile(r"[,;:()\"“”]")
# Characters read beside what a sentence says of the organisation: more than any name
# needs, and a sentence of many matches is read in time linear in its length.
_WINDOW = 160


def org_stems(name: str) -> frozenset[str]:
    """The stems that stand for an organisation as a question names it ("the Bank of
    Spain": spain; "American Can Co": american, can)."""
    return frozenset(_stems(name)) - _SUFFIXES


def ends_with(org: frozenset[str], text: str) -> bool:
    """Whether the organisation's words end the text, in the same clause, but for words
    that close a company's name, tickers and a few words of rank ("American Motors Corp",
    "Pennzoil Co <PZL>'s", "Japan's central bank")."""
    found = [w for w in _stems(_CLAUSE_END.split(text[-_WINDOW:])[-1]) if w not in _SUFFIXES]
    while found and found[-1] in _BETWEEN:
        found.pop()
    return org <= set(found[-len(org) :])


def starts_with(org: frozenset[str], text: str) -> bool:
    """Whether the organisation's words open the text, in the same clause ("the
    Cabletelevision Advertising Bureau, said"); one other word may come first."""
    found = [w for w in _stems(_CLAUSE_END.split(text[:_WINDOW])[0]) if w not in _SUFFIXES]
    return org <= set(found[: len(org) + 1])


def _stems(text: str) -> list[str]:
    """The stems of the text's words in order, tickers and the words that join a name's
    parts left out ("Bank of Spain": bank, spain)."""
    found = (stem(w) for _, _, w in words(_TICKER.sub(" ", text)) if w not in _GLUE)
    return [s for s in found if s]
