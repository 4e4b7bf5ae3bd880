"""Where an index lives: a directory (SQLite + FAISS, the default) or a PostgreSQL database.

`open_store` and `open_writer` pick the backend from the location: a `postgresql://` URL
names a database with pgvector, anything else a directory. Both backends follow the
protocols below, so nothing above `index/` knows which one it has.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager
from pathlib import Path
from types import TracebackType
from typing import Protocol, runtime_checkable

from index.article_table import ArticleInfo
from index.chunk import Chunked
from index.document import Article
from index.embed import Vectors
from index.passage_table import PassageRow
from index.schema import DB_NAME
from index.sentence_table import SentenceRow
from index.store import Filters, Store
from index.token_vectors import Packed
from index.writer import StoreWriter

Location = Path | str
URL_SCHEMES = ("postgresql://", "postgres://")


def is_url(location: object) -> bool:
    """Whether an index location names a PostgreSQL database rather than a directory."""
    return isinstance(location, str) and location.startswith(URL_SCHEMES)


@runtime_checkable
class ReadStore(Protocol):
    """What the retriever, the answerer and the API read from an index."""

    model: str
    dim: int
    generation: int
    warnings: list[str]
    # Whether an unfiltered dense search may run on another thread while this one reads
    # inside a snapshot: yes for vectors in memory (FAISS), no for a database, whose
    # snapshot belongs to one connection.
    parallel_dense: bool

    def snapshot(self) -> AbstractContextManager[None]: ...
    def refresh(self) -> bool: ...
    def replaced(self) -> bool: ...
    def close(self) -> None: ...
    def stats(self) -> dict[str, int]: ...
    def article(self, doc_id: str) -> Article: ...
    def infos(self, doc_ids: Iterable[str]) -> dict[str, ArticleInfo]: ...
    def texts(self, doc_ids: Iterable[str]) -> dict[str, str]: ...
    def list_articles(self, offset: int = 0, limit: int = 50) -> list[ArticleInfo]: ...
    def dense_passages(
        self, query: Vectors, k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]: ...
    def dense_sentences(
        self, query: Vectors, k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]: ...
    def bm25_passages(
        self, terms: Sequence[str], k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]: ...
    def document_frequencies(self, stems: Iterable[str]) -> tuple[dict[str, int], int]: ...
    def passages(self, ids: Sequence[int]) -> dict[int, PassageRow]: ...
    def sentences(self, ids: Sequence[int]) -> dict[int, SentenceRow]: ...
    def token_vectors(self, ids: Sequence[int]) -> dict[int, Vectors]: ...
    def analyses(self, ids: Sequence[int]) -> dict[int, Packed]: ...
    def sentence_holding(self, doc_id: str, start: int, end: int) -> SentenceRow | None: ...


class WriteStore(Protocol):
    """What the indexer writes through: one writer at a time, atomic commits."""

    pending: int
    warnings: list[str]

    def content_hash(self, doc_id: str) -> str | None: ...
    def doc_with_hash(self, content_hash: str) -> str | None: ...
    def doc_ids(self) -> list[str]: ...

    keeps_tokens: bool
    keeps_analyses: bool

    def put(
        self,
        article: Article,
        chunked: Chunked,
        sentence_vectors: Vectors,
        sentence_tokens: Sequence[Packed] | None = None,
        sentence_analyses: Sequence[Packed | None] | None = None,
    ) -> None: ...
    def delete(self, doc_id: str) -> bool: ...
    def commit(self) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> WriteStore: ...
    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def open_store(
    location: Location, model: str | None = None, replicas: Sequence[str] = ()
) -> ReadStore:
    """A read view of the index at a directory or a PostgreSQL URL (reads on `replicas`)."""
    if is_url(location):
        from index.pg_store import PgStore  # psycopg loads only for PostgreSQL

        return PgStore(str(location), model=model, replicas=replicas)
    return Store(location, model=model)


def open_writer(location: Location, model: str, dim: int) -> WriteStore:
    """The single writer of the index at a directory or a PostgreSQL URL."""
    if is_url(location):
        from index.pg_writer import PgWriter

        return PgWriter(str(location), model, dim)
    return StoreWriter(location, model, dim)


@contextmanager
def scratch_index(store_url: str | None = None) -> Iterator[Location]:
    """Somewhere to build a throwaway index: a temporary directory, or a temporary schema
    of the PostgreSQL database at `store_url`. Gone after the block."""
    if store_url is None:
        with tempfile.TemporaryDirectory(prefix="qa-scratch-") as tmp:
            yield Path(tmp)
        return
    from index.pg_schema import scratch_schema

    with scratch_schema(store_url) as url:
        yield url


def recorded_model(location: Location) -> str | None:
    """The model name the index at `location` records, read without loading the index;
    None when there is no index there yet (or none that can be read: opening it says why)."""
    if is_url(location):
        from index.pg_store import recorded_model as in_database

        return in_database(str(location))
    path = Path(location) / DB_NAME
    if not path.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'model'").fetchone()
    except sqlite3.Error:
        return None
    return None if row is None else str(row[0])


def describe(location: Location) -> str:
    """A location for messages: a database URL without its password."""
    if not is_url(location):
        return str(location)
    from index.pg_schema import redact

    return redact(str(location))


def as_location(location: Location) -> Location:
    """A directory as a Path; a database URL kept as it is."""
    return location if is_url(location) else Path(location)
