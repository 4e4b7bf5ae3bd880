"""What "it", "they" or "he" stands for in a follow-up question: the thing, group or person
that an earlier question of the conversation named.

Asked "where are the forward operating bases?" and then "who set them up?", the second
question alone has one word to match ("set"), and every sentence of the collection is as
far from it as the next. Retrieval already reads the earlier questions' words
(qa.answer), but the sentence scorer and the span model read the question itself. Here
the pronoun is replaced by the noun phrase it refers to ("who set the forward operating
bases up?"), and that question is scored.

The antecedent is a noun phrase of the last question (or the one before it) of the kind the
pronoun asks for: a person for he/she, a plural or a group for they, anything else for
it. The subject of that question comes first. A person named as the answer to a
who-question ("Who leads the mission?" → "Godfrey Otunge") comes before the question's
own phrases for he/she. "there" (the adverb, not "is there …?") takes a place: the answer
to a where-question, a place the question names with its preposition ("in Haiti"), or
what a where-question asked about ("at the forward operating bases"). Nothing is
replaced when no phrase fits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from index.english import Doc, flat, parser, recogniser
from qa.ellipsis import bare_question_word, expand
from qa.phrases import WH_WORDS
from qa.types import Turn

# Pronoun -> the kind of antecedent it takes, and whether it is possessive.
PRONOUNS: dict[str, tuple[str, bool]] = {
    "it": ("thing", False),
    "its": ("thing", True),
    "they": ("group", False),
    "them": ("group", False),
    "their": ("group", True),
    "he": ("person", False),
    "him": ("person", False),
    "his": ("person", True),
    "she": ("person", False),
    "her": ("person", False),  # possessive when tagged PRP$ ("her book")
    "there": ("place", False),  # the adverb ("what happened there?"), not "is there …?"
}
_ANY_PRONOUN = re.compile(r"\b(?:" + "|".join(PRONOUNS) + r")\b", re.IGNORECASE)
_WH = frozenset(w for w in WH_WORDS if " " not in w)  # "what", "who", "how" ...
_WHO = re.compile(r"^\W*(?:and\s+)?who\b", re.IGNORECASE)
_WHERE = re.compile(r"^\W*(?:and\s+)?where\b", re.IGNORECASE)
_MAX_PLACE_WORDS = 12  # a where-question's answer longer than this is not taken for "there"
PLACE_LABELS = frozenset(("GPE", "LOC", "FAC"))  # the recogniser's labels of a place
_PLACE_PREPOSITIONS = {"in", "at", "on", "near", "from", "to", "into", "inside", "across", "around"}
_MAX_ANSWER_WORDS = 6
# The small model tags many people ORG ("Nikola Tesla's reputation"): not evidence enough.
_MAYBE_PEOPLE = {"ORG", "PRODUCT", "WORK_OF_ART"}
_PARTICLES = {"de", "da", "van", "von", "der", "den", "al", "bin", "ibn", "la", "le", "du"}
_SUBJECTS = {"nsubj", "nsubjpass"}
Token = Any  # spaCy's Token and Span: spaCy ships no type information
Span = Any


@dataclass(frozen=True)
class Antecedent:
    text: str
    kind: str  # "person", "group", "entity" (a tagged place, event ...), "name" or "thing"
    head: str  # its main word, lower case


def resolve(question: str, history: Sequence[Turn]) -> str:
    """The question with each pronoun that refers back to the conversation replaced by
    the phrase it refers to; the question as it is when it has none, or nothing fits. A
    follow-up that is only a question word ("why?") is the last question asked that way
    (qa.ellipsis)."""
    if not history:
        return question
    if bare_question_word(question) is not None:  # "why?", "and when?" (qa.ellipsis)
        last_asked = _read_as_answered(history[-2:])[-1]
        return expand(question, last_asked, history[-1].answer) or question
    if not _ANY_PRONOUN.search(question):
        return question
    doc = parser().pipe([flat(question)])[0]
    pronouns = [t for t in doc if _refers_back(t)]
    if not pronouns:
        return question
    own = _kinds_before(doc)
    words = {t.lower_ for t in doc if t.is_alpha}
    recent = history[-3:]
    asked = _read_as_answered(recent)
    found = [
        [a for a in antecedents(question, turn.answer) if a.head not in words]
        for question, turn in list(zip(asked, recent, strict=True))[::-1][:2]
    ]
    resolved = question
    for token in reversed(pronouns):  # from the end, so earlier offsets hold
        kind, possessive = PRONOUNS[token.lower_]
        mine = possessive or token.tag_ == "PRP$"
        if mine and any(k in _FITS[kind][0] and at <= token.i for k, at in own):
            continue  # "monks and nuns ... their vows": it refers within the question
        phrase = _pick(kind, found)
        if phrase is None:
            continue
        start, end = token.idx, token.idx + len(token.text)
        ending = "'s" if mine else ""
        resolved = resolved[:start] + phrase + ending + resolved[end:]
    return resolved


def _refers_back(token: Token) -> bool:
    """A pronoun, or "there" as an adverb of place; not the "it" of "it is true that"."""
    if token.lower_ not in PRONOUNS or token.dep_ == "expl":
        return False
    tags = ("RB",) if token.lower_ == "there" else ("PRP", "PRP$")
    return bool(token.tag_ in tags)


def _read_as_answered(turns: Sequence[Turn]) -> list[str]:
    """Each turn's question as it was answered: a turn that was a follow-up itself is
    resolved against the turn before it (the first is taken as it is)."""
    return [
        _as_answered(turn.question, turns[n - 1].question, turns[n - 1].answer)
        if n
        else turn.question
        for n, turn in enumerate(turns)
    ]


@lru_cache(maxsize=1024)
def _as_answered(question: str, before: str, answer: str | None) -> str:
    """An earlier follow-up resolved against the turn before it, once per conversation."""
    return resolve(question, [Turn(question=before, answer=answer)])


@lru_cache(maxsize=1024)
def antecedents(question: str, answer: str | None = None) -> tuple[Antecedent, ...]:
    """The phrases of an earlier turn a pronoun may stand for, best first: a person who
    answered a who-question, then names before common nouns, subjects before the rest,
    and a phrase of the form "the X of Y" after Y. A conversation sends the same turns
    with every question: each is read once."""
    doc = parser().pipe([flat(question)])[0]
    names = _entities(question)
    found = []
    answer = (answer or "").strip()
    if _WHO.match(question) and _looks_like_a_name(answer):
        first = (False, False, False, False, -1)  # before every phrase of the question
        found.append((first, Antecedent(answer, "person", answer.split()[-1].lower())))
    phrases = []
    for chunk in noun_phrases(doc):
        phrases.append((chunk.text, chunk.root, False))
        for owner in (t for t in chunk if t.dep_ == "poss" and t.tag_ != "PRP$"):
            # "Tesla's reputation" names Tesla too
            words = [t for t in owner.subtree if t.tag_ != "POS"]
            text = doc.text[words[0].idx : words[-1].idx + len(words[-1].text)]
            phrases.append((text, owner, False))
    phrases += [(counted.text, counted.root, True) for counted in _counted(doc)]
    for n, (text, root, counted) in enumerate(phrases):
        of_what = any(c.dep_ == "prep" and c.lower_ == "of" for c in root.children)
        rank = (counted, of_what, root.pos_ != "PROPN", root.dep_ not in _SUBJECTS, n)
        found.append((rank, Antecedent(text, _kind(root, names), root.lower_)))
    # Only "there" takes a place: after every phrase, in their own order.
    found += [
        ((True, True, True, True, n), place) for n, place in enumerate(_places(doc, names, answer))
    ]
    return tuple(a for _, a in sorted(found, key=lambda pair: pair[0]))


def _kind(root: Token, names: list[tuple[int, int, str]]) -> str:
    label = next((lab for start, end, lab in names if start <= root.idx < end), None)
    if label == "PERSON":
        return "person"
    if root.tag_ in ("NNS", "NNPS"):
        return "group"
    if label is not None and label not in _MAYBE_PEOPLE:
        return "entity"  # a place, an event, a nationality ...: never "he"
    return "name" if root.pos_ == "PROPN" else "thing"


def _kinds_before(doc: Doc) -> list[tuple[str, int]]:
    """The kind of each noun phrase the question names itself, with where it ends (a
    person's name counts as a name: the recogniser is not run for this)."""
    return [(_kind(c.root, []), c.end) for c in noun_phrases(doc)]


# The kinds of phrase each kind of pronoun takes, the likelier first. A name that the
# recogniser did not tag ("the Lama", "Luther") may be a person; one it tagged as a place
# or an organisation is not. "it" is a name or a thing; "they" a group, else anything
# ("they" for a team).
_FITS: dict[str, list[set[str]]] = {
    "person": [{"person"}, {"name"}],
    "thing": [{"entity", "name"}, {"thing"}],
    "group": [{"group"}, {"entity", "name", "person", "thing"}],
    "place": [{"place"}],
}


def _pick(kind: str, found: list[list[Antecedent]]) -> str | None:
    for candidates in found:  # the last turn first
        for wanted in _FITS[kind]:
            for candidate in candidates:
                if candidate.kind in wanted:
                    return candidate.text
    return None


def noun_phrases(doc: Doc) -> list[Span]:
    """Noun chunks that name something: not pronouns, not the question's wh-phrase."""
    return [
        chunk
        for chunk in doc.noun_chunks
        if chunk.root.tag_ not in ("PRP", "PRP$", "WP", "WDT", "EX") and chunk[0].lower_ not in _WH
    ]


def _counted(doc: Doc) -> list[Span]:
    """What a how-many or how-much question counts, after every other phrase: "Kenyan
    police officers" of "how many Kenyan police officers are in Haiti?", for "when did
    they arrive?" after it. (What "which" or "what" asks for is its answer's type,
    seldom what a follow-up refers to.)"""
    found = []
    for chunk in doc.noun_chunks:
        words = [t.lower_ for t in chunk[:2]]
        if words in (["how", "many"], ["how", "much"]) and chunk.start + 2 <= chunk.root.i:
            found.append(doc[chunk.start + 2 : chunk.end])
    return found


def _places(doc: Doc, names: list[tuple[int, int, str]], answer: str) -> list[Antecedent]:
    """What "there" may stand for, best first, each as a phrase that says where: the answer
    to a where-question ("in Pont Sondé, Downtown Port-au-Prince, …"), each place the
    question names, with its preposition ("in Haiti"), and what a where-question asks
    about ("at the forward operating bases")."""
    where = bool(_WHERE.match(doc.text))
    found = []
    if where and 0 < len(answer.split()) <= _MAX_PLACE_WORDS:
        first = answer.split()[0].lower()
        text = answer if first in _PLACE_PREPOSITIONS else f"in {answer}"
        found.append(Antecedent(text, "place", answer.split()[-1].lower()))
    for start, end, label in names:
        if label not in PLACE_LABELS:
            continue
        root = entity_root(doc, start, end)
        if root is None:
            continue
        head = root.head if root.dep_ == "pobj" else None
        if head is not None and head.lower_ in _PLACE_PREPOSITIONS:
            text = doc.text[head.idx : end]
        else:
            text = f"in {doc.text[start:end]}"
        found.append(Antecedent(text, "place", root.lower_))
    if where:
        asked = [c for c in noun_phrases(doc) if c.root.dep_ in _SUBJECTS]
        found += [Antecedent(f"at {c.text}", "place", c.root.lower_) for c in asked[:1]]
    return found


def entity_root(doc: Doc, start: int, end: int) -> Token | None:
    """The word of the characters start:end whose head in the parse lies outside them
    ("Haiti" of "in Haiti", whose head is "in"), or their last word; None if no word starts
    there."""
    inside = [t for t in doc if start <= t.idx < end]
    if not inside:
        return None
    return next((t for t in inside if not start <= t.head.idx < end), inside[-1])


def _looks_like_a_name(text: str) -> bool:
    """A short answer of capitalised words ("Godfrey Otunge", "Charles de Gaulle"), not a
    description ("the UN mission")."""
    words = text.split()
    if len(words) == 1 and sum(c.isupper() for c in text) > 1:
        return False  # an acronym ("FOBs", "UN"), not a person
    return (
        0 < len(words) <= _MAX_ANSWER_WORDS
        and all(w[0].isupper() or w in _PARTICLES for w in words)
        and words[0][0].isupper()
    )


def _entities(text: str) -> list[tuple[int, int, str]]:
    doc = recogniser().pipe([flat(text)])[0]
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]
