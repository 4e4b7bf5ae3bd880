"""The answerability evidence: numbers and negations a question has and its article lacks."""

from __future__ import annotations

import pytest

from qa.mismatch import missing_names, missing_negation, missing_numbers, negates, unnegated

ARTICLE = "In 1900 the company hired 1,200 workers and paid 3.5 million. It did well."


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("What happened in 1900?", 0.0),
        ("What happened in 1901?", 1.0),
        ("How many workers were hired, 1200?", 0.0),  # the thousands separator is ignored
        ("Was 3.5 million paid?", 0.0),
        ("Was 3.6 million paid in 1900?", 1.0),  # one number missing is enough
        ("Who was hired?", 0.0),  # no number asked, nothing missing
        ("What did version 2 change?", 1.0),
    ],
)
def test_a_number_the_article_never_writes_is_flagged(question: str, missing: float) -> None:
    assert missing_numbers(question, ARTICLE) == missing


def test_a_question_without_numbers_never_reads_the_article(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(article: str) -> None:
        raise AssertionError("the article's numbers were read")

    monkeypatch.setattr("qa.mismatch._article_numbers", fail)
    monkeypatch.setattr("qa.mismatch._plain_written", fail)
    assert missing_numbers("Who was hired after the war?", ARTICLE) == 0.0


def test_a_question_naming_only_plain_numbers_reads_only_the_articles_plain_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(article: str) -> None:
        raise AssertionError("the article's ordinals, decades and years were read")

    monkeypatch.setattr("qa.mismatch._article_numbers", fail)
    assert missing_numbers("How many of the 1,200 workers stayed?", ARTICLE) == 0.0
    assert missing_numbers("Did 1,300 workers stay?", ARTICLE) == 1.0


@pytest.mark.parametrize(
    ("question", "article", "missing"),
    [
        ("Who did not attend?", "Everyone attended.", 1.0),
        ("Which firm never paid?", "All paid on time.", 1.0),
        ("Who didn’t attend?", "Everyone attended.", 1.0),  # a typographic apostrophe
        ("Who did not attend?", "Jones did not attend.", 0.0),
        ("Who did not attend?", "Jones couldn't attend.", 0.0),
        ("Who attended?", "Everyone attended.", 0.0),
        ("Is there nothing known?", "Nothing is known.", 0.0),
        ("Who knotted the rope?", "Everyone attended.", 0.0),  # "not" inside a word
        ("Is it known whether or not it works?", "It works.", 0.0),  # asks both ways
    ],
)
def test_a_negated_question_on_an_article_that_negates_nothing_is_flagged(
    question: str, article: str, missing: float
) -> None:
    assert missing_negation(question, article) == missing


@pytest.mark.parametrize(
    ("question", "negated"),
    [
        ("Which cities were not destroyed?", True),
        ("Who didn’t attend?", True),
        ("Who never came back?", True),
        ("Who decides whether or not a bill passes?", False),
        ("What may or may not be prime?", False),
        ("Who knotted the rope?", False),
    ],
)
def test_a_question_negates_unless_it_asks_both_ways(question: str, negated: bool) -> None:
    assert negates(question) is negated


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("The Mongols destroyed every city of Eastern Europe.", 1.0),
        ("Novgorod was not destroyed.", 0.0),
        ("The adults of most species lack combs.", 0.0),  # negative in meaning
        ("Most Western countries have banned it.", 0.0),
        ("They destroyed every city with the exceptions of Novgorod and Pskov.", 0.0),
        ("The problem remains unsolved.", 0.0),
        ("The United States joined.", 1.0),  # "un-" alone is not negative
    ],
)
def test_a_sentence_that_says_nothing_negative_is_flagged(sentence: str, flagged: float) -> None:
    assert unnegated(sentence) == flagged


CENTURIES = (
    "The abbey was built in 1120 and rebuilt in the fourteenth century. "
    "Trade grew in the 1790s, in the first of three booms."
)


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("What was built in the 12th century?", 0.0),  # 1120 is in it
        ("What was rebuilt in the 14th century?", 0.0),  # spelled out
        ("What happened in the 10th century?", 1.0),
        ("What was built in the 1100s?", 0.0),  # a year in that hundred
        ("What happened in the 1300s?", 0.0),  # the fourteenth century
        ("What happened in the 1500s?", 1.0),
        ("What grew in the 1790s?", 0.0),
        ("What grew in the 1780s?", 1.0),
        ("What was the 1st boom?", 0.0),  # "first"
        ("What was the 3rd boom?", 1.0),  # "three" is a count, not an ordinal
        ("How many booms were there, 3?", 0.0),
    ],
)
def test_ordinals_centuries_and_decades_are_read_as_a_reader_would(
    question: str, missing: float
) -> None:
    assert missing_numbers(question, CENTURIES) == missing


