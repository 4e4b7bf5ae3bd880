"""Answers to "What does Naturalite Inc make?": what the sentence says the company makes.

Wire copy says what a company makes in the commas after its name: "Naturalite Inc, a
manufacturer of skylights", "Greenland NV, a producer of agricultural machines, is a
subsidiary of the Thyssen-Bornemisza Group". The span model took the acquirer or the
price instead ("Butler Mfg Co", "about 218 mln dlrs"). So for such a question the
answerer prefers a sentence that says what that company makes, and quotes it (qa.bound).

Words only: the company's words right before ", a <few words> maker (manufacturer,
producer, supplier) of <what>" or "which makes <what>", and what it makes running to the
end of the clause, or of its list ("brushes, brooms and other cleaning aids").
"""

from __future__ import annotations

import re
from functools import lru_cache

from qa.organisation import ends_with, org_stems

_ASKED = re.compile(
    r"^\W*what\s+(?:does|did|do)\s+(?:the\s+)?(?P<org>[A-Z].*?)\s+"
    r"(?:make|makes|produce|manufacture|build|supply)\W*$",
    re.IGNORECASE,
)
_ROLE = r"(?:maker|makers|manufacturer|manufacturers|producer|producers|supplier|builder)"
_MAKES = re.compile(
    rf"(?P<at>(?:\s+<[^>]*>)?,\s+)(?:(?:a|an|the)\s+)?(?:[\w'’-]+\s+){{0,4}}?{_ROLE}\s+of\s+"
    rf"(?P<what>[^,;()]+?)(?=\s*(?:[,;()]|\.\s|\.?$|\s+(?:said|says)\b))"
    r"|(?P<at2>,?\s+)(?:which|that)\s+(?:makes|produces|manufactures|builds|supplies)\s+"
    r"(?P<what2>[^,;()]+?)(?=\s*(?:[,;()]|\.\s|\.?$))"
)
# The rest of a list of things made: "brushes[, brooms and other cleaning aids]"; not ",
# and Rubbermaid Inc", another company, ", and a unit of Lear Siegler" or ", said …".
_ITEM = (
    r"(?!(?:a|an|the|said|says|had|has|have|is|was|were|will|which|for|in|at|to|from|with"
    r"|by|on)\b)[a-z][^,;()]*?"
)
_LIST_TAIL = re.compile(rf"(?:,\s+{_ITEM})*,?\s+(?:and|or)\s+{_ITEM}(?=\s*(?:[,;()]|\.\s|\.?$))")


@lru_cache(maxsize=1024)
def asked_make(question: str) -> frozenset[str] | None:
    """The company's stems when the question asks what it makes, else None."""
    m = _ASKED.match(question.strip())
    if m is None:
        return None
    return org_stems(m.group("org")) or None


def makes(org: frozenset[str], sentence: str) -> tuple[int, int] | None:
    """The character span of what the sentence says the company makes, or None."""
    for m in _MAKES.finditer(sentence):
        at, what = ("at", "what") if m.group("what") is not None else ("at2", "what2")
        if ends_with(org, sentence[: m.start(at)]):
            start, end = m.span(what)
            tail = _LIST_TAIL.match(sentence, end)
            return start, tail.end() if tail else end
    return None
