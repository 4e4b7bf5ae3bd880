"""Who holds a post: the name a sentence gives the post at the organisation asked about."""

from __future__ import annotations

import pytest

from index.document import Article
from qa.role_holder import asked_post, holder
from tests.conftest import AnswererOf, assert_cited_exactly


@pytest.mark.parametrize(
    ("question", "post", "org"),
    [
        ("Who is the chairman of Pennzoil?", "chairman", {"pennzoil"}),
        ("who was the chief executive of Lloyds Bank PLC?", "chief executive", {"lloyd"}),
        ("Who is OPEC's president?", "president", {"opec"}),
        ("Who is the MSS spokesperson?", "spokesperson", {"mss"}),
        ("Who is the governor of the Bank of Spain?", "governor", {"spain"}),
    ],
)
def test_the_post_and_the_organisation_asked_about(question: str, post: str, org: set[str]) -> None:
    asked = asked_post(question)
    assert asked is not None
    assert (asked.post, set(asked.org)) == (post, org)


@pytest.mark.parametrize(
    "question", ["who leads the MSS?", "Who is Jack Ombaka?", "What is the chairman's name?"]
)
def test_other_questions_ask_no_post(question: str) -> None:
    assert asked_post(question) is None


@pytest.mark.parametrize(
    ("question", "sentence", "name"),
    [
        (
            "Who is the chairman of Pennzoil?",
            "Pennzoil Co <PZL> chairman J. Hugh Liedtke said the company would appeal.",
            "J. Hugh Liedtke",
        ),
        (  # set beside the name, the organisation after "of"
            "Who is the president of the Cabletelevision Advertising Bureau?",
            "Robert Adler, president of the Cabletelevision Advertising Bureau, said so.",
            "Robert Adler",
        ),
        (  # the name after the organisation
            "Who is the chairman of the Federal Reserve Board?",
            "It was said by the chairman of the Federal Reserve Board, Paul Volcker's aide.",
            "Paul Volcker",
        ),
        (  # a possessive and a word between
            "Who is the governor of Japan?",
            "Also arriving were Japan's central bank governor Satoshi Sumita and others.",
            "Satoshi Sumita",
        ),
        (
            "Who is OPEC's president?",
            "OPEC President Rilwanu Lukman, who is also",
            "Rilwanu Lukman",
        ),
        # Another organisation's chairman, the post with no name, or another post.
        (
            "Who is the chairman of Exxon?",
            "After Zenex paid Exxon, Zenex chairman John Truscott said.",
            None,
        ),
        ("Who is the spokesman of Boliden?", "A Boliden spokesman told Reuters the news.", None),
        (
            "Who is the president of the Bundesbank?",
            "Bundesbank Vice President Helmut Schlesinger said.",
            None,
        ),
        ("Who is the president of Japan?", "He visited Japan since President Reagan spoke.", None),
    ],
)
def test_the_name_given_the_post_at_the_organisation(
    question: str, sentence: str, name: str | None
) -> None:
    asked = asked_post(question)
    assert asked is not None
    found = holder(asked, sentence)
    assert (sentence[found[0] : found[1]] if found else None) == name


def test_the_sentence_that_names_the_holder_answers_first(answerer_of: AnswererOf) -> None:
    # The first article's sentence matches the question's words better, but names the
    # chairman, not the spokesman.
    articles = [
        Article(
            doc_id="venture",
            title="BOLIDEN IN SMELTER VENTURE",
            text="Boliden AB said it will take part in a copper smelter venture in Indonesia. "
            "A Boliden spokesman told Reuters details of the smelter venture would be given "
            "at a news conference by chairman Rune Andersson.",
        ),
        Article(
            doc_id="technical",
            title="BOLIDEN TO RUN SMELTER",
            text="The Swedish mining group will be responsible for the technical side of the "
            "smelter, Boliden spokesman Goran Paulson said.",
        ),
    ]
    answerer = answerer_of(articles)
    result = answerer.ask("Who is the spokesman of Boliden?")
    assert [a.text for a in result.answers] == ["Goran Paulson", "Rune Andersson"]
    assert result.answers[0].score < result.answers[1].score  # each keeps its own score
    assert_cited_exactly(result, answerer.retriever.store)
    # Without a sentence that names the holder, the scores decide.
    assert answerer.ask("Who is the chairman of Boliden?").answers[0].text == "Rune Andersson"
