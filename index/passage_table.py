"""Every passage's article, offsets and sentences, held in memory.

A question reads the rows of the passages it retrieved, about ten, from SQLite: a few pages
scattered through the file, each a disk read when the file has left the page cache (Reuters:
about 0.25 ms a question uncached). The whole table is small, six numbers a passage (Reuters:
38,797 passages, under 1 MB here), so a reader holds it, as it holds the sentences'
(index.sentence_table). Passage ids are never reused (index.writer), so a row never changes
once written: after a write the table drops the rows of passages gone from the new vectors
and reads only rows with a higher id than any it holds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.table_columns import I32, I64, doc_positions, held_positions


@dataclass(frozen=True)
class PassageRow:
    id: int
    doc_id: str
    start: int
    end: int
    first_sentence: int
    last_sentence: int


class PassageTable:
    """Passage rows by id: columns in id order, articles as positions in a list of ids."""

    def __init__(self, ids: I64, docs: I32, columns: I64, doc_ids: list[str]) -> None:
        self._ids = ids  # ascending
        self._docs = docs  # positions in doc_ids
        self._columns = columns  # start, end, first and last sentence: one row per passage
        self._doc_ids = doc_ids

    @classmethod
    def empty(cls) -> PassageTable:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros((0, 4), np.int64), [])

    def __len__(self) -> int:
        return len(self._ids)

    def updated(self, conn: sqlite3.Connection, ids: I64) -> PassageTable:
        """The table for a generation whose passage vectors hold `ids`: rows of passages no
        longer there dropped, rows past the highest id held read in."""
        keep = np.isin(self._ids, ids)
        last = int(self._ids[-1]) if len(self._ids) else 0
        rows = conn.execute(
            'SELECT id, doc_id, start, "end", first_sentence, last_sentence FROM passages '
            "WHERE id > ? ORDER BY id",
            (last,),
        ).fetchall()
        doc_ids, new_docs = doc_positions(self._doc_ids, [r[1] for r in rows])
        new_ids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
        new_columns = np.array([r[2:] for r in rows], dtype=np.int64).reshape(len(rows), 4)
        return PassageTable(
            np.concatenate([self._ids[keep], new_ids]),
            np.concatenate([self._docs[keep], new_docs]),
            np.concatenate([self._columns[keep], new_columns]),
            doc_ids,
        )

    def rows(self, ids: Sequence[int]) -> dict[int, PassageRow]:
        """The rows of those of `ids` the table holds, by id, in ascending id order."""
        at = held_positions(self._ids, ids)
        doc_ids = self._doc_ids
        return {
            int(i): PassageRow(int(i), doc_ids[d], *map(int, c))
            for i, d, c in zip(self._ids[at], self._docs[at], self._columns[at], strict=True)
        }
