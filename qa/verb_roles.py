"""The part a word plays in what a verb tells, the same in either voice and in a participle.

"Who is deployed in Haiti?" asks for what was deployed. In "Kenyan police officers deployed
in Haiti under the MSS have made gains", read against the sentence's main verb, the officers
are the subject of "have made", a role that tells nothing about deploying; read against the
question's verb, they are what was deployed. "Who leads the MSS?" asks for whoever leads:
the "by" phrase of "The MSS, largely led by Kenyan police, expressed gratitude".

`asked_role` reads the question's verb (its stem) and the part its question word plays;
`verb_roles` the part each word of a sentence plays to a verb of that stem. The span
model (qa.phrases) weighs a candidate whose root word plays the part asked for, or another
part of the same verb.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from index.irregular_verbs import verb_bases
from qa.parsed import Parsed
from qa.terms import fold, stem

Doc = Any  # spacy.tokens.Doc: spaCy ships no type information
AGENT, PATIENT = "agent", "patient"
_ASKING = frozenset(("what", "which", "who", "whom"))
_RELATIVE = frozenset(("who", "whom", "which", "that"))
_ADVERBS = frozenset(("where", "when", "why", "how"))
_HAVE = frozenset(("have", "has", "had", "having", "'ve", "’ve", "'d", "’d"))
_INCLUDING = frozenset(("including", "like", "especially"))


def asked_role(question_doc: Doc) -> tuple[str, str] | None:
    """The stem of the verb the question word belongs to and the part it plays there
    (AGENT, PATIENT, or "prep <word>" for the object of a preposition); None when the
    question word is none of these ("Who is X?", "where", "how many")."""
    for token in question_doc:
        if token.lower_ not in _ASKING:
            continue
        if token.dep_ == "det":  # "which airport is guarded?": the airport's part
            token = token.head
        return _part(token)
    return None


def _part(token: Any) -> tuple[str, str] | None:
    dep, head = token.dep_, token.head
    if dep in ("nsubj", "nsubjpass", "dobj") and head.pos_ == "VERB":
        return verb_stem(head.text), AGENT if dep == "nsubj" else PATIENT
    if dep == "nsubj" and head.dep_ == "aux" and head.head.pos_ == "VERB":
        # "What tools do stratigraphers use?": the small model makes the tools the subject
        # of "do"; the verb's subject is the stratigraphers, and the tools what they use.
        return verb_stem(head.head.text), PATIENT
    if dep == "pobj" and head.head.pos_ == "VERB":
        verb = head.head
        passive = any(c.dep_ == "auxpass" for c in verb.children)
        if head.dep_ == "agent" or (passive and head.lower_ == "by"):  # "By whom was it sent?"
            return verb_stem(verb.text), AGENT
        if head.dep_ == "prep":
            return verb_stem(verb.text), f"prep {head.lower_}"
    return None


@lru_cache(maxsize=16_384)
def verb_stem(word: str) -> str:
    """The stem of a verb's base form: "leads", "leading" and "led" are all "lead"."""
    folded = fold(word)
    return stem(verb_bases().get(folded, folded))


def verbs(parsed: Parsed, verb: str) -> list[int]:
    """The sentence's verbs whose base form has the stem `verb`, in order ("sold" for
    "sell")."""
    return [
        i
        for i in range(parsed.size)
        if parsed.pos[i] == "VERB" and verb_stem(parsed.text[i]) == verb
    ]


def verb_roles(parsed: Parsed, verb: str) -> dict[int, set[str]]:
    """Token index -> the parts it plays to the sentence's verbs with the stem `verb`: their
    subjects and objects, the "by" phrase of a passive, the objects of their prepositions,
    the noun a participle or relative clause of theirs describes ("officers deployed in
    Haiti" are what was deployed), and the subject a verb shares with the one before it in
    a list ("arrived and deployed")."""
    found: dict[int, set[str]] = {}
    for v in verbs(parsed, verb):
        _arguments(parsed, v, found)
        _described(parsed, v, found)
    # "Harlow said it signed": Harlow signed (Parsed.same).
    for i in list(found):
        for j in parsed.same[i]:
            found.setdefault(j, set()).update(found[i])
    # What plays a part, the items of its list and what it includes play it too: "key
    # infrastructure, including Haiti's airport and seaport" are what is guarded.
    todo = list(found)
    while todo:
        i = todo.pop()
        for c in _sharing(parsed, i):
            if c not in found:
                found[c] = set(found[i])
                todo.append(c)
    return found


def _sharing(parsed: Parsed, i: int) -> list[int]:
    """The words that play word i's part: its list's next items, what it is also called,
    and what it includes."""
    shared = []
    for c in parsed.children[i]:
        if parsed.dep[c] in ("conj", "appos"):
            shared.append(c)
        elif parsed.dep[c] == "prep" and parsed.lower[c] in _INCLUDING:
            shared += [p for p in parsed.children[c] if parsed.dep[p] == "pobj"]
    return shared


def _arguments(parsed: Parsed, v: int, found: dict[int, set[str]]) -> None:
    children, dep = parsed.children, parsed.dep
    own_subject = False
    # A past participle's subject is what was done to it, unless "have" makes it active:
    # passive ("the alert was issued"), or with no auxiliary at all, as the small model
    # parses "Kenyan police officers deployed in Haiti ... have made gains" (the officers
    # the subject of "deployed", tagged VBN).
    described = parsed.doc[v].tag_ == "VBN" and not any(
        dep[c] == "aux" and parsed.lower[c] in _HAVE for c in children[v]
    )
    for c in children[v]:
        if dep[c] == "nsubj":
            found.setdefault(c, set()).add(PATIENT if described else AGENT)
            own_subject = True
        elif dep[c] in ("nsubjpass", "dobj"):
            found.setdefault(c, set()).add(PATIENT)
            own_subject = own_subject or dep[c] == "nsubjpass"
        elif dep[c] in ("agent", "prep"):
            part = AGENT if dep[c] == "agent" else f"prep {parsed.lower[c]}"
            for p in children[c]:
                if dep[p] == "pobj":
                    found.setdefault(p, set()).add(part)
    first = v
    while not own_subject and dep[first] == "conj" and parsed.head[first] != first:
        first = parsed.head[first]
        for c in children[first]:
            if dep[c] == "nsubj":
                found.setdefault(c, set()).add(AGENT)
                own_subject = True


def _described(parsed: Parsed, v: int, found: dict[int, set[str]]) -> None:
    """The part of the noun that the verb's participle or relative clause describes."""
    noun = parsed.head[v]
    if noun == v:
        return
    if parsed.dep[v] == "acl":
        tag = parsed.doc[v].tag_
        part = PATIENT if tag == "VBN" else AGENT if tag == "VBG" else None
        if part is not None:
            found.setdefault(noun, set()).add(part)
    elif parsed.dep[v] == "relcl":
        kids = parsed.children[v]
        relative = {parsed.dep[c] for c in kids if parsed.lower[c] in _RELATIVE}
        if any(parsed.lower[c] in _ADVERBS for c in kids):  # "the city where he lived"
            return
        if "nsubj" in relative:  # "the officers who deployed"
            found.setdefault(noun, set()).add(AGENT)
        elif relative & {"nsubjpass", "dobj"} or not any(parsed.dep[c] == "dobj" for c in kids):
            found.setdefault(noun, set()).add(PATIENT)  # "the airport (that) the MSS guards"
