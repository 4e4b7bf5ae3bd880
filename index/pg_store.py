"""Read an index held in PostgreSQL + pgvector, from the primary or its read replicas.

The same reading API as `index.store.Store`, so the retriever, the answerer, the CLI and
the API work on either. Reads go to the replicas in turn (to the primary when there are
none, or when every replica is down). While no database answers, every call raises
StoreUnavailableError, which the API turns into a 503; the pools reconnect by themselves
once a database is back.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from index.article_table import ArticleInfo, article_info
from index.document import Article
from index.embed import Vectors, canonical_model_name
from index.errors import (
    DocumentNotFoundError,
    IndexCorruptError,
    IndexNotFoundError,
    ModelMismatchError,
    StoreUnavailableError,
)
from index.passage_table import PassageRow
from index.pg_schema import REINDEX, SCHEMA_VERSION, pool, redact, unavailable
from index.schema import rules_warning
from index.sentence_table import SentenceRow
from index.store import Filters, filter_sql

_TERM = re.compile(r"^\w+$")
DOWN_SECONDS = 5.0  # a database that failed is tried last for this long
K1, B = 1.2, 0.75  # BM25's usual constants, as FTS5 uses them


def recorded_model(url: str) -> str | None:
    """The model name the index in the database records; None when it holds no index."""
    with unavailable(url), psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'model'").fetchone()
        except psycopg.errors.UndefinedTable:
            return None
    return None if row is None else str(row[0])


class PgStore:
    """A read view of a PostgreSQL index, safe to share between threads."""

    parallel_dense = False  # a snapshot is one connection's (backend.ReadStore)

    def __init__(
        self, url: str, model: str | None = None, replicas: Sequence[str] = (), size: int = 8
    ) -> None:
        self.path = url  # where the index is, as Store.path is for a directory
        self._urls = [*replicas, url]  # reads: the replicas in turn, the primary last
        self._pools: list[ConnectionPool[Any]] = [pool(u, size) for u in self._urls]
        self._turn = itertools.count()
        self._failed: dict[int, float] = {}  # pool -> when it last failed to connect
        self._local = threading.local()  # the connection of a snapshot in progress
        self.warnings: list[str] = []
        try:
            meta = self._meta()
        except BaseException:
            self.close()
            raise
        if not meta:
            self.close()
            raise IndexNotFoundError(
                f"no index in the database at {redact(url)}; build one with "
                f"`qa index PATH` and QA_STORE_URL set"
            )
        if int(meta.get("schema_version", -1)) != SCHEMA_VERSION:
            self.close()
            raise IndexCorruptError(
                f"the index in the database has schema version {meta.get('schema_version')!r}, "
                f"this version reads {SCHEMA_VERSION}"
            )
        self.model: str = meta["model"]
        self.dim: int = int(meta["dim"])
        self.generation = int(meta.get("generation", 0))
        self.warnings += rules_warning(meta, "the index in the database", REINDEX)
        if model is not None and canonical_model_name(model) != self.model:
            self.close()
            raise ModelMismatchError(
                f"the index in the database was built with model {self.model!r} (dim "
                f"{self.dim}), not {canonical_model_name(model)!r}"
            )

    # -- connections -------------------------------------------------------------------

    @contextmanager
    def _conn(self) -> Iterator[psycopg.Connection[Any]]:
        """The snapshot's connection, or one from the next pool that answers."""
        held: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if held is not None:
            with unavailable(self._urls[-1]):
                yield held
            return
        with self._checkout() as conn:
            yield conn

    def _order(self) -> list[int]:
        """Pools to try: the replicas from the next in turn, then the primary (the last
        pool); a pool that failed lately goes to the back, so it costs no wait each time."""
        replicas = len(self._pools) - 1
        first = next(self._turn)
        order = [(first + n) % replicas for n in range(replicas)] + [replicas]
        now = time.monotonic()
        healthy = [i for i in order if now - self._failed.get(i, -DOWN_SECONDS) >= DOWN_SECONDS]
        return healthy + [i for i in order if i not in healthy]

    @contextmanager
    def _checkout(self) -> Iterator[psycopg.Connection[Any]]:
        problem: BaseException | None = None
        order = self._order()
        for n, index in enumerate(order):
            try:
                # A database that is down costs a short wait, then the next one is tried.
                cm = self._pools[index].connection(timeout=5 if n == len(order) - 1 else 1)
                conn = cm.__enter__()
            except (psycopg.OperationalError, PoolTimeout) as exc:
                problem = exc
                self._failed[index] = time.monotonic()
                continue
            self._failed.pop(index, None)
            try:
                with unavailable(self._urls[index]):
                    yield conn
            except BaseException as exc:
                cm.__exit__(type(exc), exc, exc.__traceback__)
                raise
            cm.__exit__(None, None, None)
            return
        with unavailable(self._urls[order[0]]):
            assert problem is not None
            raise problem

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees one committed state, whatever writers do."""
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        with self._checkout() as conn:
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                self._local.conn = conn
                try:
                    yield
                finally:
                    self._local.conn = None

    def _rows(
        self, sql: str, params: Sequence[Any] = (), binary: bool = False
    ) -> list[dict[str, Any]]:
        """Rows as dicts; `binary` for vectors, which then skip parsing 384 numbers as text."""
        with self._conn() as conn, conn.cursor(row_factory=dict_row, binary=binary) as cur:
            cur.execute(sql, params)  # type: ignore[arg-type]
            return cur.fetchall()

    def _meta(self) -> dict[str, str]:
        try:
            rows = self._rows("SELECT key, value FROM meta")
        except psycopg.errors.UndefinedTable:
            return {}
        return {r["key"]: r["value"] for r in rows}

    def refresh(self) -> bool:
        """Note a writer's commit; nothing to reload, the database serves it."""
        generation = int(self._meta().get("generation", 0))
        changed, self.generation = generation != self.generation, generation
        return changed

    def replaced(self) -> bool:
        """A database is not swapped under a reader (rebuild works on directories)."""
        return False

    def close(self) -> None:
        for p in self._pools:
            p.close()

    # -- counts and articles -----------------------------------------------------------

    def stats(self) -> dict[str, int]:
        meta = self._meta()
        return {k: int(meta.get(k, 0)) for k in ("articles", "passages", "sentences")}

    def article(self, doc_id: str) -> Article:
        rows = self._rows("SELECT * FROM articles WHERE doc_id = %s", [doc_id])
        if not rows:
            raise DocumentNotFoundError(f"no article with id {doc_id!r}")
        info = article_info(rows[0])
        return Article(text=rows[0]["text"], **info.__dict__)

    def infos(self, doc_ids: Iterable[str]) -> dict[str, ArticleInfo]:
        rows = self._rows(
            "SELECT doc_id, title, url, published, source, metadata FROM articles "
            "WHERE doc_id = ANY(%s)",
            [list(set(doc_ids))],
        )
        return {r["doc_id"]: article_info(r) for r in rows}

    def texts(self, doc_ids: Iterable[str]) -> dict[str, str]:
        rows = self._rows(
            "SELECT doc_id, text FROM articles WHERE doc_id = ANY(%s)", [list(set(doc_ids))]
        )
        return {r["doc_id"]: r["text"] for r in rows}

    def list_articles(self, offset: int = 0, limit: int = 50) -> list[ArticleInfo]:
        rows = self._rows(
            "SELECT doc_id, title, url, published, source, metadata FROM articles "
            "ORDER BY published DESC NULLS LAST, doc_id LIMIT %s OFFSET %s",
            [limit, offset],
        )
        return [article_info(r) for r in rows]

    # -- retrieval -----------------------------------------------------------------------

    def dense_passages(
        self, query: Vectors, k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        return self._dense("passages", query, k, filters)

    def dense_sentences(
        self, query: Vectors, k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        return self._dense("sentences", query, k, filters)

    def _dense(
        self, table: str, query: Vectors, k: int, filters: Filters | None
    ) -> list[tuple[int, float]]:
        """HNSW search; filters apply during the scan (pgvector's iterative index scans)."""
        if k <= 0:
            return []
        where, params = filter_sql(filters, "%s")
        join = "JOIN articles a ON a.doc_id = t.doc_id" if filters else ""
        vec = np.asarray(query, dtype=np.float32)
        rows = self._rows(
            f"SELECT t.id, 1 - (t.vec <=> %s) AS score FROM {table} t {join} "
            f"WHERE true {where} ORDER BY t.vec <=> %s LIMIT %s",
            [vec, *params, vec, k],
        )
        found = [(int(r["id"]), float(r["score"])) for r in rows]
        return sorted(found, key=lambda hit: -hit[1])  # relaxed order: sort the k found

    def bm25_passages(
        self, terms: Sequence[str], k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        """Top-k passages by BM25 for any of the (stemmed) terms; higher score is better.

        The GIN index finds the passages; BM25 scores them in SQL, from each term's count
        in the `tsvector` (its positions), the passage count in `vocab` and the passage's
        length. `ts_rank_cd`, Postgres's own ranking, puts the right paragraph first for
        0.78 of xquad-en's questions alone, against 0.93 for this BM25 (README)."""
        words = sorted({t for t in terms if _TERM.match(t)})
        if not words or k <= 0:
            return []
        meta = self._meta()
        total = max(int(meta.get("passages", 0)), 1)
        avgdl = max(int(meta.get("terms", 0)), 1) / total
        where, params = filter_sql(filters, "%s")
        join = "JOIN articles a ON a.doc_id = p.doc_id" if filters else ""
        rows = self._rows(
            "WITH q AS (SELECT term, ln(1 + (%s - df + 0.5) / (df + 0.5)) AS idf "
            "           FROM vocab WHERE term = ANY(%s)), "
            "hits AS (SELECT p.id, p.tsv, p.n_terms FROM passages p "
            f"        {join} WHERE p.tsv @@ to_tsquery('simple', %s) {where}) "
            "SELECT h.id, sum(q.idf * cardinality(u.positions) * (%s + 1) / "
            "    (cardinality(u.positions) + %s * (1 - %s + %s * h.n_terms / %s))) AS score "
            # Only the question's own terms are unnested: marked with weight A, kept by
            # ts_filter, all in C; unnesting whole passages took 2.6x as long
            # (600 BBC articles, the same top 10 for 60 questions).
            "FROM hits h CROSS JOIN LATERAL "
            "    unnest(ts_filter(setweight(h.tsv, 'A', %s), '{a}')) u "
            "JOIN q ON q.term = u.lexeme "
            "GROUP BY h.id ORDER BY score DESC, h.id LIMIT %s",
            [total, words, " | ".join(words), *params, K1, K1, B, B, avgdl, words, k],
        )
        return [(int(r["id"]), float(r["score"])) for r in rows]

    def document_frequencies(self, stems: Iterable[str]) -> tuple[dict[str, int], int]:
        """How many passages contain each stemmed term, and the passage count."""
        terms = list(set(stems))
        rows = self._rows("SELECT term, df FROM vocab WHERE term = ANY(%s)", [terms])
        return {r["term"]: int(r["df"]) for r in rows}, self.stats()["passages"]

    def passages(self, ids: Sequence[int]) -> dict[int, PassageRow]:
        rows = self._rows(
            'SELECT id, doc_id, start, "end", first_sentence, last_sentence FROM passages '
            "WHERE id = ANY(%s)",
            [list(map(int, ids))],
        )
        return {
            int(r["id"]): PassageRow(
                int(r["id"]),
                r["doc_id"],
                r["start"],
                r["end"],
                int(r["first_sentence"]),
                int(r["last_sentence"]),
            )
            for r in rows
        }

    def token_vectors(self, ids: Sequence[int]) -> dict[int, Vectors]:
        """None are kept in a database (PgWriter.keeps_tokens)."""
        return {}

    def analyses(self, ids: Sequence[int]) -> dict[int, bytes]:
        """None are kept in a database (PgWriter.keeps_analyses)."""
        return {}

    def sentences(self, ids: Sequence[int]) -> dict[int, SentenceRow]:
        rows = self._rows(
            'SELECT id, doc_id, start, "end", vec FROM sentences WHERE id = ANY(%s)',
            [list(map(int, ids))],
            binary=True,
        )
        return {int(r["id"]): _sentence(r) for r in rows}

    def sentence_holding(self, doc_id: str, start: int, end: int) -> SentenceRow | None:
        """The sentence of an article that holds the characters [start, end), if one does."""
        rows = self._rows(
            'SELECT id, doc_id, start, "end", vec FROM sentences '
            'WHERE doc_id = %s AND start <= %s AND "end" >= %s LIMIT 1',
            [doc_id, start, end],
            binary=True,
        )
        return _sentence(rows[0]) if rows else None


def _sentence(row: dict[str, Any]) -> SentenceRow:
    vec = row["vec"]
    vec = np.asarray(vec.to_numpy() if hasattr(vec, "to_numpy") else vec, dtype=np.float32)
    return SentenceRow(int(row["id"]), row["doc_id"], row["start"], row["end"], vec)


__all__ = ["PgStore", "StoreUnavailableError"]
