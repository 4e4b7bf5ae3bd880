"""Every error the library raises on purpose.

QAError
├── IngestError            a file or record could not be turned into an article
├── IndexError_            base for problems with the index directory
│   ├── IndexNotFoundError     no index at the given path
│   ├── IndexCorruptError      files exist but cannot be read
│   ├── ModelMismatchError     index built with another embedding model
│   ├── IndexLockedError       another writer holds the index
│   ├── IndexWriteError        the index's files could not be written (a full disk)
│   └── StoreUnavailableError  the index's database cannot be reached (for now)
├── ModelLoadError         a model (embedding, reader, span weights) could not be loaded
├── DocumentNotFoundError  no article with that id
└── InvalidQueryError      a question or parameter is unusable
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class QAError(Exception):
    """Base class for every error this project raises on purpose."""


class IngestError(QAError):
    """A file or record could not be turned into an article."""


class IndexError_(QAError):  # noqa: N801 - avoid shadowing the builtin IndexError
    """Base class for problems with an index directory."""


class IndexNotFoundError(IndexError_):
    """There is no index at the given path."""


class IndexCorruptError(IndexError_):
    """The index files exist but cannot be read."""


class ModelMismatchError(IndexError_):
    """The index was built with a different embedding model."""


class IndexLockedError(IndexError_):
    """Another process is writing to the index."""


class IndexWriteError(IndexError_):
    """The index's files could not be written: the disk is full, or read-only, or failing.
    What was committed before stays whole. `reason` says what the disk did."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


# What a full, read-only or failing disk raises from a write: the OS's errors, SQLite's
# messages for them, FAISS's, which quotes the OS's message in a RuntimeError, and
# PostgreSQL's disk_full.
_WRITE_ERRNOS = {
    errno.ENOSPC: "no space left on the disk",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "a file grew past the size this process may write",
    errno.EROFS: "the disk is read-only",
    errno.EIO: "the disk failed to write",
}
_WRITE_MESSAGES = {
    "database or disk is full": errno.ENOSPC,
    "no space left on device": errno.ENOSPC,
    "disk quota exceeded": errno.EDQUOT,
    "file too large": errno.EFBIG,
    "attempt to write a readonly database": errno.EROFS,
    "read-only file system": errno.EROFS,
    "disk i/o error": errno.EIO,
}


@contextmanager
def refused_writes(message: Callable[[str], str]) -> Iterator[None]:
    """An error of the block that is the disk's doing (write_failure) raised again as an
    IndexWriteError, with `message(what the disk did)`; any other error as it is."""
    try:
        yield
    except Exception as exc:
        why = write_failure(exc)
        if why is None:
            raise
        raise IndexWriteError(message(why), why) from exc


def write_failure(exc: BaseException) -> str | None:
    """Why writing the index failed, when `exc` is the disk's doing; None otherwise."""
    if isinstance(exc, IndexWriteError):  # said already, without what was committed
        return exc.reason or None
    if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS:
        return _WRITE_ERRNOS[exc.errno]
    if getattr(exc, "sqlstate", None) == "53100":  # PostgreSQL's disk_full (psycopg)
        return _WRITE_ERRNOS[errno.ENOSPC]
    if isinstance(exc, sqlite3.OperationalError | RuntimeError | OSError):
        text = str(exc).lower()
        for message, code in _WRITE_MESSAGES.items():
            if message in text:
                return _WRITE_ERRNOS[code]
    return None


class StoreUnavailableError(IndexError_):
    """The database that holds the index cannot be reached; asking again later may work."""


class ModelLoadError(QAError):
    """A model could not be loaded: the embedding model, a span reader or span weights."""


class DocumentNotFoundError(QAError):
    """No article has the requested id."""


class InvalidQueryError(QAError):
    """A question or a query parameter is unusable."""


def database_failure(exc: Exception) -> str:
    """What to tell a user when an index's SQLite database fails in the middle of work:
    a page that opening the index did not read is damaged, or the database is busy."""
    if isinstance(exc, sqlite3.OperationalError):
        return f"the index's database could not answer ({exc}); try again"
    return (
        f"the index's database cannot be read ({exc}); restore the index directory from a "
        "copy, or index the articles again into a new one"
    )
