"""Answers to "What happened …?": the event the sentence tells.

The span model, fitted on SQuAD's few such questions, picks a noun phrase: "what happened
in Pont Sondé?" was answered "Savien Police Station". The answer is the sentence's main
clause with the clauses joined to it, from the subject on, less what the question already
says: a first clause that only restates it ("the cyanobacterium was assimilated, and [many
of its genes were lost]" asked what happened when it was assimilated) and trailing
modifiers made of its words. qa.predicate reads the question; "What happened to X?" is
what X did or underwent there, and this only when X is no subject.
"""

from __future__ import annotations

from qa.parsed import SUBJECTS, Parsed

_MODIFIERS = frozenset(("prep", "advcl", "advmod", "npadvmod", "agent"))  # when, where, how
_EVENT_SUBJECTS = SUBJECTS | {"expl", "csubj"}  # "There is heavy gunfire ..."


def event(parsed: Parsed, q_stems: frozenset[str]) -> tuple[int, int] | None:
    """The main clause with the clauses joined to it, from its subject on (what comes
    before the subject says when or where: the question's part), less a first clause that
    only restates the question ("[the cyanobacterium was assimilated,] and many of its genes
    were lost") and the last one's trailing modifiers made of the question's words ("the
    United States issued an alert [on August 5]" asked what happened on August 5)."""
    roots = [i for i in range(parsed.size) if parsed.head[i] == i and not parsed.punct[i]]
    if not roots:
        return None
    root = roots[0]
    verbs, starts = [root], [_start(parsed, root)]
    for c in parsed.children[root]:
        if parsed.dep[c] == "conj" and c > root and (begins := _start(parsed, c)) != c:
            verbs.append(c)  # a clause with a subject of its own
            starts.append(begins)
    end = parsed.right_edge[root] + 1
    start = starts[0]
    for i in range(len(verbs) - 1):
        if _share(parsed, starts[i], starts[i + 1], q_stems) < 0.5:
            break
        start = starts[i + 1]
    start, end = parsed.trim(start, _without_asked(parsed, verbs[-1], end, q_stems))
    return (start, end) if end - start > 1 else None


def _start(parsed: Parsed, verb: int) -> int:
    """Where the verb's clause starts: at its subject, or at the verb when it has none."""
    for c in parsed.children[verb]:
        if parsed.dep[c] in _EVENT_SUBJECTS:
            return int(parsed.left_edge[c])
    return verb


def _without_asked(parsed: Parsed, verb: int, end: int, q_stems: frozenset[str]) -> int:
    """The clause's end before the verb's trailing modifiers that the question already
    says."""
    for child in sorted(parsed.children[verb], reverse=True):
        if child <= verb or parsed.right_edge[child] + 1 < end - 1:
            continue
        if parsed.punct[child] or parsed.dep[child] == "cc":
            continue
        if parsed.dep[child] not in _MODIFIERS or _share(parsed, child, end, q_stems) < 0.5:
            break
        end = parsed.left_edge[child]
    return end


def _share(parsed: Parsed, start: int, end: int, q_stems: frozenset[str]) -> float:
    """The share of the range's content words that the question has."""
    content = [j for j in range(start, end) if parsed.content[j]]
    return sum(parsed.stems[j] in q_stems for j in content) / len(content) if content else 1.0
