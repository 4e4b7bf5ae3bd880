"""Late interaction: how closely a sentence's tokens match the question's, token by token.

Every token of the question is paired with its most similar token of the sentence, using
the embedding model's own contextual token vectors, and the similarities are averaged
(ColBERT's MaxSim, with the unchanged sentence-transformers model). Word overlap misses a
paraphrase ("casualties" for "killed"), and one vector per sentence blurs which words
matched; this sees both. `match` also widens the match to the sentences on either side
(a question's words are often split between a sentence and its neighbour) and reads how
much of the question, and of the sentence, found a partner. The indexer keeps each
sentence's token vectors from the model run that embedded it (index.token_vectors), so
scoring a sentence and its neighbours costs no model run. Sentences without them (an
index written before they were kept, or a database) cost a model run each, so only the
few best candidates of a question get this evidence, and their token vectors are memoised.
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
# A sentence's text and its stored token vectors (None where the index kept none).
Neighbour = tuple[str, Vectors | None]


class LateInteraction:
    """Token-level evidence of candidate sentences against a question's token vectors."""

    def __init__(self, embedder: TokenEmbedder) -> None:
        self.embedder = embedder
        self._memo: Memo[str, Half] = Memo(_MEMO_SIZE)  # least recently used go first

    def features(
        self,
        question_tokens: Vectors,
        sentences: Sequence[str],
        stored: Sequence[Vectors | None] | None = None,
        before: Sequence[Neighbour | None] | None = None,
        after: Sequence[Neighbour | None] | None = None,
    ) -> list[dict[str, float]]:
        """Each sentence's token-level evidence (`match`). `before` and `after` hold the
        sentence next to each one in its article (None where there is none): its text and
        its stored token vectors. All token vectors not stored are computed in one model run.
        """
        none: list[Neighbour | None] = [None] * len(sentences)
        own = list(zip(sentences, stored or [None] * len(sentences), strict=True))
        sides = (list(before or none), list(after or none))
        wanted = [n for n in (*own, *sides[0], *sides[1]) if n is not None and n[1] is None]
        computed = self._tokens([text for text, _ in wanted])

        def tokens(n: Neighbour | None) -> Vectors | Half | None:
            return None if n is None else n[1] if n[1] is not None else computed[n[0]]

        return [
            match(question_tokens, k if k is not None else computed[s], tokens(b), tokens(a))
            for (s, k), b, a in zip(own, *sides, strict=True)
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


# A question token whose best cosine in the sentence reaches this counts as found there.
FOUND = 0.6
# The evidence `match` gives, by name.
MATCH = (
    "maxsim",
    "maxsim_before",
    "maxsim_after",
    "maxsim_peak",
    "maxsim_found",
    "maxsim_reverse",
)


def match(
    question_tokens: Vectors,
    sentence_tokens: Vectors | Half,
    before: Vectors | Half | None = None,
    after: Vectors | Half | None = None,
) -> dict[str, float]:
    """The sentence's token-level evidence, every value in [0, 1] or near it:
    - maxsim: the mean over the question's tokens of their best cosine in the sentence;
    - maxsim_before / maxsim_after: the same over the sentence and the one before / after
      it (the sentence itself where there is none), since a question's words are often
      split between a sentence and its neighbour ("He" there, the name here);
    - maxsim_peak: the best single token match;
    - maxsim_found: the share of the question's tokens found (cosine >= FOUND);
    - maxsim_reverse: the mean over the sentence's tokens of their best cosine in the
      question, high for a sentence that is about nothing but the question.
    """
    if not len(question_tokens) or not len(sentence_tokens):
        return dict.fromkeys(MATCH, 0.0)
    similarity = question_tokens @ sentence_tokens.astype(np.float32, copy=False).T
    best = similarity.max(axis=1)
    widened = [
        np.maximum(best, (question_tokens @ n.astype(np.float32, copy=False).T).max(axis=1))
        if n is not None and len(n)
        else best
        for n in (before, after)
    ]
    return {
        "maxsim": float(best.mean()),
        "maxsim_before": float(widened[0].mean()),
        "maxsim_after": float(widened[1].mean()),
        "maxsim_peak": float(best.max()),
        "maxsim_found": float((best >= FOUND).mean()),
        "maxsim_reverse": float(similarity.max(axis=0).mean()),
    }
