"""Whether a sentence can answer what the question asks for at all.

A how-many question is not answered by a sentence that counts nothing, nor a when-question
by one that says nothing of time: "how many Kenyan police officers are in Haiti?" was
answered "serving", from a sentence that only mentions the officers. The answerer passes
over such sentences, and when none is left the articles do not say. The checks are words
only, and generous: anything that may count or date lets the sentence through.
"""

from __future__ import annotations

import re
from functools import lru_cache

from qa.span import DATE, typed_spans
from qa.terms import STOP_WORDS, stem, words

_HOW_MANY = re.compile(r"\bhow\s+many\b", re.IGNORECASE)
# Words that count, with or without a number: "six-time", "none", "over half", "several".
_COUNTING = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy"
    r"|eighty|ninety|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|none|half"
    r"|several|few|couple|single|both|twice|once|numerous|multiple|handful|scores|majority"
    r"|minority)\b",
    re.IGNORECASE,
)
_LIST = re.compile(r",\s(?:and|or)\s")
# A question that asks when, not one with a "when" clause ("When many people are
# arrested, what is a common tactic?").
_WHEN = re.compile(
    r"^\W*(?:(?:and|so|but|then)\s+)?(?:since\s+)?when\s+(?:was|were|is|are|did|does|do|will"
    r"|would|has|have|had|can|could|should|might|must|shall)\b"
    r"|^\W*(?:(?:in|by|during|since|until)\s+)?(?:what|which)\s+(?:years?|century|centuries"
    r"|decades?|months?|days?|dates?|seasons?|era|period)\b",
    re.IGNORECASE,
)
# A year, a period, or a clause or phrase of time: "in 1817", "66 million years ago", "At
# the end of World War I", "only became supportive when Germany started to build".
_TIME = re.compile(
    r"\b(?:\d{3,4}s?|\d+(?:st|nd|rd|th)|centur(?:y|ies)|decades?|years?|months?|weeks?|days?"
    r"|hours?|ago|BCE?|AD|BP|when|after|before|during|until|till|since|following|while|era"
    r"|reign|period|age|today|yesterday|tomorrow|now|then|later|earlier|recently|once"
    r"|morning|evening|night|spring|summer|autumn|winter|war)\b",
    re.IGNORECASE,
)


def fits(question: str, sentence: str) -> bool:
    """Whether the sentence can answer the question: it counts, for a how-many question;
    it says when, for a when-question; any sentence can, for any other question."""
    return gives_count(question, sentence) and says_when(question, sentence)


def gives_count(question: str, sentence: str) -> bool:
    """Whether the sentence can answer the question's "how many": it writes a number the
    question does not, outside a date ("on August 5" counts nothing), a number or another
    word that counts ("Six-time Grammy winner", "none", "over half", "several years"), or a
    list of the things counted ("how many bases?": "bases … in Pont Sondé, Downtown
    Port-au-Prince, and at the Police Academy"). True for any other question."""
    counted = _counted(question)
    if counted is None or _COUNTING.search(sentence):
        return True
    if _LIST.search(sentence) and counted in {stem(w) for _, _, w in words(sentence)}:
        return True
    dates = [m.span() for m in DATE.finditer(sentence)]
    return any(
        not any(d_start <= start and end <= d_end for d_start, d_end in dates)
        for start, end in typed_spans("number", sentence, question)
    )


def says_when(question: str, sentence: str) -> bool:
    """Whether the sentence can answer a question that asks when ("When did …?", "In what
    year …?"): a date, a year, a period or a phrase of time. True for any other question."""
    if not _WHEN.search(question):
        return True
    return bool(DATE.search(sentence) or _TIME.search(sentence))


@lru_cache(maxsize=1024)
def _counted(question: str) -> str | None:
    """The stem of what a how-many question counts: the last word of the run after "how
    many" ("officers" of "how many Kenyan police officers are …"); None for a question that
    does not ask how many, "" when nothing follows."""
    m = _HOW_MANY.search(question)
    if m is None:
        return None
    run = ""
    for _, _, word in words(question[m.end() :]):
        if word in STOP_WORDS:
            break
        run = word
    return stem(run) if run else ""
