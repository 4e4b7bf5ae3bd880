"""Who owns a company: the owner a sentence names in the commas after it."""

from __future__ import annotations

import pytest

from index.document import Article
from qa.owner import asked_owner, owner
from tests.conftest import AnswererOf, assert_cited_exactly


@pytest.mark.parametrize(
    ("question", "company"),
    [
        ("Who owns Ohio Power Co?", {"ohio", "power"}),
        ("What company owns Greenland NV?", {"greenland"}),
        ("Who is Ohio Power's parent company?", {"ohio", "power"}),
        ("Who owned the Thyssen Group?", {"thyssen"}),
        ("Who is Ohio Power?", None),
        ("where are the forward operating bases?", None),
    ],
)
def test_the_company_asked_about(question: str, company: set[str] | None) -> None:
    assert asked_owner(question) == (frozenset(company) if company else None)


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        (
            "Who owns Ohio Power Co?",
            "Ohio Power Co, a unit of American Electric Power Co <AEP>, will redeem bonds.",
            "American Electric Power Co",
        ),
        (  # an aside between, and the sentence's full stop
            "Who owns Greenland NV?",
            "Greenland NV, a producer of agricultural machines, is a subsidiary of the "
            "Thyssen-Bornemisza Group.",
            "Thyssen-Bornemisza Group",
        ),
        (
            "Who owns First Pennsylvania Bank N.A.?",
            "First Pennsylvania Bank N.A., wholly owned by First Pennsylvania Corp, raised "
            "its prime rate.",
            "First Pennsylvania Corp",
        ),
        (  # not on into the next sentence
            "Who owns Ohio Power Co?",
            "Ohio Power Co is a unit of American Electric Power Co. It said so.",
            "American Electric Power Co.",
        ),
        # Another company's owner, or a buyer.
        ("Who owns Ohio Power Co?", "Ohio Power Co said a unit of Exxon would buy it.", None),
        ("Who owns Exxon?", "Esso, a unit of Exxon Corp, said.", None),
    ],
)
def test_the_owner_named_beside_the_company(
    question: str, sentence: str, expected: str | None
) -> None:
    company = asked_owner(question)
    assert company is not None
    found = owner(company, sentence)
    assert (sentence[found[0] : found[1]] if found else None) == expected


def test_the_sentence_that_names_the_owner_answers(answerer_of: AnswererOf) -> None:
    # The span model alone answers with the buyer.
    articles = [
        Article(
            doc_id="sale",
            title="BUTLER TO BUY NATURALITE",
            text="Butler Mfg Co said it agreed to acquire Naturalite Inc, a unit of Atlantic "
            "Richfield Co, for an undisclosed sum.",
        ),
    ]
    answerer = answerer_of(articles)
    result = answerer.ask("Who owns Naturalite Inc?")
    assert result.answers[0].text == "Atlantic Richfield Co"
    assert_cited_exactly(result, answerer.retriever.store)
