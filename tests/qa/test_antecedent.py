"""qa.antecedent: who "he" is, only when the answering sentence names nobody else."""

from __future__ import annotations

from qa.antecedent import antecedent, needs_antecedent
from qa.entities import EntityTagger


def test_only_a_who_question_about_a_he_who_is_named_before_needs_the_sentence_before() -> None:
    tagger = EntityTagger()
    question = "Who succeeds John McKinley as chairman?"
    assert needs_antecedent(question, "He succeeds John McKinley as chairman.", tagger)
    # Not a who-question, not a sentence about "he", or the sentence names its own answer.
    assert not needs_antecedent("When does he start?", "He starts in May.", tagger)
    assert not needs_antecedent(question, "Alfred DeCrane succeeds him in May.", tagger)
    assert not needs_antecedent(
        "Who did Gegeen appoint as chancellor?", "He appointed Baiju as chancellor.", tagger
    )


def test_the_person_named_before_is_the_first_the_question_does_not_name() -> None:
    tagger = EntityTagger()
    previous = "Mary Robinson said on Friday that Kevin Walsh would lead the team."
    found = antecedent("Apart from Robinson, who leads the team?", previous, tagger)
    assert found is not None and previous[slice(*found)] == "Kevin Walsh"
    assert antecedent("Who won?", "The company said shares rose.", tagger) is None
