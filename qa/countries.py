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
"""

from __future__ import annotations

import re
from functools import lru_cache

from qa.terms import STOP_WORDS

_LATIN = re.compile(r"[A-Za-z][A-Za-z .'-]*")
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
