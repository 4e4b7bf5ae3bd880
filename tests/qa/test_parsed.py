"""qa.parsed: a parse read out into lists must say what spaCy's own objects say."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from qa.parsed import Parsed
from qa.phrases import _tree_distances
from qa.span_ranker import SpanRanker

TEXTS = [
    "The MSS has also taken the responsibility of guarding key national infrastructure, "
    "including Haiti’s main international airport and seaport.",
    "Forward operating bases were set up in Pont Sondé, Downtown Port-au-Prince, and at the "
    "Haitian Police Academy.  They opened in 2025 — “too late”, critics said!",
    "Who guards the airport?",
    "...",
]


@pytest.fixture(scope="module")
def parses() -> list[Parsed]:
    ranker = SpanRanker(tagger=None)
    return [ranker.table(text) for text in TEXTS]


def test_every_phrase_gets_the_root_spacy_gives_it(parses: list[Parsed]) -> None:
    for parsed in parses:
        doc = parsed.doc
        for start in range(len(doc)):
            for end in range(start + 1, len(doc) + 1):
                assert parsed.root(start, end) == doc[start:end].root.i, (doc.text, start, end)


def test_tokens_of_a_character_span_are_those_it_overlaps(parses: list[Parsed]) -> None:
    for parsed in parses:
        doc, text = parsed.doc, parsed.doc.text
        for a in range(len(text) + 1):
            for b in range(a, min(len(text), a + 40) + 1):
                inside = [t.i for t in doc if t.idx < b and t.idx + len(t.text) > a]
                expected = (inside[0], inside[-1] + 1) if inside else (0, len(doc))
                assert parsed.token_span((a, b)) == expected, (text, a, b)


def test_tree_distance_is_the_path_through_the_nearest_common_head(
    parses: list[Parsed],
) -> None:
    def up(token: Any) -> list[int]:
        path = [token.i]
        while token.head.i != token.i:
            token = token.head
            path.append(token.i)
        return path

    for parsed in parses:
        doc = parsed.doc
        for hits in ([0], [1, len(doc) - 1], list(range(0, len(doc), 3))):
            hits = [h for h in hits if h < len(doc)]
            distances = _tree_distances(parsed, hits)
            for token in doc:
                ups = {t: k for k, t in enumerate(up(token))}
                expected = min(
                    (k + ups[t] for h in hits for k, t in enumerate(up(doc[h])) if t in ups),
                    default=99,
                )
                assert distances[token.i] == expected


def test_a_reported_pronoun_and_the_subject_that_said_it_are_as_near_to_the_question() -> None:
    parsed = SpanRanker(tagger=None).table("Merrill Corp said it acquired Frayn Printing Co.")
    words = parsed.text
    corp, it, acquired = words.index("Corp"), words.index("it"), words.index("acquired")
    assert parsed.same[it] == (corp,) and parsed.same[corp] == (it,)
    assert sum(map(len, parsed.same)) == 2  # nothing else stands for anything
    distances = _tree_distances(parsed, [acquired])
    assert distances[corp] == distances[it] == 1
    # No such link without reported speech, or when the subject is a pronoun itself.
    for text in (
        "Merrill Corp acquired it.",
        "He said it acquired Frayn Printing Co.",
        "They opened in 2025, critics said.",
        "Merrill Corp said they acquired Frayn Printing Co.",
    ):
        assert not any(SpanRanker(tagger=None).table(text).same)


def test_a_memoised_parse_leaves_nothing_for_the_garbage_collector_to_walk() -> None:
    # Thousands of parses stay memoised; lists among them made each full collection walk
    # hundreds of thousands of objects.
    parsed = SpanRanker(tagger=None).table("Merrill Corp said it acquired Frayn Printing Co.")
    assert parsed.noun_chunks and parsed.root(0, 3) >= 0  # the cached ones are made
    # A collection stops tracking a tuple whose items are untracked: the inner tuples
    # first, then, at the next one, the tuples that hold them.
    gc.collect()
    gc.collect()
    tracked = [name for name, value in vars(parsed).items() if gc.is_tracked(value)]
    assert tracked == ["doc"]
