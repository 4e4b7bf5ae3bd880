"""A parsed sentence's tokens as plain Python lists, read off spaCy's Doc once.

The span model reads the same few attributes of every token many times: each of a
sentence's 50 to 100 candidate phrases asks for its root, its words' stems and roles, and
its distance to the question's words. spaCy builds a new Token object on every `doc[i]`,
`token.head` or `for token in doc`, and that, not the arithmetic, was most of the span
model's time. Here each attribute is read once per parse, and the phrase roots that spaCy's
`Span.root` finds are found the same way on the lists.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import cached_property
from typing import Any

from qa.terms import STOP_WORDS, fold, stem

Doc = Any  # spacy.tokens.Doc: spaCy ships no type information
SUBJECTS = frozenset(("nsubj", "nsubjpass"))  # the dependency labels of a subject
# Pronouns that report what their speaker did ("X said it would ..."), with the tags of a
# subject of the same number.
_SINGULAR, _PLURAL = frozenset(("NN", "NNP")), frozenset(("NNS", "NNPS"))
REPORTED = {"it": _SINGULAR, "he": _SINGULAR, "she": _SINGULAR, "they": _PLURAL, "we": _PLURAL}


class Parsed:
    """One parsed text: its Doc and, per token, what the span model reads.

    The attributes are tuples, not lists: the answerer memoises thousands of parses, and
    Python's garbage collector stops tracking a tuple of strings and numbers, where it
    walks every list on each full collection. With lists, 1,580 Reuters questions left
    355,000 tracked objects behind (282,000 of them these lists), and each full collection
    paused the process for about 160 ms.
    """

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        tokens = list(doc)
        self.size = len(tokens)
        self.text = tuple(t.text for t in tokens)
        self.lower = tuple(t.lower_ for t in tokens)
        self.pos = tuple(t.pos_ for t in tokens)
        self.dep = tuple(t.dep_ for t in tokens)
        self.head = tuple(t.head.i for t in tokens)
        self.left_edge = tuple(t.left_edge.i for t in tokens)
        self.right_edge = tuple(t.right_edge.i for t in tokens)
        self.punct = tuple(t.is_punct for t in tokens)
        self.space = tuple(t.is_space for t in tokens)
        self.starts = tuple(t.idx for t in tokens)
        self.ends = tuple(t.idx + len(t.text) for t in tokens)
        self.stems = tuple(stem(fold(t.text)) for t in tokens)
        self.content = tuple(not t.is_punct and t.lower_ not in STOP_WORDS for t in tokens)
        children: list[list[int]] = [[] for _ in tokens]
        for i, h in enumerate(self.head):
            if h != i:
                children[h].append(i)
        self.children = tuple(map(tuple, children))
        self.same = self._reported_subjects()

    def _reported_subjects(self) -> tuple[tuple[int, ...], ...]:
        """Per token, the words it stands for: the subject of reported speech, when it is a
        pronoun after the verb reporting it, and the subject of that verb, when the two agree
        in number ("Merrill Corp said it acquired ...", "the unions said they would ..."),
        each for the other."""
        same: list[list[int]] = [[] for _ in range(self.size)]
        for i in range(self.size):
            number = REPORTED.get(self.lower[i])
            clause = self.head[i]
            if number is None or self.dep[i] not in SUBJECTS or self.dep[clause] != "ccomp":
                continue
            verb = self.head[clause]
            for j in self.children[verb]:
                if self.dep[j] == "nsubj" and j < verb < i and self.doc[j].tag_ in number:
                    same[i].append(j)
                    same[j].append(i)
        return tuple(map(tuple, same))

    @cached_property
    def noun_chunks(self) -> tuple[tuple[int, int], ...]:
        """Token ranges of the noun chunks (only an answer sentence's are ever asked for)."""
        return tuple((chunk.start, chunk.end) for chunk in self.doc.noun_chunks)

    @cached_property
    def _depth(self) -> tuple[int, ...]:
        """How spaCy ranks a word as a phrase's root: its distance to the sentence root,
        but a lone punctuation mark or space only when nothing else qualifies."""
        depth = []
        for i in range(self.size):
            if (self.space[i] or self.punct[i]) and not self.children[i]:
                depth.append(self.size - 1)
                continue
            steps, j = 0, i
            while self.head[j] != j:
                j = self.head[j]
                steps += 1
            depth.append(steps)
        return tuple(depth)

    def root(self, start: int, end: int) -> int:
        """The root token of doc[start:end], as spaCy's `Span.root` picks it: a sentence
        root inside the range, else the word nearest the sentence root whose head lies
        outside the range (the first of equals), else the first word."""
        head = self.head
        for i in range(start, end):
            if head[i] == i:
                return i
        best, root = self.size, -1
        for i in range(start, end):
            if start <= head[i] < end:
                continue
            if self._depth[i] < best:
                best, root = self._depth[i], i
        return start if root == -1 else root

    def trim(self, start: int, end: int) -> tuple[int, int]:
        """The token range without punctuation or space at either end."""
        while end > start and (self.punct[end - 1] or self.space[end - 1]):
            end -= 1
        while start < end and (self.punct[start] or self.space[start]):
            start += 1
        return start, end

    def token_span(self, span: tuple[int, int]) -> tuple[int, int]:
        """The token range covering a character span (the whole text if none)."""
        first = bisect_right(self.ends, span[0])  # the first token ending after its start
        last = bisect_left(self.starts, span[1])  # one past the last token starting before its end
        return (first, last) if first < last else (0, self.size)
