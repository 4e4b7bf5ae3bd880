"""What a which- or what-question asks for, and whether a sentence names one.

"In which county does Jacksonville reside?" asks for a county. "It is the county seat of
Duval County" names one: the question's noun ("county") right after a word the question
does not have ("Duval"). "Consolidation gave Jacksonville its great size" matches the
question's other words as well and names no county. The same holds for "which period"
("the Quaternary period"), "what dynasties" ("the Tang, Song ... Jin dynasties") and "what
kind of division" ("the tripartite division"). The sentence scorer reads it as a feature.

Words only, no parse: the question's noun is the word after "which" or "what" (through
"kind of", "type of", "name of the"), when it is not a stop word.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from functools import lru_cache

from index.tokens import words
from qa.terms import ARTICLES, STOP_WORDS, stem

_ASKING = frozenset(("which", "what"))
# "what kind of X", "what type of X", "what was the name of the X": X is asked for.
FRAMES = frozenset(("kind", "kinds", "type", "types", "sort", "form", "name", "names"))


@lru_cache(maxsize=4096)
def focus(question: str) -> str | None:
    """The stem of the word a which- or what-question asks for, or None."""
    asked = [w for _, _, w in words(question)]
    for i, word in enumerate(asked):
        if word not in _ASKING:
            continue
        j = i + 1
        if j + 1 < len(asked) and asked[j] in FRAMES and asked[j + 1] == "of":
            j += 2
            while j < len(asked) and asked[j] in ARTICLES:
                j += 1
        if j < len(asked) and asked[j].isalpha() and asked[j] not in STOP_WORDS:
            return stem(asked[j])
        return None
    return None


def names(asked: str, question_stems: AbstractSet[str], sentence: str) -> bool:
    """Whether the sentence has the asked-for word (its stem `asked`) right after a word,
    not a stop word, that the question lacks (by its stems)."""
    before: tuple[int, int, str] | None = None
    for start, end, word in words(sentence):
        if (
            before is not None
            and stem(word) == asked
            and sentence[before[1] : start].isspace()
            and before[2] not in STOP_WORDS
            and stem(before[2]) not in question_stems
        ):
            return True
        before = (start, end, word)
    return False
