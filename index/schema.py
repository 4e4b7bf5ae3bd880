"""The SQLite layout of an index directory, shared by the reader and the writer."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from index.analysis import version as analysis_version

SCHEMA_VERSION = 1
# The version of the rules that split an article into sentences (index.clean, index.segment).
# Raise it whenever they change which sentences an article gets. An index records the
# version it was built with (indexes from before there was one read as 1), and an older
# one says so in its warnings: its articles keep their old sentences until it is rebuilt.
#   2: a hard-wrapped lead line in title case is story, not a heading; indented paragraphs
#      end a sentence; a title before a name does not.
#   3: a closing bracket with no full stop before it ends no sentence.
#   4: a full stop after a sign standing apart ("5 €.", "5 %.", an emoji) ends one; a run
#      over 1,000 characters is cut into pieces (index.segment.MAX_SENTENCE_CHARS).
SENTENCE_RULES = 4
DB_NAME = "store.sqlite"
LOCK_NAME = "write.lock"

DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    doc_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    url TEXT,
    published TEXT,
    source TEXT,
    metadata TEXT NOT NULL,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    indexed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_hash ON articles(content_hash);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source);
CREATE TABLE IF NOT EXISTS sentences (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES articles(doc_id),
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    vec BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS sentences_doc ON sentences(doc_id);
-- What index.sentence_table holds in memory, readable without the vectors' pages.
CREATE INDEX IF NOT EXISTS sentences_spans ON sentences(doc_id, start, "end");
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES articles(doc_id),
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    first_sentence INTEGER NOT NULL,
    last_sentence INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id);
-- Token vectors written before index.token_file kept them in a file of their own.
CREATE TABLE IF NOT EXISTS sentence_tokens (id INTEGER PRIMARY KEY, tokens BLOB NOT NULL);
-- Where each sentence's token vectors are in index.token_file's file.
CREATE TABLE IF NOT EXISTS token_spans (
    id INTEGER PRIMARY KEY,
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sentence_analyses (id INTEGER PRIMARY KEY, analysis BLOB NOT NULL);
"""
# Indexes written before BM25 moved to index.lexical kept it in FTS5 tables, which nothing
# reads now: a writer drops them, and their BM25 file is built from the passages.
LEGACY_DDL = ("DROP TABLE IF EXISTS passages_vocab", "DROP TABLE IF EXISTS passages_fts")


def connect(path: Path) -> sqlite3.Connection:
    """The index's database. On a read-only file system (a volume mounted read-only, a
    snapshot) it is opened immutable: a WAL database is otherwise unreadable there, since
    SQLite cannot make its shared-memory file, and nothing can change it anyway. Unless a
    write-ahead log was left beside it (a copy taken while a writer ran): SQLite reads that
    read-only when its shared-memory file is there too, and immutable would skip it."""
    wal = path / f"{DB_NAME}-wal"
    if read_only_medium(path) and not (wal.exists() and wal.stat().st_size):
        return _configured(
            sqlite3.connect(
                f"{(path / DB_NAME).resolve().as_uri()}?immutable=1",
                uri=True,
                isolation_level=None,
                check_same_thread=False,
            )
        )
    return _configured(
        sqlite3.connect(path / DB_NAME, isolation_level=None, check_same_thread=False, timeout=30)
    )


def read_only_medium(path: Path) -> bool:
    """`path` is on a file system mounted read-only (not merely a folder one may not write)."""
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _configured(conn: sqlite3.Connection) -> sqlite3.Connection:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


# The table of each kind of vector row: the only names SQL built from a kind may hold.
_KIND_TABLES = {"passages": "passages", "sentences": "sentences"}


def table_of(kind: str) -> str:
    """The table that holds `kind` rows ("passages" or "sentences"); KeyError otherwise."""
    return _KIND_TABLES[kind]


def vector_file(path: Path, kind: str, generation: int) -> Path:
    return path / f"{kind}.{generation}.faiss"


def lexicon_file(path: Path, generation: int) -> Path:
    return path / f"passages.{generation}.bm25.npz"


def generation_files(path: Path, base: int) -> list[Path]:
    """The files a committed state adds to the database: the vectors and BM25 postings of
    its `base` generation (its own, unless its commit kept an earlier one's files:
    index.catch_up). Generation 0 has none."""
    if not base:
        return []
    return [
        vector_file(path, "passages", base),
        vector_file(path, "sentences", base),
        lexicon_file(path, base),
    ]


def save_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """`write` a temporary file, fsync it, then rename it over `path`: a reader, or a crash,
    sees the old file or the new one, never part of one. A failed write leaves no file. The
    temporary file's name is this process's and thread's own: readers of an index save
    its approximate copies (index.ann_file), and several may save at once."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        write(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # on a full disk, the part written holds space
        raise


_RULES_UNRECORDED = 1  # the sentence rules of an index from before they had a version


def new_index_meta(
    model: str, dim: int, created_at: str, existing: bool, schema_version: int = SCHEMA_VERSION
) -> dict[str, str]:
    """The meta rows an index gets when a writer opens it (SQLite's, or PostgreSQL's with
    its schema version); the writer inserts only those it lacks. An `existing` index
    without a record of its sentence rules was split by the ones before the version."""
    return {
        "schema_version": str(schema_version),
        "model": model,
        "dim": str(dim),
        "generation": "0",
        "created_at": created_at,
        "sentence_rules": str(_RULES_UNRECORDED if existing else SENTENCE_RULES),
    }


def analyses_warning(meta: dict[str, str], where: str) -> list[str]:
    """A warning when the index's sentence analyses were made by another version of spaCy,
    its model or their format (index.analysis): they are not read, and answers cost more."""
    recorded = meta.get("analyses")
    if recorded is None or recorded == analysis_version():
        return []
    return [
        f"{where} holds sentence analyses made by {recorded}, not {analysis_version()}: "
        "answers are as good but slower; `qa index --rebuild` makes them again"
    ]


def rules_warning(meta: dict[str, str], where: str, remedy: str) -> list[str]:
    """A warning when the index's articles were split into sentences by older rules."""
    try:
        recorded = int(meta.get("sentence_rules", _RULES_UNRECORDED))
    except ValueError:
        recorded = _RULES_UNRECORDED
    if recorded >= SENTENCE_RULES:
        return []
    return [
        f"{where} was split into sentences by older rules (version {recorded}, now "
        f"{SENTENCE_RULES}): some answers may be cut short or run on into the next "
        f"sentence; {remedy}"
    ]
