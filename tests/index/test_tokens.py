"""Stemming is shared by every request thread of the service."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from hypothesis import given
from hypothesis import strategies as st

from index.tokens import folded_words, stem, stemmed_text, words


def test_stems_are_the_same_when_many_threads_stem_at_once() -> None:
    words = [
        f"{base}{suffix}"
        for base in ("nation", "operat", "generous", "format")
        for suffix in ("alization", "ational", "iveness", "fulness", "ousness", "ization")
    ]
    words = [f"{w}{'x' * n}" for w in words for n in range(40)]  # distinct: no cache hits
    expected = [stem.__wrapped__(w) for w in words]  # type: ignore[attr-defined]
    for _ in range(3):
        with ThreadPoolExecutor(8) as pool:
            got = list(pool.map(stem.__wrapped__, words))  # type: ignore[attr-defined]
        assert got == expected


def test_stemmed_text_is_porter() -> None:
    assert stemmed_text("Operational bases, generously") == "oper base gener"


def test_stems_come_from_the_c_stemmer_and_match_the_python_one() -> None:
    """PyStemmer is what stems (12x faster); an index written with the pure-Python
    stemmer must still find the same words."""
    from snowballstemmer.porter_stemmer import PorterStemmer

    stem.__wrapped__("warm")  # type: ignore[attr-defined]  # makes this thread's stemmer
    from index import tokens

    assert type(tokens._local.stemmer).__module__ == "Stemmer"
    words = "operational generously running ponies caresses relational conditional".split()
    python = PorterStemmer()
    assert [stem.__wrapped__(w) for w in words] == [python.stemWord(w) for w in words]  # type: ignore[attr-defined]


_LETTERS = st.sampled_from("aZé É’'_- 1.ß\u0130\u212a\u2019İK")
_ASCII = st.characters(min_codepoint=0, max_codepoint=127)


@given(st.text(alphabet=_LETTERS, max_size=40) | st.text() | st.text(alphabet=_ASCII))
def test_a_texts_folded_words_are_its_words_folded_one_by_one(text: str) -> None:
    """ASCII texts are lowercased and split whole: the same words as the regular expression
    finds and folds one by one (FTS5's unicode61)."""
    assert folded_words(text) == [w for _, _, w in words(text)]
    ascii_only = text.encode("ascii", "ignore").decode()
    assert folded_words(ascii_only) == [w for _, _, w in words(ascii_only)]


def test_every_ascii_character_but_letters_and_digits_parts_words() -> None:
    text = "".join(f"a{chr(c)}b" for c in range(128))
    assert folded_words(text) == [w for _, _, w in words(text)]


def test_invisible_marks_inside_a_word_leave_it_one_word() -> None:
    text = "The Ken\u00adyan po\u00adlice mis\u2060sion, Anai\u0308s\u200bFe\u0301nelon"
    assert [w for _, _, w in words(text)] == [
        "the",
        "kenyan",
        "police",
        "mission",
        "anais",  # a zero-width space still parts words
        "fenelon",
    ]
    assert words(text)[1][:2] == (4, 11)  # offsets into the text as it is
    assert folded_words(text) == [w for _, _, w in words(text)]
    assert stemmed_text("po\u00adlice op\u00aderations") == stemmed_text("police operations")
