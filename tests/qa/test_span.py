"""Span finding by question type, on sentences of the kind news articles have (no model)."""

from __future__ import annotations

import pytest

from qa.span import balanced, find_span, has_typed_span, question_stems, question_type


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Where are the bases?", "place"),
        ("When did it start?", "date"),
        ("How many officers were sent?", "number"),
        ("Who leads the mission?", "name"),
        ("What are they improving?", "other"),
        # The kind whose words come first: a later "when" opens a clause, asks nothing.
        ("Who was king when the war began?", "name"),
        ("How old was he when he retired?", "number"),
        ("What sea bordered the empire when he died?", "other"),
        ("What happens when the system fails?", "other"),
        ("In which year did it open?", "date"),
        ("And when did they leave?", "date"),
        ("What was the year of the fire?", "date"),  # "what year", with "was the" between
        ("Which is the city that hosts it?", "place"),
    ],
)
def test_question_types(question: str, kind: str) -> None:
    assert question_type(question) == kind


@pytest.mark.parametrize(
    ("sentence", "date"),
    [
        ("The last outbreak ravaged Oslo in 1654.", "1654"),  # not only 1900-2099
        ("Normans settled there in the 1050s.", "1050s"),
        ("The style spread in the 16th century.", "16th century"),
        ("The filing is dated 2024-01-05 in the register.", "2024-01-05"),  # whole, not "2024"
    ],
)
def test_dates_of_any_era_are_typed(sentence: str, date: str) -> None:
    found = find_span("When did it happen?", sentence)
    assert found.typed
    assert sentence[found.start : found.end] == date


@pytest.mark.parametrize(
    ("question", "sentence", "span", "typed"),
    [
        # Typed: a phrase of the kind the question asks for (number, date, name, place).
        (
            "how many subscribers did AOL lose?",
            "It lost 464,000 subscribers in the fourth quarter.",
            "464,000",  # the noun being counted is already in the question
            True,
        ),
        ("how many were sent?", "Kenya sent 400 officers in June.", "400 officers", True),
        (
            "how much did profits jump?",
            "Quarterly profits at TimeWarner jumped 76% to $1.13bn for the three months.",
            "76%",
            True,
        ),
        (
            "when was the alert issued?",
            "On August 5, the United States issued a security alert.",
            "August 5",
            True,
        ),
        (
            "who reported the gains?",
            "In an update, MSS spokesperson Jack Ombaka reported the gains.",
            "Jack Ombaka",
            True,
        ),
        # "what NOUN" / "which kind of NOUN": the noun with the words that modify it
        (
            "What award has Marlee Matlin won?",
            "She won an Academy Award in 1987.",
            "Academy Award",
            False,
        ),
        (
            "Which airport is being guarded?",
            "Officers guard Haiti's main international airport and seaport.",
            "main international airport",
            False,
        ),
        (
            "What kind of city has Warsaw been?",
            "Warsaw has always been a multi-cultural city.",
            "multi-cultural city",
            False,
        ),
        # a tail after the question's words drops its leading preposition
        (
            "What can result from disorders of the immune system?",
            "Disorders of the immune system can result in autoimmune diseases.",
            "autoimmune diseases",
            False,
        ),
    ],
)
def test_spans(question: str, sentence: str, span: str, typed: bool) -> None:
    found = find_span(question, sentence)
    assert sentence[found.start : found.end] == span
    assert found.typed is typed
    assert has_typed_span(question, sentence) is typed  # the scorer's shortcut agrees


def test_an_adverb_after_what_is_not_a_head_noun() -> None:
    sentence = "Manufacturing typically involves mass production of similar items."
    found = find_span("What typically involves mass production?", sentence)
    assert "typically" not in sentence[found.start : found.end]


def test_names_lose_a_possessive() -> None:
    sentence = "Despite Ombaka's warning, the patrols went on."
    found = find_span("who warned the patrols?", sentence)
    assert sentence[found.start : found.end] == "Ombaka"


def test_untyped_question_falls_back_to_the_whole_sentence_without_its_full_stop() -> None:
    sentence = "Residents were calm."
    found = find_span("why is the sky blue?", sentence)
    assert sentence[found.start : found.end] == "Residents were calm"


@pytest.mark.parametrize(
    ("sentence", "part", "widened"),
    [
        ("the National Secondary IV (NS4) examinations", "Secondary IV (NS4", "Secondary IV (NS4)"),
        ("the National Secondary IV (NS4) examinations", "NS4) examinations", "(NS4) examinations"),
        (
            "the Forward Operating Bases (FOBs) here",
            "Forward Operating Bases",
            "Forward Operating Bases",
        ),
        ("an open (bracket never closed", "open (bracket", "open (bracket"),
        # A long aside is left out where the span has words outside it.
        (
            "issues are legislated on at Westminster (and where Ministerial functions usually "
            "lie with UK Government ministers).",
            "Westminster (and where Ministerial",
            "Westminster",
        ),
        (
            "the plan (which the board approved last week after a long debate) failed",
            "last week after a long debate) failed",
            "failed",
        ),
        # A wire story's markup around a name is dropped, not widened to.
        (
            "agreed to let <Langasco Energy Corp> drill",
            "Langasco Energy Corp>",
            "Langasco Energy Corp",
        ),
        ("acquired <Ferrado Oy> and <Insele Oy>", "<Ferrado Oy", "Ferrado Oy"),
        ("acquired <Ferrado Oy> and <Insele Oy>", "<Ferrado Oy>", "<Ferrado Oy>"),
    ],
)
def test_a_span_closes_the_brackets_it_opens_and_drops_a_wires_markup(
    sentence: str, part: str, widened: str
) -> None:
    start = sentence.index(part)
    start, end = balanced(sentence, (start, start + len(part)))
    assert sentence[start:end] == widened


def test_the_initials_of_the_question_s_capitalised_words_count_as_its_words() -> None:
    assert {"mss", "multin"} <= question_stems(
        "who leads the Multinational Security Support mission?"
    )
    assert "epa" in question_stems("What did the Environmental Protection Agency deny?")
    assert "u" in question_stems("What did the United States issue?")  # "US", stemmed
    # Initials that spell a stop word would match it everywhere: "IT" is not "it".
    assert "it" not in question_stems("Who leads Information Technology at Nokia?")
    assert question_stems("who leads the mission?") == {"lead", "mission"}
