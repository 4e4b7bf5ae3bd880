"""Answers to "What did X do?", "What did X say?" and "What happened?": what the sentence
says X did (its predicate), what X said (the clause X's verb of saying reports), or what it
says happened (its main clause; "What happened to X?" asks what X did or underwent).

The span model was fitted on SQuAD, where such questions are rare (11 of xquad-en's
1,190), and picks a noun phrase for them ("the Bundesbank would allow interest rates to
ease" answered "senior European economist", "Poehl said West Germany would be badly
advised to lower interest rates" answered "West Germany"). In the news they are common,
so a rule answers them, and leaves the question to the model when the sentence has no
such clause.
"""

from __future__ import annotations

import re
from typing import Any

from qa.event import event
from qa.parsed import REPORTED, SUBJECTS, Parsed
from qa.span import question_stems
from qa.terms import content_stems, stem

# "What" and an auxiliary: "What did ...", "What will ...", not "What year did ...".
_ASKS_WHAT_DONE = re.compile(
    r"^\s*what\s+(?:do|does|did|will|would|can|could|should|must|might|may|has|have|had"
    r"|is|are|was|were)(?:n't)?\b.*\b(?:do|does|doing|done|say|saying|tell|telling|told|announce"
    r"|announcing|claim|claiming|warn|warning|state|stating|report|reporting)\b",
    re.IGNORECASE,
)
_HAPPEN = frozenset(("happen", "happens", "happened", "happening"))
# "What happened ...?", "What is happening to ...?", "What will happen if ...?".
_ASKS_WHAT_HAPPENED = re.compile(
    r"^\s*what(?:'s|\s+(?:has|had|have|is|was|will|would|did|does|do|could|might|may))?"
    rf"\s+(?:{'|'.join(sorted(_HAPPEN))})\b(\s+to\b)?",
    re.IGNORECASE,
)
_DO = frozenset(("do", "does", "did", "doing", "done"))
_AUXILIARIES = frozenset(
    (
        *("do", "does", "did", "will", "would", "can", "could", "should", "must", "might"),
        *("may", "has", "have", "had"),
    )
)
# Verbs that report speech, as stems: a question asks what X said with the first few, and a
# sentence reports it with any of them.
_SAY = frozenset(
    map(
        stem,
        ("say", "says", "said", "tell", "told", "announce", "claim", "warn", "state", "report"),
    )
)
_SAID = _SAY | frozenset(
    map(
        stem,
        (
            *("add", "state", "note", "argue", "insist", "explain", "stress", "predict"),
            *("report", "urge", "ask", "advise", "demand", "request", "recommend"),
        ),
    )
)
# Verbs of saying that name whom they address: "told reporters", "warned citizens".
_TELL = frozenset(map(stem, ("tell", "told", "warn", "urge", "ask", "advise", "remind", "assure")))
_OF = frozenset(("of", "about", "against"))  # "warned of", "told about"
_BEFORE_VERB = frozenset(("aux", "auxpass", "neg"))
_CLAUSES = frozenset(("ccomp", "xcomp", "advcl", "conj", "parataxis"))  # what is said


def asks_what_done(question: str, question_doc: Any) -> str | None:
    """What the question asks someone did: "do" for "What did X do?", "What will X do
    about Y?", "What did X begin to do?"; "say" for "What did X say about Y?"; "happen to"
    for "What happened to X?"; "happen" for "What happened in Y?"; else None.

    The first verb after the auxiliary must be that verb, or govern it ("forbidden to do"):
    not "What does X use as a standard?". A question that says part of what was said
    ("What did X say was mistaken?") asks for the rest, which the span model finds.
    """
    happened = _ASKS_WHAT_HAPPENED.match(question)
    if happened:
        return "happen to" if happened.group(1) else "happen"
    if not _ASKS_WHAT_DONE.search(question):
        return None
    verbs = [t for t in question_doc[2:] if t.pos_ == "VERB"]
    words = [t for t in question_doc if not t.is_punct]
    if not verbs and len(words) > 3 and words[1].lower_ in _AUXILIARIES:
        # The question's last word, however the parse tags it ("what did the MSS report?":
        # a noun to spaCy's small model, as in "the MSS report"); not after a form of "be"
        # ("What were the results of the report?").
        verbs = words[-1:]
    for token in verbs:
        kind = "do" if token.lower_ in _DO else "say" if stem(token.lower_) in _SAY else None
        if kind == "say" and any(t.pos_ in ("VERB", "AUX") for t in question_doc[token.i + 1 :]):
            return None  # "What did the IPCC say was mistaken?" asks for part of what was said
        if kind and (token == verbs[0] or (token.dep_ == "xcomp" and token.head == verbs[0])):
            return kind
    return None


