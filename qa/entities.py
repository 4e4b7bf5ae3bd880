"""Named entities as answer-type evidence: a "who" question wants a PERSON, and so on.

spaCy's small English pipeline runs at question time on the few best candidate sentences
only, so indexing costs nothing extra.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from qa import english
from qa.span import Span, all_in_question, question_stems, question_type

# The entity labels that can answer each question type of qa.span.question_type.
EXPECTED = {
    "name": {"PERSON", "ORG", "NORP"},
    "date": {"DATE", "TIME"},
    "place": {"GPE", "LOC", "FAC"},
    "number": {"CARDINAL", "QUANTITY", "MONEY", "PERCENT"},
}
_MEMO_SIZE = 20_000

Entity = tuple[int, int, str]


@lru_cache(maxsize=1)
def _pipeline() -> Any:
    """spaCy's small English model, loaded once per process, with only what NER needs.

    The model's NER has a token encoder of its own; the shared `tok2vec` feeds the tagger
    and the parser only, so it is left out too. With it, tagging 3 sentences took about
    17 ms instead of 11, for the same entities.
    """
    return english.load(exclude=["tok2vec", "parser", "lemmatizer", "tagger", "attribute_ruler"])


class EntityTagger:
    """Finds entities of the type a question asks for inside a sentence."""

    def __init__(self) -> None:
        self._nlp = _pipeline()
        self._memo: dict[str, tuple[Entity, ...]] = {}
        self._lock = threading.Lock()  # one tagging at a time: spaCy makes no thread promise

    def tag(self, sentences: list[str]) -> None:
        """Tag sentences not seen yet, in one batch."""
        with self._lock:
            self._tag(sentences)

    def entities(self, sentence: str) -> tuple[Entity, ...]:
        """Every entity of the sentence: (start, end, label), character offsets."""
        with self._lock:
            self._tag([sentence])
            return self._memo[sentence]

    def _tag(self, sentences: list[str]) -> None:
        """Tag what is not memoised yet; the caller holds the lock."""
        todo = [s for s in dict.fromkeys(sentences) if s not in self._memo]
        if len(self._memo) + len(todo) > _MEMO_SIZE:
            self._memo.clear()
        for sentence, doc in zip(todo, self._nlp.pipe(todo), strict=True):
            self._memo[sentence] = tuple((e.start_char, e.end_char, e.label_) for e in doc.ents)

    def wants_entities(self, question: str) -> bool:
        """Whether some entity type answers the question (who, when, where, how many)."""
        return question_type(question) in EXPECTED

    def answer_entities(self, question: str, sentence: str) -> list[Span]:
        """Entities in the sentence of the type the question wants, not named in it."""
        wanted = EXPECTED.get(question_type(question))
        if not wanted:
            return []
        q_stems = question_stems(question)
        return [
            (start, end)
            for start, end, label in self.entities(sentence)
            if label in wanted and not all_in_question(sentence[start:end], q_stems)
        ]
