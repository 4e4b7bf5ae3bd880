"""Write an index held in PostgreSQL + pgvector: one writer at a time, atomic commits.

The same writing API as `index.writer.StoreWriter`. Everything between two commits is one
transaction on the primary, so a crash or a lost connection never leaves half an article:
the database rolls it back. Sentences and passages go in with COPY, in batches, at each
commit; articles as they come, so that the indexer's duplicate checks see them. A
session-level advisory lock keeps a second writer out, as the lock file does for a
directory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import psycopg

from index import vectors
from index.chunk import Chunked
from index.document import Article
from index.embed import Vectors, canonical_model_name
from index.errors import IndexCorruptError, IndexLockedError, ModelMismatchError
from index.pg_schema import REINDEX, SCHEMA_VERSION, connect, ddl, unavailable
from index.schema import new_index_meta, rules_warning
from index.tokens import stemmed_text
from index.writer import article_insert, article_row, now

_LOCK = "SELECT pg_try_advisory_lock(hashtext('newsqa:' || current_schema()))"


class PgWriter:
    """Holds the write lock and an open transaction until `commit` or `close`."""

    def __init__(self, url: str, model: str, dim: int) -> None:
        self.url = url
        self.dim = dim
        self.warnings: list[str] = []
        self.pending = 0
        self._conn = connect(url)
        try:
            with unavailable(url):
                if not self._conn.execute(_LOCK).fetchone()[0]:  # type: ignore[index]
                    raise IndexLockedError("another process is writing to the index's database")
                with self._conn.transaction():
                    self._conn.execute(ddl(dim))  # type: ignore[arg-type]
                    self._init_meta(canonical_model_name(model), dim)
                self._conn.execute("BEGIN")
        except BaseException:
            self._conn.close()
            raise
        self._sentences: list[tuple[Any, ...]] = []
        self._passages: list[tuple[Any, ...]] = []
        self._vocab: Counter[str] = Counter()
        self._counts: Counter[str] = Counter()

    def _init_meta(self, model: str, dim: int) -> None:
        with self._conn.cursor() as cur:
            cur.execute("SELECT 1 FROM meta LIMIT 1")
            existing = cur.fetchone() is not None
            defaults = new_index_meta(model, dim, now(), existing, SCHEMA_VERSION)
            defaults.update(articles="0", passages="0", sentences="0", terms="0")
            cur.executemany(
                "INSERT INTO meta(key, value) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                list(defaults.items()),
            )
            cur.execute("SELECT key, value FROM meta")
            meta = dict(cur.fetchall())
        self.warnings += rules_warning(meta, "the index in the database", REINDEX)
        if int(meta["schema_version"]) != SCHEMA_VERSION:
            raise IndexCorruptError(
                f"the index in the database has schema version {meta['schema_version']!r}, "
                f"this version writes {SCHEMA_VERSION}"
            )
        if meta["model"] != model:
            raise ModelMismatchError(
                f"the index in the database was built with model {meta['model']!r}, not "
                f"{model!r}; use that model or index into another database or schema"
            )

    # -- queries the indexer needs ------------------------------------------------------

    def _one(self, sql: str, params: list[Any]) -> Any:
        with unavailable(self.url):
            row = self._conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
        return row[0] if row else None

    def content_hash(self, doc_id: str) -> str | None:
        found = self._one("SELECT content_hash FROM articles WHERE doc_id = %s", [doc_id])
        return None if found is None else str(found)

    def doc_with_hash(self, content_hash: str) -> str | None:
        found = self._one(
            "SELECT doc_id FROM articles WHERE content_hash = %s LIMIT 1", [content_hash]
        )
        return None if found is None else str(found)

    def doc_ids(self) -> list[str]:
        with unavailable(self.url):
            rows = self._conn.execute("SELECT doc_id FROM articles ORDER BY doc_id").fetchall()
        return [r[0] for r in rows]

    # -- writes ------------------------------------------------------------------------

    # Token vectors are not kept in a database: the answerer computes them for the few
    # sentences it reads closely, as for an index written before they were kept.
    keeps_tokens = False
    keeps_analyses = False  # the answerer runs spaCy on a database index's sentences

    def put(
        self,
        article: Article,
        chunked: Chunked,
        sentence_vectors: Vectors,
        sentence_tokens: Sequence[bytes] | None = None,
        sentence_analyses: Sequence[bytes | None] | None = None,
    ) -> None:
        """Insert an article, replacing any article with the same id; `sentence_tokens` and
        `sentence_analyses` are not kept (see `keeps_tokens`, `keeps_analyses`)."""
        if len(chunked.sentences) != len(sentence_vectors):
            raise ValueError("one vector per sentence is required")
        self.delete(article.doc_id)
        with unavailable(self.url):
            self._conn.execute(article_insert("%s"), article_row(article))
            first_sid = self._ids("sentence_ids", len(chunked.sentences))
            first_pid = self._ids("passage_ids", len(chunked.passages))
        for n, ((s, e), vec) in enumerate(zip(chunked.sentences, sentence_vectors, strict=True)):
            self._sentences.append((first_sid + n, article.doc_id, n, s, e, vec))
        for n, p in enumerate(chunked.passages):
            terms = stemmed_text(f"{article.title}\n{article.text[p.start : p.end]}")
            pvec = vectors.unit_mean(sentence_vectors[p.first : p.last + 1])
            self._passages.append(
                (
                    first_pid + n,
                    article.doc_id,
                    n,
                    p.start,
                    p.end,
                    first_sid + p.first,
                    first_sid + p.last,
                    pvec,
                    terms,
                    len(terms.split()),
                )
            )
            self._vocab.update(set(terms.split()))
            self._counts["terms"] += len(terms.split())
        self._counts.update(
            articles=1, sentences=len(chunked.sentences), passages=len(chunked.passages)
        )
        self.pending += 1

    def _ids(self, sequence: str, n: int) -> int:
        """The first of n new ids; ids are never reused."""
        if n == 0:
            return 0
        # Sequences ignore rollbacks, so a rolled-back write never hands its ids out again;
        # the advisory lock makes this session the only one drawing.
        row = self._conn.execute(
            "SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, n]
        ).fetchone()
        return int(row[0]) - n + 1  # type: ignore[index]

    def delete(self, doc_id: str) -> bool:
        """Remove an article and its passages; False when there was none."""
        if any(row[1] == doc_id for row in self._passages):
            self._flush()  # it was put in this transaction: its rows must be in to go
        with unavailable(self.url):
            rows = self._conn.execute(
                "SELECT terms FROM passages WHERE doc_id = %s", [doc_id]
            ).fetchall()
            gone = Counter[str]()
            for (terms,) in rows:
                gone.update(set(terms.split()))
                self._counts["terms"] -= len(terms.split())
            self._vocab.subtract(gone)
            n_sentences = self._one("SELECT count(*) FROM sentences WHERE doc_id = %s", [doc_id])
            cur = self._conn.execute("DELETE FROM articles WHERE doc_id = %s", [doc_id])
        deleted = cur.rowcount > 0
        if deleted:
            self._counts.subtract(
                {"articles": 1, "passages": len(rows), "sentences": int(n_sentences)}
            )
        self.pending += int(deleted)
        return deleted

    def _flush(self) -> None:
        """COPY the buffered sentences and passages in, and apply the vocabulary counts."""
        with unavailable(self.url), self._conn.cursor() as cur:
            if self._sentences:
                with cur.copy(
                    'COPY sentences (id, doc_id, ordinal, start, "end", vec) FROM STDIN '
                    "WITH (FORMAT BINARY)"
                ) as copy:
                    copy.set_types(["int8", "text", "int4", "int4", "int4", "vector"])
                    for row in self._sentences:
                        copy.write_row(row)
            if self._passages:
                with cur.copy(
                    'COPY passages (id, doc_id, ordinal, start, "end", first_sentence, '
                    "last_sentence, vec, terms, n_terms) FROM STDIN WITH (FORMAT BINARY)"
                ) as copy:
                    copy.set_types(
                        ["int8", "text", "int4", "int4", "int4", "int8", "int8", "vector", "text"]
                        + ["int4"]
                    )
                    for row in self._passages:
                        copy.write_row(row)
            changed = {t: n for t, n in self._vocab.items() if n}
            if changed:
                cur.execute(
                    "INSERT INTO vocab (term, df) SELECT * FROM unnest(%s::text[], %s::int[]) "
                    "ON CONFLICT (term) DO UPDATE SET df = vocab.df + EXCLUDED.df",
                    [list(changed), list(changed.values())],
                )
                cur.execute("DELETE FROM vocab WHERE df <= 0")
        self._sentences, self._passages, self._vocab = [], [], Counter()

    # -- commit ------------------------------------------------------------------------

    def commit(self) -> None:
        """Make every change so far durable and visible to readers, all at once."""
        self._flush()
        with unavailable(self.url):
            for key in ("articles", "passages", "sentences", "terms"):
                self._conn.execute(
                    "UPDATE meta SET value = (value::bigint + %s)::text WHERE key = %s",
                    [self._counts[key], key],
                )
            self._conn.execute(
                "UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'generation'"
            )
            self._conn.execute("COMMIT")
            self._conn.execute("BEGIN")
        self._counts = Counter()
        self.pending = 0

    def close(self) -> None:
        """Drop uncommitted changes and release the lock."""
        try:
            if not self._conn.closed:
                self._conn.execute("ROLLBACK")
        except psycopg.Error:
            pass  # a lost connection has rolled back already, and its lock is gone with it
        finally:
            self._conn.close()  # the advisory lock ends with the session

    def __enter__(self) -> PgWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