def predicate(
    question: str, question_doc: Any, parsed: Parsed, kind: str = "do"
) -> tuple[int, int] | None:
    """The token range of what the sentence says the question's subject did (or, for
    `kind` "say", said), or None.

    The subject is the sentence's subject (or a pronoun standing for one, qa.parsed) that
    shares most words with the question's subject (or, if the parse finds none, with the
    question), else the main clause's: "The company installed ..." answers "What did Tesla
    Electric do?". When the question asks what X began or set out to do, the answer is the
    clause X's verb governs: "began to thaw". What X said is the clause its verb of saying
    governs: "Poehl said [West Germany would be badly advised to ...]". What happened is
    the event the sentence tells (qa.event), as is what happened to X when X is no
    subject.
    """
    if kind == "happen":
        return event(parsed, question_stems(question))
    best = _subject(question, question_doc, parsed, anchored=kind != "do")
    if best < 0 and kind == "say":
        best = _speaker(question, question_doc, parsed)
        if best < 0:
            return _according_to(question, question_doc, parsed)
    if best < 0:
        return event(parsed, question_stems(question)) if kind == "happen to" else None
    verb = parsed.head[best]
    if kind == "say":
        if parsed.stems[verb] not in _SAID:  # "Allard took several swipes … and said …"
            joined = [c for c in parsed.children[verb] if parsed.dep[c] == "conj"]
            verb = next((c for c in joined if parsed.stems[c] in _SAID), verb)
        return _said(parsed, verb) if parsed.stems[verb] in _SAID else None
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
    start = max(min([verb, *before]), parsed.right_edge[best] + 1)
    q_stems = _asked_about(question, question_doc)
    return _trimmed(parsed, start, _own_end(parsed, verb, q_stems))


def _own_end(parsed: Parsed, verb: int, q_stems: frozenset[str]) -> int:
    """Where the verb's own clause ends: before a clause joined to it whose subject is
    someone else ("gangs have continued efforts to disrupt road access[, but security
    forces have repelled …]" is not what the gangs did; "pharmacists may supply …, and that
    pharmacists cannot form …" is all what pharmacists may do), else at the end of its
    phrase. A pronoun may stand for the question's subject, so it is no one else."""
    end: int = parsed.right_edge[verb] + 1
    for child in parsed.children[verb]:
        if child < verb or parsed.dep[child] != "conj":
            continue
        for subject in parsed.children[child]:
            words = range(parsed.left_edge[subject], parsed.right_edge[subject] + 1)
            if parsed.dep[subject] in SUBJECTS and not (
                parsed.pos[subject] == "PRON"
                or any(parsed.content[j] and parsed.stems[j] in q_stems for j in words)
            ):
                end = min(end, parsed.left_edge[child])
    while end > verb + 1 and (parsed.dep[end - 1] == "cc" or parsed.punct[end - 1]):
        end -= 1
    return end


def _subject(question: str, question_doc: Any, parsed: Parsed, anchored: bool) -> int:
    """The sentence's subject the question asks about (see `predicate`), or -1. When
    `anchored`, only one that names the question's subject, or a pronoun as the main
    clause's subject ("It said …" of an article about the question's company)."""
    q_stems = _asked_about(question, question_doc)
    best, best_overlap = -1, (0, False)
    for i in range(parsed.size):
        if parsed.dep[i] not in SUBJECTS:
            continue
        if best < 0 and parsed.dep[parsed.head[i]] == "ROOT":
            # The main clause's subject, unless another names the question's; what someone
            # said, only from "He said …" or "It said …", never another speaker's words.
            if not anchored or parsed.lower[i] in REPORTED:
                best = i
        for word in (i, *parsed.same[i]):
            phrase = range(parsed.left_edge[word], parsed.right_edge[word] + 1)
            overlap = sum(parsed.content[j] and parsed.stems[j] in q_stems for j in phrase)
            # "X said it would ...": what X will do is what "it" would, not the saying.
            key = (overlap, word != i and not anchored)
            if overlap and key > best_overlap:
                best, best_overlap = i, key
    return best


