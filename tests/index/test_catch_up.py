"""Commits that keep an earlier generation's vector and BM25 files, and readers that bring
what they read up to date from the database: real model, real FAISS, real files."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from index import vectors, writer
from index.approximate import Approximate
from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from index.schema import generation_files, lexicon_file, vector_file
from index.store import Store
from qa.answer import Answerer
from qa.retrieve import Retriever
from tests.index.test_store import story


def vector_files(path: Path) -> list[str]:
    """The vector and BM25 files in the index directory."""
    return sorted(f.name for f in [*path.glob("*.faiss*"), *path.glob("*.bm25.npz*")])


def assert_same_as_the_database(store: Store) -> None:
    """The store's exact vectors and BM25 postings are the database's, row for row."""
    assert_postings_are_the_databases(store)
    for kind in ("sentences", "passages"):
        held = store.exact_vectors(kind)
        ids, stored = store._stored_vectors(kind)
        order = np.argsort(vectors.ids_of(held))
        assert np.array_equal(vectors.ids_of(held)[order], ids)
        assert np.array_equal(held.reconstruct_batch(ids), stored)


def assert_postings_are_the_databases(store: Store) -> None:
    """The store's BM25 postings are what a fresh build from the database makes."""
    fresh = store._stored_lexicon()
    assert list(store._lexicon.pids) == list(fresh.pids)
    for term in fresh.vocab:
        assert store._lexicon.document_frequency(term) == fresh.document_frequency(term)
        assert store._lexicon.search([term], 50) == fresh.search([term], 50)
    assert sorted(store._lexicon.vocab) == sorted(fresh.vocab)


def test_a_small_write_keeps_the_vector_files_and_readers_read_the_database_rows(
    seed_copy: Path, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "CARRY_SHARE", 1.0)
    base = Store(seed_copy).vectors_base
    files = vector_files(seed_copy)
    indexer = Indexer(seed_copy, embedder)
    indexer.index_articles([story(1), story(2)])
    indexer.delete("story-1")
    assert vector_files(seed_copy) == files  # nothing written again, nothing left behind
    store = Store(seed_copy)
    assert store.generation == base + 2 and store.vectors_base == base
    assert store.vector_changes == 3 + 1  # story 2's rows: story 1's came and went
    assert not store.warnings
    assert_same_as_the_database(store)
    result = Answerer(Retriever(store, embedder)).ask("When did ferries number 2 resume service?")
    assert result.answers[0].citation.doc_id == "story-2"
    assert all(a.citation.doc_id != "story-1" for a in result.answers)


