"""Who "he" or "she" is: the person a sentence names only by a pronoun, named before it.

News names a person once and then says "he": asked "Who resigned as chairman?", the
sentence that answers is "He resigned on Friday", and no phrase of it is the answer. The
span model then picks whatever else is there ("Friday"). Here the answer becomes the person
the sentence before names, and the quote grows to hold both sentences.
"""

from __future__ import annotations

import re

from qa.entities import EntityTagger
from qa.span import Span, question_stems

_WHO = re.compile(r"^\s*(?:who|whom|whose)\b", re.IGNORECASE)
# A sentence about someone it names by a pronoun: "He ...", "She also ...", "His ...".
_BY_PRONOUN = re.compile(r"^\W*(?:he|she|his|her)\b", re.IGNORECASE)


def needs_antecedent(question: str, sentence: str, tagger: EntityTagger) -> bool:
    """A who-question answered by a sentence that names its subject only as "he" or "she",
    and no other person the question does not name ("He appointed Baiju": Baiju answers)."""
    if not (_WHO.search(question) and _BY_PRONOUN.search(sentence)):
        return False
    return _person(question, sentence, tagger) is None


def antecedent(question: str, previous: str, tagger: EntityTagger) -> Span | None:
    """The person the sentence before names, as offsets into it: its first person the
    question does not name itself (asked "Prior to Manning, who …", Manning is not it)."""
    return _person(question, previous, tagger)


def _person(question: str, text: str, tagger: EntityTagger) -> Span | None:
    """The first person the text names whose names the question does not use: asked about
    "Manning", "Peyton Manning" is the question's own."""
    q_stems = question_stems(question)
    for start, end, label in tagger.entities(text):
        if label == "PERSON" and not question_stems(text[start:end]) & q_stems:
            return start, end
    return None
