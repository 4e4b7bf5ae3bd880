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

from qa.focus import focus
from qa.parsed import Parsed
from qa.span import question_stems

_INCLUDING = frozenset(("including", "like", "as"))  # "as" only after "such"


def instances(question: str, parsed: Parsed) -> tuple[int, int] | None:
    """The token range of what the sentence lists of the kind the question asks for, or
    None (see the module)."""
    kind = focus(question)
    if kind is None:
        return None
    q_stems = question_stems(question)
    for i in range(parsed.size):
        if parsed.stems[i] != kind:
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
