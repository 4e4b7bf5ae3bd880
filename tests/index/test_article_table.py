"""The articles a reader holds in memory say what the database says, through writes, changes
and deletes; writers never read them; a question whose snapshot is of another generation
reads the database instead."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest

from index.article_table import ArticleTable
from index.document import Article
from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from index.schema import DB_NAME
from index.store import Store
from index.writer import StoreWriter
from tests.conftest import SEED_ID
from tests.index.test_store import story


def _database(path: Path) -> dict[str, tuple[str, ...]]:
    with sqlite3.connect(path / DB_NAME) as conn:
        rows = conn.execute(
            "SELECT doc_id, title, url, published, source, metadata, text FROM articles"
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def _assert_same(store: Store, path: Path) -> None:
    expected = _database(path)
    asked = [*expected, "no-such-article"]
    texts, infos = store.texts(asked[::-1]), store.infos(asked[::-1])
    assert list(texts) == list(infos) == sorted(expected)  # in id order, as SQLite gives them
    for doc_id, (title, url, published, source, metadata, text) in expected.items():
        info = infos[doc_id]
        assert (info.title, info.url, info.published, info.source) == (
            title,
            url,
            published,
            source,
        )
        assert info.metadata == json.loads(metadata)
        assert texts[doc_id] == text


def test_the_articles_follow_writes_changes_and_deletes(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    reader = Store(seed_copy)
    _assert_same(reader, seed_copy)
    assert len(reader._article_table) == 1  # read from memory
    indexer = Indexer(seed_copy, embedder)
    indexer.index_articles([story(1), story(2)])
    assert reader.refresh()
    _assert_same(reader, seed_copy)
    changed = Article(
        doc_id="story-1", title="Story 1, updated", text="The harbour closed again on Friday."
    )
    indexer.index_articles([changed])
    assert indexer.delete(SEED_ID)
    assert reader.refresh()
    _assert_same(reader, seed_copy)
    assert reader.texts(["story-1"]) == {"story-1": changed.text}
    assert SEED_ID not in reader.texts([SEED_ID])
    assert len(reader._article_table) == 2


def test_writers_never_read_the_articles_into_memory(
    seed_copy: Path, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("a writer read every article")

    monkeypatch.setattr(ArticleTable, "read", refuse)
    Indexer(seed_copy, embedder).index_articles([story(4)])
    with StoreWriter(seed_copy, Store(seed_copy).model, 384) as writer:
        assert writer.delete("story-4")
        writer.commit()
    assert "story-4" not in _database(seed_copy)


def test_a_snapshot_of_another_generation_reads_the_database(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    reader = Store(seed_copy)
    with reader.snapshot():
        before = reader.texts([SEED_ID])  # this thread's snapshot stays at this generation
        Indexer(seed_copy, embedder).index_articles([story(3)])
        other = threading.Thread(target=reader.refresh)  # another thread sees the write
        other.start()
        other.join()
        assert reader.texts(["story-3", SEED_ID]) == before  # what this snapshot sees
    assert reader.texts(["story-3"]) == {"story-3": story(3).text}  # a new snapshot
    assert reader._article_table.generation == reader.generation


def test_an_article_an_earlier_version_kept_unchecked_is_still_served(seed_copy: Path) -> None:
    # Earlier versions stored a 480 kB title and metadata nested thousands deep; reading
    # them back was a 500 (the title re-checked, the metadata past JSON's recursion).
    deep = '{"a": ' + "[" * 3000 + "]" * 3000 + "}"
    with sqlite3.connect(seed_copy / DB_NAME) as conn:
        conn.execute(
            "UPDATE articles SET title = ?, metadata = ? WHERE doc_id = ?",
            ("Harbour " * 60_000, deep, SEED_ID),
        )
    store = Store(seed_copy)
    article = store.article(SEED_ID)
    assert len(article.title) == 480_000
    assert store.infos([SEED_ID])[SEED_ID].metadata == article.metadata  # what answers read
    assert article.metadata == {
        "unreadable_metadata": "nested too deeply to serve; index the article again"
    }
    assert json.loads(article.model_dump_json())["doc_id"] == SEED_ID
