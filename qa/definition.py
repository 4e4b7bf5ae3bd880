"""Answers to "What is X?" and "Who is X?": what the sentence says X is.

News introduces a name once, with what it is: "Mitchell Kapor, chairman of the Mozilla
foundation, warned …", "a short-range messaging application called Pictochat", "the
Multinational Security Support Mission (MSS)", "Clades are genetic branches …". The span
model, fitted on SQuAD's few such questions, picks a noun phrase near the name instead:
"what is Pictochat?" was answered "Project Rub", the next item of the list.

A question asks what X is when it is only "what" or "who", a form of "be" and X, and X is a
name ("Pictochat", "the Haitian Police Academy") or a term ("clades", "a twin prime"), not
something of something ("Richard's fiancee", "the population of Warsaw") nor a role or a
property ("the Norman religion", "the average family size"), whose answer is a value. The
sentence's words for X are found by their stems, and what they are is, in this order: what
they are said to be ("Engineering News-Record (ENR) is [a trade magazine …]"), the phrase
set beside them ("Kapor, [chairman of the Mozilla foundation]", not an acronym alone), the
phrase they are set beside ("[the Multinational Security Support Mission] (MSS)"), what a
bracket after them says ("construction managers ([firms engaged in managing …])"), the noun
that calls them so ("[a short-range messaging application] called Pictochat"), the things
they are one of ("[trade unions] such as ATL, NUT or NASUWT") or the words before a name
("[Linux founder] Linus Torvalds"). Else None, and the span model chooses.
"""

from __future__ import annotations

from typing import Any

from qa.parsed import Parsed
from qa.terms import content_stems, stem

_ASKING = frozenset(("what", "who"))
_BE = frozenset(("is", "are", "was", "were", "'s", "’s"))  # the parse has no lemmas
_PROPER = frozenset(("NNP", "NNPS"))
_CALLING = frozenset(map(stem, ("called", "named", "known", "dubbed", "titled")))
_EXAMPLES = frozenset(("e.g.", "e.g", "eg", "see", "such"))
_BESIDE = frozenset(("compound", "amod", "nmod"))  # "Linux founder" of "Linus Torvalds"


def asks_definition(question_doc: Any) -> frozenset[str] | None:
    """The stems of X's words when the question asks what X is, else None."""
    tokens = [t for t in question_doc if not t.is_punct]
    if len(tokens) < 3 or tokens[0].lower_ not in _ASKING or tokens[1].lower_ not in _BE:
        return None
    phrase = tokens[2:]
    inside = {t.i for t in phrase}
    roots = [t for t in phrase if t.head.i not in inside]
    if len(roots) != 1 or roots[0].head.i != tokens[1].i:
        return None  # more than X: "What was Warsaw's population in 1901?"
    x = roots[0]  # the parse has it as the subject or as the attribute, either way
    if any(c.dep_ in ("poss", "prep", "case", "relcl", "acl") for c in x.children):
        return None  # something of something: "Who was Richard's fiancee?"
    articles = [c.lower_ for c in x.children if c.dep_ == "det"]
    if articles and articles != ["a"] and articles != ["an"] and x.tag_ not in _PROPER:
        return None  # "the Norman religion" asks for a value
    return content_stems(phrase) or None


def definition(x_stems: frozenset[str], parsed: Parsed) -> tuple[int, int] | None:
    """The token range of what the sentence says X is (see the module), or None."""
    run = _run(x_stems, parsed)
    if run is None:
        return None
    start, end = run
    head = parsed.root(start, end)
    verb = parsed.head[head]
    if parsed.dep[head] == "nsubj" and parsed.lower[verb] in _BE:
        for child in parsed.children[verb]:
            if parsed.dep[child] == "attr" and child > head:
                return _phrase(parsed, parsed.left_edge[child], parsed.right_edge[child] + 1)
    for child in parsed.children[head]:
        # Set beside X, unless only its acronym: "Engineering News-Record (ENR)".
        if parsed.dep[child] == "appos" and not start <= child < end:
            if parsed.left_edge[child] < parsed.right_edge[child]:
                return _phrase(parsed, parsed.left_edge[child], parsed.right_edge[child] + 1)
    if parsed.dep[head] == "appos" and verb < start:
        return _phrase(parsed, parsed.left_edge[verb], start)
    if parsed.stems[verb] in _CALLING and parsed.dep[verb] == "acl" and verb < start:
        named = parsed.head[verb]
        return _phrase(parsed, parsed.left_edge[named], verb)
    bracketed = _in_brackets(parsed, end)
    if bracketed is not None:
        return bracketed
    kind = _kind(parsed, head)
    if kind is not None:
        return kind
    before = [
        c
        for c in parsed.children[head]
        if parsed.dep[c] in _BESIDE and c < start and parsed.pos[c] in ("NOUN", "PROPN", "ADJ")
    ]
    if before and parsed.pos[head] == "PROPN":
        return _phrase(parsed, min(parsed.left_edge[c] for c in before), start)
    return None


def _in_brackets(parsed: Parsed, end: int) -> tuple[int, int] | None:
    """What a bracket right after X says, when it says more than an acronym: "construction
    managers ([firms engaged in managing construction projects …])"."""
    if end >= parsed.size or parsed.lower[end] != "(":
        return None
    close = next((i for i in range(end + 1, parsed.size) if parsed.lower[i] == ")"), None)
    if close is None or close - end < 3 or parsed.lower[end + 1] in _EXAMPLES:
        return None  # an acronym, or examples: "construction service firms (e.g., …)"
    return _phrase(parsed, end + 1, close)


def _kind(parsed: Parsed, head: int) -> tuple[int, int] | None:
    """The things X is one of: "[trade unions] such as ATL, NUT or NASUWT"."""
    first = head
    while parsed.dep[first] == "conj" and parsed.head[first] < first:
        first = parsed.head[first]
    prep = parsed.head[first]
    if parsed.dep[first] != "pobj" or parsed.lower[prep] not in ("as", "like"):
        return None
    such = [c for c in parsed.children[prep] if parsed.lower[c] == "such" and c < prep]
    noun = parsed.head[prep]
    if not such or parsed.pos[noun] not in ("NOUN", "PROPN") or noun > prep:
        return None
    return _phrase(parsed, parsed.left_edge[noun], such[0])


def _run(x_stems: frozenset[str], parsed: Parsed) -> tuple[int, int] | None:
    """The first run of the sentence's words that names X: each of X's words, in a row but
    for stop words between them."""
    at = [i for i in range(parsed.size) if parsed.content[i] and parsed.stems[i] in x_stems]
    runs: list[list[int]] = []
    for i in at:
        if runs and not any(parsed.content[j] for j in range(runs[-1][-1] + 1, i)):
            runs[-1].append(i)
        else:
            runs.append([i])
    for words in runs:
        if {parsed.stems[i] for i in words} == x_stems:
            return words[0], words[-1] + 1
    return None


def _phrase(parsed: Parsed, start: int, end: int) -> tuple[int, int] | None:
    """The range without the marks around it; None for nothing, or for a phrase that only
    repeats the question (a pronoun, "it")."""
    start, end = parsed.trim(start, end)
    if not any(parsed.content[i] for i in range(start, end)):
        return None
    return start, end
