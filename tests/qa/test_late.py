"""Late interaction: token-by-token similarity that sees a paraphrase word overlap misses."""

from __future__ import annotations

import numpy as np

from index.embed import SentenceTransformerEmbedder
from qa.late import LateInteraction, maxsim


def test_maxsim_prefers_the_paraphrase_to_the_sentence_sharing_words(
    embedder: SentenceTransformerEmbedder,
) -> None:
    late = LateInteraction(embedder)
    _, (question,) = embedder.embed_with_tokens(["How many people were killed in the attack?"])
    paraphrase = "The assault left 25 dead, according to hospital staff."
    shared_words = "People attended a concert in the city centre on Saturday."
    scores = late.scores(question, [paraphrase, shared_words])
    assert scores[0] > scores[1]
    assert all(0.0 < s <= 1.0 for s in scores)


def test_a_sentence_is_encoded_once_and_scored_the_same_from_the_memo(
    embedder: SentenceTransformerEmbedder,
) -> None:
    calls: list[list[str]] = []

    class Counting:
        def embed_with_tokens(self, texts: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
            calls.append(list(texts))
            return embedder.embed_with_tokens(texts)

    late = LateInteraction(Counting())
    _, (question,) = embedder.embed_with_tokens(["Who leads the mission?"])
    first = late.scores(question, ["Kenya leads the mission.", "Kenya leads the mission."])
    again = late.scores(question, ["Kenya leads the mission."])
    assert calls == [["Kenya leads the mission."]]
    assert first[0] == first[1] and abs(again[0] - first[0]) < 1e-3  # float16 memo


def test_maxsim_of_identical_tokens_is_one_and_of_nothing_is_zero() -> None:
    tokens = np.eye(3, dtype=np.float32)
    assert maxsim(tokens, tokens) == 1.0
    assert maxsim(tokens, np.zeros((0, 3), dtype=np.float32)) == 0.0
