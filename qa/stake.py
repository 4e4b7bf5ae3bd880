"""Answers to "What stake does Chrysler hold in Mitsubishi?": the percentage the sentence gives.

Wire copy writes a holding as a percentage right before the company held: "Chrysler owns a
24 pct stake in Mitsubishi Motors", "... has acquired 1,420,500 shares of Cooper
LaserSonics Inc, or 6.5 pct of the total outstanding common stock", "Mitel, 51 pct owned by
British Telecom". The span model, fitted on SQuAD's few such questions, took a count of
shares, a price or a year ("556,500 shares", "7.07 dlrs per share"). So for "What stake
does X hold in Y?", "How much of Y does X own?" and "What percentage of Y does X own?" the
answerer prefers a sentence that names X and gives a percentage of Y, and quotes the
percentage (qa.bound).

Words only: a percentage ("24 pct", "6.5 percent", "49.6%", with any "about" or "less
than" before it) followed by "stake", "interest" or "holding" (or nothing) and "in" or
"of" and Y's words; or after ", or" within 100 characters of "shares of Y" ("1,420,500
shares of Cooper LaserSonics Inc, or 6.5 pct"); or followed by "owned by X" right after
Y's words. X's words must be in the sentence too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qa.organisation import ends_with, org_stems, starts_with

_HOLD = r"(?:hold|have|own|control|keep|retain|acquire|buy|take)"
_ASKED = re.compile(
    # "What stake does Chrysler hold in Mitsubishi?", "What is Chrysler's stake in Mitsubishi?"
    rf"^\W*(?:what|how\s+big\s+a|how\s+large\s+a)\s+(?:stake|interest|holding|share)\s+"
    rf"(?:does|did|do|has|had|will)\s+(?P<x1>.+?)\s+{_HOLD}s?\s+in\s+(?P<y1>.+?)\W*$"
    rf"|^\W*what\s+(?:is|was)\s+(?P<x2>.+?)['’]s?\s+(?:stake|interest|holding|share)"
    rf"\s+in\s+(?P<y2>.+?)\W*$"
    # "How much of Mitsubishi does Chrysler own?", "What percentage of Mitsubishi ..."
    rf"|^\W*(?:how\s+much|what\s+(?:percentage|percent|proportion|portion|share|part|"
    rf"fraction))\s+of\s+(?P<y3>.+?)\s+(?:does|did|do|has|had|will)\s+(?P<x3>.+?)\s+"
    rf"{_HOLD}s?\W*$",
    re.IGNORECASE,
)
_PERCENT = (
    r"(?:(?:about|some|nearly|almost|roughly|approximately|around|over|under|up\s+to"
    r"|(?:just\s+)?(?:more|less)\s+than|just\s+(?:over|under))\s+)?"
    r"\d[\d,]*(?:\.\d+)?(?:\s*-\s*\d+/\d+)?(?:\s*(?:pct|percent|per\s+cent)\b|\s?%)"
)
# A percentage of Y: "24 pct stake in Mitsubishi", "19.9 pct of Borg-Warner's stock".
_OF_Y = re.compile(
    rf"(?P<p>{_PERCENT})(?:\s+(?:stake|interest|holding|shareholding|equity\s+stake))?"
    rf",?\s+(?:in|of)\s+(?P<y>\S)"
)
# "1,420,500 shares of Cooper LaserSonics Inc, or 6.5 pct of the total".
_OF_TOTAL = re.compile(
    rf"\bshares\s+of\s+(?:the\s+)?(?P<y>\S)[^;]{{0,100}}?,?\s+or\s+"
    rf"(?P<p>{_PERCENT})"
)
# "Mitel, 51 pct owned by British Telecom".
_OWNED_BY = re.compile(rf"(?P<at>,?\s+)(?P<p>{_PERCENT})[-\s]+owned\s+by\s+(?P<x>\S)")


@dataclass(frozen=True)
class Holding:
    """What a stake question asks about: the holder's stems and the held company's."""

    holder: frozenset[str]
    held: frozenset[str]


@lru_cache(maxsize=1024)
def asked_stake(question: str) -> Holding | None:
    """The holder and the company held when the question asks how much one holds of the
    other, else None."""
    m = _ASKED.match(question.strip())
    if m is None:
        return None
    holder = org_stems(m.group("x1") or m.group("x2") or m.group("x3"))
    held = org_stems(m.group("y1") or m.group("y2") or m.group("y3"))
    return Holding(holder, held) if holder and held else None


def stake(asked: Holding, sentence: str) -> tuple[int, int] | None:
    """The character span of the percentage of the held company the sentence gives the
    holder, or None."""
    if not asked.holder <= org_stems(sentence):
        return None
    for m in _OF_Y.finditer(sentence):
        if starts_with(asked.held, sentence[m.start("y") :]):
            return m.span("p")
    for m in _OF_TOTAL.finditer(sentence):
        if starts_with(asked.held, sentence[m.start("y") :]):
            return m.span("p")
    for m in _OWNED_BY.finditer(sentence):
        if ends_with(asked.held, sentence[: m.start("at")]) and starts_with(
            asked.holder, sentence[m.start("x") :]
        ):
            return m.span("p")
    return None
