"""A large index's approximate copy, kept on disk and read back by the next reader: real
model, real FAISS, real files."""

from __future__ import annotations

import errno
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import faiss
import numpy as np
import pytest

from index import ann_file, vectors, writer
from index.approximate import Approximate, InMemory
from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from index.store import Store
from qa.answer import Answerer
from qa.retrieve import Retriever
from tests.index.test_store import story
from tests.index.test_vectors import clustered

QUESTION = "When did ferries number 2 resume service?"


def fast_bytes(copy: Approximate) -> bytes:
    return bytes(faiss.serialize_index(copy.fast).tobytes())


def assert_same_copy(a: Approximate, b: Approximate) -> None:
    assert np.array_equal(a.ids, b.ids) and a.trained == b.trained
    assert np.array_equal(a._half, b._half)
    assert fast_bytes(a) == fast_bytes(b)
    assert a.fast.nprobe == b.fast.nprobe


def test_the_next_reader_reads_the_saved_copy_instead_of_training_one(
    seed_copy: Path, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectors, "ANN_MIN", 16)  # the seed's 16 sentences search approximately
    first = Store(seed_copy)._sentences
    assert isinstance(first, Approximate)
    saved = ann_file.ann_path(seed_copy, "sentences")
    assert saved.exists() and not list(seed_copy.glob("*.ann.npz.*"))
    vector_file = next(seed_copy.glob("sentences.*.faiss"))
    assert saved.stat().st_mode == vector_file.stat().st_mode  # as the index's other files
    written = saved.stat().st_mtime_ns
    monkeypatch.setattr(Approximate, "build", None)  # any training now fails
    reader = Store(seed_copy)
    second = reader._sentences
    assert isinstance(second, Approximate) and second is not first
    assert_same_copy(first, second)  # bit for bit
    assert saved.stat().st_mtime_ns == written  # read as it was: not written again
    assert not reader.warnings
    result = Answerer(Retriever(reader, embedder)).ask("where are the forward operating bases?")
    assert "Pont Sondé" in result.answers[0].sentence


