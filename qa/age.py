"""Answers to "How old is Gordon Macklin?": the age the sentence sets beside the name.

News gives a person's age once, in commas right after the name: "Gordon Macklin, 58, who
has served as president for 17 years, today announced …". The span model, fitted on
SQuAD's few how-old questions, took another number or a word of time: "today", "114",
"two". So for such a question the answerer prefers a sentence that gives the person's age,
and quotes it (qa.bound).

Words only: the surname the question ends its name with, then ", 58," (or "aged 58", or
"(58)") in the same clause.
"""

from __future__ import annotations

import re
from functools import lru_cache

from qa.organisation import ends_with
from qa.terms import STOP_WORDS, stem, words

# A name: capitalised words and initials, nothing after ("How old was Manning when he
# played …?" asks another age than the one news sets beside a name).
_NAME = r"(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]*"
_ASKED = re.compile(
    rf"^\W*(?:(?i:how\s+old\s+(?:is|was)\s+)(?P<a>{_NAME})"
    rf"|(?i:what\s+(?:is|was)\s+)(?P<b>{_NAME})['’]s?(?i:\s+age)"
    rf"|(?i:what\s+age\s+(?:is|was)\s+)(?P<c>{_NAME}))\W*$"
)
_AGE = re.compile(r"(?P<at>,\s+(?:aged\s+)?|\s+\()(?P<age>\d{1,3})(?:,|\))")


@lru_cache(maxsize=1024)
def asked_age(question: str) -> frozenset[str] | None:
    """The stem of the surname whose age the question asks, else None."""
    m = _ASKED.match(question.strip())
    if m is None:
        return None
    name = m.group("a") or m.group("b") or m.group("c")
    found = [w for _, _, w in words(name) if w not in STOP_WORDS]
    return frozenset((stem(found[-1]),)) if found else None


def age(surname: frozenset[str], sentence: str) -> tuple[int, int] | None:
    """The character span of the age the sentence gives right after the name, or None."""
    for m in _AGE.finditer(sentence):
        if 0 < int(m.group("age")) < 120 and ends_with(surname, sentence[: m.start("at")]):
            return m.span("age")
    return None
