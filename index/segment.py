"""Split story text into sentences with exact character offsets into the original article."""

from __future__ import annotations

import re
import unicodedata

from syntok import segmenter

from index.clean import story_regions

Span = tuple[int, int]
_MAX_QUOTE_MERGE = 6  # an unbalanced “ must not swallow the rest of the article
# The longest sentence: about what the encoder reads (256 word pieces), and a quote one can
# read. Longer runs without a full stop (tables, lists, text without punctuation; 24 of
# Reuters-21578's 106,267 sentences, one of 6,021 characters) are cut into pieces this long.
MAX_SENTENCE_CHARS = 1000
_BREAKS = ("; ", ", ", " ")  # where a long run is cut, best first, in its second half
# Newswire starts a paragraph on a new, indented line.
_PARAGRAPH = re.compile(r"([.!?][\"”’')\]]*)[ \t]*\n[ \t]{2,}(?=[A-Z\"“(<])")
# A title before a name, which the segmenter takes for a full stop: "said Rep. Joe Barton".
_TITLE = re.compile(
    r"\b(?:Rep|Reps|Sen|Sens|Gov|Gen|Lt|Col|Sgt|Capt|Cmdr|Adm|Prof|Rev|Hon|Pres|Amb|Supt|Insp)\.$"
)
# A full stop right after a sign, then a capital: "costs 5 €. The", "at the docks 🎉. The".
_AFTER_SIGN = re.compile(r"(?<=[^\w\s])[.!?]+(?=\s+[\"“‘(]?[A-Z])")
_SIGNS = frozenset("%‰\u200d\ufe0f")  # per mille, and what joins and styles an emoji


def sentences(text: str, title: str = "") -> list[Span]:
    """Sentence spans of the story parts of `text`; boilerplate and headings are skipped."""
    return [span for region in sentences_by_region(text, title) for span in region]


def sentences_by_region(text: str, title: str = "") -> list[list[Span]]:
    """Sentence spans grouped by uninterrupted stretch of story text."""
    regions = (
        _split_long(text, _merge_open_quotes(text, _segment(text, s, e)))
        for s, e in story_regions(text, title)
    )
    return [region for region in regions if region]


def _segment(text: str, start: int, end: int) -> list[Span]:
    region = text[start:end]
    spans: list[Span] = []
    for paragraph in segmenter.analyze(region):
        for sentence in paragraph:
            first, last = sentence[0], sentence[-1]
            # syntok reports the offset of a token's value; its leading spacing is separate.
            s = first.offset
            e = last.offset + len(last.value)
            while s < e and region[s].isspace():  # syntok and str disagree on some controls
                s += 1
            while e > s and region[e - 1].isspace():
                e -= 1
            if e > s:
                spans.append((start + s, start + e))
    spans = _extend_closing_quotes(text, _split_after_signs(text, _split_paragraphs(text, spans)))
    return _join_brackets(text, _join_titles(text, spans))


def _split_long(text: str, spans: list[Span]) -> list[Span]:
    """Sentences over MAX_SENTENCE_CHARS cut into pieces no longer, at a semicolon, a comma
    or a space in the second half of each piece if there is one. Parsing a run of 270,000
    characters took spaCy a gigabyte, and one over a million it refuses."""
    split: list[Span] = []
    for s, e in spans:
        while e - s > MAX_SENTENCE_CHARS:
            window = text[s : s + MAX_SENTENCE_CHARS]
            half = MAX_SENTENCE_CHARS // 2
            cuts = (window.rfind(mark, half) for mark in _BREAKS)
            cut = next((c for c in cuts if c >= 0), -1)
            # After the semicolon or comma, which stays; the space after it goes.
            end = s + (cut + 1 if cut >= 0 else MAX_SENTENCE_CHARS)
            piece_end = end
            while piece_end > s and text[piece_end - 1].isspace():
                piece_end -= 1
            split.append((s, piece_end))
            s = end
            while s < e and text[s].isspace():
                s += 1
        if e > s:
            split.append((s, e))
    return split