def test_a_saved_copy_is_brought_up_to_date_with_the_writes_since(
    seed_copy: Path,
    embedder: SentenceTransformerEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(vectors, "ANN_MIN", 16)
    before = Store(seed_copy)._sentences
    assert isinstance(before, Approximate)
    Indexer(seed_copy, embedder).index_articles([story(1), story(2)])
    Indexer(seed_copy, embedder).delete("story-1")
    exact = Store(seed_copy, exact=True)
    truth = vectors.ids_of(exact._sentences)
    # What a running reader's copy becomes after the same writes (Approximate.updated).
    updated = vectors.for_search(exact._sentences, min_size=16, previous=before)
    assert isinstance(updated, Approximate)
    monkeypatch.setattr(Approximate, "build", None)
    reader = Store(seed_copy)
    copy = reader._sentences
    assert isinstance(copy, Approximate) and copy.trained == 16  # not trained again
    assert np.array_equal(copy.ids, truth)
    assert np.array_equal(copy._half, updated._half)
    assert not reader.warnings
    result = Answerer(Retriever(reader, embedder)).ask(QUESTION)
    assert result.answers[0].citation.doc_id == "story-2"
    # Saved again as it now is, for the reader after.
    held = ann_file._read(ann_file.ann_path(seed_copy, "sentences"), reader._owner)
    assert held is not None and np.array_equal(held[1], truth)


@pytest.mark.parametrize("damage", ["cut short", "garbage", "another index", "empty"])
def test_a_damaged_or_foreign_saved_copy_is_trained_again_and_replaced(
    seed_copy: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    monkeypatch.setattr(vectors, "ANN_MIN", 16)
    fresh = Store(seed_copy)._sentences
    assert isinstance(fresh, Approximate)
    saved = ann_file.ann_path(seed_copy, "sentences")
    data = saved.read_bytes()
    if damage == "cut short":
        saved.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        flipped = bytearray(data)
        for at in range(len(data) // 3, len(data) // 3 + 64):
            flipped[at] ^= 0xFF  # inside the codes: the zip's checksum no longer holds
        saved.write_bytes(bytes(flipped))
    elif damage == "another index":
        # Of the same ids, as an index made anew in the same place may have, other vectors.
        other = Approximate.build(fresh.ids, clustered(len(fresh.ids), dim=fresh.d))
        ann_file.save(saved, ann_file.owner_of("all-MiniLM-L6-v2", 384, "2020-01-01"), other)
    else:
        saved.write_bytes(b"")
    reader = Store(seed_copy)
    again = reader._sentences
    assert isinstance(again, Approximate)
    assert_same_copy(fresh, again)
    assert not reader.warnings
    assert ann_file._read(saved, reader._owner) is not None  # replaced by a good one


@pytest.mark.parametrize("failing", ["read-only", "full disk"])
def test_a_copy_that_cannot_be_saved_is_searched_all_the_same(
    seed_copy: Path,
    embedder: SentenceTransformerEmbedder,
    monkeypatch: pytest.MonkeyPatch,
    failing: str,
) -> None:
    """A read-only directory or a full disk: the reader trains its copy as before, and
    leaves no file behind."""
    monkeypatch.setattr(vectors, "ANN_MIN", 16)

    save_atomically = ann_file.save_atomically

    def failing_save(path: Path, write: Callable[[Path], None]) -> None:
        def refused(tmp: Path) -> None:
            if failing == "full disk":  # part of the file written, then the disk is full
                tmp.write_bytes(b"x" * 1000)
                raise OSError(errno.ENOSPC, "No space left on device")
            raise OSError(errno.EROFS, "Read-only file system")

        save_atomically(path, refused)

    monkeypatch.setattr(ann_file, "save_atomically", failing_save)
    reader = Store(seed_copy)
    assert isinstance(reader._sentences, Approximate) and not reader.warnings
    assert not list(seed_copy.glob("*.ann.npz*"))
    result = Answerer(Retriever(reader, embedder)).ask("where are the forward operating bases?")
    assert "Pont Sondé" in result.answers[0].sentence


def test_a_saved_copy_resumed_for_the_same_rows_is_the_copy_built_from_them() -> None:
    x = clustered(4000)
    ids = np.arange(4000, dtype=np.int64) * 3
    built = Approximate.build(ids, x)
    fast = faiss.deserialize_index(faiss.serialize_index(built.fast))
    resumed = Approximate.resumed(fast, built.ids, built.trained, InMemory(x), ids)
    assert resumed is not None
    assert_same_copy(built, resumed)


def test_a_saved_copy_is_resumed_as_a_reader_updates_its_own() -> None:
    x = clustered(6000)
    ids = np.arange(6000, dtype=np.int64) * 2
    before = Approximate.build(ids[:5000], x[:5000])
    keep = np.ones(6000, dtype=bool)
    keep[100:400] = False  # deleted
    keep[5000:5600] = True  # and new rows after the others
    keep[5600:] = False
    now_ids, now_x = ids[keep], x[keep]
    updated = before.updated(now_ids, x[5000:5600])
    fast = faiss.deserialize_index(faiss.serialize_index(before.fast))
    resumed = Approximate.resumed(fast, before.ids, before.trained, InMemory(now_x), now_ids)
    assert updated is not None and resumed is not None
    assert np.array_equal(resumed.ids, updated.ids) and resumed.trained == 5000
    assert np.array_equal(resumed._half, updated._half)
    queries = clustered(50, seed=1)
    for q in queries:
        assert resumed.search(q, 10) == updated.search(q, 10)


def test_a_saved_copy_of_too_few_rows_or_at_odds_with_its_ids_is_not_resumed() -> None:
    x = clustered(5000)
    ids = np.arange(5000, dtype=np.int64)
    small = Approximate.build(ids[:2000], x[:2000])

    def saved() -> faiss.Index:
        return faiss.deserialize_index(faiss.serialize_index(small.fast))

    assert Approximate.resumed(saved(), small.ids, 2000, InMemory(x), ids) is None  # > 2x
    assert (
        Approximate.resumed(saved(), small.ids[:-1], 2000, InMemory(x[:2000]), ids[:2000]) is None
    )
    wrong = small.ids.copy()
    wrong[0] = 99_999  # a row the lists do not hold
    assert Approximate.resumed(saved(), wrong, 2000, InMemory(x[:2000]), ids[:2000]) is None


def test_a_write_clears_a_copy_left_half_saved(
    seed_copy: Path, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "CARRY_SHARE", 1.0)
    left = ann_file.ann_path(seed_copy, "sentences")
    left = left.with_name(left.name + ".4242-139871.tmp")  # a reader's process and thread
    left.write_bytes(b"half a copy")
    Indexer(seed_copy, embedder).index_articles([story(1)])
    assert not left.exists()


def test_readers_opening_at_once_leave_one_good_copy(
    seed_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Servers started together (QA_WORKERS) each train and save the copy: each writes a
    temporary file of its own, and the last rename leaves a whole file."""
    monkeypatch.setattr(vectors, "ANN_MIN", 16)
    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: Store(seed_copy), range(4)))
    assert not list(seed_copy.glob("*.ann.npz.*"))  # no temporary file left
    monkeypatch.setattr(Approximate, "build", None)
    again = Store(seed_copy)._sentences
    assert isinstance(again, Approximate)
    for store in stores:
        assert isinstance(store._sentences, Approximate)
        assert_same_copy(store._sentences, again)
