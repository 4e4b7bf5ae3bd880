"""What someone said: a question about it is answered by the words they said.

"what did Ombaka say?" of “Despite the continued threat of gang violence, our
collaboration … is yielding tangible results,” Ombaka said in a statement. is answered by
the quotation, not by a phrase of the sentence around it ("said in a statement").
"""

from __future__ import annotations

import re

from qa.span import Span

_SAYS = re.compile(
    # The verb in lower case: "What does the Islamic State lack?" asks no such thing.
    r"^\W*what\s+(?:did|does|do|has|have|had|will|would)\b[^?]*?\b(?-i:say|says|said|tell|tells"
    r"|told|states?|stated|announced?|announces|claim(?:s|ed)?|warn(?:s|ed)?|write|writes"
    r"|wrote|written|add(?:s|ed)?|declared?|declares|explain(?:s|ed)?)\b",
    re.IGNORECASE,
)
_CLOSES = {"“": "”", '"': '"'}
_TRIM = " \t\n,.;:"
MIN_WORDS = 3  # "“yes,” he said" quotes a word, not a statement


def asks_said(question: str) -> bool:
    """Whether the question asks what someone said ("what did the alert state?")."""
    return _SAYS.search(question) is not None


def quotation(sentence: str) -> Span | None:
    """The words inside the sentence's quotation marks, without the comma or stop that
    ends them; None when it quotes nothing of MIN_WORDS words.

    A closing mark with no opening one before it ends a quotation that began a sentence
    earlier, so the quotation runs from the sentence's start; an opening mark with no
    closing one runs to its end.
    """
    opening = _first(sentence, '“"', 0)
    if opening >= 0:
        closing = sentence.find(_CLOSES[sentence[opening]], opening + 1)
    else:
        closing = sentence.find("”")
        if closing < 0:
            return None
    start = opening + 1 if opening >= 0 else 0
    end = closing if closing >= 0 else len(sentence)
    while start < end and sentence[start] in _TRIM:
        start += 1
    while end > start and sentence[end - 1] in _TRIM:
        end -= 1
    if len(sentence[start:end].split()) < MIN_WORDS:
        return None
    return start, end


def _first(text: str, marks: str, start: int) -> int:
    found = [i for i in (text.find(m, start) for m in marks) if i >= 0]
    return min(found) if found else -1
