"""A country's other names: "French" of a text that says "France", "Dutch" of one that
says "the Netherlands" or "Holland", "British" of "Britain" or "the UK", "American" of
"the U.S.".

The names are countryinfo's (its data, MIT): each country's name, the word for its people
and its other spellings in Latin letters of one or two words, its codes among them ("UK",
"USA"). Where several countries share a name ("French" is the people of France and of
Martinique), it is the most populous one's. Added: "Britain" for the United Kingdom,
which countryinfo writes "Great Britain", and England with "English". A code that is
also an English word ("CAN" for Canada, "NOR" for Norway) is left out, since a headline
in capitals writes the word.

`country_forms` gives a question's countries their other names, which count as the name
itself in the sentence scorer's word overlap (qa.retrieve.Query), as a verb's other forms
do.
"""

from __future__ import annotations

import re
from functools import lru_cache

from qa.name_runs import name_runs
from qa.terms import STOP_WORDS, fold, stem

_LATIN = re.compile(r"[A-Za-z][A-Za-z .'-]*")
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z]+")
_MORE = {"United Kingdom": ("Britain",)}
_ADDED = (("England", "English"),)


@lru_cache(maxsize=1)
def other_names() -> dict[str, tuple[str, ...]]:
    """A country's name, people or spelling, folded → every name of the country, each as
    written ("France", "French", "FR", "FRA"; codes keep their capitals)."""
    from countryinfo import CountryInfo  # its data is read once, on the first lookup

    countries = sorted(CountryInfo.all().values(), key=lambda c: -(c.get("population") or 0))
    groups: list[tuple[str, ...]] = []
    for country in countries:
        name = country.get("name") or ""
        names = [name, *(country.get("altSpellings") or ()), *_MORE.get(name, ())]
        names += (country.get("demonym") or "").split(",")
        groups.append(tuple(dict.fromkeys(n.strip() for n in names if _usable(n.strip()))))
    found: dict[str, tuple[str, ...]] = {}
    for group in [*_ADDED, *groups]:  # most populous first: it keeps a shared name
        for name in group:
            found.setdefault(name.lower(), group)
    return found


def _usable(name: str) -> bool:
    """A name worth looking for: Latin letters, one or two words, and no code that is
    also a word."""
    if not _LATIN.fullmatch(name) or len(name.split()) > 2 or len(name) < 2:
        return False
    return not (name.isupper() and name.lower() in STOP_WORDS)


@lru_cache(maxsize=4096)
def country_forms(question: str) -> dict[str, tuple[str, ...]]:
    """A stem of a country's name or people in the question, alone or two words together
    → the stems of the country's other one-word names: "french" → ("franc",), "unit" and
    "kingdom" → ("britain", "british") for "United Kingdom". A code ("UK", "GY") is
    neither looked up nor given: few texts write one."""
    countries = other_names()
    named = [(m.group().lower(),) for m in _CAPITALISED.finditer(question)]
    found: dict[str, set[str]] = {}
    for words in named + [run for _, run in name_runs(question)]:
        group = countries.get(" ".join(words), ())
        if not group or any(n.isupper() and n.lower() == " ".join(words) for n in group):
            continue
        for other in group:
            if " " in other or other.isupper():
                continue
            alternative = stem(fold(other))
            for word in words:
                if stem(word) != alternative:
                    found.setdefault(stem(word), set()).add(alternative)
    return {word: tuple(sorted(forms)) for word, forms in found.items()}