NAMES = (
    "Setanta Sports said the United States market would open to Californian viewers, and "
    "Emma married King Ethelred of Normandy."
)


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("Who did Emma marry?", 0.0),
        ("Who did Richard marry?", 1.0),  # a name the article never writes
        ("What platform was Sentanta Sports planning?", 0.0),  # a typing slip
        ("Where do California viewers live?", 0.0),  # the same first five letters
        ("Which US market would open?", 0.0),  # the initials of "United States"
        ("What did the Normans of Sicily do?", 1.0),
        ("Who did Emma marry in the end?", 0.0),  # no capitalised word past the first
        ("Who did Emma marry, Ethelrad or Ethelred?", 0.0),  # one slip in a long name
        ("What platform was Setnata Sports planning?", 0.0),  # two letters swapped: one slip
        ("What platform was Setnaat Sports planning?", 1.0),  # two swaps: two slips
    ],
)
def test_a_name_the_article_never_writes_is_flagged(question: str, missing: float) -> None:
    assert missing_names(question, NAMES) == missing


WIRE = (
    "U.S. SUGAR IMPORTS DOWN IN WEEK - USDA\n"
    "The U.S. imported 46,254 tons, the EC said, and the SEC and GATT were not consulted."
)


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("How much sugar did the United States import?", 0.0),  # "U.S."
        ("In the United States, how much sugar was imported?", 0.0),  # "In" is no initial
        ("Which United States Department of Agriculture report?", 0.0),  # "USDA"
        ("What did the European Community say?", 0.0),  # "EC"
        ("Who did the Securities and Exchange Commission consult?", 0.0),  # "SEC"
        ("Was the General Agreement on Tariffs and Trade consulted?", 0.0),  # "GATT"
        ("How much sugar did the United Kingdom import?", 1.0),  # no "U.K." or "UK"
        ("What did the European Commission say?", 0.0),  # "EC" too: initials only
        ("What did the European Parliament say?", 1.0),  # "EP" unwritten
        ("How much sugar did Brazil import?", 1.0),  # one word: no initials
    ],
)
def test_a_name_written_as_its_initials_is_not_flagged(question: str, missing: float) -> None:
    assert missing_names(question, WIRE) == missing


@pytest.mark.parametrize(
    ("question", "article", "missing"),
    [
        ("What did the French government say?", "France said on Monday.", 0.0),
        ("What did France say?", "The French government said on Monday.", 0.0),
        ("What did the Dutch central bank do?", "Holland's central bank cut rates.", 0.0),
        ("What did the British government say?", "The UK said on Monday.", 0.0),
        ("What did the United Kingdom say?", "Britain said on Monday.", 0.0),
        ("What did the American envoy say?", "The U.S. envoy said on Monday.", 0.0),
        ("What did the Swiss government say?", "Italy said on Monday.", 1.0),
        ("What did the American envoy say?", "The MP said on Monday.", 1.0),  # not a code
    ],
)
def test_a_country_the_article_names_another_way_is_not_flagged(
    question: str, article: str, missing: float
) -> None:
    assert missing_names(question, article) == missing


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("What did General Motors Corporation say?", 0.0),  # "Corp"
        ("What did Hughes Aircraft Company agree?", 0.0),  # "Co"
        ("Who owns Smith Brothers Limited?", 0.0),  # "Bros Ltd"
        ("Where is Mount Vernon?", 0.0),  # "Mt"
        ("Who owns Acme Incorporated?", 0.0),  # "Inc"
        ("What did Ford Motor Company say?", 1.0),  # no Ford
        ("Who owns Smith Brothers International?", 1.0),  # no "Intl"
    ],
)
def test_a_word_news_abbreviates_in_names_counts_in_either_form(
    question: str, missing: float
) -> None:
    article = (
        "General Motors Corp said its unit, Hughes Aircraft Co, and Smith Bros Ltd of "
        "Mt Vernon, a unit of Acme Inc, agreed."
    )
    assert missing_names(question, article) == missing
    assert missing_names("What did Acme Corp say?", "Acme Corporation said.") == 0.0


@pytest.mark.parametrize(
    ("question", "article", "missing"),
    [
        ("What did Jose Mourinho say?", "José Mourinho said on Monday.", 0.0),
        ("What did José Mourinho say?", "Jose Mourinho said on Monday.", 0.0),
        ("What did Sebastien Loeb win?", "Sébastien Loeb won the rally.", 0.0),
        ("What did Zoë Ball say?", "Bob Ball said.", 1.0),
    ],
)
def test_a_name_counts_with_or_without_its_accents(
    question: str, article: str, missing: float
) -> None:
    assert missing_names(question, article) == missing
