"""Words as the full-text index sees them: FTS5's unicode61 folding and porter stems.

The embedded store's BM25 postings (index.lexical) and the PostgreSQL store's term column are
both made of these, so a question's stems look up either index the same way.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

# What runs on inside a word besides letters and digits: combining marks (an accent typed
# after its letter, as text in Unicode's decomposed form NFD has it, and the vowel signs of
# Indic scripts), and invisible marks: a soft hyphen ("Ken\u00adyan", common in text taken
# from web pages), the word joiner and the zero-width (non-)joiners. Folding drops the
# accents and the invisible marks, so such a word matches as typed.
_IN_WORD = "\u00ad\u2060\u200c\u200d"


def _mark_ranges() -> str:
    """The combining marks of the Basic Multilingual Plane, as a regex class's ranges."""
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if unicodedata.category(chr(code)).startswith("M"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


# Letters and digits first, then any run of marks and more letters: on text without marks
# nearly as fast as [^\W_]+ (Reuters: 17% more time; one class of everything took 60%).
_WORD = re.compile(rf"[^\W_]+(?:[{_mark_ranges()}{_IN_WORD}]+[^\W_]*)*", re.UNICODE)
_DROP = str.maketrans(dict.fromkeys(map(ord, _IN_WORD)))
# A stemmer is not safe to share between threads: one per thread. With PyStemmer installed
# (a dependency), snowballstemmer hands out its C stemmer, which gives the same stems 12x
# faster (58,646 words of the shipped corpora and eval sets compared).
_local = threading.local()


@lru_cache(maxsize=262_144)
def fold(word: str) -> str:
    """Lowercase and strip diacritics, as FTS5's unicode61 tokenizer does."""
    return fold_text(word)


def fold_text(text: str) -> str:
    """`fold` of a whole text, not kept in fold's cache of words."""
    if text.isascii():
        return text.lower()
    return unaccented(text.lower().replace("’", "'").translate(_DROP))


def unaccented(text: str) -> str:
    """The text without its accents, capitals kept: "José" is "Jose"."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=32_768)
def words(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, folded word) for every word in the text."""
    return tuple((m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text))


# In ASCII text the word characters, [^\W_], are the letters and digits: every other
# character parts words, so it becomes a space and str.split finds the words.
_ASCII_GAPS = str.maketrans({c: c if c.isalnum() else " " for c in map(chr, range(128))})


def folded_words(text: str) -> list[str]:
    """The text's words, folded, in order, without their offsets. An ASCII text is
    lowercased whole, which folds every word of it at once, and split where it is not a
    letter or a digit, the same words as the regular expression finds in about half the
    time (Reuters passages of 188 characters, stemmed: 9.5-12 µs against 21-25)."""
    if text.isascii():
        return text.lower().translate(_ASCII_GAPS).split()
    return list(map(fold, _WORD.findall(text)))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("porter")
        if hasattr(stemmer, "maxCacheSize"):
            # PyStemmer's own cache (10,000 words, a list each) repeats this function's,
            # and Python's cycle collector walks it at every full collection.
            stemmer.maxCacheSize = 0
    return str(stemmer.stemWord(word))


def stemmed_text(text: str) -> str:
    """Every word's stem in order, space-separated: what the PostgreSQL store indexes."""
    return " ".join(stem_list(text))


def stem_list(text: str) -> list[str]:
    """Every word's stem in order; unlike `words`, nothing of the text is memoised."""
    return list(map(stem, folded_words(text)))
