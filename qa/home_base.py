"""Answers to "Where is FMR Corp based?": the place the sentence says the organisation is at.

Wire copy places a company in a modifier, "Boston-based FMR Corp", "Kitchener,
Ontario-based Electrohome", or beside it, "North Port Bank, based in North Port", "WOR-TV
is based in Secaucus, N.J.". The span model, fitted on SQuAD's where-questions, looks for
a place after a preposition and finds none in "Minneapolis-based NWA reported fourth
quarter net of about 9.8 mln dlrs": it answered "about 9.8 mln dlrs". So for such a
question the answerer prefers a sentence that places the organisation asked about, and
quotes the place.

Words only: "<place>-based" (or "-headquartered") with the organisation's words right
after it, up to three words between ("London-based sugar operator Kaines Ltd"), or the
organisation's words right before ", based in <place>" or "is based in <place>".
"""

from __future__ import annotations

import re
from functools import lru_cache

from qa.organisation import ends_with, org_stems, starts_with

_ASKED = (
    # "Where is FMR Corp based?", "where was the company headquartered?"
    re.compile(
        r"^\W*where\s+(?:is|was|are|were)\s+(?:the\s+)?(?P<org>.+?)\s+"
        r"(?:based|headquartered)\W*$",
        re.IGNORECASE,
    ),
    # "Where are FMR Corp's headquarters?", "Where is the company's head office?"
    re.compile(
        r"^\W*where\s+(?:is|was|are|were)\s+(?:the\s+)?(?P<org>.+?)['’]s?\s+"
        r"(?:headquarters|head\s+office|home\s+base|base)\W*$",
        re.IGNORECASE,
    ),
)
# "Boston", "St.", "N.J.": not a word in capitals, which "PC-based" or "IBM-based" are.
_PART = r"(?:St\.|[A-Z][a-z]+|[A-Z]\.(?:[A-Z]\.)+)"
_PLACE = rf"\b(?!(?:The|A|An|In|At)\b){_PART}(?:[\s-]{_PART}){{0,2}}"
# "Secaucus, N.J.,", "Crowley, Texas.": a state or country that ends the clause.
_STATE = rf"(?:,\s+{_PART}(?:\s+{_PART})?(?=\.?\s*[,.;)]|\.?\s*$))?"
_BASED = r"(?i:based|headquartered)"
_BEFORE = re.compile(  # "Boston-based FMR Corp", "New Jersey-based Purolator"
    rf"(?P<place>{_PLACE})[- ]{_BASED}\s+(?P<org>.)"
)
_AFTER = re.compile(  # "North Port Bank, based in North Port", "WOR-TV is based in ..."
    rf"(?P<at>,?\s+(?:(?:which|that)\s+)?(?:is\s+|was\s+|are\s+)?){_BASED}\s+in\s+"
    rf"(?P<place>{_PLACE}{_STATE})"
)
# At most three lower-case words between "<place>-based" and the organisation's name.
_LOWER_RUN = re.compile(r"(?:[a-z][\w-]*\s+){0,3}(?=[A-Z])")


@lru_cache(maxsize=1024)
def asked_base(question: str) -> frozenset[str] | None:
    """The organisation's stems when the question asks where it is based, else None."""
    for pattern in _ASKED:
        m = pattern.match(question.strip())
        if m is not None:
            org = org_stems(m.group("org"))
            if org:
                return org
    return None


def base(org: frozenset[str], sentence: str) -> tuple[int, int] | None:
    """The character span of the place the sentence says the organisation is based in, or
    None when it does not say."""
    if "ased" not in sentence and "uartered" not in sentence:
        return None
    for m in _BEFORE.finditer(sentence):
        after = _skip_lower(sentence[m.start("org") :])
        if starts_with(org, after):
            return m.span("place")
    for m in _AFTER.finditer(sentence):
        if ends_with(org, sentence[: m.start("at")]):
            return m.span("place")
    return None


def _skip_lower(text: str) -> str:
    """The text from its first capitalised word, past at most three lower-case ones
    ("sugar operator Kaines Ltd": "Kaines Ltd")."""
    m = _LOWER_RUN.match(text)
    return text[m.end() :] if m else text
