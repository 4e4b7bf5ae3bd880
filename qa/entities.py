"""Named entities as answer-type evidence: a "who" question wants a PERSON, and so on.

spaCy's small English pipeline runs at question time on the few best candidate sentences
only, so indexing costs nothing extra.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from qa import english
from qa.memo import Memo
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

    def __init__(self, memo_size: int = _MEMO_SIZE) -> None:
        self._nlp = _pipeline()
        # The sentences tagged lately; the least recently used go first when it is full.
        self._memo: Memo[str, tuple[Entity, ...]] = Memo(memo_size)
        self._lock = threading.Lock()  # one tagging at a time: spaCy makes no thread promise

    def tag(self, sentences: list[str]) -> None:
        """Tag sentences not seen yet, in one batch."""
        with self._lock:
            self._tag(sentences)

    def entities(self, sentence: str) -> tuple[Entity, ...]:
        """Every entity of the sentence: (start, end, label), character offsets."""
        with self._lock:
            return self._tag([sentence])[sentence]

    def _tag(self, sentences: list[str]) -> dict[str, tuple[Entity, ...]]:
        """The sentences' entities, tagging what is not memoised; the caller holds the lock.

        The pipeline reads each sentence flat (english.flat), and the memo is keyed by the
        flat text: its offsets are the sentence's own, however it was wrapped.
        """
        flats = {sentence: english.flat(sentence) for sentence in sentences}
        found, todo = self._memo.lookup(flats.values())
        for text, doc in zip(todo, self._nlp.pipe(todo), strict=True):
            found[text] = tuple((e.start_char, e.end_char, e.label_) for e in doc.ents)
            self._memo.put(text, found[text])
        return {sentence: found[text] for sentence, text in flats.items()}

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
