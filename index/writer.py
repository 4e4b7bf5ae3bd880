"""Write to an index directory: one writer at a time, atomic commits.

A commit writes the FAISS and BM25 files of the next generation (temporary file, fsync,
rename),
then records that generation in the same SQLite transaction as the rows, then removes
the previous generation's files. A crash at any point leaves the last committed
generation intact; leftovers of an unfinished commit are cleared by the next writer.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import faiss
import numpy as np

from index import analysis, lexical, vectors
from index.approximate import Approximate
from index.chunk import Chunked
from index.document import Article
from index.embed import Vectors, canonical_model_name
from index.errors import IndexError_, IndexLockedError, IndexWriteError, write_failure
from index.schema import (
    DDL,
    LEGACY_DDL,
    LOCK_NAME,
    analyses_warning,
    connect,
    generation_files,
    lexicon_file,
    new_index_meta,
    vector_file,
)
from index.store import Store
from index.token_file import TokenAppender
from index.token_vectors import Packed

# A commit keeps the vector and BM25 files of an earlier generation, instead of writing
# them all again, while the rows written and removed since are at most this share of the
# rows: whoever opens the index reads those rows from SQLite (index.catch_up).
CARRY_SHARE = 0.1


class StoreWriter:
    """Holds the write lock and an open transaction until `commit` or `close`."""

    def __init__(self, path: Path | str, model: str, dim: int) -> None:
        self.path = Path(path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._lock_file = open(self.path / LOCK_NAME, "a+")  # noqa: SIM115 - held for our lifetime
        except OSError as exc:  # a file of that name, a read-only or full disk, no permission
            disk = write_failure(exc)
            if disk is not None:
                raise IndexWriteError(
                    f"cannot write an index at {self.path}: {disk}", disk
                ) from exc
            why = "it is a file" if self.path.is_file() else exc.strerror or str(exc)
            raise IndexError_(f"cannot write an index at {self.path}: {why}") from exc
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self._lock_file.close()
            raise IndexLockedError(
                f"another process is writing to the index at {self.path}"
            ) from exc
        try:
            self._conn = connect(self.path)
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.executescript(DDL)
            self._init_meta(canonical_model_name(model), dim)
            # Checks the model and loads the current vectors, exact: an approximate copy
            # would be saved as the next generation.
            reader = Store(self.path, model=model, exact=True, rows=False)
        except BaseException:
            self._lock_file.close()
            raise
        self.generation = reader.generation
        # The generation whose vector and BM25 files the index reads, whether the next
        # commit may keep them (not when they were unusable), and the rows changed since.
        self._base = reader.vectors_base if reader.base_readable else reader.generation
        self._keep = reader.base_readable
        self._changed = reader.vector_changes
        self.dim = dim
        self._passages, self._sentences = _exact(reader._passages), _exact(reader._sentences)
        self._lexicon, self._changes = reader._lexicon, lexical.LexiconChanges()
        self.warnings = reader.warnings
        # Analyses of another spaCy (or model) would not be read: none are written then.
        self.keeps_analyses = not analyses_warning(self._meta(), "")
        reader.close()
        self._clear_leftovers()
        self._conn.execute("BEGIN IMMEDIATE")
        for statement in LEGACY_DDL:  # in the first commit's transaction
            self._conn.execute(statement)
        self.pending = 0
        self._tokens: TokenAppender | None = None

    def _init_meta(self, model: str, dim: int) -> None:
        existing = self._conn.execute("SELECT 1 FROM meta LIMIT 1").fetchone() is not None
        defaults = new_index_meta(model, dim, now(), existing)
        # An index from before analyses were kept gets them for what is written from now on.
        defaults["analyses"] = analysis.version()
        self._conn.executemany(
            "INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", defaults.items()
        )

    def _meta(self) -> dict[str, str]:
        return dict(self._conn.execute("SELECT key, value FROM meta").fetchall())

    def _clear_leftovers(self) -> None:
        keep = {file.name for file in generation_files(self.path, self._base)}
        # (and an approximate copy's file that a reader left half saved: index.ann_file)
        for pattern in ("*.faiss*", "*.bm25.npz*", "*.ann.npz.*.tmp"):
            for file in self.path.glob(pattern):
                if file.name not in keep:
                    file.unlink(missing_ok=True)

    # -- queries the indexer needs ------------------------------------------------------

    def content_hash(self, doc_id: str) -> str | None:
        row = self._conn.execute(
            "SELECT content_hash FROM articles WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        return str(row[0]) if row else None

    def doc_with_hash(self, content_hash: str) -> str | None:
        row = self._conn.execute(
            "SELECT doc_id FROM articles WHERE content_hash = ? LIMIT 1", (content_hash,)
        ).fetchone()
        return str(row[0]) if row else None

    def doc_ids(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT doc_id FROM articles ORDER BY doc_id")]

    # -- writes ------------------------------------------------------------------------

    keeps_tokens = True  # stores each sentence's token vectors when the indexer has them

    def put(
        self,
        article: Article,
        chunked: Chunked,
        sentence_vectors: Vectors,
        sentence_tokens: Sequence[Packed] | None = None,
        sentence_analyses: Sequence[analysis.Packed | None] | None = None,
    ) -> None:
        """Insert an article, replacing any article with the same id; `sentence_tokens` are
        its sentences' packed token vectors (index.token_vectors) and `sentence_analyses`
        their spaCy analyses (index.analysis), when known."""
        if len(chunked.sentences) != len(sentence_vectors):
            raise ValueError("one vector per sentence is required")
        for extra in (sentence_tokens, sentence_analyses):
            if extra is not None and len(extra) != len(sentence_vectors):
                raise ValueError("token vectors and analyses for every sentence, or none")
        self.delete(article.doc_id)
        c = self._conn
        c.execute(article_insert(), article_row(article))
        first_sid = self._next_id("sentences")
        sids = np.arange(first_sid, first_sid + len(chunked.sentences), dtype=np.int64)
        c.executemany(
            'INSERT INTO sentences(id, doc_id, ordinal, start, "end", vec) VALUES (?,?,?,?,?,?)',
            [
                (int(sid), article.doc_id, n, s, e, vec.tobytes())
                for n, (sid, (s, e), vec) in enumerate(
                    zip(sids, chunked.sentences, sentence_vectors, strict=True)
                )
            ],
        )
        if sentence_tokens is not None:
            c.executemany(
                "INSERT INTO token_spans(id, offset, length) VALUES (?, ?, ?)",
                self._token_file().append(sids.tolist(), sentence_tokens),
            )
        if sentence_analyses is not None and self.keeps_analyses:
            c.executemany(
                "INSERT INTO sentence_analyses(id, analysis) VALUES (?, ?)",
                [
                    (int(sid), blob)
                    for sid, blob in zip(sids, sentence_analyses, strict=True)
                    if blob is not None
                ],
            )
        first_pid = self._next_id("passages")
        pids = np.arange(first_pid, first_pid + len(chunked.passages), dtype=np.int64)
        rows, pvecs = [], []
        for n, (pid, p) in enumerate(zip(pids, chunked.passages, strict=True)):
            rows.append(
                (
                    int(pid),
                    article.doc_id,
                    n,
                    p.start,
                    p.end,
                    first_sid + p.first,
                    first_sid + p.last,
                )
            )
            self._changes.add(int(pid), article.title, article.text[p.start : p.end])
            pvecs.append(vectors.unit_mean(sentence_vectors[p.first : p.last + 1]))
        c.executemany(
            'INSERT INTO passages(id, doc_id, ordinal, start, "end", first_sentence, last_sentence)'
            " VALUES (?,?,?,?,?,?,?)",
            rows,
        )
        if len(sids):
            self._sentences.add_with_ids(sentence_vectors, sids)
        if pvecs:
            self._passages.add_with_ids(np.stack(pvecs), pids)
        self._changed += len(sids) + len(pids)
        self.pending += 1

    def delete(self, doc_id: str) -> bool:
        """Remove an article and its passages; False when there was none."""
        c = self._conn
        sids = np.array(
            [r[0] for r in c.execute("SELECT id FROM sentences WHERE doc_id = ?", (doc_id,))],
            dtype=np.int64,
        )
        pids = np.array(
            [r[0] for r in c.execute("SELECT id FROM passages WHERE doc_id = ?", (doc_id,))],
            dtype=np.int64,
        )
        if len(sids):
            self._sentences.remove_ids(sids)  # type: ignore[arg-type]
        if len(pids):
            self._passages.remove_ids(pids)  # type: ignore[arg-type]
            self._changes.remove(pids.tolist())
        self._changed += len(sids) + len(pids)
        c.execute("DELETE FROM passages WHERE doc_id = ?", (doc_id,))
        for table in ("token_spans", "sentence_tokens", "sentence_analyses"):
            c.execute(
                f"DELETE FROM {table} WHERE id IN (SELECT id FROM sentences WHERE doc_id = ?)",
                (doc_id,),
            )
        c.execute("DELETE FROM sentences WHERE doc_id = ?", (doc_id,))
        deleted = c.execute("DELETE FROM articles WHERE doc_id = ?", (doc_id,)).rowcount > 0
        self.pending += int(deleted)
        return deleted

    def _token_file(self) -> TokenAppender:
        if self._tokens is None:  # created by the first write that has token vectors
            self._tokens = TokenAppender(self.path)
        return self._tokens

    def _next_id(self, table: str) -> int:
        # Ids are never reused, so a reader holding older vectors never mistakes a new row.
        key = f"next_{table}_id"
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        stored = int(row[0]) if row else 0
        current = self._conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]
        return max(stored, int(current))

    def _remember_next_ids(self) -> None:
        for table in ("sentences", "passages"):
            self._conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                (f"next_{table}_id", str(self._next_id(table))),
            )

    # -- commit ------------------------------------------------------------------------

    def commit(self) -> None:
        """Make every change so far durable and visible to readers, all at once."""
        new = self.generation + 1
        lexicon = self._changes.apply(self._lexicon) if self._changes else self._lexicon
        rows = int(self._passages.ntotal + self._sentences.ntotal)
        base = self._base if self._keep and self._changed <= CARRY_SHARE * rows else new
        if base == new:
            vectors.save(self._passages, vector_file(self.path, "passages", new))
            vectors.save(self._sentences, vector_file(self.path, "sentences", new))
            lexicon.save(lexicon_file(self.path, new))
        if self._tokens is not None:
            self._tokens.sync()
        _fsync_dir(self.path)
        self._remember_next_ids()
        self._conn.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(new),))
        self._conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('vectors_base', ?)", (str(base),)
        )
        self._conn.execute("COMMIT")
        old = generation_files(self.path, self._base)
        kept = set(generation_files(self.path, base))
        self.generation, self._base, self._keep = new, base, True
        self._changed = 0 if base == new else self._changed
        self._lexicon, self._changes = lexicon, lexical.LexiconChanges()
        for file in old:
            if file not in kept:
                file.unlink(missing_ok=True)
        self.pending = 0
        self._conn.execute("BEGIN IMMEDIATE")

    def close(self) -> None:
        """Drop uncommitted changes and release the lock. Every step runs even when one
        before it fails (a full disk): a lock left held would refuse every later write."""
        with contextlib.ExitStack() as then:  # its callbacks run last first
            then.callback(self._lock_file.close)
            then.callback(fcntl.flock, self._lock_file, fcntl.LOCK_UN)
            then.callback(self._conn.close)
            if self._tokens is not None:
                # Cuts off what the rolled-back transaction appended.
                then.callback(self._tokens.close)
                self._tokens = None
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_ARTICLE_COLUMNS = (
    "doc_id",
    "title",
    "url",
    "published",
    "source",
    "metadata",
    "text",
    "content_hash",
    "indexed_at",
)


def article_insert(mark: str = "?") -> str:
    """The INSERT of article_row's values; `mark` is the driver's placeholder."""
    columns, marks = ", ".join(_ARTICLE_COLUMNS), ", ".join([mark] * len(_ARTICLE_COLUMNS))
    return f"INSERT INTO articles({columns}) VALUES ({marks})"


def article_row(article: Article) -> tuple[str | None, ...]:
    """The article's values for article_insert, indexed now: what every backend stores."""
    return (
        article.doc_id,
        article.title,
        article.url,
        article.published,
        article.source,
        json.dumps(article.metadata, ensure_ascii=False, default=str),
        article.text,
        article.content_hash,
        now(),
    )


def now() -> str:
    """The time now, as the index records it (UTC, ISO 8601, whole seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exact(index: vectors.Searchable) -> faiss.Index:
    """What a Store opened with exact=True holds: never an approximate copy."""
    if isinstance(index, Approximate):
        raise TypeError("the writer needs the exact vectors, not an approximate copy")
    return index
