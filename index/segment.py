"""Split story text into sentences with exact character offsets into the original article."""

from __future__ import annotations

import re

from syntok import segmenter

from index.clean import story_regions

Span = tuple[int, int]
_MAX_QUOTE_MERGE = 6  # an unbalanced “ must not swallow the rest of the article
# Newswire starts a paragraph on a new, indented line.
_PARAGRAPH = re.compile(r"([.!?][\"”’')\]]*)[ \t]*\n[ \t]{2,}(?=[A-Z\"“(<])")
# A title before a name, which the segmenter takes for a full stop: "said Rep. Joe Barton".
_TITLE = re.compile(
    r"\b(?:Rep|Reps|Sen|Sens|Gov|Gen|Lt|Col|Sgt|Capt|Cmdr|Adm|Prof|Rev|Hon|Pres|Amb|Supt|Insp)\.$"
)


def sentences(text: str, title: str = "") -> list[Span]:
    """Sentence spans of the story parts of `text`; boilerplate and headings are skipped."""
    return [span for region in sentences_by_region(text, title) for span in region]


def sentences_by_region(text: str, title: str = "") -> list[list[Span]]:
    """Sentence spans grouped by uninterrupted stretch of story text."""
    regions = (
        _merge_open_quotes(text, _segment(text, s, e)) for s, e in story_regions(text, title)
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
    spans = _extend_closing_quotes(text, _split_paragraphs(text, spans))
    return _join_brackets(text, _join_titles(text, spans))


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
