"""A disk that refuses a write part way through indexing (tests.disk): a clear error, and
the index keeps, whole and answerable, everything committed before; the real model, store,
SQLite and FAISS files."""

from __future__ import annotations

import errno
import re
import sqlite3
from pathlib import Path

import psycopg
import pytest

from index.document import Article
from index.embed import SentenceTransformerEmbedder
from index.errors import IndexWriteError, write_failure
from index.indexer import Indexer, delete_article
from index.rebuild import rebuild
from index.schema import save_atomically
from index.store import Store
from qa.answer import Answerer
from qa.retrieve import Retriever
from tests.conftest import SEED_ID, SEEDS
from tests.disk import writes_refused_past

QUESTION = "where are the forward operating bases?"
SEED_TEXT = (SEEDS / f"{SEED_ID}.txt").read_text()


def reports(count: int) -> list[Article]:
    """Articles as long as the seed, each of its own: each adds as much to the index."""
    return [
        Article(doc_id=f"report-{i}", title=f"Report {i}", text=f"Report number {i}.\n{SEED_TEXT}")
        for i in range(count)
    ]


def answer(index: Path, embedder: SentenceTransformerEmbedder) -> str:
    store = Store(index)
    try:
        result = Answerer(Retriever(store, embedder)).ask(QUESTION, top_k=1)
    finally:
        store.close()
    return result.answers[0].text


def test_a_write_the_disk_refuses_keeps_every_commit_before_it(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    before = answer(seed_copy, embedder)
    grown = (seed_copy / "tokens.bin").stat().st_size
    articles = reports(8)
    # Room for about two more articles' token vectors, committed one at a time.
    indexer = Indexer(seed_copy, embedder, batch_articles=1, commit_every=1)
    with writes_refused_past(grown * 3), pytest.raises(IndexWriteError) as caught:
        indexer.index_articles(articles)
    message = str(caught.value)
    assert "a file grew past the size this process may write" in message
    found = re.search(r"the first (\d+ )?articles? (was|were) committed before that", message)
    assert found, message
    kept = int(found.group(1) or 1)
    assert 1 <= kept < len(articles)
    store = Store(seed_copy)
    try:
        assert store.stats()["articles"] == 1 + kept
    finally:
        store.close()
    assert answer(seed_copy, embedder) == before
    assert not list(seed_copy.glob("*.tmp"))
    # Once there is room, the same articles again: the kept ones are skipped.
    report = Indexer(seed_copy, embedder).index_articles(articles)
    assert (report.added, report.unchanged) == (len(articles) - kept, kept)


def test_a_rebuild_the_disk_refuses_leaves_the_index_as_it_was(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    Indexer(seed_copy, embedder).index_articles(reports(3))
    before = answer(seed_copy, embedder)
    limit = (seed_copy / "tokens.bin").stat().st_size // 2
    with writes_refused_past(limit), pytest.raises(IndexWriteError, match="is as it was"):
        rebuild(seed_copy, embedder)
    assert not seed_copy.with_name(f"{seed_copy.name}.rebuild").exists()
    assert answer(seed_copy, embedder) == before


def test_a_failed_atomic_save_leaves_no_file(tmp_path: Path) -> None:
    def write(tmp: Path) -> None:
        tmp.write_bytes(b"x" * 1000)
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        save_atomically(tmp_path / "vectors.faiss", write)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "no space left on the disk"),
        (OSError(errno.EDQUOT, "Disk quota exceeded"), "the disk quota is used up"),
        (OSError(errno.EROFS, "Read-only file system"), "the disk is read-only"),
        (sqlite3.OperationalError("database or disk is full"), "no space left on the disk"),
        (sqlite3.OperationalError("attempt to write a readonly database"), "read-only"),
        (
            RuntimeError(
                "Error in void faiss::write_index(const Index*, IOWriter*, int) at "
                "index_write.cpp:499: Error: 'ret == (size * 4)' failed: write error in "
                "/x/sentences.2.faiss.tmp: 31076270 != 46080000 (No space left on device)"
            ),
            "no space left on the disk",
        ),
        (psycopg.errors.DiskFull("could not extend file"), "no space left on the disk"),
    ],
)
def test_what_the_disk_raises_is_told_apart(error: Exception, reason: str) -> None:
    assert reason in (write_failure(error) or "")


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.ENOENT, "No such file or directory"),
        sqlite3.OperationalError("database is locked"),
        RuntimeError("faiss: dimension mismatch"),
        ValueError("no space left on the disk"),
    ],
)
def test_other_errors_are_not_taken_for_the_disk(error: Exception) -> None:
    assert write_failure(error) is None


def test_a_delete_the_disk_refuses_keeps_the_article_and_lets_go_of_the_index(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    with writes_refused_past(1000), pytest.raises(IndexWriteError, match="is still indexed"):
        delete_article(seed_copy, embedder.name, embedder.dim, SEED_ID)
    store = Store(seed_copy)
    try:
        assert store.stats()["articles"] == 1
    finally:
        store.close()
    assert delete_article(seed_copy, embedder.name, embedder.dim, SEED_ID)  # not locked
