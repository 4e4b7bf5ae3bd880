"""The passage rows a reader holds in memory say what the database says, through writes,
deletes and a changed article."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from index.passage_table import PassageRow
from index.schema import DB_NAME
from index.store import Store
from tests.conftest import SEED_ID
from tests.index.test_store import story


def _database_rows(path: Path) -> dict[int, PassageRow]:
    with sqlite3.connect(path / DB_NAME) as conn:
        rows = conn.execute(
            'SELECT id, doc_id, start, "end", first_sentence, last_sentence FROM passages'
        ).fetchall()
    return {r[0]: PassageRow(*r) for r in rows}


def _assert_same(store: Store, path: Path) -> None:
    expected = _database_rows(path)
    asked = [*expected, max(expected) + 1, -3]  # and two ids no passage has
    found = store.passages(asked[::-1])
    assert list(found) == sorted(expected)  # in id order, whatever asked
    assert found == expected
    for row in found.values():  # plain ints, not numpy's
        assert {type(v) for k, v in vars(row).items() if k != "doc_id"} == {int}


def test_the_rows_follow_writes_and_deletes(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    reader = Store(seed_copy)
    _assert_same(reader, seed_copy)
    indexer = Indexer(seed_copy, embedder)
    indexer.index_articles([story(1), story(2)])
    assert reader.refresh()
    _assert_same(reader, seed_copy)
    changed = story(1)
    indexer.index_articles([changed.model_copy(update={"text": changed.text + " Buses too."})])
    assert reader.refresh()
    _assert_same(reader, seed_copy)  # the old passages of story 1 gone, its new ones read
    rows = _database_rows(seed_copy)
    seed_passages = [pid for pid, row in rows.items() if row.doc_id == SEED_ID]
    assert indexer.delete(SEED_ID)
    assert reader.refresh()
    _assert_same(reader, seed_copy)
    assert reader.passages(seed_passages) == {}
    assert len(reader._passage_table) == len(_database_rows(seed_copy))
    assert reader.passages([]) == {}
