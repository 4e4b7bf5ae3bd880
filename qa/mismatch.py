"""Evidence that an article cannot answer a question, whatever sentence is picked.

A question can sound like the text and still ask what it never says: it names a year, an
amount, a count or a century the article lacks ("What happened in 1901?" of a text about
1900), it asks what did not happen where the text negates nothing, or it names someone the
text never writes ("Who did Gisela marry?" of a text about Emma). And a sentence can't
answer what did not happen when it says nothing negative (`unnegated`), though its article
negates something else. The sentence scorer reads all four as features, and the
calibration that turns its score into the no-answer probability weighs them
(bench/fit_weights.py).

Numbers are compared as a reader would: "1,200" is 1200, "four" is 4, "tenth" is the 10th,
and "the 1100s" is found in a text that names a year from 1100 to 1199 or the 12th century.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qa.countries import other_names
from qa.name_runs import name_runs
from qa.terms import STOP_WORDS, fold_text, stem, unaccented

# A number standing alone (not part of "v1.2" or "A4"): "1900", "1,200", "3.5".
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w'’]|[.,]\d)")
_ORDINAL = re.compile(r"(?<![\w.,])(\d+)(?:st|nd|rd|th)\b", re.I)
_DECADE = re.compile(r"(?<![\w.,])(\d{3,4})[’']?s\b")  # "1990s", "1100s", "1899's"
_YEAR = re.compile(r"(?<![\w.,])(\d{3,4})(?!\d)")  # in the article: any 3-4 digit run
_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()
_ORDINAL_WORDS = (
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
).split()
_TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
_TENS |= {"eighty": 80, "ninety": 90, "hundred": 100}
_CARDINAL = {w: n for n, w in enumerate(_WORDS)} | _TENS
_ORDINAL_VALUE = {w: n for n, w in enumerate(_ORDINAL_WORDS)}
_WORD = re.compile(r"[a-z]+")
_NAME = re.compile(r"\b[A-Z][A-Za-z]+")  # a capitalised word of a question
_CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:of\s+)?[A-Z][a-z]+)+")  # "United States"
# The short forms news writes in names, and what they stand for: "General Motors Corp",
# "Smith Bros Ltd", "Mt Vernon". Either counts for the other.
_SHORT_FORMS = (
    ("corp", "corporation"),
    ("corpn", "corporation"),
    ("co", "company"),
    ("cos", "companies"),
    ("inc", "incorporated"),
    ("ltd", "limited"),
    ("bros", "brothers"),
    ("intl", "international"),
    ("natl", "national"),
    ("assn", "association"),
    ("assoc", "associates"),
    ("mfg", "manufacturing"),
    ("dept", "department"),
    ("govt", "government"),
    ("mt", "mount"),
    ("ft", "fort"),
    ("st", "saint"),
)
_BOTH_WAYS = (*_SHORT_FORMS, *((long, short) for short, long in _SHORT_FORMS))
_OTHER_FORM = {
    word: tuple(other for form, other in _BOTH_WAYS if form == word) for word, _ in _BOTH_WAYS
}
# An initialism as an article writes it: "U.S.", "U.N.", "USA", "SEC".
_INITIALISM = re.compile(r"(?<![\w.])(?:[A-Z]\.){2,}|\b[A-Z]{2,6}\b")
_NEGATION = re.compile(
    r"\b(?:not|never|no|none|nobody|nothing|neither|nor|without|cannot)\b|n[’']t\b", re.I
)
# "whether or not", "may or may not": a question that asks both ways negates nothing.
_EITHER_WAY = re.compile(r"\bor\s+(?:\w+\s+)?not\b", re.I)
# What a sentence that answers a negated question tends to say instead of "not": "they
# lack combs", "it remains unsolved", "with the exceptions of Novgorod", "has banned it".
_NEGATIVE = re.compile(
    _NEGATION.pattern + r"|\b(?:lack\w*|unable|fail\w*|except\w*|ban|bans|banned|refus\w*"
    r"|absen\w*|instead|unlike|rather|avoid\w*|prevent\w*|den(?:y|ies|ied)|reject\w*"
    r"|impossible|unknown|unsolved|unclear|excluded?)\b",
    re.I,
)


@dataclass(frozen=True)
class _Numbers:
    """The ordinals, decades and years a text writes (its plain numbers: `_plain_written`)."""

    ordinals: frozenset[int]  # 10 for "10th" and "tenth"
    decades: frozenset[str]  # "1990s" as "1990"
    years: frozenset[int]  # every run of 3-4 digits, as a possible year


def _plain(text: str) -> set[str]:
    return {m.group().replace(",", "").rstrip(".") for m in _NUMBER.finditer(text)}


@lru_cache(maxsize=4096)
def _plain_written(article: str) -> tuple[str, ...]:
    """The article's plain numbers ("1200", "3.5"), cardinals in words as digits: all that
    a question naming a plain number needs, read before and apart from the rest, which
    takes three more passes over the text (Reuters articles: about 30 µs against 94). A
    tuple, which the cycle collector stops tracking (`_numbers_written`)."""
    words = _folded(article)
    return tuple(_plain(article) | {str(_CARDINAL[w]) for w in words if w in _CARDINAL})


def _article_numbers(article: str) -> _Numbers:
    ordinals, decades, years = _numbers_written(article)
    return _Numbers(frozenset(ordinals), frozenset(decades), frozenset(years))


@lru_cache(maxsize=4096)
def _numbers_written(article: str) -> tuple[tuple[int, ...], tuple[str, ...], tuple[int, ...]]:
    """`_Numbers`' three sets as tuples: the cycle collector stops tracking a tuple of
    strings and numbers, and walks every frozenset kept here at each full collection."""
    words = _folded(article)
    return (
        tuple(
            {int(m.group(1)) for m in _ORDINAL.finditer(article)}
            | {_ORDINAL_VALUE[w] for w in words if w in _ORDINAL_VALUE}
        ),
        tuple({m.group(1) for m in _DECADE.finditer(article)}),
        tuple({int(m.group(1)) for m in _YEAR.finditer(article)}),
    )


def _century_named(century: int, found: _Numbers) -> bool:
    """The article names the century (as "12th" or "twelfth") or a year or decade in it."""
    first, last = (century - 1) * 100, century * 100 - 1
    return (
        century in found.ordinals
        or any(first <= y <= last for y in found.years)
        or any(first <= int(d) <= last for d in found.decades)
    )


def _decade_named(decade: str, found: _Numbers) -> bool:
    """ "1990s" (1990–1999) or "1100s" (1100–1199): named as such, by a year in it, or, for a
    hundred years, as its century ("the 12th century")."""
    if decade in found.decades:
        return True
    start = int(decade)
    span = 100 if decade.endswith("00") else 10
    if any(start <= y < start + span for y in found.years):
        return True
    return span == 100 and _century_named(start // 100 + 1, found)


def missing_numbers(question: str, article: str) -> float:
    """1.0 if the question names a number, ordinal, century or decade that the article (give
    its title too) never writes, else 0.0."""
    plain, ordinals, decades = _question_numbers(question)
    if not (plain or ordinals or decades):
        return 0.0  # most questions: the article's numbers need not be read at all
    if plain and not set(plain).issubset(_plain_written(article)):
        return 1.0
    if not (ordinals or decades):
        return 0.0
    found = _article_numbers(article)
    for n, century in ordinals:
        if not (_century_named(n, found) if century else n in found.ordinals):
            return 1.0
    return float(any(not _decade_named(d, found) for d in decades))


@lru_cache(maxsize=4096)
def _question_numbers(
    question: str,
) -> tuple[tuple[str, ...], tuple[tuple[int, bool], ...], tuple[str, ...]]:
    """The question's plain numbers, its ordinals (with whether a "century" follows) and
    its decades, once per question rather than once per article."""
    ordinals = tuple(
        (int(m.group(1)), question[m.end() : m.end() + 8].lower().strip().startswith("century"))
        for m in _ORDINAL.finditer(question)
    )
    decades = tuple(m.group(1) for m in _DECADE.finditer(question))
    return tuple(_plain(question)), ordinals, decades


@lru_cache(maxsize=4096)
def _article_negates(article: str) -> bool:
    return _NEGATION.search(article) is not None


@lru_cache(maxsize=4096)
def negates(question: str) -> bool:
    """Whether the question asks what did not happen ("did not", "never"; not "or not").
    Cached: `missing_negation` asks it again for each candidate article."""
    return _NEGATION.search(_EITHER_WAY.sub(" ", question)) is not None


def missing_negation(question: str, article: str) -> float:
    """1.0 if the question negates ("did not", "never") and the article negates nothing."""
    return float(negates(question) and not _article_negates(article))


def unnegated(sentence: str) -> float:
    """1.0 if the sentence says nothing negative: neither "not" nor "lacks", "unable",
    "except". Read only for a question that negates (`negates`)."""
    return float(_NEGATIVE.search(sentence) is None)


def missing_names(question: str, article: str) -> float:
    """1.0 if the question names someone or something (a capitalised word past its first)
    that the article, given its title too, never writes, else 0.0. A name is written when a
    word of the article starts with its first five letters or those of its stem
    ("Californian" of "California", "marry" of "married"), is a typing slip away (one letter
    in names of five to seven letters, two from eight on: "Sentanta" for "Setanta"), or,
    for a name of two to four capitals, when the article's capitalised words have those
    initials ("US" of "the United States"), or the other way round, when the question's run
    of capitalised words has initials the article writes ("United States" of "U.S.",
    "Securities and Exchange Commission" of "SEC"), or when it names a country the article
    names another way ("French" of "France", "Dutch" of "Holland": qa.countries), or
    when it is the long or the short form of a word news abbreviates in names
    ("Corporation" of "Corp", "Mount" of "Mt")."""
    names = _question_names(question)
    if not names:
        return 0.0
    words, starts = _article_words(article)
    written, prefixes = frozenset(words), frozenset(starts)
    for name, capitals in names:
        if name in written or name[:5] in prefixes or stem(name)[:5] in prefixes:
            continue
        if not written.isdisjoint(_OTHER_FORM.get(name, ())):  # "Corporation" of "Corp"
            continue
        if name in _abbreviated(question, article):
            continue
        if any(  # "French" of "France"
            name in named and any(_writes(other, article, written, prefixes) for other in others)
            for named, others in _countries_named(question)
        ):
            continue
        if capitals and name in _initials(article):
            continue
        slips = 1 if len(name) < 8 else 2
        if len(name) < 5 or not any(
            word[0] == name[0]
            and abs(len(word) - len(name)) <= slips
            and _within(name, word, slips)
            for word in words
        ):
            return 1.0
    return 0.0


@lru_cache(maxsize=4096)
def _question_names(question: str) -> tuple[tuple[str, bool], ...]:
    """The question's capitalised words after its first, folded, stop words left out, each
    with whether it is two to four capitals ("US", "AAA")."""
    found = dict.fromkeys(
        (m.group().lower(), m.group().isupper() and len(m.group()) <= 4)
        for m in _NAME.finditer(unaccented(question))
        if m.start() > 0
    )
    return tuple((w, caps) for w, caps in found if w not in STOP_WORDS and len(w) > 1)


@lru_cache(maxsize=4096)
def _article_words(article: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The article's words, folded, and their first five letters: tuples, which the cycle
    collector stops tracking (`_numbers_written`)."""
    words = _folded(article)
    return words, tuple({w[:5] for w in words})


