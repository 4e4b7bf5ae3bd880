"""Pronouns of a follow-up question replaced by what they refer to, with the real spaCy
pipelines."""

from __future__ import annotations

import pytest

from qa.follow_up import antecedents, resolve
from qa.types import Turn

BASES = [Turn(question="where are the forward operating bases?")]


@pytest.mark.parametrize(
    ("history", "follow_up", "resolved"),
    [
        (BASES, "who set them up?", "who set the forward operating bases up?"),
        (BASES, "what are they improving?", "what are the forward operating bases improving?"),
        (
            [Turn(question="When did Polonia Warsaw win the country's championship?")],
            "How many times has it won the cup?",
            "How many times has Polonia Warsaw won the cup?",
        ),
        (  # a person named as the answer to a who-question
            [Turn(question="Who leads the mission?", answer="Godfrey Otunge")],
            "when did he arrive in Haiti?",
            "when did Godfrey Otunge arrive in Haiti?",
        ),
        (  # "Tesla's reputation" names Tesla, who is the one asked about
            [Turn(question="What was Nikola Tesla's reputation in popular culture?")],
            "Where did he live for much of his life?",
            "Where did Nikola Tesla live for much of Nikola Tesla's life?",
        ),
        (  # what a wh-phrase asks about ("how many X") is a phrase too; "Haiti" was taken
            [Turn(question="how many Kenyan police officers are in Haiti?")],
            "when did they arrive?",
            "when did Kenyan police officers arrive?",
        ),
        (
            [Turn(question="What kind of ships docked at Jérémie?")],
            "who owns them?",
            "who owns ships?",
        ),
        (  # the topic of "the second level of X" is X
            [Turn(question="What is the basic unit of territorial division?")],
            "What is the largest unit of it?",
            "What is the largest unit of territorial division?",
        ),
    ],
)
def test_pronouns_become_the_phrase_they_refer_to(
    history: list[Turn], follow_up: str, resolved: str
) -> None:
    assert resolve(follow_up, history) == resolved


@pytest.mark.parametrize(
    ("history", "question"),
    [
        ([], "what are they improving?"),  # no conversation yet
        (BASES, "how many are there?"),  # no pronoun that refers back
        ([Turn(question="who leads the mission in Haiti?")], "is there a curfew?"),
        (BASES, "Is it true that the bases are in Pont Sondé?"),  # "it" refers to nothing
        # Within the question: "monks and nuns ... their vows".
        (
            [Turn(question="What did Luther call for?")],
            "What did Luther tell monks about their vows?",
        ),
        # Nothing of the kind "he" asks for in the last turns.
        (BASES, "when did he arrive?"),
    ],
)
def test_questions_without_a_pronoun_to_resolve_stay_as_asked(
    history: list[Turn], question: str
) -> None:
    assert resolve(question, history) == question


def test_a_phrase_the_follow_up_names_again_is_not_a_candidate() -> None:
    # "Peyton Manning took how many teams to it?": "it" is not Manning.
    history = [Turn(question="How many teams has Manning played for that reached the Super Bowl?")]
    assert resolve("Peyton Manning took how many different teams to it?", history) == (
        "Peyton Manning took how many different teams to the Super Bowl?"
    )


def test_the_last_turn_is_read_before_the_one_before_it() -> None:
    history = [
        Turn(question="Who commands the Kenyan police in Haiti?"),
        Turn(question="Where are the forward operating bases?"),
    ]
    assert resolve("who guards them?", history) == "who guards the forward operating bases?"
    assert antecedents("Where are the forward operating bases?")[0].text == (
        "the forward operating bases"
    )


def test_a_turn_that_was_a_follow_up_is_read_as_it_was_answered() -> None:
    # "them" in the last turn is the bases, and its answer, "FOBs", is no person.
    history = [*BASES, Turn(question="who set them up?", answer="FOBs")]
    assert resolve("what are they improving?", history) == (
        "what are the forward operating bases improving?"
    )


@pytest.mark.parametrize(
    ("history", "follow_up", "resolved"),
    [
        (  # the answer to a where-question
            [
                Turn(
                    question="where are the forward operating bases?",
                    answer="Pont Sondé, Downtown Port-au-Prince, and at the Haitian Police Academy",
                )
            ],
            "what happened there?",
            "what happened in Pont Sondé, Downtown Port-au-Prince, and at the Haitian Police "
            "Academy?",
        ),
        (BASES, "what happened there?", "what happened at the forward operating bases?"),
        (
            [Turn(question="How many Kenyan officers serve in Port-au-Prince?")],
            "what do they do there?",
            "what do Kenyan officers do in Port-au-Prince?",
        ),
        (
            [Turn(question="When were the Normans in Normandy?")],
            "Who ruled there?",
            "Who ruled in Normandy?",
        ),
    ],
)
def test_there_becomes_the_place_the_conversation_named(
    history: list[Turn], follow_up: str, resolved: str
) -> None:
    assert resolve(follow_up, history) == resolved


@pytest.mark.parametrize(
    ("last", "answer", "question", "read_as"),
    [
        (
            "where are the forward operating bases?",
            None,
            "why?",
            "why are the forward operating bases?",
        ),
        (
            "what did the US embassy urge its citizens to do?",
            "avoid Port-au-Prince",
            "And when?",
            "when did the US embassy urge its citizens to do?",
        ),
        # Who did it is the answer the last question got.
        (
            "who issued a security alert?",
            "the United States",
            "when?",
            "when the United States issued a security alert?",
        ),
        # ... unless the answer only repeats the question's words.
        (
            "who bought Manchester United?",
            "Manchester United",
            "when?",
            "when bought Manchester United?",
        ),
        # ... and what a how-many question counted stays.
        (
            "how many Kenyan police officers are in Haiti?",
            "400",
            "since when?",
            "since when Kenyan police officers are in Haiti?",
        ),
        ("which areas do the patrols cover?", "Delmas", "how come?", "why do the patrols cover?"),
        (
            "Did the MSS thank the Haitian people?",
            "yes",
            "so why?",
            "why did the MSS thank the Haitian people?",
        ),
    ],
)
def test_a_bare_question_word_asks_the_last_question_again(
    last: str, answer: str | None, question: str, read_as: str
) -> None:
    assert resolve(question, [Turn(question=last, answer=answer)]) == read_as


@pytest.mark.parametrize("question", ["what?", "which?", "when did the bases open?", "why not?"])
def test_more_than_a_question_word_is_not_read_as_the_last_question(question: str) -> None:
    assert resolve(question, BASES) == question


def test_a_bare_question_word_after_a_follow_up_reads_the_follow_up_as_answered() -> None:
    history = [
        Turn(question="where are the forward operating bases?", answer="Pont Sondé"),
        Turn(question="who set them up?", answer="the MSS"),
    ]
    assert resolve("when?", history) == "when the MSS set the forward operating bases up?"
