"""Named entities as answer-type evidence: a "who" question wants a PERSON, and so on.

The indexer keeps every sentence's entities (index.analysis); the answerer hands them to
the tagger with `know`, and spaCy runs at question time only on sentences indexed without
them.
"""

from __future__ import annotations

import threading

from index import english
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


class EntityTagger:
    """Finds entities of the type a question asks for inside a sentence."""

    def __init__(self, memo_size: int = _MEMO_SIZE) -> None:
        self._pipeline = english.recogniser()
        # The sentences tagged lately; the least recently used go first when it is full.
        self._memo: Memo[str, tuple[Entity, ...]] = Memo(memo_size)
        self._lock = threading.Lock()  # one lookup-then-tag at a time

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
        for text, doc in zip(todo, self._pipeline.pipe(todo), strict=True):
            found[text] = entities_of(doc)
            self._memo.put(text, found[text])
        return {sentence: found[text] for sentence, text in flats.items()}

    def knows(self, sentence: str) -> bool:
        """Whether the sentence's entities are at hand, without tagging it."""
        return self._memo.get(english.flat(sentence)) is not None

    def know(self, sentence: str, doc: english.Doc) -> None:
        """Take the sentence's entities from its analysis (a Doc of its flat text, as
        index.analysis restores it) instead of tagging it."""
        self._memo.put(english.flat(sentence), entities_of(doc))

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


def entities_of(doc: english.Doc) -> tuple[Entity, ...]:
    """A Doc's entities as (start, end, label), character offsets."""
    return tuple((e.start_char, e.end_char, e.label_) for e in doc.ents)