def _speaker(question: str, question_doc: Any, parsed: Parsed) -> int:
    """A word naming the question's subject that the parse hangs on a verb of saying as
    something other than its subject, or -1: in "“…,” Ombaka said in a statement", spaCy
    reads "Ombaka" as an adverb of "said". A statement the words were said in stands for
    its speaker: "In the alert, the US embassy urged …" tells what the alert said, and the
    word returned is then the "in" that hangs on the verb."""
    q_stems = _asked_about(question, question_doc)
    for i in range(parsed.size):
        verb: int = parsed.head[i]
        if not (verb != i and parsed.content[i] and parsed.stems[i] in q_stems):
            continue
        if parsed.stems[verb] in _SAID and parsed.dep[i] not in _CLAUSES:
            return i
        if (
            parsed.dep[i] == "pobj"
            and parsed.lower[verb] == "in"
            and parsed.stems[parsed.head[verb]] in _SAID
        ):
            return verb
    return -1


def _according_to(question: str, question_doc: Any, parsed: Parsed) -> tuple[int, int] | None:
    """What "according to X" attributes to X, the question's subject: the clause the phrase
    hangs on, after the phrase ("According to the alert, [gunfire was heard near the
    embassy]"), or before it ("[Sales rose 5 pct], according to the company"); or None."""
    q_stems = _asked_about(question, question_doc)
    for i in range(parsed.size):
        to = parsed.head[i]
        according = parsed.head[to]
        if not (
            parsed.content[i]
            and parsed.stems[i] in q_stems
            and parsed.dep[i] == "pobj"
            and parsed.lower[to] == "to"
            and parsed.lower[according] == "according"
        ):
            continue
        verb = parsed.head[according]
        start, end = parsed.left_edge[verb], parsed.right_edge[verb] + 1
        phrase_start, phrase_end = parsed.left_edge[according], parsed.right_edge[according] + 1
        if phrase_start <= start:  # the phrase opens the clause
            return _trimmed(parsed, phrase_end, end)
        return _trimmed(parsed, start, phrase_start)
    return None


def _said(parsed: Parsed, verb: int) -> tuple[int, int] | None:
    """What a verb of saying reports: the clause it governs, before or after it ("said
    [the dollar would fall]"); what it urges, with whom ("urged [its citizens to avoid
    Tabarre]"); or what it warns of ("warned of [further attacks]")."""
    children = parsed.children[verb]
    telling = parsed.stems[verb] in _TELL  # "told [reporters] the airport was secure"
    for child in children:
        if parsed.dep[child] == "ccomp":
            start = parsed.left_edge[child]
            if parsed.lower[start] == "that":
                start += 1
            # "said [processors for consoles] had to be …": the parse may hang the reported
            # clause's subject on the verb of saying.
            between = [c for c in children if verb < c < start and parsed.dep[c] != "punct"]
            if between and parsed.dep[between[0]] in ("dobj", "nsubj") and not telling:
                start = parsed.left_edge[between[0]]
            return _trimmed(parsed, start, parsed.right_edge[child] + 1)
    for child in children:
        if parsed.dep[child] == "xcomp" and child > verb:
            whom = [c for c in children if parsed.dep[c] == "dobj" and verb < c < child]
            start = parsed.left_edge[whom[0]] if whom else parsed.left_edge[child]
            return _trimmed(parsed, start, parsed.right_edge[child] + 1)
    for child in children:
        if parsed.dep[child] == "prep" and parsed.lower[child] in _OF and child > verb:
            objects = [c for c in parsed.children[child] if parsed.dep[c] == "pobj"]
            if objects:
                return _trimmed(parsed, parsed.left_edge[objects[0]], parsed.right_edge[child] + 1)
    return None


def _trimmed(parsed: Parsed, start: int, end: int) -> tuple[int, int] | None:
    """The range without punctuation or space at either end; None for one word or less
    ("dealers noted" answers nothing)."""
    start, end = parsed.trim(start, end)
    return (start, end) if end - start > 1 else None


def _asked_about(question: str, question_doc: Any) -> frozenset[str]:
    """The stems of whom or what the question asks about: its subject's words, else all of
    its words."""
    return _subject_stems(question_doc) or question_stems(question)


def _subject_stems(question_doc: Any) -> frozenset[str]:
    """The stems of the content words of the question's subject: "the Bundesbank" of "What
    did the Bundesbank do with interest rates?", not the rates; "the crew" of "What
    happened to the crew?"."""
    for token in question_doc:
        if token.lower_ in _HAPPEN:
            return content_stems(
                word
                for child in token.children
                if child.dep_ == "prep" and child.lower_ == "to"
                for word in child.subtree
            )
        if token.pos_ == "VERB" and (token.lower_ in _DO or stem(token.lower_) in _SAY):
            verb = token.head if token.dep_ == "xcomp" else token
            return content_stems(
                word
                for child in verb.children
                if child.dep_ in SUBJECTS and child.lower_ not in ("what", "who")
                for word in child.subtree
            )
    return frozenset()