def _split_paragraphs(text: str, spans: list[Span]) -> list[Span]:
    """A full stop, then a new line that is indented, ends the sentence: a paragraph starts.

    The segmenter reads "Hutton and Co." as an abbreviation and runs on across newswire's
    indented paragraphs; a blank line it takes as a break already."""
    split: list[Span] = []
    for s, e in spans:
        for match in _PARAGRAPH.finditer(text, s, e):
            split.append((s, match.end(1)))
            s = match.end()
        split.append((s, e))
    return split


def _split_after_signs(text: str, spans: list[Span]) -> list[Span]:
    """A full stop after a sign that stands apart from the word before, then a capital,
    ends the sentence. The segmenter reads the sign and the stop as one token and runs
    on: "The ticket costs 5 €. The bus left", "Prices rose 5 %. The bank", emoji."""
    split: list[Span] = []
    for s, e in spans:
        for match in _AFTER_SIGN.finditer(text, s, e):
            if match.start() > s and _is_sign(text[match.start() - 1]):
                split.append((s, match.end()))
                s = match.end()
                while text[s].isspace():  # the lookahead saw a capital after the spaces
                    s += 1
        split.append((s, e))
    return split


def _is_sign(char: str) -> bool:
    """A symbol (currency, maths, emoji and other signs), a per-cent sign or an emoji's
    joiner or style selector."""
    return char in _SIGNS or unicodedata.category(char).startswith("S")


def _join_titles(text: str, spans: list[Span]) -> list[Span]:
    joined: list[Span] = []
    for s, e in spans:
        if joined and _TITLE.search(text[joined[-1][0] : joined[-1][1]]) and text[s].isupper():
            joined[-1] = (joined[-1][0], e)
        else:
            joined.append((s, e))
    return joined


def _join_brackets(text: str, spans: list[Span]) -> list[Span]:
    """A closing bracket with no full stop before it ends no sentence: the segmenter splits
    "the Mental Health (Care and Treatment) (Scotland) | Act 2003" and "Sony (U.K.) | Ltd".
    A line break between the two still does (a heading or a list line may end so)."""
    joined: list[Span] = []
    for s, e in spans:
        if joined:
            last_s, last_e = joined[-1]
            tail = text[last_s:last_e].rstrip(")]")
            if (
                tail != text[last_s:last_e]
                and tail[-1:] not in (".", "!", "?")
                and "\n" not in text[last_e:s]
            ):
                joined[-1] = (last_s, e)
                continue
        joined.append((s, e))
    return joined


def _extend_closing_quotes(text: str, spans: list[Span]) -> list[Span]:
    # A closing quote right after the full stop belongs to the sentence it closes.
    extended: list[Span] = []
    for s, e in spans:
        if extended and e <= extended[-1][1]:
            continue  # nothing but closing marks, already taken by the sentence before
        s = max(s, extended[-1][1]) if extended else s
        while text[s].isspace():  # e > s here, and text[e - 1] is not a space
            s += 1
        while e < len(text) and text[e] in '”’")]':
            e += 1
        extended.append((s, e))
    return extended


def _merge_open_quotes(text: str, spans: list[Span]) -> list[Span]:
    """Join sentences while a curly quotation opened in them is still open."""
    merged: list[Span] = []
    i = 0
    while i < len(spans):
        s, e = spans[i]
        j = i
        while _open_quotes(text[s:e]) > 0 and j + 1 < len(spans) and j - i < _MAX_QUOTE_MERGE:
            j += 1
            e = spans[j][1]
        if _open_quotes(text[s:e]) > 0:
            j, e = i, spans[i][1]  # never closed: keep the segmenter's split
        merged.append((s, e))
        i = j + 1
    return merged


def _open_quotes(sentence: str) -> int:
    return sentence.count("“") - sentence.count("”")
