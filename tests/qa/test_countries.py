"""qa.countries: a country's other names, read from countryinfo's data."""

from __future__ import annotations

import pytest

from qa.countries import other_names


@pytest.mark.parametrize(
    ("name", "also"),
    [
        ("french", "France"),
        ("france", "French"),
        ("dutch", "Holland"),
        ("holland", "Netherlands"),
        ("british", "Britain"),  # added: countryinfo writes "Great Britain"
        ("united kingdom", "UK"),
        ("american", "USA"),
        ("swiss", "Switzerland"),
        ("filipino", "Philippines"),
        ("english", "England"),  # added: countryinfo has no England of its own
    ],
)
def test_a_country_is_known_by_its_other_names(name: str, also: str) -> None:
    assert also in other_names()[name]


def test_a_shared_name_is_the_most_populous_countrys() -> None:
    # "French" is the people of France and of Martinique, Mayotte and Réunion too.
    assert "France" in other_names()["french"]
    assert "Martinique" not in other_names()["french"]


@pytest.mark.parametrize("code", ["can", "nor", "in", "it", "are"])
def test_a_code_that_is_also_a_word_is_left_out(code: str) -> None:
    assert code not in other_names()


def test_names_outside_latin_letters_or_longer_than_two_words_are_left_out() -> None:
    names = {name for group in other_names().values() for name in group}
    assert "Российская Федерация" not in names
    assert "United Kingdom of Great Britain and Northern Ireland" not in names
    assert "Great Britain" in names
