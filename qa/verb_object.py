"""Answers to "What did X acquire?": the object of the question's verb in the sentence.

A question that ends on its verb ("What did Instrumentarium acquire?", "What did the study
examine?", "What do supporters believe their views reflect?") asks for what the verb was
done to. The span model picks a noun phrase near the question's words, often part of the
object ("electronics components importers" of "it has acquired electronics components
importers and marketers <Ferrado Oy> and <Insele Oy>") or a phrase beside it. Here the
answer is the whole object of that verb in the sentence, without a relative clause set off
by a comma ("the Kuznets curve hypothesis[, which states …]"), and with what the object is
to do where the verb says it ("urged [its citizens to avoid Tabarre]").

The verb is found by its base form's stem ("bought" for "buy", qa.verb_roles), and its
subject must name the question's subject, stand for it ("it", "they", "All three") or be
missing. "What did X do?" and "What did X say?" are qa.predicate's. Else None, and the span
model chooses.
"""

from __future__ import annotations

import re

from qa.parsed import SUBJECTS, Parsed
from qa.span import question_stems
from qa.verb_roles import verb_stem, verbs

_ASKS_OBJECT = re.compile(
    r"^\s*what\s+(?:did|does|do|has|have|had|will|would|can|could|should|might|may|must)\s+"
    r".+\s(\w+)\W*$",
    re.IGNORECASE,
)
_NAMING = frozenset(("NOUN", "PROPN"))
_SET_OFF = frozenset(("relcl", "acl"))


def asks_object(question: str) -> str | None:
    """The stem of the question's verb when the question asks what it was done to ("acquir"
    of "What did Instrumentarium acquire?"), else None."""
    m = _ASKS_OBJECT.match(question)
    # The word after the auxiliary's subject is the verb, however the parse tags it at the
    # question's end ("What did the fossils lack?": a noun to spaCy's small model).
    return verb_stem(m.group(1)) if m else None


def verb_object(question: str, verb: str, parsed: Parsed) -> tuple[int, int] | None:
    """The token range of the object of the sentence's first verb with the stem `verb`
    whose subject is the question's (see the module), or None."""
    q_stems = question_stems(question)
    for i in verbs(parsed, verb):
        subjects = [c for c in parsed.children[i] if parsed.dep[c] in SUBJECTS]
        if subjects and not any(_names(parsed, s, q_stems) for s in subjects):
            continue
        objects = [c for c in parsed.children[i] if parsed.dep[c] == "dobj"]
        if not objects:
            continue
        head = objects[0]
        end = parsed.right_edge[head] + 1
        for child in parsed.children[head]:
            before = parsed.left_edge[child] - 1
            if parsed.dep[child] in _SET_OFF and child > head and parsed.punct[before]:
                end = min(end, before)
        if end == parsed.right_edge[head] + 1:
            # "urged [its citizens] to avoid Tabarre": whom, and what they are to do.
            done = [c for c in parsed.children[i] if parsed.dep[c] == "xcomp" and c > head]
            if done:
                end = parsed.right_edge[done[0]] + 1
        start, end = parsed.trim(parsed.left_edge[head], end)  # "the PSP[,] in the US"
        return (start, end) if start < end else None
    return None


def _names(parsed: Parsed, subject: int, q_stems: frozenset[str]) -> bool:
    """Whether the subject names the question's subject (it, or what it reports, shares a
    content word with the question), or stands for something named before: no noun in it
    ("it", "All three")."""
    phrase = range(parsed.left_edge[subject], parsed.right_edge[subject] + 1)
    if not any(parsed.pos[j] in _NAMING for j in phrase):
        return True
    for word in (subject, *parsed.same[subject]):
        for j in range(parsed.left_edge[word], parsed.right_edge[word] + 1):
            if parsed.content[j] and parsed.stems[j] in q_stems:
                return True
    return False
