"""Incremental indexing, updates, deletes, dedup, model checks and crash safety,
all with the real model, real FAISS and real files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import faiss
import numpy as np
import pytest

from index import vectors
from index.approximate import Approximate
from index.document import Article
from index.embed import SentenceTransformerEmbedder, Vectors
from index.errors import (
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    ModelMismatchError,
)
from index.indexer import Indexer
from index.schema import DB_NAME, vector_file
from index.store import Store
from index.token_file import TOKENS_NAME, WASTE_BYTES
from index.writer import StoreWriter
from qa.answer import Answerer
from qa.retrieve import Retriever
from tests.conftest import ROOT, SEED_ID, SEEDS


def story(n: int) -> Article:
    return Article(
        doc_id=f"story-{n}",
        title=f"Story {n}",
        text=f"Story {n} reports that the harbour of town {n} reopened. "
        f"Ferries number {n} resumed service on Monday. Traders welcomed it.",
    )


def test_reindexing_unchanged_files_does_no_work(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    before = Store(seed_copy).generation
    report = Indexer(seed_copy, embedder).index_paths([SEEDS])
    assert (report.added, report.updated, report.unchanged) == (0, 0, 1)
    assert Store(seed_copy).generation == before  # nothing was rewritten


def test_changed_article_replaces_its_old_passages(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    page = folder / "port.txt"
    page.write_text("The port of Miragoâne was closed by the authorities on Monday.\n")
    indexer = Indexer(tmp_path / "idx", embedder)
    indexer.index_paths([folder])
    page.write_text("The airport of Cap-Haïtien reopened to flights on Tuesday.\n")
    report = indexer.index_paths([folder])
    assert (report.added, report.updated) == (0, 1)
    store = Store(tmp_path / "idx")
    assert store.stats()["articles"] == 1
    hits = Retriever(store, embedder).search("Miragoâne port closed", top_k=5)
    assert all("Miragoâne" not in h.text for h in hits)
    assert "Cap-Haïtien" in hits[0].text


def test_delete_by_id_removes_the_article_everywhere(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    indexer = Indexer(seed_copy, embedder)
    indexer.index_articles([story(1)])
    assert indexer.delete(SEED_ID) is True
    assert indexer.delete(SEED_ID) is False
    store = Store(seed_copy)
    assert store.stats()["articles"] == 1
    answerer = Answerer(Retriever(store, embedder))
    result = answerer.ask("where are the forward operating bases?")
    assert all(a.citation.doc_id != SEED_ID for a in result.answers)
    assert all(p.citation.doc_id != SEED_ID for p in result.related)


def test_same_text_under_two_ids_is_indexed_once(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    a = story(7)
    b = a.model_copy(update={"doc_id": "copy-of-7"})
    report = Indexer(tmp_path / "idx", embedder).index_articles([a, b])
    assert (report.added, report.duplicates) == (1, 1)
    again = Indexer(tmp_path / "idx", embedder).index_articles(
        [a.model_copy(update={"doc_id": "third-id"})]
    )
    assert again.duplicates == 1
    assert Store(tmp_path / "idx").stats()["articles"] == 1


def test_a_batch_with_bad_files_still_indexes_the_good_ones(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("The mission opened a new base in Cabaret this week.\n")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)))
    (folder / "feed.jsonl").write_text(
        '{"id": "f1", "text": "Patrols resumed in Delmas."}\n{oops\n'
    )
    report = Indexer(tmp_path / "idx", embedder).index_paths([folder, tmp_path / "missing"])
    assert report.added == 2 and report.failed == 4
    joined = "\n".join(report.failures)
    for name in ("empty.txt", "binary.txt", "feed.jsonl:2", "missing"):
        assert name in joined


class OtherModel:
    """A different (fake) embedder: only its name and dimension matter here."""

    name = "someone/another-model"
    dim = 384

    def embed(self, texts: list[str]) -> Vectors:
        return np.zeros((len(texts), self.dim), dtype=np.float32)


def test_opening_with_another_model_is_a_clear_error(seed_copy: Path) -> None:
    with pytest.raises(ModelMismatchError, match="all-MiniLM-L6-v2"):
        Store(seed_copy, model="someone/another-model")
    with pytest.raises(ModelMismatchError):
        Indexer(seed_copy, OtherModel()).index_articles([story(1)])
    assert Store(seed_copy).stats()["articles"] == 1


def test_missing_and_corrupt_indexes_are_clear_errors(tmp_path: Path, seed_copy: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="qa index"):
        Store(tmp_path / "nowhere")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "store.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(IndexCorruptError):
        Store(broken)


def test_damaged_vector_file_is_rebuilt_from_the_database(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    store = Store(seed_copy)
    path = vector_file(seed_copy, "sentences", store.vectors_base)
    path.write_bytes(path.read_bytes()[:100])
    reopened = Store(seed_copy)
    assert any("rebuilt" in w for w in reopened.warnings)
    result = Answerer(Retriever(reopened, embedder)).ask("where are the forward operating bases?")
    assert "Pont Sondé" in result.answers[0].sentence


def test_a_second_writer_is_refused(seed_copy: Path, embedder: SentenceTransformerEmbedder) -> None:
    with StoreWriter(seed_copy, embedder.name, embedder.dim):
        with pytest.raises(IndexLockedError):
            StoreWriter(seed_copy, embedder.name, embedder.dim)


CHILD = textwrap.dedent("""
    import sys
    from index.document import Article
    from index.embed import SentenceTransformerEmbedder
    from index.indexer import Indexer
    path, commit_every = sys.argv[1], int(sys.argv[2])
    articles = [Article(doc_id=f"bulk-{i}", title=f"Bulk {i}",
                        text=f"Bulletin {i} says the road to village {i} is open again. "
                             f"Convoy {i} delivered food and water. Residents returned home.")
                for i in range(600)]
    def progress(done, total):
        print(done, flush=True)
    Indexer(path, SentenceTransformerEmbedder(), batch_articles=25,
            commit_every=commit_every).index_articles(articles, progress)
