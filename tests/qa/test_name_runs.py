"""qa.name_runs: a question's runs of capitalised words and their initials."""

from __future__ import annotations

import pytest

from qa.name_runs import name_runs


@pytest.mark.parametrize(
    ("question", "runs"),
    [
        ("What did the United States say?", (("us", ("united", "states")),)),
        ("In the United States, who said it?", (("us", ("united", "states")),)),  # no "In"
        (
            "Did the Securities and Exchange Commission act?",
            (("sec", ("securities", "exchange", "commission")),),
        ),
        ("What did Brazil say?", ()),  # one word is no run
        ("WHAT DID THE EC SAY?", ()),  # capitals only: a headline, or initials already
    ],
)
def test_a_run_of_capitalised_words_has_its_initials(
    question: str, runs: tuple[tuple[str, tuple[str, ...]], ...]
) -> None:
    assert name_runs(question) == runs
