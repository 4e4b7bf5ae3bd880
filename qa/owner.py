"""Answers to "Who owns Greenland NV?": the company the sentence says it belongs to.

Wire copy gives a company's owner in the commas after its name: "Greenland NV, a producer
of agricultural machines, is a subsidiary of the Thyssen-Bornemisza Group", "Ohio Power
Co, a unit of American Electric Power Co", "First Pennsylvania Bank N.A., wholly owned by
First Pennsylvania Corp". For "Who owns X?" ("What company owns X?", "Who is X's
parent?") the answerer prefers a sentence that says what X belongs to, and quotes the
owner (qa.bound).

Words only: X's words right before ", a <up to three words> unit (subsidiary, division,
affiliate, arm) of <owner>", ", (wholly) owned by <owner>" or "is a unit of <owner>" (an
aside in commas between), the owner being a run of capitalised words ("of" and "and"
inside it).
"""

from __future__ import annotations

import re
from functools import lru_cache

from qa.organisation import ends_with, org_stems

_ASKED = re.compile(
    r"^\W*(?:who|what\s+(?:company|group|firm|corporation|bank))\s+(?:owns|owned|controls)"
    r"\s+(?:the\s+)?(?P<a>.+?)\W*$"
    r"|^\W*(?:who|what)\s+is\s+(?:the\s+)?(?P<b>.+?)['’]s?\s+(?:parent|owner)"
    r"(?:\s+company)?\W*$",
    re.IGNORECASE,
)
# Capitalised words, "of" and "and" between; not on into a sentence "Co. It said …" runs on to.
_STARTER = r"(?!(?:It|Its|The|He|She|They|This|That|In|On|But|And|A|An)\b)"
_OWNER = rf"[A-Z][\w&.'’-]*(?:\s+(?:(?:of|and|&|de|the)\s+)?{_STARTER}[A-Z][\w&.'’-]*)*"
_PART = r"(?:unit|subsidiary|division|affiliate|arm|member)"
_OWNED = re.compile(
    rf"(?P<at>(?:\s+<[^>]*>)?(?:,\s+(?:(?:which|that)\s+is\s+)?"
    rf"|(?:,[^,]{{1,80}},)?\s+(?:is|was)\s+))"
    rf"(?:(?:(?:a|an|the)\s+(?:[\w'’-]+\s+){{0,3}}?{_PART}\s+of)"
    rf"|(?:(?:wholly|majority|partly|jointly)[-\s])?owned\s+by)"
    rf"\s+(?:the\s+)?(?P<owner>{_OWNER})"
)


@lru_cache(maxsize=1024)
def asked_owner(question: str) -> frozenset[str] | None:
    """The company's stems when the question asks who owns it, else None."""
    m = _ASKED.match(question.strip())
    if m is None:
        return None
    return org_stems(m.group("a") or m.group("b")) or None


def owner(company: frozenset[str], sentence: str) -> tuple[int, int] | None:
    """The character span of the company the sentence says owns this one, or None."""
    for m in _OWNED.finditer(sentence):
        if ends_with(company, sentence[: m.start("at")]):
            start, end = m.span("owner")
            if sentence[end - 1] == "." and not sentence[end:].strip():
                end -= 1  # the sentence's full stop: "… a subsidiary of the Thyssen Group."
            return start, end
    return None
