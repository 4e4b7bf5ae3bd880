"""How much of a company another holds: the percentage a sentence gives of it."""

from __future__ import annotations

import pytest

from index.document import Article
from qa.stake import Holding, asked_stake, stake
from tests.conftest import AnswererOf, assert_cited_exactly

_CHRYSLER = Holding(frozenset({"chrysler"}), frozenset({"mitsubishi", "motor"}))


@pytest.mark.parametrize(
    ("question", "holding"),
    [
        ("What stake does Chrysler hold in Mitsubishi Motors?", _CHRYSLER),
        ("What stake does Chrysler Corp have in Mitsubishi Motors Corp?", _CHRYSLER),
        ("What is Chrysler's stake in Mitsubishi Motors?", _CHRYSLER),
        ("How much of Mitsubishi Motors does Chrysler own?", _CHRYSLER),
        ("What percentage of Mitsubishi Motors does Chrysler own?", _CHRYSLER),
        ("what proportion of Mitsubishi Motors does Chrysler hold", _CHRYSLER),
        # Not a holding of one in another.
        ("How much does Chrysler own?", None),
        ("What percentage of the population is Catholic?", None),
        ("What stake?", None),
    ],
)
def test_who_holds_what_the_question_asks(question: str, holding: Holding | None) -> None:
    assert asked_stake(question) == holding


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Chrysler Corp owns a 24 pct stake in Mitsubishi Motors Corp.", "24 pct"),
        ("Chrysler said it holds about 24 percent of Mitsubishi Motors.", "about 24 percent"),
        ("Chrysler raised its holding to 24.5% of Mitsubishi Motors' stock.", "24.5%"),
        (
            "Chrysler told the SEC it has acquired 1,420,500 shares of Mitsubishi Motors Corp, "
            "or 6.5 pct of the total outstanding common stock.",
            "6.5 pct",
        ),
        ("Mitsubishi Motors, 24 pct owned by Chrysler, said profits rose.", "24 pct"),
        ("Chrysler bought less than 10 pct of Mitsubishi Motors.", "less than 10 pct"),
        (
            "Chrysler said it holds 2,180,608 shares, or about 9.8 pct, of Mitsubishi Motors.",
            "about 9.8 pct",
        ),
        # Another company's stake, or a percentage of something else.
        ("Ford owns a 24 pct stake in Mitsubishi Motors.", None),
        ("Chrysler owns a 24 pct stake in Maserati, and Mitsubishi Motors said so.", None),
        ("Chrysler said Mitsubishi Motors' sales rose 24 pct.", None),
    ],
)
def test_the_percentage_of_the_company_held(sentence: str, expected: str | None) -> None:
    holding = asked_stake("What stake does Chrysler hold in Mitsubishi Motors?")
    assert holding is not None
    found = stake(holding, sentence)
    assert (sentence[found[0] : found[1]] if found else None) == expected


def test_the_sentence_that_gives_the_stake_answers(answerer_of: AnswererOf) -> None:
    # The span model alone answers with the count of shares.
    articles = [
        Article(
            doc_id="espey",
            title="ENTWISTLE HAS 5.1 PCT OF ESPEY",
            text="Entwistle Co told the Securities and Exchange Commission it has acquired "
            "62,500 shares of Espey Mfg and Electronics Corp, or 5.1 pct of the total "
            "outstanding common stock.",
        ),
    ]
    answerer = answerer_of(articles)
    result = answerer.ask("How much of Espey does Entwistle Co own?")
    assert result.answers[0].text == "5.1 pct"
    assert_cited_exactly(result, answerer.retriever.store)