@lru_cache(maxsize=4096)
def _folded(article: str) -> tuple[str, ...]:
    """The article's words, folded, each once: what the numbers in words, the ordinals and
    the names are looked up in, read off the text once for all three. Accents are left
    out, as people leave them out when they ask ("Jose" of "José")."""
    return tuple(set(_WORD.findall(fold_text(article))))


@lru_cache(maxsize=4096)
def _abbreviated(question: str, article: str) -> frozenset[str]:
    """The words of the question's runs of capitalised words whose initials the article
    writes as an initialism, alone or with one letter more ("USA" for "United States")."""
    runs = name_runs(question)
    if not runs:
        return frozenset()
    written = _initialisms(article)
    found: set[str] = set()
    for letters, words in runs:
        if letters in written or any(
            len(i) == len(letters) + 1 and i.startswith(letters) for i in written
        ):
            found.update(words)
    return frozenset(found)


@lru_cache(maxsize=4096)
def _countries_named(question: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """The question's words that name a country, alone or two together ("United
    Kingdom"), each with every name of the country (qa.countries)."""
    countries = other_names()
    asked: list[tuple[str, ...]] = [(name,) for name, _ in _question_names(question)]
    asked += [run for _, run in name_runs(question)]
    keys = [(named, " ".join(named)) for named in asked]
    return tuple((named, countries[key]) for named, key in keys if key in countries)


def _writes(name: str, article: str, written: frozenset[str], prefixes: frozenset[str]) -> bool:
    """Whether the article writes a country's name: a code ("UK") as an initialism, else
    each of its words, or a long word's first five letters."""
    if name.isupper():
        return name.lower() in _initialisms(article)
    return all(w in written or (len(w) >= 5 and w[:5] in prefixes) for w in name.lower().split())


@lru_cache(maxsize=1024)
def _initialisms(article: str) -> frozenset[str]:
    """The initialisms the article writes, folded, dots left out: "us" for "U.S."."""
    return frozenset(m.group().replace(".", "").lower() for m in _INITIALISM.finditer(article))


@lru_cache(maxsize=1024)
def _initials(article: str) -> tuple[str, ...]:
    """The initials of the article's runs of capitalised words, and of their parts."""
    found: set[str] = set()
    for run in _CAPITALISED_RUN.finditer(article):
        letters = "".join(word[0] for word in run.group().split() if word != "of").lower()
        found.update(
            letters[i:j] for i in range(len(letters)) for j in range(i + 2, len(letters) + 1)
        )
    return tuple(found)


def _within(a: str, b: str, limit: int) -> bool:
    """Whether two words are at most `limit` edits apart, a swap of two letters side by
    side ("Zeria" for "Zeira") counting as one (optimal string alignment distance)."""
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return False
        before, previous = previous, current
    return previous[-1] <= limit
