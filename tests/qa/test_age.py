"""How old someone is: the age a sentence sets right after the name."""

from __future__ import annotations

import pytest

from index.document import Article
from qa.age import age, asked_age
from tests.conftest import AnswererOf, assert_cited_exactly


@pytest.mark.parametrize(
    ("question", "surname"),
    [
        ("How old is Gordon Macklin?", "macklin"),
        ("how old was Dr James Renier?", "renier"),
        ("What is Gordon Macklin's age?", "macklin"),
        ("What age is Prince William?", "william"),
        # Not a name alone: the age at another time, or no one's.
        ("How old was Peyton Manning when he played in Super Bowl 50?", None),
        ("How old are the fossils found in the shale?", None),
        ("How old is the suspect?", None),
    ],
)
def test_whose_age_the_question_asks(question: str, surname: str | None) -> None:
    found = asked_age(question)
    assert (next(iter(found)) if found else None) == surname


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Gordon Macklin, 58, who has served as president, announced his decision.", "58"),
        ("The five arrested included Gordon Macklin, aged 47, a former president.", "47"),
        ("Gordon Macklin (61) will attend.", "61"),
        # A number after another word, or a count.
        ("Sales rose to 58, 60 and 61 mln dlrs, Macklin said.", None),
        ("Macklin, who has 17 years of service, said so.", None),
    ],
)
def test_the_age_right_after_the_name(sentence: str, expected: str | None) -> None:
    surname = asked_age("How old is Gordon Macklin?")
    assert surname is not None
    found = age(surname, sentence)
    assert (sentence[found[0] : found[1]] if found else None) == expected


def test_the_sentence_that_gives_the_age_answers(answerer_of: AnswererOf) -> None:
    # The span model alone answers "two", a count of the sentence.
    articles = [
        Article(
            doc_id="charged",
            title="BROKER CHARGED",
            text="Leonard Slutsky, 41, faces up to five years in prison on each of two counts "
            "of bank bribery and tax evasion.",
        ),
    ]
    answerer = answerer_of(articles)
    result = answerer.ask("How old is Leonard Slutsky?")
    assert result.answers[0].text == "41"
    assert_cited_exactly(result, answerer.retriever.store)
