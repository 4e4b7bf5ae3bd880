"""Late interaction: how closely a sentence's tokens match the question's, token by token.

Every token of the question is paired with its most similar token of the sentence, using
the embedding model's own contextual token vectors, and the similarities are averaged
(ColBERT's MaxSim, with the unchanged sentence-transformers model). Word overlap misses a
paraphrase ("casualties" for "killed"), and one vector per sentence blurs which words
matched; this sees both. The indexer keeps each sentence's token vectors from the model run
that embedded it (index.token_vectors), so scoring a sentence costs no model run. Sentences
without them (an index written before they were kept, or a database) cost a model run
each, so only the few best candidates of a question get this evidence, and their token
vectors are memoised.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from index.embed import TokenEmbedder, Vectors
from qa.memo import Memo

_MEMO_SIZE = 2048  # sentences; float16, about 25 kB each
# Longer sentences are read up to here: the cost of a model run grows with the length, and
# a question's words are nearly always matched early.
MAX_CHARS = 400

Half = npt.NDArray[np.float16]


class LateInteraction:
    """MaxSim scores of candidate sentences against a question's token vectors."""

    def __init__(self, embedder: TokenEmbedder) -> None:
        self.embedder = embedder
        self._memo: Memo[str, Half] = Memo(_MEMO_SIZE)  # least recently used go first

    def scores(
        self,
        question_tokens: Vectors,
        sentences: Sequence[str],
        stored: Sequence[Vectors | None] | None = None,
    ) -> list[float]:
        """For each sentence, the mean over question tokens of their best cosine in it.

        `stored` holds each sentence's token vectors where the index kept them (None where
        it did not); only the others are run through the model.
        """
        kept = list(stored) if stored is not None else [None] * len(sentences)
        computed = self._tokens([s for s, k in zip(sentences, kept, strict=True) if k is None])
        return [
            maxsim(question_tokens, k if k is not None else computed[s])
            for s, k in zip(sentences, kept, strict=True)
        ]

    def _tokens(self, sentences: Sequence[str]) -> dict[str, Half]:
        if not sentences:
            return {}
        found, todo = self._memo.lookup(sentences)
        if todo:
            _, vectors = self.embedder.embed_with_tokens([s[:MAX_CHARS] for s in todo])
            for s, v in zip(todo, vectors, strict=True):
                found[s] = v.astype(np.float16)
                self._memo.put(s, found[s])
        return found


def maxsim(question_tokens: Vectors, sentence_tokens: Vectors | Half) -> float:
    """Mean over the question's tokens of the highest cosine with a sentence token."""
    if not len(question_tokens) or not len(sentence_tokens):
        return 0.0
    similarity = question_tokens @ sentence_tokens.astype(np.float32).T
    return float(similarity.max(axis=1).mean())
