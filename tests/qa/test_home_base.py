"""Where an organisation is based: the place a sentence sets right beside its name."""

from __future__ import annotations

import pytest

from index.document import Article
from qa.bound import finder
from qa.home_base import asked_base, base
from tests.conftest import AnswererOf, assert_cited_exactly


@pytest.mark.parametrize(
    ("question", "org"),
    [
        ("Where is FMR Corp based?", {"fmr"}),
        ("where was the Dallah group headquartered?", {"dallah"}),
        ("Where are FMR Corp's headquarters?", {"fmr"}),
    ],
)
def test_the_organisation_asked_about(question: str, org: set[str]) -> None:
    assert asked_base(question) == frozenset(org)


@pytest.mark.parametrize(
    "question", ["where are the forward operating bases?", "Where is Boston?", "Who is FMR?"]
)
def test_other_questions_ask_no_base(question: str) -> None:
    assert asked_base(question) is None


@pytest.mark.parametrize(
    ("question", "sentence", "place"),
    [
        (  # the second of two "-based" organisations
            "Where is FMR Corp based?",
            "Investors led by Bermuda-based Fidelity International Ltd and Boston-based FMR "
            "Corp told the SEC.",
            "Boston",
        ),
        (  # words between, and a name across a wrapped line
            "Where is Purolator Courier Corp based?",
            "New\nJersey-based overnight messenger Purolator Courier Corp said it agreed.",
            "New\nJersey",
        ),
        (  # "based in", with its state
            "Where is WOR-TV based?",
            "WOR-TV is based in Secaucus, N.J., GenCorp said.",
            "Secaucus, N.J.",
        ),
        (
            "Where is North Port Bank based?",
            "It bought two banks, North Port Bank, based in North Port, and Sarasota Bank.",
            "North Port",
        ),
        ("Where is the IDA based?", "The Washington-based IDA lends to the poorest.", "Washington"),
        ("Where is Famous-Barr based?", "St. Louis-based Famous-Barr said so.", "St. Louis"),
        # Another organisation's place, or "-based" that is no place.
        ("Where is GenCorp based?", "WOR-TV is based in Secaucus, N.J., GenCorp said.", None),
        ("Where is Intel Corp based?", "It sells PC-based Intel Corp chips.", None),
    ],
)
def test_the_place_set_beside_the_organisation(
    question: str, sentence: str, place: str | None
) -> None:
    org = asked_base(question)
    assert org is not None
    found = base(org, sentence)
    assert (sentence[found[0] : found[1]] if found else None) == place


def test_the_finder_reads_each_kind_of_question() -> None:
    sentence = "Boston-based FMR Corp chairman Edward Johnson said."
    for question, expected in [
        ("Where is FMR Corp based?", "Boston"),
        ("Who is the chairman of FMR Corp?", "Edward Johnson"),
    ]:
        find = finder(question)
        assert find is not None
        span = find(sentence)
        assert span is not None and sentence[span[0] : span[1]] == expected
    assert finder("where are the forward operating bases?") is None


def test_the_sentence_that_places_the_organisation_answers(answerer_of: AnswererOf) -> None:
    articles = [
        Article(
            doc_id="results",
            title="NWA REPORTS FOURTH QUARTER PROFIT",
            text="Yesterday, Minneapolis-based NWA reported fourth quarter net of about 9.8 "
            "mln dlrs against a loss a year earlier.",
        ),
    ]
    answerer = answerer_of(articles)
    result = answerer.ask("Where is NWA based?")
    assert result.answers[0].text == "Minneapolis"
    assert_cited_exactly(result, answerer.retriever.store)
