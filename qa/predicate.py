""" "What did X do?": the answer is what the sentence says X did, its predicate.

The span model was fitted on SQuAD, where such questions are rare (8 of xquad-en's 1,190),
and picks a noun phrase for them ("the Bundesbank would allow interest rates to ease"
answered "senior European economist"). In the news they are common, so a rule answers
them: the verb whose subject is the question's X, from its auxiliaries to the end of its
phrase, without X itself.
"""

from __future__ import annotations

import re
from typing import Any

from qa.parsed import Parsed
from qa.span import question_stems
from qa.terms import STOP_WORDS, fold, stem

# "What" and an auxiliary: "What did ...", "What will ...", not "What year did ...".
_ASKS_WHAT_DONE = re.compile(
    r"^\s*what\s+(?:do|does|did|will|would|can|could|should|must|might|may|has|have|had"
    r"|is|are|was|were)(?:n't)?\b.*\bdo(?:es|ing)?\b",
    re.IGNORECASE,
)
_DO = frozenset(("do", "does", "did", "doing"))
_SUBJECT = frozenset(("nsubj", "nsubjpass"))
_BEFORE_VERB = frozenset(("aux", "auxpass", "neg"))


def asks_what_done(question: str, question_doc: Any) -> bool:
    """Whether the question asks what someone did: "What did X do?", "What will X do
    about Y?", "What did X begin to do?" ("do" the verb, not the auxiliary)."""
    if not _ASKS_WHAT_DONE.search(question):
        return False
    # The first verb after the auxiliary is "do", or governs it ("forbidden to do"): not
    # "What does X use as a standard?".
    verbs = [t for t in question_doc[2:] if t.pos_ == "VERB"]
    do = next((t for t in verbs if t.lower_ in _DO), None)
    return do is not None and (do == verbs[0] or (do.dep_ == "xcomp" and do.head == verbs[0]))


def predicate(question: str, question_doc: Any, parsed: Parsed) -> tuple[int, int] | None:
    """The token range of what the sentence says the question's subject did, or None.

    The subject is the sentence's subject (or a pronoun standing for one, qa.parsed) that
    shares most words with the question's subject (or, if the parse finds none, with the
    question), else the main clause's: "The company installed ..." answers "What did Tesla
    Electric do?". When the question asks what X began or set out to do, the answer is the
    clause X's verb governs: "began to thaw".
    """
    q_stems = _subject_stems(question_doc) or question_stems(question)
    best, best_overlap = -1, (0, False)
    for i in range(parsed.size):
        if parsed.dep[i] not in _SUBJECT:
            continue
        if best < 0 and parsed.dep[parsed.head[i]] == "ROOT":
            best = i  # the main clause's subject, unless another names the question's
        for word in (i, *parsed.same[i]):
            phrase = range(parsed.left_edge[word], parsed.right_edge[word] + 1)
            overlap = sum(parsed.content[j] and parsed.stems[j] in q_stems for j in phrase)
            # "X said it would ...": what X will do is what "it" would, not the saying.
            if overlap and (overlap, word != i) > best_overlap:
                best, best_overlap = i, (overlap, word != i)
    if best < 0:
        return None
    verb = parsed.head[best]
    if parsed.pos[verb] not in ("VERB", "AUX") or verb < best:
        return None  # no verb, or one before its subject ("said X"): no predicate to quote
    if any(t.lower_ in _DO and t.dep_ == "xcomp" for t in question_doc):  # "begin to do"
        clause = [c for c in parsed.children[verb] if parsed.dep[c] == "xcomp"]
        if clause:
            verb = clause[0]
    before = [
        c
        for c in parsed.children[verb]
        if parsed.dep[c] in _BEFORE_VERB and parsed.lower[c] != "to"  # "would", not "to"
    ]
    start = min([verb, *before])
    start = max(start, parsed.right_edge[best] + 1)
    end = parsed.right_edge[verb] + 1
    while end > start and (parsed.punct[end - 1] or parsed.space[end - 1]):
        end -= 1
    while start < end and (parsed.punct[start] or parsed.space[start]):
        start += 1
    return (start, end) if end - start > 1 else None  # "dealers noted": no answer in one word


def _subject_stems(question_doc: Any) -> frozenset[str]:
    """The stems of the content words of the question's subject: "the Bundesbank" of "What
    did the Bundesbank do with interest rates?", not the rates."""
    for token in question_doc:
        if token.lower_ in _DO and token.pos_ == "VERB":
            verb = token.head if token.dep_ == "xcomp" else token
            return frozenset(
                stem(fold(word.text))
                for child in verb.children
                if child.dep_ in _SUBJECT and child.lower_ not in ("what", "who")
                for word in child.subtree
                if not word.is_punct and word.lower_ not in STOP_WORDS
            )
    return frozenset()
