"""Answers to "What infrastructure does the MSS guard?": the instances the sentence names.

A which- or what-question asks for a kind of thing (qa.focus). When the sentence names that
kind and then lists what it includes ("key national infrastructure, including [Haiti's
main international airport and seaport]", "many industries, such as [automobiles]"), the
instances are the answer; the span model, which weighs the question's words, picked the
kind itself ("key national infrastructure"). A list that names the question's own words
("Islamist movements like [the Muslim Brotherhood]" asked what type of movement the
Brotherhood is) is no answer: the question asks for the kind. Else None, and the span
model chooses.
"""

from __future__ import annotations

from typing import Any

from qa.focus import FRAMES, focus
from qa.parsed import Parsed
from qa.span import question_stems
from qa.terms import fold, stem

_INCLUDING = frozenset(("including", "like", "as"))  # "as" only after "such"


def instances(question: str, question_doc: Any, parsed: Parsed) -> tuple[int, int] | None:
    """The token range of what the sentence lists of the kind the question asks for, or
    None (see the module)."""
    kinds = _kinds(question, question_doc)
    if not kinds:
        return None
    q_stems = question_stems(question)
    for i in range(parsed.size):
        if parsed.stems[i] not in kinds:
            continue
        for prep in parsed.children[i]:
            if parsed.dep[prep] != "prep" or parsed.lower[prep] not in _INCLUDING or prep < i:
                continue
            if parsed.lower[prep] == "as" and "such" not in map(
                parsed.lower.__getitem__, parsed.children[prep]
            ):
                continue  # "companies as diverse as …" lists nothing
            for listed in parsed.children[prep]:
                if parsed.dep[listed] != "pobj":
                    continue
                start, end = parsed.trim(parsed.left_edge[listed], parsed.right_edge[listed] + 1)
                if start < end and not any(
                    parsed.content[j] and parsed.stems[j] in q_stems for j in range(start, end)
                ):
                    return start, end
    return None


def _kinds(question: str, question_doc: Any) -> frozenset[str]:
    """The stems of the kind asked for: the word after "which" or "what" (qa.focus), and
    the noun the parse has "which" or "what" determine ("infrastructure" of "what key
    infrastructure", "movement" of "what kind of movement")."""
    kinds = {focus(question)}
    for token in question_doc:
        if token.lower_ in ("what", "which") and token.dep_ == "det":
            noun = token.head
            if noun.lower_ in FRAMES:
                noun = next((t for t in noun.subtree if t.dep_ == "pobj"), noun)
            kinds.add(stem(fold(noun.text)))
            break
    return frozenset(kind for kind in kinds if kind)
