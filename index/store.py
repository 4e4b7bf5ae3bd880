"""Read an index directory: articles, passages, sentences, BM25 and the FAISS vectors.

The SQLite database is the source of truth. The FAISS and BM25 files of the current
generation (recorded in `meta`) are loaded next to it; if they are missing or damaged they
are rebuilt in memory from the sentence vectors and the texts that SQLite keeps, and the
store says so in `warnings`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import faiss
import numpy as np

from index import ann_file, catch_up, lexical, token_vectors, vectors
from index.approximate import Approximate
from index.article_table import ArticleInfo, ArticleTable, article_info
from index.document import Article
from index.embed import Vectors, canonical_model_name
from index.errors import (
    DocumentNotFoundError,
    IndexCorruptError,
    IndexError_,
    IndexNotFoundError,
    ModelMismatchError,
    database_failure,
)
from index.passage_table import PassageRow, PassageTable
from index.schema import (
    DB_NAME,
    SCHEMA_VERSION,
    analyses_warning,
    connect,
    lexicon_file,
    rules_warning,
    table_of,
    vector_file,
)
from index.sentence_table import SentenceRow, SentenceTable
from index.token_file import TokenReader, waste_warning

T = TypeVar("T")


@dataclass(frozen=True)
class Filters:
    """Restrict results to articles from one source and/or a published date range."""

    source: str | None = None
    published_from: str | None = None
    published_to: str | None = None

    def __bool__(self) -> bool:
        return any((self.source, self.published_from, self.published_to))


class Store:
    """A read view of an index directory, safe to share between threads."""

    parallel_dense = True  # its dense searches read FAISS in memory (backend.ReadStore)

    def __init__(
        self, path: Path | str, model: str | None = None, exact: bool = False, rows: bool = True
    ) -> None:
        """`exact` keeps every vector index exact, never approximate: what a writer, which
        saves them, must start from. `rows=False` leaves out the sentence and passage rows
        held for questions (index.sentence_table, index.passage_table), which a writer never
        reads: 0.5 s of opening Reuters; `sentences` and `passages` then find none."""
        self.path = Path(path)
        self.exact = exact
        self._rows = rows
        if not (self.path / DB_NAME).exists():
            raise IndexNotFoundError(
                f"no index at {self.path}; build one with `qa index PATH --index-dir {self.path}`"
            )
        # Which file the database is: `qa index --rebuild` swaps in a new directory
        # (`replaced`), and this store would go on reading the old one's open files.
        found = os.stat(self.path / DB_NAME)
        self._identity = (found.st_dev, found.st_ino)
        self._lock = threading.RLock()  # guards reloading the vectors
        self._local = threading.local()  # one SQLite connection per thread
        # Every open connection and the thread it belongs to. Server thread pools retire idle
        # threads, so connections of threads that have ended are closed as new ones open.
        self._connections: list[tuple[threading.Thread, sqlite3.Connection]] = []
        try:
            meta = dict(self._db().execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(f"cannot read {self.path / DB_NAME}: {exc}") from exc
        if not meta:
            raise IndexCorruptError(f"{self.path / DB_NAME} is not an index (no metadata)")
        if int(meta.get("schema_version", -1)) != SCHEMA_VERSION:
            raise IndexCorruptError(
                f"index at {self.path} has schema version {meta.get('schema_version')!r}, "
                f"this version reads {SCHEMA_VERSION}; rebuild it with `qa index --rebuild`"
            )
        self.model: str = meta["model"]
        self.dim: int = int(meta["dim"])
        self._owner = ann_file.owner_of(self.model, self.dim, meta.get("created_at", ""))
        if model is not None and canonical_model_name(model) != self.model:
            raise ModelMismatchError(
                f"index at {self.path} was built with model {self.model!r} (dim {self.dim}), "
                f"not {canonical_model_name(model)!r}; use that model or rebuild the index"
            )
        where = f"the index at {self.path}"
        self.warnings: list[str] = rules_warning(
            meta, where, "`qa index --rebuild` splits every article again"
        )
        stale = analyses_warning(meta, where)
        self.warnings += stale
        self._read_analyses = not stale
        self.generation = -1
        # The generation whose vector files the current one reads (index.catch_up),
        # how many rows changed since, and whether those files were readable.
        self.vectors_base = -1
        self.vector_changes = 0
        self.base_readable = True
        self._passages: vectors.Searchable = vectors.empty(self.dim)
        self._sentences: vectors.Searchable = vectors.empty(self.dim)
        self._sentence_table = SentenceTable.empty(self._sentences)
        self._passage_table = PassageTable.empty()
        self._article_table = ArticleTable.empty()
        self._tokens = TokenReader(self.path)
        self._lexicon = lexical.Lexicon.empty()
        try:
            self.warnings += waste_warning(self.path, self._token_bytes())
            self.refresh()
        except sqlite3.DatabaseError as exc:  # its first pages read, a later one did not
            self.close()
            raise IndexCorruptError(f"{self.path / DB_NAME}: {database_failure(exc)}") from exc

    # -- lifecycle -------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self.replaced():  # the new index's database, with the old one's vectors: no
                raise IndexError_(
                    f"the index at {self.path} was rebuilt since it was opened here; "
                    "open it again to read the new one"
                )
            conn = connect(self.path)
            self._local.conn = conn
            with self._lock:
                # One liveness check per thread: a thread that ends between two checks would
                # otherwise be dropped from the list with its connection still open.
                kept = [(threading.current_thread(), conn)]
                for thread, old in self._connections:
                    if thread.is_alive():
                        kept.append((thread, old))
                    else:
                        old.close()
                self._connections = kept
        return conn

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees one committed state of the index, whatever writers do."""
        conn = self._db()
        if conn.in_transaction:  # already inside a snapshot on this thread
            yield
            return
        conn.execute("BEGIN")
        try:
            yield
        finally:
            conn.execute("COMMIT")

    def _read_generation(self) -> tuple[int, int]:
        """The committed generation and the one whose vector files it reads (itself unless
        its commit kept an earlier one's: index.catch_up)."""
        meta = dict(
            self._db()
            .execute("SELECT key, value FROM meta WHERE key IN ('generation', 'vectors_base')")
            .fetchall()
        )
        generation = int(meta.get("generation", 0))
        return generation, int(meta.get("vectors_base", generation))

    def replaced(self) -> bool:
        """The index directory now holds another index than the one this store opened
        (`qa index --rebuild` swapped one in). This store goes on reading the old one,
        whole, from the files it holds open; open the directory again to read the new."""
        try:
            found = os.stat(self.path / DB_NAME)
        except OSError:
            return False  # in the middle of the swap, or gone: nothing else to open yet
        return (found.st_dev, found.st_ino) != self._identity

    def refresh(self) -> bool:
        """Reload the vectors if a writer committed since; True when something changed."""
        with self.snapshot():
            try:
                generation, base = self._read_generation()
            except sqlite3.DatabaseError as exc:
                raise IndexCorruptError(f"{self.path / DB_NAME}: {database_failure(exc)}") from exc
            if generation == self.generation:
                return False
            with self._lock:
                if generation != self.generation:
                    self.vector_changes, self.base_readable = 0, True
                    self._passages = self._current("passages", base, self._passages)
                    if self._rows:
                        self._passage_table = self._passage_table.updated(
                            self._db(), vectors.ids_of(self._passages)
                        )
                    self._sentences = self._current("sentences", base, self._sentences)
                    if self._rows:
                        self._sentence_table = self._sentence_table.updated(
                            self._db(), self._sentences, vectors.ids_of(self._sentences)
                        )
                    self._lexicon = self._current_lexicon(base)
                    self.generation, self.vectors_base = generation, base
            return True

    def _current(self, kind: str, base: int, previous: vectors.Searchable) -> vectors.Searchable:
        """What questions search of the committed state: the approximate copy of the state
        before brought up to date with the rows changed since, read from the database
        (index.catch_up), when it can be; else the `base` generation's vector file
        with the changes applied, or its approximate copy (updated or made anew)."""
        if isinstance(previous, Approximate) and not self.exact:
            changes = catch_up.since(previous.ids, kind, self._db(), self.dim)
            if not len(changes):
                return previous
            updated = previous.updated(changes.ids_after(previous.ids), changes.added)
            if updated is not None:
                return updated
        streamed = None if self.exact else self._streamed(kind, base)
        if streamed is not None:
            return streamed
        exact, changed = self._load_vectors(kind, base)
        self.base_readable &= changed is not None
        self.vector_changes += changed or 0
        return exact if self.exact else vectors.for_search(exact, previous=previous)

    def _streamed(self, kind: str, base: int) -> Approximate | None:
        """The approximate copy of the committed state made from the `base` generation's
        vector file read a slice at a time, with the rows changed since (read from the
        database) applied on the way (vectors.VectorFile): the same copy as one made from
        the exact index, without the exact vectors all in memory. None when the index is
        small, or the file is missing, not as `vectors.save` writes it or at odds with the
        database: then the exact index is loaded, as before."""
        count = self._count(kind)
        if not base or count < vectors.ANN_MIN:
            return None
        source = vectors.VectorFile.open(vector_file(self.path, kind, base), self.dim)
        if source is None:
            return None
        changes = catch_up.since(source.ids, kind, self._db(), self.dim)
        rows = source.with_changes(changes.gone, changes.new, changes.added)
        if len(rows) != count:
            return None
        try:
            copy = ann_file.copy_of(ann_file.ann_path(self.path, kind), self._owner, rows.ids, rows)
        except (OSError, RuntimeError):  # the file went or changed while read: as before
            return None
        self.vector_changes += len(changes)
        return copy

    def _load_vectors(self, kind: str, base: int) -> tuple[faiss.Index, int | None]:
        """The exact vectors of the committed state: the `base` generation's file with the
        rows changed since applied (for_search makes the copy questions search), and how
        many rows that was; None when the file was unusable and they were rebuilt."""
        expected, changed = self._count(kind), [-1]

        def read() -> faiss.Index:
            # Generation 0 has no files: a new index, or one whose first commits kept none.
            file = vector_file(self.path, kind, base)
            index = vectors.load(file, self.dim) if base else vectors.empty(self.dim)
            changed[0] = catch_up.exact(index, kind, self._db(), self.dim)
            return index

        warned = len(self.warnings)
        index = self._checked(
            f"{kind} vectors",
            expected,
            read,
            lambda found: int(found.ntotal),
            lambda: vectors.build(self.dim, *self._stored_vectors(kind)),
        )
        return index, (changed[0] if len(self.warnings) == warned else None)

    def exact_vectors(self, kind: str) -> faiss.Index:
        """The committed state's exact `kind` vectors ("sentences" or "passages"), loaded
        anew whatever this store searches (the benchmark's truth for approximate search)."""
        with self.snapshot():
            return self._load_vectors(kind, self._read_generation()[1])[0]

    def _current_lexicon(self, base: int) -> lexical.Lexicon:
        """The BM25 postings of the committed state: those of the state held before with
        the passages changed since (index.catch_up), or when there is none, the `base`
        generation's file with them."""
        if self.generation >= 0:
            return catch_up.lexicon(self._lexicon, self._db())
        warned = len(self.warnings)
        lexicon = self._checked(
            "BM25 postings",
            self._count("passages"),
            # Generation 0 has no files: a new index, or one whose first commits kept none.
            lambda: catch_up.lexicon(
                lexical.load(lexicon_file(self.path, base)) if base else lexical.Lexicon.empty(),
                self._db(),
            ),
            len,
            self._stored_lexicon,
        )
        self.base_readable &= len(self.warnings) == warned
        return lexicon

    def _checked(
        self,
        what: str,
        expected: int,
        read: Callable[[], T],
        rows: Callable[[T], int],
        rebuild: Callable[[], T],
    ) -> T:
        """A generation file as read, if it holds the database's `expected` rows; else
        rebuilt from the database, with a warning."""
        try:
            found = read()
            if rows(found) == expected:
                return found
            problem = f"{what} hold {rows(found)} rows, the database {expected}"
        except (OSError, RuntimeError, ValueError) as exc:
            problem = f"{what} unreadable ({exc})"
        self.warnings.append(f"{problem}; rebuilt them in memory from the database")
        return rebuild()

    def _stored_lexicon(self) -> lexical.Lexicon:
        rows = self._db().execute(
            'SELECT p.id, a.title, a.text, p.start, p."end" FROM passages p '
            "JOIN articles a ON a.doc_id = p.doc_id ORDER BY p.id"
        )
        return lexical.build((r[0], r[1], r[2][r[3] : r[4]]) for r in rows)

    def _stored_vectors(self, kind: str) -> tuple[vectors.Ids, Vectors]:
        rows = self._db().execute("SELECT id, vec FROM sentences ORDER BY id").fetchall()
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        vecs = _stack([r[1] for r in rows], self.dim)
        if kind == "sentences":
            return ids, vecs
        by_id = {int(i): v for i, v in zip(ids, vecs, strict=True)}
        passages = (
            self._db()
            .execute("SELECT id, first_sentence, last_sentence FROM passages ORDER BY id")
            .fetchall()
        )
        pids = np.array([p[0] for p in passages], dtype=np.int64)
        pvecs = [
            vectors.unit_mean(np.stack([by_id[s] for s in range(p[1], p[2] + 1)])) for p in passages
        ]
        return pids, vectors.stack(pvecs, self.dim)

    def _count(self, kind: str) -> int:
        table = table_of(kind)
        return int(self._db().execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._tokens.close()
            for _, conn in self._connections:
                conn.close()
            self._connections.clear()
            self._local = threading.local()

    # -- counts and articles -----------------------------------------------------------

    def _token_bytes(self) -> int:
        """The bytes of the token file that sentences of the index use."""
        try:
            row = self._db().execute("SELECT coalesce(sum(length), 0) FROM token_spans").fetchone()
        except sqlite3.OperationalError:  # an index from before the token file
            return 0
        return int(row[0])

    def stats(self) -> dict[str, int]:
        articles = self._db().execute("SELECT count(*) FROM articles").fetchone()[0]
        return {
            "articles": int(articles),
            "passages": self._count("passages"),
            "sentences": self._count("sentences"),
        }

    def article(self, doc_id: str) -> Article:
        row = self._db().execute("SELECT * FROM articles WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            raise DocumentNotFoundError(f"no article with id {doc_id!r}")
        info = article_info(row)
        return Article(text=row["text"], **info.__dict__)

    def infos(self, doc_ids: Iterable[str]) -> dict[str, ArticleInfo]:
        table = self._articles()
        if table is not None:
            return table.infos(doc_ids)
        ids = list(set(doc_ids))
        rows = (
            self._db()
            .execute(
                "SELECT doc_id, title, url, published, source, metadata FROM articles "
                f"WHERE doc_id IN ({_marks(ids)})",
                ids,
            )
            .fetchall()
        )
        return {row["doc_id"]: article_info(row) for row in rows}

    def texts(self, doc_ids: Iterable[str]) -> dict[str, str]:
        table = self._articles()
        if table is not None:
            return table.texts(doc_ids)
        ids = list(set(doc_ids))
        rows = (
            self._db()
            .execute(f"SELECT doc_id, text FROM articles WHERE doc_id IN ({_marks(ids)})", ids)
            .fetchall()
        )
        return {row[0]: row[1] for row in rows}

    def _articles(self) -> ArticleTable | None:
        """The articles of the generation loaded, from memory (index.article_table), read in
        when first needed (writers never read them). None while this thread's snapshot is
        of another generation than the one loaded, which then reads SQLite."""
        table = self._article_table
        if table.generation == self.generation:
            return table
        with self.snapshot(), self._lock:
            if self._article_table.generation != self.generation:
                if self._read_generation()[0] != self.generation:
                    return None
                self._article_table = ArticleTable.read(self._db(), self.generation)
            return self._article_table

    def list_articles(self, offset: int = 0, limit: int = 50) -> list[ArticleInfo]:
        rows = (
            self._db()
            .execute(
                "SELECT doc_id, title, url, published, source, metadata FROM articles "
                "ORDER BY published DESC, doc_id LIMIT ? OFFSET ?",
                (limit, offset),
            )
            .fetchall()
        )
        return [article_info(row) for row in rows]

    # -- retrieval -----------------------------------------------------------------------

    def dense_passages(
        self, query: Vectors, k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        allowed = self._allowed("passages", filters) if filters else None
        return vectors.search(self._passages, query, k, allowed)

    def dense_sentences(
        self, query: Vectors, k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        allowed = self._allowed("sentences", filters) if filters else None
        return vectors.search(self._sentences, query, k, allowed)

    def bm25_passages(
        self, terms: Sequence[str], k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        """Top-k passages by BM25 for any of the (porter-stemmed) terms; higher is better."""
        allowed = self._allowed("passages", filters) if filters else None
        return self._lexicon.search(terms, k, allowed)

    def document_frequencies(self, stems: Iterable[str]) -> tuple[dict[str, int], int]:
        """How many passages contain each (porter-stemmed) term, and the passage count."""
        lexicon = self._lexicon
        found = {s: lexicon.document_frequency(s) for s in set(stems)}
        return {s: n for s, n in found.items() if n}, len(lexicon)

    def passages(self, ids: Sequence[int]) -> dict[int, PassageRow]:
        """The rows of these passages, from memory (index.passage_table)."""
        return self._passage_table.rows(ids)

    def sentences(self, ids: Sequence[int]) -> dict[int, SentenceRow]:
        """The rows of these sentences, from memory (index.sentence_table)."""
        return self._sentence_table.rows(ids)

    def token_vectors(self, ids: Sequence[int]) -> dict[int, Vectors]:
        """The stored token vectors of these sentences (unit rows, tokens × dim); sentences
        indexed without them, or before they were kept, are left out."""
        found = self.packed_tokens(ids)
        return {i: token_vectors.unpack(blob, self.dim) for i, blob in found.items() if blob}

    def packed_tokens(self, ids: Sequence[int]) -> dict[int, bytes]:
        """The token vectors of these sentences as stored (index.token_vectors.pack): from
        the token file (index.token_file), where the sentence table says they are, or as
        rows where an older writer left them."""
        if not ids:
            return {}
        found: dict[int, bytes] = {}
        try:
            found = self._tokens.read(self._sentence_table.token_spans(ids))
        except OSError as exc:
            self._warn_once(f"token vectors unreadable ({exc}); computed when needed instead")
        missing = [i for i in ids if i not in found]
        if missing:
            found.update(self._blobs("sentence_tokens", "tokens", missing))
        return found

    def _warn_once(self, warning: str) -> None:
        if warning not in self.warnings:
            self.warnings.append(warning)

    def analyses(self, ids: Sequence[int]) -> dict[int, bytes]:
        """The stored spaCy analyses of these sentences (index.analysis); sentences indexed
        without one, and every sentence of an index whose analyses are of another version,
        are left out."""
        return self._blobs("sentence_analyses", "analysis", ids) if self._read_analyses else {}

    def _blobs(self, table: str, column: str, ids: Sequence[int]) -> dict[int, bytes]:
        """What a table kept per sentence, by sentence id; none from an index written
        before the table was."""
        if not ids:
            return {}
        sql = f"SELECT id, {column} FROM {table} WHERE id IN ({_marks(ids)})"
        try:
            rows = self._db().execute(sql, list(ids)).fetchall()
        except sqlite3.OperationalError:  # an index written before they were kept
            return {}
        return {r[0]: r[1] for r in rows}

    def sentence_holding(self, doc_id: str, start: int, end: int) -> SentenceRow | None:
        """The sentence of an article that holds the characters [start, end), if one does."""
        row = (
            self._db()
            .execute(
                'SELECT id, doc_id, start, "end", vec FROM sentences '
                'WHERE doc_id = ? AND start <= ? AND "end" >= ?',
                (doc_id, start, end),
            )
            .fetchone()
        )
        if row is None:
            return None
        return SentenceRow(row[0], row[1], row[2], row[3], _vector(row[4], self.dim))

    def _allowed(self, kind: str, filters: Filters) -> vectors.Ids:
        table = table_of(kind)
        where, params = filter_sql(filters)
        sql = f"SELECT p.id FROM {table} p JOIN articles a ON a.doc_id = p.doc_id WHERE 1 {where}"
        rows = self._db().execute(sql, params).fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64)


def filter_sql(filters: Filters | None, mark: str = "?") -> tuple[str, list[str]]:
    """The filters as "AND" clauses on the articles table `a`, and their parameters;
    `mark` is the driver's placeholder (SQLite's ?, psycopg's %s)."""
    if not filters:
        return "", []
    clauses, params = [], []
    if filters.source:
        clauses.append(f"a.source = {mark}")
        params.append(filters.source)
    if filters.published_from:
        clauses.append(f"a.published >= {mark}")
        params.append(filters.published_from)
    if filters.published_to:
        clauses.append(f"a.published <= {mark}")
        params.append(filters.published_to)
    return "".join(f" AND {c}" for c in clauses), params


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def _vector(blob: bytes, dim: int) -> Vectors:
    return np.frombuffer(blob, dtype=np.float32, count=dim)


def _stack(blobs: list[bytes], dim: int) -> Vectors:
    return vectors.stack([_vector(b, dim) for b in blobs], dim)
