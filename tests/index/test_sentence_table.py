"""The sentence rows a reader holds in memory say what the database says, through writes,
deletes and approximate search, and with or without the covering index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from index import vectors
from index.approximate import Approximate
from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from index.schema import DB_NAME
from index.sentence_table import SPANS_INDEX
from index.store import Store
from tests.conftest import SEED_ID
from tests.index.test_store import story


def _database_rows(path: Path) -> dict[int, tuple[str, int, int, np.ndarray]]:
    with sqlite3.connect(path / DB_NAME) as conn:
        rows = conn.execute('SELECT id, doc_id, start, "end", vec FROM sentences').fetchall()
    return {r[0]: (r[1], r[2], r[3], np.frombuffer(r[4], dtype=np.float32)) for r in rows}


def _assert_same(store: Store, path: Path, tolerance: float = 0.0) -> None:
    expected = _database_rows(path)
    asked = [*expected, max(expected) + 1, -3]  # and two ids no sentence has
    found = store.sentences(asked[::-1])
    assert list(found) == sorted(expected)  # in id order, as SQLite gives them, whatever asked
    for sid, (doc_id, start, end, vec) in expected.items():
        row = found[sid]
        assert (row.id, row.doc_id, row.start, row.end) == (sid, doc_id, start, end)
        assert np.abs(row.vector - vec).max() <= tolerance


def test_the_rows_follow_writes_and_deletes(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    reader = Store(seed_copy)
    _assert_same(reader, seed_copy)
    indexer = Indexer(seed_copy, embedder)
    indexer.index_articles([story(1), story(2)])
    assert reader.refresh()
    _assert_same(reader, seed_copy)
    assert indexer.delete(SEED_ID)
    assert reader.refresh()
    _assert_same(reader, seed_copy)  # the seed's rows are gone, the others kept
    assert reader.sentences([1]) == {}
    assert len(reader._sentence_table) == len(_database_rows(seed_copy))


def test_rows_come_from_the_covering_index_or_without_it(seed_copy: Path) -> None:
    with sqlite3.connect(seed_copy / DB_NAME) as conn:
        plan = conn.execute(
            f'EXPLAIN QUERY PLAN SELECT id, doc_id, start, "end" FROM sentences '
            f"INDEXED BY {SPANS_INDEX} WHERE id > 0"
        ).fetchall()
        assert "COVERING INDEX" in str(plan)
        conn.execute(f"DROP INDEX {SPANS_INDEX}")  # as an index written before it was
    _assert_same(Store(seed_copy), seed_copy)


def test_rows_of_an_approximate_index_carry_its_16_bit_vectors(
    seed_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectors, "ANN_MIN", 16)  # the seed's 16 sentences search approximately
    store = Store(seed_copy)
    assert isinstance(store._sentences, Approximate)
    _assert_same(store, seed_copy, tolerance=1e-3)
