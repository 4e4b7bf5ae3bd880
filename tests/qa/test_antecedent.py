"""qa.antecedent: who "he" is, only when the answering sentence names nobody else."""

from __future__ import annotations

from qa.antecedent import antecedent, referent
from qa.entities import EntityTagger


def test_only_a_who_question_about_a_he_who_is_named_before_needs_the_sentence_before() -> None:
    tagger = EntityTagger()
    question = "Who succeeds John McKinley as chairman?"
    assert referent(question, "He succeeds John McKinley as chairman.", tagger) == "PERSON"
    # Not a who-question, not a sentence about "he", or the sentence names its own answer.
    assert referent("When does he start?", "He starts in May.", tagger) is None
    assert referent(question, "Alfred DeCrane succeeds him in May.", tagger) is None
    assert (
        referent(
            "Who did Gegeen appoint as chancellor?", "He appointed Baiju as chancellor.", tagger
        )
        is None
    )


def test_the_person_named_before_is_the_first_the_question_does_not_name() -> None:
    tagger = EntityTagger()
    previous = "Mary Robinson said on Friday that Kevin Walsh would lead the team."
    found = antecedent("Apart from Robinson, who leads the team?", previous, tagger, "PERSON")
    assert found is not None and previous[slice(*found)] == "Kevin Walsh"
    assert antecedent("Who won?", "The company said shares rose.", tagger, "PERSON") is None


def test_a_company_question_answered_by_it_or_the_company_wants_an_organisation() -> None:
    tagger = EntityTagger()
    question = "Which company expects a first-quarter loss?"
    for sentence in (
        "It said it expects a first-quarter loss.",
        "The company also expects a first-quarter loss.",
    ):
        assert referent(question, sentence, tagger) == "ORG", sentence
    # "It" that stands for nothing, or a sentence that names its own company.
    for sentence in (
        "It is expected that the maker will post a first-quarter loss.",
        "It would be the first loss.",
        "It said IBM Corp expects a first-quarter loss.",
    ):
        assert referent(question, sentence, tagger) is None, sentence
    assert referent("When is the loss due?", "It said it expects a loss.", tagger) is None


def test_a_name_in_the_possessive_is_the_name() -> None:
    previous = "Kevin Walsh’s team won the cup on Sunday."
    found = antecedent("Who leads the team?", previous, EntityTagger(), "PERSON")
    assert found is not None and previous[slice(*found)] == "Kevin Walsh"
