"""What a which- or what-question asks for, and the sentences that name one."""

from __future__ import annotations

import pytest

from qa.focus import focus, names
from qa.terms import stem, stems


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("In which county does Jacksonville reside?", "county"),
        ("The Pleistocene epoch takes place during which period?", "period"),
        ("What dynasties inspired the Chinese-like elements of Kublai's government?", "dynasties"),
        ("What kind of division of power did Kublai's government have?", "division"),
        ("What was the name of the play performed in the 1970s?", None),  # "was": no noun
        ("What is the name of the play?", None),
        ("Which of the companies bought it?", None),  # "of" is a stop word
        ("Who led the Panthers in sacks?", None),
        ("How many workers were hired?", None),
    ],
)
def test_the_noun_a_question_asks_for(question: str, asked: str | None) -> None:
    assert focus(question) == (stem(asked) if asked else None)


def test_a_frame_is_looked_through() -> None:
    assert focus("What type of engine powers the car?") == stem("engine")
    assert focus("Which name of the river is older?") == stem("river")


QUESTION = "In which county does Jacksonville reside?"


@pytest.mark.parametrize(
    ("sentence", "named"),
    [
        ("It is the county seat of Duval County, since 1968.", True),
        ("Jacksonville is the largest city in the county.", False),  # "the" is a stop word
        ("Jacksonville County is large.", False),  # the question has "Jacksonville"
        ("Consolidation gave Jacksonville its great size.", False),  # no county at all
        ("The seat of the Duval, County offices.", False),  # a comma between: not one name
        ("It lies in Duval  counties.", True),  # plural and two spaces
    ],
)
def test_a_sentence_names_one_with_a_word_the_question_lacks(sentence: str, named: bool) -> None:
    asked = focus(QUESTION)
    assert asked is not None
    assert names(asked, stems(QUESTION), sentence) is named