""")


@pytest.mark.slow
@pytest.mark.parametrize(("commit_every", "kill_after"), [(10_000, 100), (50, 300)])
def test_sigkill_mid_write_leaves_the_last_commit_usable(
    seed_copy: Path, embedder: SentenceTransformerEmbedder, commit_every: int, kill_after: int
) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(seed_copy), str(commit_every)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert child.stdout is not None
    for line in child.stdout:
        if int(line) >= kill_after:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    store = Store(seed_copy)
    articles = store.stats()["articles"]
    assert (articles - 1) % 50 == 0 if commit_every == 50 else articles == 1
    assert articles < 601
    assert not store.warnings
    result = Answerer(Retriever(store, embedder)).ask("where are the forward operating bases?")
    assert "Pont Sondé" in result.answers[0].sentence
    # Re-running completes the rest.
    rerun = subprocess.run(
        [sys.executable, "-c", CHILD, str(seed_copy), "10000"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert rerun.returncode == 0
    assert Store(seed_copy).stats()["articles"] == 601


def test_an_unloadable_model_is_a_clear_error() -> None:
    from index.errors import ModelLoadError

    with pytest.raises(ModelLoadError, match="cannot load embedding model 'no-such/model'"):
        SentenceTransformerEmbedder("no-such/model")


def test_connections_of_finished_threads_are_closed(seed_copy: Path) -> None:
    # Server thread pools retire idle threads and start new ones; their SQLite
    # connections must not pile up (a slow leak of memory and file descriptors).
    store = Store(seed_copy)
    database = str((seed_copy / DB_NAME).resolve())

    def open_files() -> int:
        fds = Path("/proc/self/fd").iterdir()
        return sum(1 for fd in fds if os.path.realpath(fd) == database)

    before = open_files()
    for _ in range(30):
        thread = threading.Thread(target=store.stats)
        thread.start()
        thread.join()
    store.stats()
    assert open_files() <= before + 2
    store.close()


def test_sentence_holding_finds_the_sentence_around_a_span(seed_index: Path) -> None:
    store = Store(seed_index)
    text = store.article(SEED_ID).text
    start = text.index("Jack Ombaka")
    row = store.sentence_holding(SEED_ID, start, start + len("Jack Ombaka"))
    assert row is not None and text[row.start : row.end].startswith("In an update on the ongoing")
    assert row.start <= start and start + len("Jack Ombaka") <= row.end
    across = text.index("Port-au-Prince.") + len("Port-au-Prince")  # end of the first sentence
    assert store.sentence_holding(SEED_ID, across - 5, across + 10) is None
    assert store.sentence_holding("no-such-article", 0, 1) is None
    store.close()


def test_writing_to_an_index_searched_approximately_keeps_it_readable(
    seed_copy: Path, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectors, "ANN_MIN", 16)  # the seed's 16 sentences search approximately
    assert isinstance(Store(seed_copy)._sentences, Approximate)
    Indexer(seed_copy, embedder).index_articles([story(1)])  # the writer saved what it held
    reopened = Store(seed_copy)
    assert not reopened.warnings
    assert isinstance(reopened._sentences, Approximate)
    assert reopened._sentences.ntotal == reopened.stats()["sentences"]
    result = Answerer(Retriever(reopened, embedder)).ask("where are the forward operating bases?")
    assert "Pont Sondé" in result.answers[0].sentence


def test_a_reader_updates_its_approximate_copy_after_a_write_without_training_it_again(
    seed_copy: Path, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectors, "ANN_MIN", 16)
    reader = Store(seed_copy)
    before = reader._sentences
    assert isinstance(before, Approximate) and before.trained == 16
    Indexer(seed_copy, embedder).index_articles([story(1), story(2)])
    Indexer(seed_copy, embedder).delete("story-1")
    assert reader.refresh()
    after = reader._sentences
    assert isinstance(after, Approximate) and after is not before
    assert after.trained == 16  # the lists and codes the seed trained, kept
    assert after.ntotal == reader.stats()["sentences"] == 16 + 3
    assert np.array_equal(np.sort(after.ids), np.sort(vectors.ids_of(reader_exact(seed_copy))))
    result = Answerer(Retriever(reader, embedder)).ask("When did ferries number 2 resume service?")
    assert result.answers[0].citation.doc_id == "story-2"
    assert "Monday" in result.answers[0].sentence


def reader_exact(path: Path) -> faiss.Index:
    store = Store(path, exact=True)
    exact = store._sentences
    store.close()
    return exact


def test_an_approximate_index_saved_as_the_vectors_is_rebuilt_exact(seed_copy: Path) -> None:
    # What earlier writers saved after a second write to a large index.
    store = Store(seed_copy)
    path = vector_file(seed_copy, "sentences", store.vectors_base)
    approximate = vectors.for_search(vectors.load(path, store.dim), min_size=16)
    assert isinstance(approximate, Approximate)
    faiss.write_index(approximate.fast, str(path))  # an IVF index, as they saved
    reopened = Store(seed_copy, exact=True)
    assert any("IndexIVF" in w and "rebuilt" in w for w in reopened.warnings)
    assert isinstance(reopened._sentences, faiss.IndexIDMap)


def test_a_store_opened_without_rows_holds_the_vectors_a_writer_needs(seed_copy: Path) -> None:
    full, lean = Store(seed_copy), Store(seed_copy, exact=True, rows=False)
    ids = list(range(1, 40))
    assert len(full.sentences(ids)) == 16 and not lean.sentences(ids)  # rows left out
    assert lean._sentences.ntotal == 16 and len(lean._lexicon) == full.stats()["passages"]
    full.close()
    lean.close()


def test_a_token_file_mostly_of_replaced_sentences_is_named_with_the_fix(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    assert not Store(seed_copy).warnings
    # Replaced articles leave their sentences' token vectors behind: the file only grows.
    # A sparse extension stands for a great many of them.
    tokens = seed_copy / TOKENS_NAME
    os.truncate(tokens, tokens.stat().st_size + WASTE_BYTES + 1)
    warnings = Store(seed_copy).warnings
    assert len(warnings) == 1 and "qa index --rebuild" in warnings[0]
    assert f"{(WASTE_BYTES + 1) / 1e6:.0f} MB" in warnings[0]
    report = Indexer(seed_copy, embedder).index_articles([story(1)])
    assert report.warnings == warnings  # `qa index` shows it too
