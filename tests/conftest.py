"""Shared fixtures: the real bundled model, and a real index of the seed article."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.pgserver import Cluster, running
from index.backend import ReadStore
from index.document import Article
from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from index.pg_store import PgStore
from index.store import Store
from qa.answer import Answerer
from qa.types import AskResult, Passage

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_ID = "mss-haiti-kenyan-police-2025-08"
AnswererOf = Callable[[list[Article]], Answerer]  # the answerer_of fixture


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def seed_index(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Path:
    path = tmp_path_factory.mktemp("seed") / "index"
    Indexer(path, embedder).index_paths([SEEDS])
    return path


@pytest.fixture()
def answerer_of(tmp_path: Path, embedder: SentenceTransformerEmbedder) -> AnswererOf:
    """An answerer over a new index of the given articles, built with the real model."""

    from qa.retrieve import Retriever

    def build(articles: list[Article]) -> Answerer:
        path = tmp_path / "answered"
        Indexer(path, embedder).index_articles(articles)
        return Answerer(Retriever(Store(path), embedder))

    return build


@pytest.fixture()
def seed_copy(seed_index: Path, tmp_path: Path) -> Path:
    """A private copy of the seed index that a test may change."""
    target = tmp_path / "index"
    shutil.copytree(seed_index, target)
    return target


def damage_database(index_dir: Path, keep: float = 0.0) -> None:
    """Overwrite the pages of an index's SQLite file past the first `keep` of it (always
    past the first page: its header and the schema's root), as a failing disk or a
    half-copied file might."""
    db = index_dir / "store.sqlite"
    with sqlite3.connect(db) as conn:  # everything into the main file first
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    start = max(page, int(len(data) * keep) // page * page)
    data[start:] = b"\xee" * (len(data) - start)
    db.write_bytes(data)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A real PostgreSQL 18 + pgvector primary and one streaming replica, on loopback.

    Not under pytest's own temporary folder: as root, the servers run as another user, who
    cannot enter that one."""
    with tempfile.TemporaryDirectory(prefix="qa-pg-") as tmp, running(tmp, replicas=1) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def pg_seed_url(pg_cluster: Cluster, embedder: SentenceTransformerEmbedder) -> str:
    """The seed article indexed in its own database on the primary."""
    url = pg_cluster.create_database("seed")
    Indexer(url, embedder).index_paths([SEEDS])
    pg_cluster.wait_replicated()
    return url


@pytest.fixture(scope="session", params=["directory", "postgres"])
def answerer(
    request: pytest.FixtureRequest, seed_index: Path, embedder: SentenceTransformerEmbedder
) -> Answerer:
    """The seed article answered from an index directory, and from PostgreSQL (read through
    the replica): every test that takes it runs on both backends."""
    from qa.retrieve import Retriever

    if request.param == "directory":
        return Answerer(Retriever(Store(seed_index), embedder))
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    url = request.getfixturevalue("pg_seed_url")
    replica = cluster.replicas[0].url_of(url)
    return Answerer(Retriever(PgStore(url, replicas=[replica]), embedder))


def assert_cited_exactly(result: AskResult, store: ReadStore) -> None:
    """The two invariants every answer keeps, checked against the stored article."""
    for answer in result.answers:
        c = answer.citation
        text = store.article(c.doc_id).text
        assert text[c.start : c.end] == answer.text
        assert text[c.sentence_start : c.sentence_end] == answer.sentence
        assert c.sentence_start <= c.start <= c.end <= c.sentence_end
    for passage in result.related:
        assert_passage_cited(passage, store)


def assert_passage_cited(passage: Passage, store: ReadStore) -> None:
    c = passage.citation
    text = store.article(c.doc_id).text
    assert text[c.start : c.end] == passage.text
    assert c.start <= c.sentence_start < c.sentence_end <= c.end
