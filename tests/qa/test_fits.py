"""Whether a sentence can answer what the question asks for: a count, a time, what was said."""

from __future__ import annotations

import pytest

from qa.fits import fits, gives_count, says_when, tells_what_said


@pytest.mark.parametrize(
    ("question", "sentence", "counts"),
    [
        ("How many officers were sent?", "Kenya sent 400 officers in June.", True),
        ("How many officers were sent?", "Kenya sent four hundred officers.", True),
        # a number of a date counts nothing
        ("How many officers were sent?", "On August 5, Kenya sent officers.", False),
        ("How many officers were sent?", "Kenya sent officers in 1817.", False),
        # a number that may be a year, and counts what was asked about
        ("How many soldiers were sent?", "They sent 1500 soldiers to the border.", True),
        ("How many soldiers were sent?", "They sent 2000 soldiers to the border.", True),
        ("How many officers were sent?", "Kenya sent officers to Haiti.", False),
        # the question's own number is not the answer
        ("How many of the 25 officers were sent?", "Kenya sent the 25 officers.", False),
        ("How many officers were sent?", "None of the officers were sent.", True),
        ("How many Grammys has she won?", "The six-time Grammy winner sang.", True),
        ("How many officers were sent?", "Kenya sent several officers.", True),
        # a list of the things counted, and a list of something else
        ("How many bases are there?", "Bases are in Delmas, Tabarre, and Pont Sondé.", True),
        ("How many officers are there?", "Patrols cover Delmas, Tabarre, and Pont Sondé.", False),
        ("Where were officers sent?", "Kenya sent officers to Haiti.", True),  # not how many
    ],
)
def test_a_how_many_question_is_answered_by_a_count(
    question: str, sentence: str, counts: bool
) -> None:
    assert gives_count(question, sentence) is counts


@pytest.mark.parametrize(
    ("question", "sentence", "says"),
    [
        ("When was the exchange founded?", "It was founded in 1817.", True),
        ("When was the alert issued?", "The alert was issued on August 5.", True),
        ("In what year did it open?", "It opened 66 million years ago.", True),
        ("When was the Rhineland occupied?", "At the end of World War I it was occupied.", True),
        ("When did they back it?", "They backed it only when Germany built its own.", True),
        (
            "When did Tancred lay siege to Antioch?",
            "Tancred was instrumental in the conquest.",
            False,
        ),
        ("What year did the storm hit the fleet?", "But a storm dispersed the fleet.", False),
        # a which-year question wants a year: a day of a month gives none
        ("In what year was the mission deployed?", "It was issued on August 5.", False),
        ("In what year was it deployed?", "It was deployed in 2024.", True),
        ("Which year did sales peak?", "Sales peaked last year.", True),
        # a "when" clause is not a question of when
        ("When many people are arrested, what do they use?", "Activists use solidarity.", True),
        ("Where was the alert issued?", "The embassy issued an alert.", True),
    ],
)
def test_a_when_question_is_answered_by_a_time(question: str, sentence: str, says: bool) -> None:
    assert says_when(question, sentence) is says


@pytest.mark.parametrize(
    ("question", "sentence", "tells"),
    [
        ("What did Fendt say?", "Fendt said the surplus should reach one billion dlrs.", True),
        ("What did Fendt say?", "Fendt estimated a monthly trade surplus of 400 mln.", False),
        # "It said …" may be the company asked about
        ("What did Mitel say?", "It said the transfer was designed to help.", True),
        ("What did the alert say?", "“There is heavy gunfire,” the alert stated.", True),
        ("What did the alert say?", "A quote: “Avoid the area”, in the alert.", True),
        # "the United States" reports nothing, and someone else's words are not X's
        ("What did the alert say?", "The United States issued a security alert.", False),
        ("What did Poehl say?", "Stoltenberg said rates would fall.", False),
        ("What will the MSS announce about the bases?", "The MSS announced two bases.", True),
        ("What did the MSS report?", "The MSS patrols the capital.", False),
        # "report" and "state" as nouns, and questions about something else
        ("What does a 2013 report on Nigeria suggest?", "Growth slowed in 2013.", True),
        ("What did the gangs attack?", "Gangs attacked the station.", True),
        ("What did he say?", "The station was attacked.", True),  # no one named: any sentence
    ],
)
def test_a_question_of_what_someone_said_is_answered_by_a_sentence_that_reports_it(
    question: str, sentence: str, tells: bool
) -> None:
    assert tells_what_said(question, sentence) is tells


def test_a_sentence_fits_when_it_has_what_the_question_asks_for() -> None:
    assert fits("how many officers were sent?", "Kenya sent 400 officers.")
    assert not fits("how many officers were sent?", "Kenya sent officers.")
    assert not fits("when were officers sent?", "Kenya sent officers.")
    assert fits("who sent officers?", "Kenya sent officers.")
