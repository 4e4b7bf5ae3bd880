"""A question about what someone said is answered by the words inside the quotation marks."""

from __future__ import annotations

import pytest

from qa.quotation import asks_said, quotation

OMBAKA = (
    "“Despite the continued threat of gang violence, our collaboration with the Haitian"
    " National Police is yielding tangible results,” Ombaka said in a statement."
)


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("what did Ombaka say?", True),
        ("What did the alert state about the embassy?", True),
        ("What has the minister told reporters?", True),
        ("who said it?", False),  # who, not what
        ("What does the Islamic State lack?", False),  # a name, not the verb
        ("what did the US embassy urge its citizens to do?", False),  # an act, not words
    ],
)
def test_a_question_about_what_was_said_is_told_apart(question: str, asks: bool) -> None:
    assert asks_said(question) is asks


@pytest.mark.parametrize(
    ("sentence", "quoted"),
    [
        (
            OMBAKA,
            "Despite the continued threat of gang violence, our collaboration with the"
            " Haitian National Police is yielding tangible results",
        ),
        # the quotation began a sentence before: it runs from this one's start
        (
            "Personnel have paused all official movement outside the compound,” the alert stated.",
            "Personnel have paused all official movement outside the compound",
        ),
        # ... or it goes on into the next sentence
        (
            "“There is heavy gunfire in the Tabarre area.",
            "There is heavy gunfire in the Tabarre area",
        ),
        ('He said "we will stay here for good" and left.', "we will stay here for good"),
        ("“Yes,” he said.", None),  # a word, not a statement
        ("No one was quoted.", None),
    ],
)
def test_the_quotation_is_the_words_inside_the_marks(sentence: str, quoted: str | None) -> None:
    span = quotation(sentence)
    assert (sentence[span[0] : span[1]] if span else None) == quoted
