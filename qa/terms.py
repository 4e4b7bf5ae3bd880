"""Words that matter in a question: tokenising, stop words, Porter stems, and the other
forms of a word that Porter's stems keep apart: a verb's ("led" and "leads") and a
spelling's ("colour" and "color").

Stems are index.tokens' (FTS5's unicode61 folding and Porter), the ones both stores index,
so document frequencies are read straight from the index vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from index.irregular_verbs import verb_bases
from index.tokens import fold, fold_text, folded_words, stem, unaccented, words

__all__ = [
    "ARTICLES",
    "STOP_WORDS",
    "content_stems",
    "fold",
    "fold_text",
    "key_terms",
    "other_forms",
    "spelling_forms",
    "stem",
    "stems",
    "unaccented",
    "verb_forms",
    "words",
]


STOP_WORDS = frozenset(
    """
a about above after again against all am an and any are aren't as at be because been before
being below between both but by can can't cannot could couldn't did didn't do does doesn't
doing don't down during each few for from further had hadn't has hasn't have haven't having he
he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if
in into is isn't it it's its itself let's me more most mustn't my myself no nor not of off on
once only or other ought our ours ourselves out over own same shan't she she'd she'll she's
should shouldn't so some such than that that's the their theirs them themselves then there
there's these they they'd they'll they're they've this those through to too under until up
very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's
which while who who's whom why why's with won't would wouldn't you you'd you'll you're you've
your yours yourself yourselves also say says said tell told according did does many much
kind type name named called
""".split()
)

ARTICLES = frozenset(("the", "a", "an"))  # skipped where a phrase or a noun starts


def key_terms(text: str) -> list[str]:
    """Content words of a text, folded, in order, without duplicates."""
    seen: dict[str, None] = {}
    for _, _, word in words(text):
        if word not in STOP_WORDS and (len(word) > 1 or word.isdigit()):
            seen.setdefault(word, None)
    return list(seen)


def content_stems(tokens: Iterable[Any]) -> frozenset[str]:
    """The stems of the content words among spaCy tokens: no punctuation, no stop words."""
    return frozenset(
        stem(fold(t.text)) for t in tokens if not t.is_punct and t.lower_ not in STOP_WORDS
    )


def stems(text: str) -> frozenset[str]:
    """The stems of every word of a text; the same passages come up again and again."""
    return frozenset(_stems(text))


@lru_cache(maxsize=32_768)
def _stems(text: str) -> tuple[str, ...]:
    # Kept as a tuple of strings, which Python's cycle collector stops tracking, not as a
    # frozenset, which it walks at every full collection, string by string.
    return tuple(set(map(stem, folded_words(text))))


@lru_cache(maxsize=1)
def verb_forms() -> dict[str, tuple[str, ...]]:
    """A verb's stem -> the stems of its other forms where they differ ("lead": ("led",),
    "led": ("lead",), "sold": ("sell",)), from the spaCy model's table of irregular verbs.

    A news story tells in the past what people ask in the present ("Who leads the MSS?" of
    "The MSS, largely led by Kenyan police, ..."), and the other way round ("Who bought
    mortgages?" of "Fannie Mae buys mortgages"); Porter's stems keep such forms apart.
    """
    groups: dict[str, set[str]] = {}
    for form, base in verb_bases().items():
        base_stem, form_stem = stem(base), stem(form)
        if base_stem != form_stem and " " not in form:
            groups.setdefault(base_stem, {base_stem}).add(form_stem)
    forms: dict[str, set[str]] = {}
    for group in groups.values():
        for member in group:
            forms.setdefault(member, set()).update(group - {member})
    return {member: tuple(sorted(other)) for member, other in forms.items()}


@lru_cache(maxsize=1)
def spelling_forms() -> dict[str, tuple[str, ...]]:
    """A word's stem -> the stems of its other spelling, British or American ("colour":
    ("color",), "programm": ("program",)), from breame's table of some 1,700 words spelt
    both ways.

    The BBC writes "Labour", "defence" and "programme", Reuters "labor", "defense" and
    "program", and a reader types the words the way they learnt them.
    """
    # Its data is read once, on the first question.
    from breame.data.spelling_constants import BRITISH_ENGLISH_SPELLINGS

    forms: dict[str, set[str]] = {}
    for british, american in BRITISH_ENGLISH_SPELLINGS.items():
        one, other = stem(fold(british)), stem(fold(american))
        if one != other and " " not in british + american:
            forms.setdefault(one, set()).add(other)
            forms.setdefault(other, set()).add(one)
    return {word: tuple(sorted(other)) for word, other in forms.items()}


@lru_cache(maxsize=1)
def other_forms() -> dict[str, tuple[str, ...]]:
    """A stem -> the stems that count as the same word: a verb's other forms and the
    word's other spelling (`verb_forms`, `spelling_forms`)."""
    merged: dict[str, set[str]] = {}
    for table in (verb_forms(), spelling_forms()):
        for word, forms in table.items():
            merged.setdefault(word, set()).update(forms)
    return {word: tuple(sorted(forms)) for word, forms in merged.items()}
