"""Who someone is: the post or description a sentence sets beside the name."""

from __future__ import annotations

import pytest

from index.document import Article
from qa.person_post import Person, asked_person, described
from tests.conftest import AnswererOf, assert_cited_exactly


@pytest.mark.parametrize(
    ("question", "person"),
    [
        ("Who is Hugh Liedtke?", Person("Hugh", "Liedtke")),
        ("who was Karl Otto Poehl?", Person("Karl", "Poehl")),
        ("Who is James Robinson III?", Person("James", "Robinson")),
        ("Who is Mr Ombaka?", Person("Ombaka", "Ombaka")),
        ("Who is Poehl", Person("Poehl", "Poehl")),
        # A post asked about (qa.role_holder), or more than a name.
        ("Who is the chairman of Pennzoil?", None),
        ("Who is Pennzoil's chairman?", None),
        ("Who is the MSS spokesperson?", None),
        ("Who is Pennzoil Chairman?", None),
        ("Who is deployed in Haiti?", None),
        ("Who is Liedtke working for?", None),
    ],
)
def test_whom_the_question_asks_about(question: str, person: Person | None) -> None:
    assert asked_person(question) == person


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("Who is Hugh Liedtke?", "Pennzoil chairman Hugh Liedtke said so.", "Pennzoil chairman"),
        (
            "Who is James Robinson?",
            "James Robinson III, chairman of American Express Co, said he was confident.",
            "chairman of American Express Co",
        ),
        (
            "Who is Ike Kerridge?",
            "Ike Kerridge, an economist with the firm Baker Hughes Inc., was one of them.",
            "an economist with the firm Baker Hughes Inc.",
        ),
        (
            "Who is Gordon Macklin?",
            "Gordon Macklin, 58, president of the NASD, announced his decision.",
            "president of the NASD",
        ),
        (
            "Who is Elliott Schlang?",
            "Elliott Schlang, analyst at Prescott, Ball and Turben Inc., said it.",
            "analyst at Prescott, Ball and Turben Inc.",
        ),
        (
            "Who is Mario Amato?",
            "Among them was Mario Amato, head of the State Industries' Federation (FIESP).",
            "head of the State Industries' Federation (FIESP)",
        ),
        (
            "Who is Paul Reynolds?",
            "Paul Reynolds, chief executive of BT Wholesale which sells lines, said so.",
            "chief executive of BT Wholesale",
        ),
        (
            "Who is David Horner?",
            "Something will be done, said David Horner of Merrill Lynch Economics.",
            "Merrill Lynch Economics",
        ),
        (
            "Who is Larry Eckenfelder?",
            "Larry Eckenfelder of Prudential-Bache Securities said he believes it.",
            "Prudential-Bache Securities",
        ),
        (
            "Who is Dan Rostenkowski?",
            "So said House Ways and Means Committee chairman Dan Rostenkowski.",
            "House Ways and Means Committee chairman",
        ),
        (
            "Who is Fred Hoffmann?",
            "But Pentagon spokesman Fred Hoffmann said the talks went well.",
            "Pentagon spokesman",
        ),
        (
            "Who is David Kern?",
            "National Westminster Bank chief economist David Kern said so.",
            "National Westminster Bank chief economist",
        ),
        (
            "Who is James Miller?",
            "Treasury Secretary James Baker and Office of Management and Budget chief "
            "James Miller defended the plan.",
            "Office of Management and Budget chief",
        ),
        (
            "Who is Kate Hoey?",
            "Actor Jeremy Irons and former minister Kate Hoey joined the march.",
            "former minister",
        ),
        (
            "Who is Alan Beith?",
            "On Monday Lib Dem committee chairman Alan Beith said so.",
            "Lib Dem committee chairman",
        ),
        (
            "Who is Robert Peston?",
            "It was reported by the Sunday Telegraph journalist Robert Peston.",
            "Sunday Telegraph journalist",
        ),
        # Nothing said of who the person is, or of someone else of the same surname.
        ("Who is Alan Greenspan?", "Alan Greenspan has been nominated to replace Volcker.", None),
        ("Who is Karl Otto Poehl?", "For currency dealers Karl Otto Poehl is a scourge.", None),
        (
            "Who is Tom Miller?",
            "Delegates elected Tom Miller of Maricopa, Ariz as the new president.",
            None,
        ),
        ("Who is Harvey Miller?", "Budget chief James Miller defended the plan.", None),
        (
            "Who is Douglas Hogg?",
            "Douglas Hogg, whose father served as lord chancellor, said so.",
            None,
        ),
    ],
)
def test_what_the_sentence_says_the_person_is(
    question: str, sentence: str, expected: str | None
) -> None:
    person = asked_person(question)
    assert person is not None
    found = described(person, sentence)
    assert (sentence[found[0] : found[1]] if found else None) == expected


def test_the_sentence_that_says_who_it_is_answers(answerer_of: AnswererOf) -> None:
    # The sentence that only names him matches the question's words best, and the span
    # model alone answers "Paul Volcker" from it.
    articles = [
        Article(
            doc_id="fed",
            title="GREENSPAN NOMINATED TO SUCCEED VOLCKER",
            text="Alan Greenspan has been nominated to replace Paul Volcker.",
        ),
        Article(
            doc_id="rates",
            title="ECONOMISTS SEE HIGHER RATES",
            text="Interest rates will rise this year, said Alan Greenspan, a former chairman "
            "of the Council of Economic Advisers.",
        ),
    ]
    answerer = answerer_of(articles)
    result = answerer.ask("Who is Alan Greenspan?")
    assert result.answers[0].text == "a former chairman of the Council of Economic Advisers"
    assert result.answers[0].citation.doc_id == "rates"
    assert_cited_exactly(result, answerer.retriever.store)
