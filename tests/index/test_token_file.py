"""Token vectors in their own file: read back as written, neighbours in one read, what a
writer never committed cut off, older indexes' rows still read, a damaged file a warning."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from index import token_file
from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from index.schema import DB_NAME
from index.store import Store
from index.token_file import TOKENS_NAME, TokenAppender, TokenReader
from index.writer import StoreWriter
from tests.index.test_store import story


def _spans(path: Path) -> list[tuple[int, int, int]]:
    with sqlite3.connect(path / DB_NAME) as db:
        return db.execute("SELECT id, offset, length FROM token_spans ORDER BY id").fetchall()


def test_spans_read_back_as_written_and_neighbours_in_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blobs = [bytes([n]) * (100 + n) for n in range(6)]
    appender = TokenAppender(tmp_path)
    spans = appender.append([10, 11, 12, 13, 14, 15], blobs)
    appender.sync()
    appender.close()
    reads: list[int] = []
    real_pread = os.pread

    def counting(fd: int, size: int, offset: int) -> bytes:
        reads.append(size)
        return real_pread(fd, size, offset)

    monkeypatch.setattr(token_file.os, "pread", counting)
    reader = TokenReader(tmp_path)
    found = reader.read([spans[4], spans[1], spans[2]])
    assert found == {14: blobs[4], 11: blobs[1], 12: blobs[2]}
    assert len(reads) == 1  # near each other: one read
    monkeypatch.setattr(token_file, "_GAP", 0)
    reads.clear()
    assert reader.read([spans[1], spans[2], spans[4]]) == found
    assert len(reads) == 2  # 11 and 12 adjacent, 14 apart
    reader.close()


def test_what_a_writer_never_committed_is_cut_off(seed_copy: Path) -> None:
    before = (seed_copy / TOKENS_NAME).stat().st_size
    with StoreWriter(seed_copy, Store(seed_copy).model, 384) as writer:
        tokens = writer._token_file()
        tokens.append([10**6], [b"x" * 5000])
        tokens._file.flush()
        assert (seed_copy / TOKENS_NAME).stat().st_size == before + 5000
    assert (seed_copy / TOKENS_NAME).stat().st_size == before  # closed without a commit


def test_the_index_reads_older_rows_and_the_file_alike(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    Indexer(seed_copy, embedder).index_articles([story(1)])
    store = Store(seed_copy)
    ids = [sid for sid, _, _ in _spans(seed_copy)]
    from_file = store.token_vectors(ids)
    assert sorted(from_file) == ids
    # As an index written before the token file: the same vectors as rows of SQLite.
    packed = store.packed_tokens(ids)
    with sqlite3.connect(seed_copy / DB_NAME) as db:
        db.executemany("INSERT INTO sentence_tokens(id, tokens) VALUES (?, ?)", packed.items())
        db.execute("DELETE FROM token_spans")
    (seed_copy / TOKENS_NAME).unlink()
    from_rows = Store(seed_copy).token_vectors(ids)
    assert sorted(from_rows) == ids
    assert all(np.array_equal(from_rows[i], from_file[i]) for i in ids)


def test_a_damaged_token_file_is_a_warning_and_answers_go_on(seed_copy: Path) -> None:
    ids = [sid for sid, _, _ in _spans(seed_copy)]
    with open(seed_copy / TOKENS_NAME, "r+b") as f:
        f.truncate(100)  # shorter than the spans say
    store = Store(seed_copy)
    assert store.token_vectors(ids) == {}
    assert any(TOKENS_NAME in w and "unreadable" in w for w in store.warnings)
    assert store.token_vectors(ids) == {}
    assert sum(TOKENS_NAME in w for w in store.warnings) == 1  # said once


def test_a_reader_finds_the_token_vectors_of_what_was_written_since_it_opened(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    reader = Store(seed_copy)
    held = len(_spans(seed_copy))
    Indexer(seed_copy, embedder).index_articles([story(2)])
    assert reader.refresh()
    new = [sid for sid, _, _ in _spans(seed_copy)][held:]
    found = reader.token_vectors(new)
    assert new and sorted(found) == new
    assert all(v.shape[1] == embedder.dim and len(v) > 3 for v in found.values())
