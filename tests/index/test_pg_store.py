"""The PostgreSQL + pgvector backend on real servers: the same semantics as an index
directory (incremental, update, delete, dedup, one writer, atomic commits), reads on a
streaming replica, filters inside the ANN search, and clear errors when a database is
missing or down."""

from __future__ import annotations

import itertools

import numpy as np
import psycopg
import pytest

from bench.pgserver import Cluster
from index.backend import open_store, open_writer
from index.document import Article
from index.embed import SentenceTransformerEmbedder
from index.errors import (
    IndexLockedError,
    IndexNotFoundError,
    ModelMismatchError,
    StoreUnavailableError,
)
from index.indexer import Indexer
from index.pg_store import PgStore
from index.store import Filters, Store
from qa.answer import Answerer
from qa.retrieve import Retriever
from tests.conftest import SEEDS

_names = itertools.count()


def story(n: int, source: str = "wire") -> Article:
    return Article(
        doc_id=f"story-{n}",
        title=f"Story {n}",
        source=source,
        text=f"Story {n} reports that the harbour of town {n} reopened. "
        f"Ferries number {n} resumed service on Monday. Traders welcomed it.",
    )


@pytest.fixture()
def url(pg_cluster: Cluster) -> str:
    """A fresh, empty database for one test."""
    return pg_cluster.create_database(f"t{next(_names)}")


def test_incremental_update_delete_and_dedup_match_the_directory_backend(
    url: str, embedder: SentenceTransformerEmbedder
) -> None:
    indexer = Indexer(url, embedder)
    first = indexer.index_articles([story(1), story(2)])
    assert (first.added, first.updated) == (2, 0)
    again = indexer.index_articles([story(1), story(2)])
    assert (again.added, again.unchanged) == (0, 2)
    twin = story(1).model_copy(update={"doc_id": "copy-of-1"})
    assert indexer.index_articles([twin]).duplicates == 1
    changed = story(2).model_copy(update={"text": story(2).text + " Fishing resumed too."})
    assert indexer.index_articles([changed]).updated == 1
    store = open_store(url)
    assert store.stats() == {"articles": 2, "passages": 2, "sentences": 7}
    assert "Fishing resumed too." in store.article("story-2").text
    assert indexer.delete("story-1") and not indexer.delete("story-1")
    assert store.stats() == {"articles": 1, "passages": 1, "sentences": 4}
    # The vocabulary counts follow: "harbour" is in one passage now, "fish" in one.
    df, total = store.document_frequencies(["harbour", "fish", "town"])
    assert df == {"harbour": 1, "fish": 1, "town": 1} and total == 1
    store.close()


def test_the_same_articles_give_the_same_rows_and_offsets_in_both_backends(
    url: str, embedder: SentenceTransformerEmbedder, seed_index: object
) -> None:
    Indexer(url, embedder).index_paths([SEEDS])
    pg, directory = open_store(url), Store(seed_index)  # type: ignore[arg-type]
    assert pg.stats() == directory.stats()
    ids = list(range(1, pg.stats()["sentences"] + 1))
    a, b = pg.sentences(ids), directory.sentences(ids)
    assert [(r.doc_id, r.start, r.end) for r in a.values()] == [
        (r.doc_id, r.start, r.end) for r in b.values()
    ]
    assert all(np.allclose(a[i].vector, b[i].vector, atol=1e-6) for i in ids)
    q = embedder.embed(["where are the forward operating bases?"])[0]
    assert [i for i, _ in pg.dense_passages(q, 3)] == [i for i, _ in directory.dense_passages(q, 3)]
    assert {i for i, _ in pg.bm25_passages(["base", "oper"], 10)} == {
        i for i, _ in directory.bm25_passages(["base", "oper"], 10)
    }
    pg.close()


def test_a_write_on_the_primary_is_read_on_the_replica_which_refuses_writes(
    pg_cluster: Cluster, url: str, embedder: SentenceTransformerEmbedder
) -> None:
    Indexer(url, embedder).index_articles([story(1)])
    lag = pg_cluster.wait_replicated()
    replica = pg_cluster.replicas[0].url_of(url)
    store = PgStore(url, replicas=[replica])
    assert store.article("story-1").title == "Story 1"
    assert lag < 5.0
    with psycopg.connect(replica) as conn, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute("DELETE FROM articles")
    store.close()


def test_a_narrow_filter_still_gets_k_results_from_the_ann_search(
    url: str, embedder: SentenceTransformerEmbedder
) -> None:
    # 2 of 200 articles: far fewer than the ef_search candidates an HNSW scan looks at.
    articles = [story(n, source="rare" if n in (7, 150) else "wire") for n in range(200)]
    Indexer(url, embedder).index_articles(articles)
    store = open_store(url)
    q = embedder.embed(["when did the ferries resume?"])[0]
    hits = store.dense_sentences(q, 5, Filters(source="rare"))
    assert len(hits) == 5
    rows = store.sentences([i for i, _ in hits])
    assert {store.infos([r.doc_id])[r.doc_id].source for r in rows.values()} == {"rare"}
    store.close()


