"""The PostgreSQL + pgvector layout, shared by its reader and its writer, and its connections.

The same data as an index directory, with the same ids and offsets: articles, sentences
(with their vectors) and passages (with their mean vectors and their words, stemmed as the
embedded store's BM25 postings stem them). Vectors have HNSW indexes for cosine distance; the
passages' words a generated `tsvector` with a GIN index. `vocab` keeps each stem's passage
count, for the idf weights a question's terms get.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import psycopg
from pgvector.psycopg import register_vector
from psycopg_pool import ConnectionPool, PoolTimeout

from index.errors import IndexError_, IndexWriteError, StoreUnavailableError, write_failure

SCHEMA_VERSION = 1
# How a database index gets new sentence rules (index.schema.SENTENCE_RULES): no rebuild here.
REINDEX = "index the articles again into a new database or schema to split them again"
EF_SEARCH = 100  # HNSW candidates per search; recall against exact search is in the bench


def ddl(dim: int) -> str:
    return f"""
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    doc_id text PRIMARY KEY,
    title text NOT NULL,
    url text,
    published text,
    source text,
    metadata jsonb NOT NULL,
    text text NOT NULL,
    content_hash text NOT NULL,
    indexed_at text NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_hash ON articles (content_hash);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published);
CREATE INDEX IF NOT EXISTS articles_source ON articles (source);
CREATE SEQUENCE IF NOT EXISTS sentence_ids;
CREATE SEQUENCE IF NOT EXISTS passage_ids;
CREATE TABLE IF NOT EXISTS sentences (
    id bigint PRIMARY KEY,
    doc_id text NOT NULL REFERENCES articles (doc_id) ON DELETE CASCADE,
    ordinal integer NOT NULL,
    start integer NOT NULL,
    "end" integer NOT NULL,
    vec vector({dim}) NOT NULL
);
CREATE INDEX IF NOT EXISTS sentences_doc ON sentences (doc_id, start);
CREATE INDEX IF NOT EXISTS sentences_vec ON sentences USING hnsw (vec vector_cosine_ops);
CREATE TABLE IF NOT EXISTS passages (
    id bigint PRIMARY KEY,
    doc_id text NOT NULL REFERENCES articles (doc_id) ON DELETE CASCADE,
    ordinal integer NOT NULL,
    start integer NOT NULL,
    "end" integer NOT NULL,
    first_sentence bigint NOT NULL,
    last_sentence bigint NOT NULL,
    vec vector({dim}) NOT NULL,
    terms text NOT NULL,
    n_terms integer NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages (doc_id);
CREATE INDEX IF NOT EXISTS passages_vec ON passages USING hnsw (vec vector_cosine_ops);
CREATE INDEX IF NOT EXISTS passages_tsv ON passages USING gin (tsv);
CREATE TABLE IF NOT EXISTS vocab (term text PRIMARY KEY, df integer NOT NULL);
"""


def _configure(conn: psycopg.Connection[Any]) -> None:
    try:
        register_vector(conn)
    except psycopg.ProgrammingError:
        return  # no pgvector in this database yet, so no index either: reads will say so
    conn.execute(f"SET hnsw.ef_search = {EF_SEARCH}")
    # A narrow filter still fills k results: the scan goes on past the first candidates.
    conn.execute("SET hnsw.iterative_scan = relaxed_order")


def connect(url: str) -> psycopg.Connection[Any]:
    """One connection (the writer's). No prepared plans: they would keep old settings."""
    with unavailable(url):
        conn = psycopg.connect(url, autocommit=True, prepare_threshold=None, connect_timeout=5)
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        except psycopg.Error as exc:
            conn.close()
            raise IndexError_(
                f"cannot use pgvector in the database at {redact(url)}: {_first_line(exc)}; "
                "install pgvector 0.8 or later, or create the extension as a superuser"
            ) from exc
        _configure(conn)
    return conn


def pool(url: str, size: int = 8) -> ConnectionPool[Any]:
    """A pool of reading connections; it reconnects by itself once a database is back."""
    return ConnectionPool(
        url,
        min_size=1,
        max_size=size,
        kwargs={"autocommit": True, "prepare_threshold": None, "connect_timeout": 5},
        configure=_configure,
        check=ConnectionPool.check_connection,
        timeout=5,
        reconnect_timeout=0,  # never give up reconnecting
        open=True,
        name=redact(url),
    )


@contextmanager
def unavailable(url: str) -> Iterator[None]:
    """Turn "the database cannot be reached" into StoreUnavailableError (HTTP 503), and
    "its disk is full" (also an OperationalError) into IndexWriteError (507)."""
    try:
        yield
    except (psycopg.OperationalError, PoolTimeout) as exc:
        why = write_failure(exc)
        if why is not None:
            raise IndexWriteError(
                f"could not write to the database at {redact(url)}: {why} ({_first_line(exc)})",
                why,
            ) from exc
        raise StoreUnavailableError(
            f"the database at {redact(url)} is unavailable: {_first_line(exc)}"
        ) from exc


@contextmanager
def scratch_schema(url: str) -> Iterator[str]:
    """A new, empty schema in the database for the block, dropped after; its URL."""
    name = f"qa_scratch_{os.getpid()}_{secrets.token_hex(4)}"
    with unavailable(url), psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options={quote(f'-csearch_path={name},public')}"
    finally:
        with unavailable(url), psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://…"
    host, port, db = info.get("host", ""), info.get("port", ""), info.get("dbname", "")
    return f"postgresql://{info.get('user', '')}@{host}:{port}/{db}"
