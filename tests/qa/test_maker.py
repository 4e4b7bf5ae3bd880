"""What a company makes: the things a sentence says it makes, in the commas after its name."""

from __future__ import annotations

import pytest

from index.document import Article
from qa.maker import asked_make, makes
from tests.conftest import AnswererOf, assert_cited_exactly


@pytest.mark.parametrize(
    ("question", "company"),
    [
        ("What does Naturalite Inc make?", {"naturalit"}),
        ("what did Greenland NV produce?", {"greenland"}),
        ("What does the mission support?", None),
        ("Who makes skylights?", None),
    ],
)
def test_the_company_asked_about(question: str, company: set[str] | None) -> None:
    assert asked_make(question) == (frozenset(company) if company else None)


@pytest.mark.parametrize(
    ("question", "sentence", "made"),
    [
        (
            "What does Naturalite Inc make?",
            "Butler Mfg Co said it agreed to acquire Naturalite Inc, a manufacturer of skylights.",
            "skylights",
        ),
        (  # a list of them, and words before "maker"
            "What does Viking Brush Ltd make?",
            "It bought Viking Brush Ltd, a Canadian maker of brushes, brooms and other "
            "cleaning aids.",
            "brushes, brooms and other cleaning aids",
        ),
        (  # "which makes", and a ticker
            "What does Columbian Chemicals Co make?",
            "Phelps Dodge paid 240 mln dlrs for Columbian Chemicals Co <CCC> which makes "
            "carbon black, used in tires.",
            "carbon black",
        ),
        (  # not the next company, nor what the sentence goes on to say
            "What does Wesson make?",
            "Smith and Wesson, a maker of law enforcement firearms, and a unit of Lear "
            "Siegler, said so.",
            "law enforcement firearms",
        ),
        (
            "What does Genoa make?",
            "Genoa, a maker of PC-compatible products, said the deal lets Quadram use its "
            "chips and sets up a project.",
            "PC-compatible products",
        ),
        # Another company's products.
        (
            "What does Butler make?",
            "Butler Mfg Co said it agreed to acquire Naturalite Inc, a manufacturer of skylights.",
            None,
        ),
    ],
)
def test_what_the_sentence_says_the_company_makes(
    question: str, sentence: str, made: str | None
) -> None:
    company = asked_make(question)
    assert company is not None
    found = makes(company, sentence)
    assert (sentence[found[0] : found[1]] if found else None) == made


def test_the_sentence_that_says_what_it_makes_answers(answerer_of: AnswererOf) -> None:
    # The span model alone answers with the company that owns it.
    articles = [
        Article(
            doc_id="greenland",
            title="THYSSEN UNIT RESULTS",
            text="Greenland NV, a producer of agricultural machines, is a subsidiary of the "
            "Thyssen-Bornemisza Group.",
        ),
    ]
    answerer = answerer_of(articles)
    result = answerer.ask("What does Greenland NV make?")
    assert result.answers[0].text == "agricultural machines"
    assert_cited_exactly(result, answerer.retriever.store)
