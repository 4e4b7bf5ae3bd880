"""The indexer embeds sentences in pools sorted by length: the same vectors as one article at
a time, commits where they were due, and a progress bar that only moves forward."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from index import indexer as indexer_module
from index.document import Article
from index.indexer import Indexer
from index.ingest import Failure
from index.store import Store
from index.writer import StoreWriter
from tests.fakes import CountingEmbedder, HashingEmbedder


def articles(n: int) -> list[Article]:
    return [
        Article(
            doc_id=f"a{i}",
            title=f"Story {i}",
            text=f"Convoy {i} reached the port. "
            + "The road north of the town was closed for repairs after the storm. " * (i % 4)
            + f"Aid workers counted {i} families.",
        )
        for i in range(n)
    ]


def vectors_by_sentence(path: Path) -> dict[str, np.ndarray]:
    store = Store(path)
    rows = store.sentences(list(range(1, 10_000)))
    texts = store.texts({r.doc_id for r in rows.values()})
    out = {f"{r.doc_id}:{texts[r.doc_id][r.start : r.end]}": r.vector for r in rows.values()}
    store.close()
    return out


def test_pooled_vectors_match_one_article_at_a_time(tmp_path: Path) -> None:
    pooled, single = CountingEmbedder(), CountingEmbedder()
    Indexer(tmp_path / "pooled", pooled, batch_articles=7, pool_sentences=40).index_articles(
        articles(60)
    )
    Indexer(tmp_path / "single", single, batch_articles=1, pool_sentences=1).index_articles(
        articles(60)
    )
    a, b = vectors_by_sentence(tmp_path / "pooled"), vectors_by_sentence(tmp_path / "single")
    assert a.keys() == b.keys() and len(a) > 100
    for key in a:
        np.testing.assert_allclose(a[key], b[key], atol=1e-6)
    # Fewer, bigger calls, each in order of length.
    assert len(pooled.asked) < len(single.asked) / 5
    for call in pooled.asked:
        assert [len(t) for t in call] == sorted(len(t) for t in call)


def test_pools_end_at_commit_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commits: list[int] = []
    original = StoreWriter.commit

    def counting_commit(self: StoreWriter) -> None:
        commits.append(self.pending)
        original(self)

    monkeypatch.setattr(StoreWriter, "commit", counting_commit)
    Indexer(
        tmp_path / "idx",
        HashingEmbedder(),
        batch_articles=10,
        commit_every=30,
        pool_sentences=10**6,
    ).index_articles(articles(95))
    assert commits == [30, 30, 30, 5]


def test_progress_only_moves_forward_and_ends_at_the_total(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    items = articles(50)
    Indexer(
        tmp_path / "idx", HashingEmbedder(), batch_articles=8, pool_sentences=25
    ).index_articles(items, lambda done, total: seen.append((done, total)))
    done = [d for d, _ in seen]
    assert done == sorted(done) and done[-1] == 50 and {t for _, t in seen} == {50}
    assert len(seen) >= 5
    # Re-indexing the same articles skips them all, and the bar still moves batch by batch.
    again: list[int] = []
    report = Indexer(tmp_path / "idx", HashingEmbedder(), batch_articles=8).index_articles(
        items, lambda done, total: again.append(done)
    )
    assert report.unchanged == 50 and again == sorted(again) and again[-1] == 50
    assert len(again) >= 6


def test_a_folder_is_read_file_by_file_as_it_is_indexed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every file of a folder was read into memory before the first was embedded: a folder
    # of a news archive needed memory for all of it.
    folder = tmp_path / "in"
    folder.mkdir()
    for a in articles(40):
        (folder / f"{a.doc_id}.txt").write_text(a.text)
    (folder / "more.jsonl").write_text(
        "".join(f'{{"id": "j{i}", "text": "Ferry {i} sailed at dawn."}}\n' for i in range(5))
    )
    events: list[tuple[str, int]] = []
    reading = indexer_module.read_path

    def read_path(file: Path, root: Path) -> Iterator[Article | Failure]:
        events.append(("read", 0))
        yield from reading(file, root)

    monkeypatch.setattr(indexer_module, "read_path", read_path)
    indexer = Indexer(
        tmp_path / "index", HashingEmbedder(), batch_articles=8, pool_sentences=20, analyses=False
    )
    report = indexer.index_paths(
        folder, progress=lambda done, total: events.append(("done", total))
    )
    assert report.added == 45
    # The JSONL file was read once more, first, to count its articles for the progress bar.
    assert {total for kind, total in events if kind == "done"} == {45}
    first_done = events.index(("done", 45))
    assert sum(kind == "read" for kind, _ in events[first_done:]) > 30