def test_one_writer_at_a_time_and_an_uncommitted_write_is_never_seen(
    url: str, embedder: SentenceTransformerEmbedder
) -> None:
    Indexer(url, embedder).index_articles([story(1)])
    from index.chunk import chunk

    writer = open_writer(url, embedder.name, embedder.dim)
    with pytest.raises(IndexLockedError):
        open_writer(url, embedder.name, embedder.dim)
    article = story(2)
    chunked = chunk(article.text, article.title)
    writer.put(article, chunked, embedder.embed([article.text[s:e] for s, e in chunked.sentences]))
    store = open_store(url)
    assert store.stats()["articles"] == 1
    writer.close()  # as a crash would: the transaction rolls back, the lock goes with it
    assert store.stats()["articles"] == 1
    with pytest.raises(Exception, match="story-2"):
        store.article("story-2")
    assert Indexer(url, embedder).index_articles([story(2)]).added == 1
    store.close()


def test_a_killed_writer_connection_leaves_the_last_commit(
    pg_cluster: Cluster, url: str, embedder: SentenceTransformerEmbedder
) -> None:
    Indexer(url, embedder).index_articles([story(1)])
    writer = open_writer(url, embedder.name, embedder.dim)
    from index.chunk import chunk

    article = story(2)
    chunked = chunk(article.text, article.title)
    writer.put(article, chunked, embedder.embed([article.text[s:e] for s, e in chunked.sentences]))
    database = url.rsplit("/", 1)[1]
    pg_cluster.primary.psql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{database}' AND pid <> pg_backend_pid()",
        database="postgres",
    )
    with pytest.raises(StoreUnavailableError):
        writer.commit()
    writer.close()
    store = open_store(url)
    assert store.stats() == {"articles": 1, "passages": 1, "sentences": 3}
    assert Indexer(url, embedder).index_articles([story(2)]).added == 1
    store.close()


def test_missing_index_wrong_model_and_unreachable_database_are_clear(
    pg_cluster: Cluster, url: str, embedder: SentenceTransformerEmbedder
) -> None:
    with pytest.raises(IndexNotFoundError, match="no index in the database"):
        open_store(url)
    Indexer(url, embedder).index_articles([story(1)])
    with pytest.raises(ModelMismatchError):
        open_store(url, model="some/other-model")
    with pytest.raises(ModelMismatchError):
        open_writer(url, "some/other-model", embedder.dim)
    closed = f"postgresql://postgres@127.0.0.1:{pg_cluster.primary.port + 1}/nothing"
    with pytest.raises(StoreUnavailableError, match="unavailable"):
        open_store(closed)


def test_answers_on_postgres_cite_the_stored_text(
    url: str, embedder: SentenceTransformerEmbedder
) -> None:
    Indexer(url, embedder).index_articles([story(n) for n in range(5)])
    answerer = Answerer(Retriever(open_store(url), embedder))
    result = answerer.ask("when did ferries number 3 resume service?")
    assert not result.no_answer
    top = result.answers[0]
    text = answerer.retriever.store.article(top.citation.doc_id).text
    assert text[top.citation.start : top.citation.end] == top.text
    assert "Monday" in top.text


def test_reads_fall_back_to_the_primary_while_the_replica_is_down(
    pg_cluster: Cluster, url: str, embedder: SentenceTransformerEmbedder
) -> None:
    Indexer(url, embedder).index_articles([story(1)])
    pg_cluster.wait_replicated()
    replica = pg_cluster.replicas[0]
    store = PgStore(url, replicas=[replica.url_of(url)])
    replica.stop("immediate")
    try:
        for _ in range(3):  # the first read finds the replica down, the next skip it
            assert store.article("story-1").title == "Story 1"
    finally:
        replica.start()
    assert store.stats()["articles"] == 1
    store.close()


def test_a_database_index_split_by_older_sentence_rules_says_so(
    url: str, embedder: SentenceTransformerEmbedder
) -> None:
    indexer = Indexer(url, embedder)
    assert not indexer.index_articles([story(1)]).warnings
    fresh = PgStore(url)
    assert not fresh.warnings
    fresh.close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM meta WHERE key = 'sentence_rules'")  # as before the version
    store = PgStore(url)
    assert "older rules (version 1" in store.warnings[0] and "new database" in store.warnings[0]
    store.close()
    report = indexer.index_articles([story(2)])
    assert report.added == 1 and "older rules" in report.warnings[0]
