"""A follow-up that is only a question word ("why?", "when?", "and where?"), read as the
last question asked that way.

After "what did the US embassy urge its citizens to do?", "when?" asks when the embassy did
it. Alone, the word has nothing to retrieve or score, and the service said it had no
answer. Here the last question's own question phrase gives way to the new one ("when did
the US embassy urge its citizens to do?"); a yes-or-no question gets it in front ("why
did the MSS thank the Haitian people?"). When the last question asked who or what did
something, the answer it got stands in the asker's place ("who issued a security alert?",
answered "the United States", then "when?": "when the United States issued a security
alert?"): the words are what the scorer reads.

"what?" and "which?" are left alone: after a question they ask what was meant.
"""

from __future__ import annotations

import re

from index.english import Doc, flat, parser
from index.tokens import words

_OPENERS = {"and", "so", "but", "ok", "okay", "well"}
_HOW_WHAT = {"many", "much", "long", "far", "often", "old", "soon"}
_BARE = re.compile(
    rf"^\W*(?:(?:{'|'.join(sorted(_OPENERS))})\b\W*)?"
    rf"(why|when|where|who|how(?:\s+(?:come|{'|'.join(sorted(_HOW_WHAT))}))?"
    r"|since\s+when|until\s+when)"
    r"(?:\W+(?:then|exactly|so|again))?\W*$",
    re.IGNORECASE,
)
_AS = {"how come": "why"}
_WH_TAGS = {"WDT", "WP", "WP$", "WRB"}
_SUBJECTS = {"nsubj", "nsubjpass"}
_DO = {"do", "does", "did"}
_MAX_ANSWER_WORDS = 5  # a longer answer is a clause, not who or what did it


def bare_question_word(question: str) -> str | None:
    """The question word a follow-up consists of ("when", "how many"), or None."""
    found = _BARE.match(question)
    if found is None:
        return None
    word = " ".join(found.group(1).lower().split())
    return _AS.get(word, word)


def expand(question: str, last: str, answer: str | None = None) -> str | None:
    """The bare question word `question` asked of the last question `last` (answered
    `answer`); None when `question` is more than a question word."""
    word = bare_question_word(question)
    if word is None:
        return None
    doc = parser().pipe([flat(last.strip())])[0]
    at = 0  # past what opens the question: "And, …", "So …"
    while at < len(doc) and (doc[at].is_punct or doc[at].lower_ in _OPENERS):
        at += 1
    if at == len(doc):
        return None
    first = doc[at]
    if first.tag_ not in _WH_TAGS:  # a yes-or-no question: "why did the MSS …?"
        rest = doc.text[first.idx :].rstrip(" ?!.")
        if first.pos_ != "PROPN":  # "Did the MSS …" as "why did the MSS …", not "Kenya"
            rest = rest[:1].lower() + rest[1:]
        return f"{word} {rest}?"
    end = _wh_phrase_end(doc, first.i)
    rest = doc.text[doc[end].idx :].rstrip(" ?!.") if end < len(doc) else ""
    said = (answer or "").strip().rstrip(".")
    if _asks_the_doer(doc, first.i, end):
        counted = doc[first.i + 2 : end].text if end > first.i + 2 else ""
        if first.lower_ == "how" and counted:  # "how many officers are …": they are
            rest = f"{counted} {rest}"
        elif 0 < len(said.split()) <= _MAX_ANSWER_WORDS and not _names_again(said, last):
            rest = f"{said} {rest}"
    return f"{word} {rest}?" if rest else None


def _names_again(answer: str, question: str) -> bool:
    """Whether every word of the answer is one the question said: "Manchester United"
    for "who bought Manchester United?" is not who bought it."""
    said = {w for _, _, w in words(question)}
    return all(w in said for _, _, w in words(answer))


def _wh_phrase_end(doc: Doc, start: int) -> int:
    """The index of the first word after the question phrase that starts at `start`:
    "when", "how many officers", "which areas", "whose idea"."""
    tokens = list(doc)
    end = start + 1
    if tokens[start].lower_ == "how" and end < len(tokens) and tokens[end].lower_ in _HOW_WHAT:
        end += 1
    # A determiner's noun phrase: "which areas", "what infrastructure", "how many officers".
    head = tokens[end - 1].head
    if tokens[end - 1].dep_ in ("det", "amod", "advmod", "poss") and head.i >= end:
        if head.pos_ in ("NOUN", "PROPN"):
            end = head.i + 1
        elif head.dep_ == "amod" and head.head.pos_ in ("NOUN", "PROPN"):
            end = head.head.i + 1  # "how many" tagged det-then-amod of "officers"
    return end


def _asks_the_doer(doc: Doc, start: int, end: int) -> bool:
    """Whether the question phrase is the subject: "who issued …", "which country sent …"."""
    tokens = list(doc)
    if end >= len(tokens) or tokens[end].pos_ not in ("VERB", "AUX"):
        return False
    # "which areas do the patrols cover?": an auxiliary "do" means another subject follows.
    return tokens[end - 1].dep_ in _SUBJECTS and tokens[end].lower_ not in _DO
