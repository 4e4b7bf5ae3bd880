"""Late interaction: token-by-token similarity that sees a paraphrase word overlap misses."""

from __future__ import annotations

import numpy as np

from index.embed import SentenceTransformerEmbedder
from qa.late import MATCH, LateInteraction, match


class Counting:
    """The real embedder, recording which texts each model run was given."""

    def __init__(self, embedder: SentenceTransformerEmbedder) -> None:
        self.embedder = embedder
        self.calls: list[list[str]] = []

    def embed_with_tokens(self, texts: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        self.calls.append(list(texts))
        return self.embedder.embed_with_tokens(texts)


def test_maxsim_prefers_the_paraphrase_to_the_sentence_sharing_words(
    embedder: SentenceTransformerEmbedder,
) -> None:
    late = LateInteraction(embedder)
    _, (question,) = embedder.embed_with_tokens(["How many people were killed in the attack?"])
    paraphrase = "The assault left 25 dead, according to hospital staff."
    shared_words = "People attended a concert in the city centre on Saturday."
    scores = [f["maxsim"] for f in late.features(question, [paraphrase, shared_words])]
    assert scores[0] > scores[1]
    assert all(0.0 < s <= 1.0 for s in scores)


def test_a_sentence_is_encoded_once_and_scored_the_same_from_the_memo(
    embedder: SentenceTransformerEmbedder,
) -> None:
    counting = Counting(embedder)
    late = LateInteraction(counting)
    _, (question,) = embedder.embed_with_tokens(["Who leads the mission?"])
    first = [f["maxsim"] for f in late.features(question, ["Kenya leads the mission."] * 2)]
    (again,) = [f["maxsim"] for f in late.features(question, ["Kenya leads the mission."])]
    assert counting.calls == [["Kenya leads the mission."]]
    assert first[0] == first[1] and abs(again - first[0]) < 1e-3  # float16 memo


def test_maxsim_of_identical_tokens_is_one_and_of_nothing_is_zero() -> None:
    tokens = np.eye(3, dtype=np.float32)
    assert match(tokens, tokens)["maxsim"] == 1.0
    assert match(tokens, np.zeros((0, 3), dtype=np.float32))["maxsim"] == 0.0


def test_match_widens_to_the_neighbour_that_holds_the_rest_of_the_question() -> None:
    question = np.eye(4, dtype=np.float32)[:2]  # two question tokens
    sentence = np.eye(4, dtype=np.float32)[[0, 2]]  # holds the first only
    before = np.eye(4, dtype=np.float32)[[1]]  # holds the second
    found = match(question, sentence, before=before, after=None)
    assert found["maxsim"] == 0.5 and found["maxsim_before"] == 1.0
    assert found["maxsim_after"] == found["maxsim"]  # no sentence after: the sentence alone
    assert found["maxsim_peak"] == 1.0 and found["maxsim_found"] == 0.5
    assert found["maxsim_reverse"] == 0.5  # one of the sentence's two tokens is asked about


def test_match_of_no_tokens_is_all_zero() -> None:
    found = match(np.eye(3, dtype=np.float32), np.zeros((0, 3), dtype=np.float32))
    assert tuple(found) == MATCH and not any(found.values())


def test_neighbours_without_stored_tokens_are_encoded_in_the_same_model_run(
    embedder: SentenceTransformerEmbedder,
) -> None:
    counting = Counting(embedder)
    late = LateInteraction(counting)
    _, (question,) = embedder.embed_with_tokens(["Who leads the mission in Haiti?"])
    _, (stored,) = embedder.embed_with_tokens(["He leads it from Port-au-Prince."])
    (found,) = late.features(
        question,
        ["He leads it from Port-au-Prince."],
        [stored],
        before=[("Kenya sent police to Haiti.", None)],
        after=[None],
    )
    assert counting.calls == [["Kenya sent police to Haiti."]]
    assert found["maxsim_before"] > found["maxsim"] == found["maxsim_after"]
