"""Group sentences into overlapping passages, the unit of retrieval."""

from __future__ import annotations

from dataclasses import dataclass

from index.segment import Span, sentences_by_region


@dataclass(frozen=True)
class Chunk:
    """A passage: sentences [first, last] of the article, and its character span."""

    start: int
    end: int
    first: int
    last: int


@dataclass(frozen=True)
class Chunked:
    sentences: list[Span]
    passages: list[Chunk]


def chunk(
    text: str, title: str = "", size: int = 4, overlap: int = 1, max_chars: int = 900
) -> Chunked:
    """Split an article into sentences and passages of up to `size` sentences.

    Consecutive passages share `overlap` sentences. A passage never crosses a
    boilerplate line or heading, so its text is a clean slice of the article.
    """
    if size < 1 or not 0 <= overlap < size:
        raise ValueError(f"need size >= 1 and 0 <= overlap < size, got {size=} {overlap=}")
    all_sentences: list[Span] = []
    passages: list[Chunk] = []
    for region in sentences_by_region(text, title):
        offset = len(all_sentences)
        all_sentences.extend(region)
        passages.extend(_windows(region, offset, size, overlap, max_chars))
    return Chunked(all_sentences, passages)


def _windows(
    region: list[Span], offset: int, size: int, overlap: int, max_chars: int
) -> list[Chunk]:
    windows: list[Chunk] = []
    i = 0
    while i < len(region):
        j = i
        while (
            j + 1 < len(region)
            and j + 1 - i < size
            and region[j + 1][1] - region[i][0] <= max_chars
        ):
            j += 1
        windows.append(Chunk(region[i][0], region[j][1], offset + i, offset + j))
        if j == len(region) - 1:
            break
        i = max(i + 1, j + 1 - overlap)
    return windows