def test_changes_past_the_share_write_new_files_and_remove_the_kept_ones(
    seed_copy: Path, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = Store(seed_copy)
    rows = seed.stats()["sentences"] + seed.stats()["passages"]
    # One story (3 sentences, 1 passage) fits in the share, a second one does not.
    monkeypatch.setattr(writer, "CARRY_SHARE", 5 / (rows + 8))
    Indexer(seed_copy, embedder).index_articles([story(1)])
    assert Store(seed_copy).vectors_base == seed.vectors_base
    Indexer(seed_copy, embedder).index_articles([story(2)])  # another writer: changes add up
    store = Store(seed_copy)
    assert store.vectors_base == store.generation == seed.generation + 2
    assert store.vector_changes == 0
    assert vector_files(seed_copy) == sorted(
        f.name for f in generation_files(seed_copy, store.generation)
    )
    assert_same_as_the_database(store)


def test_a_reader_follows_kept_files_exactly_and_approximately(
    seed_copy: Path, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "CARRY_SHARE", 1.0)
    monkeypatch.setattr(vectors, "ANN_MIN", 16)  # the seed's 16 sentences search approximately
    reader, exact_reader = Store(seed_copy), Store(seed_copy, exact=True)
    Indexer(seed_copy, embedder).index_articles([story(1), story(2)])
    Indexer(seed_copy, embedder).delete("story-1")
    assert exact_reader.refresh()  # from the kept files
    assert isinstance(exact_reader._sentences, faiss.IndexIDMap)
    assert exact_reader._sentences.ntotal == exact_reader.stats()["sentences"] == 16 + 3
    truth = vectors.ids_of(exact_reader._sentences)
    for file in [*seed_copy.glob("sentences.*.faiss"), *seed_copy.glob("*.bm25.npz")]:
        file.unlink()
    # A reader that searches approximately updates its copy from the database alone, and
    # so do readers' BM25 postings (the seed's few passages stay exact, read from their file).
    assert reader.refresh()
    copy = reader._sentences
    assert isinstance(copy, Approximate) and copy.trained == 16  # updated, not trained again
    assert np.array_equal(copy.ids, truth)
    assert_postings_are_the_databases(reader)
    for store in (reader, exact_reader):
        assert not store.warnings  # nothing rebuilt
        question = "When did ferries number 2 resume service?"
        result = Answerer(Retriever(store, embedder)).ask(question)
        assert result.answers[0].citation.doc_id == "story-2"


def test_a_new_reader_builds_its_copy_from_the_kept_file_without_loading_it_whole(
    seed_copy: Path, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "CARRY_SHARE", 1.0)  # the writes keep the seed's files
    monkeypatch.setattr(vectors, "ANN_MIN", 16)  # the seed's 16 sentences search approximately
    Indexer(seed_copy, embedder).index_articles([story(1), story(2)])
    Indexer(seed_copy, embedder).delete("story-1")
    exact_reader = Store(seed_copy, exact=True)
    truth = vectors.ids_of(exact_reader._sentences)
    loaded: list[str] = []
    load = vectors.load
    monkeypatch.setattr(
        vectors, "load", lambda path, dim: loaded.append(path.name) or load(path, dim)
    )
    reader = Store(seed_copy)
    # The sentences' copy came from their file, a slice at a time, and the rows written
    # and removed since; the seed's few passages are searched exactly, from their file.
    assert not [name for name in loaded if name.startswith("sentences")] and loaded
    copy = reader._sentences
    assert isinstance(copy, Approximate) and np.array_equal(copy.ids, truth)
    assert reader.vector_changes > 0 and not reader.warnings
    # The same copy as one made from the exact index brought up to date.
    made = vectors.for_search(exact_reader._sentences, min_size=16)
    assert isinstance(made, Approximate) and np.array_equal(made._half, copy._half)
    assert faiss.serialize_index(made.fast).tobytes() == faiss.serialize_index(copy.fast).tobytes()
    result = Answerer(Retriever(reader, embedder)).ask("When did ferries number 2 resume service?")
    assert result.answers[0].citation.doc_id == "story-2"


def test_a_vector_file_that_goes_while_read_slice_by_slice_is_loaded_as_before(
    seed_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectors, "ANN_MIN", 16)

    def gone(self: vectors.VectorFile) -> None:
        raise FileNotFoundError(self.path.name)

    monkeypatch.setattr(vectors.VectorFile, "slices", gone)
    reader = Store(seed_copy)
    assert isinstance(reader._sentences, Approximate) and reader._sentences.ntotal == 16
    assert not reader.warnings


@pytest.mark.parametrize("damaged", ["sentences", "bm25"])
def test_a_damaged_kept_file_is_rebuilt_and_the_next_commit_writes_it_anew(
    seed_copy: Path,
    embedder: SentenceTransformerEmbedder,
    monkeypatch: pytest.MonkeyPatch,
    damaged: str,
) -> None:
    monkeypatch.setattr(writer, "CARRY_SHARE", 1.0)
    Indexer(seed_copy, embedder).index_articles([story(1)])
    base = Store(seed_copy).vectors_base
    path = (
        vector_file(seed_copy, damaged, base)
        if damaged != "bm25"
        else lexicon_file(seed_copy, base)
    )
    path.write_bytes(path.read_bytes()[:100])
    reopened = Store(seed_copy)
    assert len(reopened.warnings) == 1 and "rebuilt" in reopened.warnings[0]
    assert_same_as_the_database(reopened)
    Indexer(seed_copy, embedder).index_articles([story(2)])  # small, but the files are bad
    store = Store(seed_copy)
    assert store.vectors_base == store.generation and not store.warnings
    assert not path.exists()
    assert_same_as_the_database(store)


def test_rows_of_the_kept_files_that_were_deleted_are_left_out(
    seed_copy: Path, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    indexer = Indexer(seed_copy, embedder)
    indexer.index_articles([story(1), story(2)])  # past the share: new files hold them
    written = Store(seed_copy).vectors_base
    monkeypatch.setattr(writer, "CARRY_SHARE", 1.0)
    indexer.delete("story-1")
    indexer.index_articles([story(3)])
    store = Store(seed_copy)
    assert store.vectors_base == written < store.generation
    assert store.vector_changes == 2 * (3 + 1)  # story 1's rows out, story 3's in
    assert_same_as_the_database(store)
    result = Answerer(Retriever(store, embedder)).ask("When did ferries number 1 resume service?")
    assert all(a.citation.doc_id != "story-1" for a in result.answers)
