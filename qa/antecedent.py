"""Who "he" or "it" is: the person or company a sentence names only by a pronoun, named a
sentence or a few before.

News names a person once and then says "he", a company and then "it" or "the company":
asked "Who resigned as chairman?", the sentence that answers is "He resigned on Friday",
and no phrase of it is the answer. The span model then picks whatever else is there
("Friday"). Here the answer becomes the one an earlier sentence names, and the quote grows
to run from that sentence to the answering one (qa.answer looks a few sentences back).
"""

from __future__ import annotations

import re

from qa.entities import EntityTagger
from qa.span import Span, question_stems

_WHO = re.compile(r"^\s*(?:who|whom|whose)\b", re.IGNORECASE)
# A question that asks for an organisation: "Which (oil) company ...?" ("Who ...?" asks
# for people as often, and then "the company" is rarely the answer).
_WHICH_ORG = re.compile(
    r"^\s*(?:which|what)\s+(?:\w+\s+)?(?:company|companies|firm|bank|group|corporation"
    r"|concern|organi[sz]ation|agency|airline|carrier|insurer|utility|maker|producer"
    r"|manufacturer|retailer|lender|unit|subsidiary)\b",
    re.IGNORECASE,
)
# A company's name, whatever label the tagger gave it ("B.F. Goodrich Co": PERSON).
_COMPANY = re.compile(r"\b(?:Inc|Corp|Co|Ltd|Plc|PLC|AG|SA|NV|LP|Group|Bancorp)\.?$")
# A sentence about someone it names by a pronoun: "He ...", "She also ...", "His ...".
_BY_PRONOUN = re.compile(r"^\W*(?:he|she|his|her)\b", re.IGNORECASE)
# A sentence about an organisation it names by "it" or "the company": "It said it would
# ...", not the "it" of "It is expected that ...".
_BY_IT = re.compile(
    r"^\W*(?:its?\s+(?!(?:is|was|'s|seems|seemed|appears|appeared|remains|(?:will|would|may"
    r"|might|could|should|has|had)\s+(?:be|been))\b)|the\s+(?:company|firm|bank|group"
    r"|corporation|concern)\b)",
    re.IGNORECASE,
)


def referent(question: str, sentence: str, tagger: EntityTagger) -> str | None:
    """The entity label of who the question asks for, when the answering sentence names
    them only by a pronoun ("He resigned …": PERSON; "It said it would …": ORG) and names
    no other such entity the question does not ("He appointed Baiju": Baiju answers)."""
    if _WHO.search(question) and _BY_PRONOUN.search(sentence):
        label = "PERSON"
    elif _WHICH_ORG.search(question) and _BY_IT.search(sentence):
        label = "ORG"
    else:
        return None
    return label if _named(question, sentence, tagger, label) is None else None


def antecedent(question: str, previous: str, tagger: EntityTagger, label: str) -> Span | None:
    """Who an earlier sentence names, as offsets into it: its first entity of the label
    that the question does not name itself (asked "Prior to Manning, who …", Manning is
    not it)."""
    return _named(question, previous, tagger, label)


def _named(question: str, text: str, tagger: EntityTagger, label: str) -> Span | None:
    """The first entity of the label in the text none of whose names the question uses:
    asked about "Manning", "Peyton Manning" is the question's own."""
    q_stems = question_stems(question)
    for start, end, found in tagger.entities(text):
        if text.endswith(("'s", "’s"), start, end):  # "Al-Muwaffaq’s" names Al-Muwaffaq
            end -= 2
        name = text[start:end]
        is_label = found == label or (label == "ORG" and _COMPANY.search(name) is not None)
        if is_label and not question_stems(name) & q_stems:
            return start, end
    return None
