"""What the in-memory row tables (index.sentence_table, index.passage_table) share: their
article column, kept as positions in a list of article ids, and the lookup of rows by id in
their ascending id column."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]


def doc_positions(known: list[str], doc_ids: list[str]) -> tuple[list[str], I32]:
    """`known` with the new ones of `doc_ids` appended, and each of `doc_ids`' position in
    it."""
    position = {d: i for i, d in enumerate(known)}
    found = np.fromiter(
        (position.setdefault(d, len(position)) for d in doc_ids), np.int32, len(doc_ids)
    )
    return [*known, *list(position)[len(known) :]], found


def held_positions(table_ids: I64, ids: Sequence[int]) -> I64:
    """Where those of `ids` that the ascending `table_ids` holds are in it, in ascending id
    order (each once)."""
    if not len(ids) or not len(table_ids):
        return np.zeros(0, dtype=np.int64)
    wanted = np.unique(np.asarray(ids, dtype=np.int64))
    at = np.minimum(np.searchsorted(table_ids, wanted), len(table_ids) - 1)
    return np.asarray(at[table_ids[at] == wanted], dtype=np.int64)
