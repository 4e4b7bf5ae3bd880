"""Whether a sentence can answer what the question asks for at all.

A how-many question is not answered by a sentence that counts nothing, nor a when-question
by one that says nothing of time: "how many Kenyan police officers are in Haiti?" was
answered "serving", from a sentence that only mentions the officers. Nor is "What did X
say?" answered by a sentence where no one says anything: "What did Fendt say?" was
answered from "Fendt estimated a monthly trade surplus of …", where the story has "Fendt
said the trade surplus should reach …". The answerer passes over such sentences, and
when none is left the articles do not say. The checks are words only, and generous:
anything that may count, date or report speech lets the sentence through.
"""

from __future__ import annotations

import re
from functools import lru_cache

from qa.span import DATE, LIST, typed_spans
from qa.terms import STOP_WORDS, stem, stems, words

_HOW_MANY = re.compile(r"\bhow\s+many\b", re.IGNORECASE)
_LETTERS = re.compile(r"[^\W\d_]+")  # a word's letters: "six-time" is "six" and "time"
# Words that count, with or without a number: "six-time", "none", "over half", "several".
_COUNTING = frozenset(
    """
    one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred hundreds thousand thousands million millions billion billions trillion trillions
    dozen dozens none half several few couple single both twice once numerous multiple
    handful scores majority minority
    """.split()
)
# "In what …", "which …": the opening of a question that names what it asks for.
_WHICH = r"^\W*(?:(?:in|by|during|since|until)\s+)?(?:what|which)\s+"
# A question that asks when, not one with a "when" clause ("When many people are
# arrested, what is a common tactic?").
_WHEN = re.compile(
    r"^\W*(?:(?:and|so|but|then)\s+)?(?:since\s+)?when\s+(?:was|were|is|are|did|does|do|will"
    r"|would|has|have|had|can|could|should|might|must|shall)\b"
    rf"|{_WHICH}(?:years?|century|centuries|decades?|months?|days?|dates?|seasons?|era|period)\b",
    re.IGNORECASE,
)
# Words of time, and years and ordinals: "in 1817", "66 million years ago", "on August 5",
# "At the end of World War I", "only became supportive when Germany started to build".
_TIME = frozenset(
    """
    century centuries decade decades year years month months week weeks day days hour hours
    ago bc bce ad bp when after before during until till since following while era reign
    period age today yesterday tomorrow tonight now then later earlier recently once morning
    evening night spring summer autumn winter war monday tuesday wednesday thursday friday
    saturday sunday january february march april may june july august september october
    november december jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)
# "What did X say?", "What will X announce about Y?", "What did X report?": X.
_ASKS_SAID = re.compile(
    r"^\W*what\s+(?:did|does|do|has|have|had|will|would)\s+(.+?)\s+"
    r"(?:(?:say|tell|told|announce|warn)(?:\s+(?:about|of|regarding)\b.*)?"
    # Nouns as often as verbs ("a 2013 report on Nigeria"): only as the last word.
    r"|claim|state|report)\W*$",
    re.IGNORECASE,
)
# Words that report speech, as written in a sentence.
_SAYING = frozenset(
    """
    say says said saying tell tells told telling state states stated stating add adds added
    announce announces announced announcing claim claims claimed warn warns warned warning
    report reports reported note noted explain explained argue argued insist insisted
    quoted quoting according statement statements predict predicted urge urged urging
    """.split()
)
_QUOTES = re.compile(r"[\"“”]")
_PRONOUNS = frozenset("he she it they we i his her its their our".split())
_NEXT_WORD = re.compile(r"\s+([^\W\d_]+)")
_YEAR = r"\b\d{3,4}s?\b"
_YEAR_OR_ORDINAL = re.compile(rf"{_YEAR}|\b\d+(?:st|nd|rd|th)\b")
# "In what year …?" wants a year, which "on August 5" does not give.
_WHICH_YEAR = re.compile(rf"{_WHICH}years?\b", re.IGNORECASE)
_A_YEAR = re.compile(
    rf"{_YEAR}|\byears?\s+ago\b"
    r"|\b(?:last|this|next|that|same|following|previous|each|every)\s+year\b",
    re.IGNORECASE,
)


def fits(question: str, sentence: str) -> bool:
    """Whether the sentence can answer the question: it counts, for a how-many question;
    it says when, for a when-question; it reports what someone said, for a question that
    asks what X said; any sentence can, for any other question."""
    return (
        gives_count(question, sentence)
        and says_when(question, sentence)
        and tells_what_said(question, sentence)
    )


def gives_count(question: str, sentence: str) -> bool:
    """Whether the sentence can answer the question's "how many": it writes a number the
    question does not, outside a date ("on August 5" counts nothing), a number or another
    word that counts ("Six-time Grammy winner", "none", "over half", "several years"), or a
    list of the things counted ("how many bases?": "bases … in Pont Sondé, Downtown
    Port-au-Prince, and at the Police Academy"). True for any other question."""
    counted = _counted(question)
    if counted is None or not _COUNTING.isdisjoint(_letters(sentence)):
        return True
    if LIST.search(sentence) and counted in stems(sentence):  # the scorer's, memoised
        return True
    if not any(c.isdigit() for c in sentence):
        return False
    # "1500 soldiers" counts the soldiers asked about, though 1500 may be a year.
    dates = [
        m.span()
        for m in DATE.finditer(sentence)
        if not (m.group().isdigit() and _next_word_stem(sentence, m.end()) == counted)
    ]
    return any(
        not any(d_start <= start and end <= d_end for d_start, d_end in dates)
        for start, end in typed_spans("number", sentence, question)
    )


def says_when(question: str, sentence: str) -> bool:
    """Whether the sentence can answer a question that asks when ("When did …?", "In what
    year …?"): a date, a year, a period or a phrase of time; a year or "years ago" for a
    question that asks which year. True for any other question."""
    if not _WHEN.search(question):
        return True
    if _WHICH_YEAR.search(question):
        return bool(_A_YEAR.search(sentence))
    return not _TIME.isdisjoint(_letters(sentence)) or bool(_YEAR_OR_ORDINAL.search(sentence))


def tells_what_said(question: str, sentence: str) -> bool:
    """Whether the sentence can tell what someone said, for a question that asks what X
    said ("What did Poehl say?", "What did the MSS announce about the bases?"): it has a
    verb of saying or a quotation, and X's words or a pronoun that may stand for X. True
    for any other question."""
    speaker = _speaker(question)
    if speaker is None:
        return True
    # As written in lower case: "the United States" says nothing.
    found = set(_LETTERS.findall(sentence))
    if _SAYING.isdisjoint(found) and not _QUOTES.search(sentence):
        return False
    lower = {w.lower() for w in found}
    return not speaker.isdisjoint(stems(sentence)) or not _PRONOUNS.isdisjoint(lower)


def counts(text: str) -> bool:
    """Whether the text writes a number or another word that counts ("£99", "two-thirds",
    "several")."""
    return any(c.isdigit() for c in text) or not _COUNTING.isdisjoint(_letters(text))


def _letters(sentence: str) -> list[str]:
    return _LETTERS.findall(sentence.lower())


def _next_word_stem(text: str, at: int) -> str | None:
    """The stem of the word that starts right after `at` (after spaces), if any."""
    m = _NEXT_WORD.match(text, at)
    return stem(m.group(1).lower()) if m else None


@lru_cache(maxsize=1024)
def _speaker(question: str) -> frozenset[str] | None:
    """The content stems of whom a what-did-X-say question asks about; None for any other
    question, or when X has no content word."""
    m = _ASKS_SAID.match(question)
    if m is None:
        return None
    found = frozenset(stem(w) for _, _, w in words(m.group(1)) if w not in STOP_WORDS)
    return found or None


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
