"""Every sentence's article and offsets, held in memory beside its vector in FAISS.

A question reads some forty sentence rows: the candidates' articles, offsets and vectors.
In SQLite each row carries its 1.5 KB vector, so those rows lie on some twenty-five pages
scattered through the file, and a page that has not been read lately is a disk read:
Reuters' `Store.sentences` took 2.0 ms a question with the file out of the page cache,
0.37 ms with it in. This table holds what a row says in about 20 bytes a sentence (Reuters:
3.5 MB for 104,401 sentences), and the vector comes from the FAISS index already in memory.

The rows are read from a covering index of (doc_id, start, end) and the id, a few megabytes
(an index written before it had one is read from the table itself, all its pages). Sentence
ids are never reused (index.writer), so a row never changes once written: after a write
the table keeps its rows, drops those of sentences gone from the new vectors, and reads
only rows with a higher id than any it holds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.embed import Vectors
from index.table_columns import I32, I64, doc_positions, held_positions
from index.vectors import Searchable


@dataclass(frozen=True)
class SentenceRow:
    id: int
    doc_id: str
    start: int
    end: int
    vector: Vectors


# index.schema's covering index of the sentences' articles and offsets (and ids).
SPANS_INDEX = "sentences_spans"


class SentenceTable:
    """Sentence rows by id, with vectors reconstructed from `index` (exact, or the
    approximate copy's 16-bit floats; index.approximate)."""

    def __init__(
        self,
        index: Searchable,
        ids: I64,
        docs: I32,
        starts: I32,
        ends: I32,
        doc_ids: list[str],
        token_offsets: I64,
        token_lengths: I32,
    ) -> None:
        self.index = index
        self._ids = ids  # ascending
        self._docs = docs  # positions in doc_ids
        self._starts = starts
        self._ends = ends
        self._doc_ids = doc_ids
        # Where each sentence's token vectors are in index.token_file's file; length 0 where
        # they are not there (none kept, or kept as rows by an older writer).
        self._token_offsets = token_offsets
        self._token_lengths = token_lengths

    @classmethod
    def empty(cls, index: Searchable) -> SentenceTable:
        none, no_ids = np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
        return cls(index, no_ids, none, none, none, [], no_ids, none)

    def __len__(self) -> int:
        return len(self._ids)

    def updated(self, conn: sqlite3.Connection, index: Searchable, ids: I64) -> SentenceTable:
        """The table for a new generation whose vectors are `index`, holding `ids`: rows of
        sentences no longer there dropped, rows past the highest id held read in."""
        keep = np.isin(self._ids, ids)
        last = int(self._ids[-1]) if len(self._ids) else 0
        rows = conn.execute(
            f'SELECT id, doc_id, start, "end" FROM {_source(conn)} WHERE id > ?', (last,)
        ).fetchall()
        doc_ids, new_docs = doc_positions(self._doc_ids, [r[1] for r in rows])
        new_ids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
        order = np.argsort(new_ids, kind="stable")  # the covering index is in article order
        offsets, lengths = _token_spans(conn, last, new_ids[order])
        return SentenceTable(
            index,
            np.concatenate([self._ids[keep], new_ids[order]]),
            np.concatenate([self._docs[keep], new_docs[order]]),
            np.concatenate([self._starts[keep], _column(rows, 2)[order]]),
            np.concatenate([self._ends[keep], _column(rows, 3)[order]]),
            doc_ids,
            np.concatenate([self._token_offsets[keep], offsets]),
            np.concatenate([self._token_lengths[keep], lengths]),
        )

    def token_spans(self, ids: Sequence[int]) -> list[tuple[int, int, int]]:
        """(id, offset, length) in the token file of those of `ids` it holds there."""
        at = held_positions(self._ids, ids)
        at = at[self._token_lengths[at] > 0]
        return [
            (int(i), int(o), int(n))
            for i, o, n in zip(
                self._ids[at], self._token_offsets[at], self._token_lengths[at], strict=True
            )
        ]

    def rows(self, ids: Sequence[int]) -> dict[int, SentenceRow]:
        """The rows of those of `ids` the table holds, by id, in ascending id order as SQLite
        returns them: the scorer's stable sort breaks ties in this order."""
        at = held_positions(self._ids, ids)
        if not len(at):
            return {}
        found = self._ids[at]
        vecs = self.index.reconstruct_batch(found)
        doc_ids = self._doc_ids
        return {
            int(i): SentenceRow(int(i), doc_ids[d], int(s), int(e), v)
            for i, d, s, e, v in zip(
                found, self._docs[at], self._starts[at], self._ends[at], vecs, strict=True
            )
        }


def _token_spans(conn: sqlite3.Connection, last: int, ids: I64) -> tuple[I64, I32]:
    """Offsets and lengths in the token file of these sentences (ascending ids, all past
    `last`); length 0 for those it does not hold."""
    offsets, lengths = np.zeros(len(ids), dtype=np.int64), np.zeros(len(ids), dtype=np.int32)
    try:
        rows = conn.execute(
            "SELECT id, offset, length FROM token_spans WHERE id > ?", (last,)
        ).fetchall()
    except sqlite3.OperationalError:  # an index no writer has touched since before it
        return offsets, lengths
    if rows and len(ids):
        found = np.fromiter((r[0] for r in rows), np.int64, len(rows))
        at = np.minimum(np.searchsorted(ids, found), len(ids) - 1)
        held = ids[at] == found
        offsets[at[held]] = np.fromiter((r[1] for r in rows), np.int64, len(rows))[held]
        lengths[at[held]] = _column(rows, 2)[held]
    return offsets, lengths


def _source(conn: sqlite3.Connection) -> str:
    """Where to read rows from: the covering index SPANS_INDEX where the index has one,
    a few megabytes, rather than the table, whose pages also hold every vector."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (SPANS_INDEX,)
    ).fetchone()
    return f"sentences INDEXED BY {SPANS_INDEX}" if found else "sentences"


def _column(rows: list[Any], i: int) -> I32:
    return np.fromiter((r[i] for r in rows), np.int32, len(rows))
