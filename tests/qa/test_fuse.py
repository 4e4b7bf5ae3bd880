"""Hybrid retrieval fuses the two rankings by their scores, not only their ranks."""

from __future__ import annotations

import pytest

from qa.retrieve import LEXICAL_WEIGHT, fuse


def order(fused: dict[int, float]) -> list[int]:
    return sorted(fused, key=lambda pid: (-fused[pid], pid))


def test_a_passage_bm25_puts_first_by_far_beats_one_both_rank_fairly_high() -> None:
    # Passage 1 holds the question's rare words (BM25 30 against 13 for the next) and is
    # not among the dense results; reciprocal rank fusion put 2, 3 and 4 before it.
    dense = [(2, 0.46), (3, 0.45), (4, 0.45), (5, 0.50)]
    lexical = [(1, 30.2), (2, 13.2), (3, 10.9), (4, 10.8)]
    assert order(fuse(dense, lexical))[0] == 1


def test_a_passage_one_ranking_did_not_return_gets_that_rankings_lowest_score() -> None:
    dense = [(1, 0.8), (2, 0.5)]
    lexical = [(3, 10.0), (1, 5.0)]
    fused = fuse(dense, lexical)
    assert fused[2] == pytest.approx((1 - LEXICAL_WEIGHT) * 0.5 + LEXICAL_WEIGHT * 0.5)
    assert fused[3] == pytest.approx((1 - LEXICAL_WEIGHT) * 0.5 + LEXICAL_WEIGHT * 1.0)
    assert fused[1] == pytest.approx((1 - LEXICAL_WEIGHT) * 0.8 + LEXICAL_WEIGHT * 0.5)


@pytest.mark.parametrize("side", ["dense", "lexical"])
def test_one_ranking_alone_keeps_its_order(side: str) -> None:
    ranking = [(7, 0.9), (3, 0.7), (9, 0.2)] if side == "dense" else [(7, 12.0), (3, 4.0), (9, 1.5)]
    fused = fuse(ranking, []) if side == "dense" else fuse([], ranking)
    assert order(fused) == [7, 3, 9]


def test_nothing_found_fuses_to_nothing() -> None:
    assert fuse([], []) == {}
    assert order(fuse([], [(4, 0.0), (5, 0.0)])) == [4, 5]  # BM25 scores of zero: no division
