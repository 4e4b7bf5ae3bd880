"""Rebuild an index from the article texts it stores: after damage, or to change the model."""

from __future__ import annotations

import fcntl
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from index.backend import is_url
from index.document import Article
from index.embed import Embedder
from index.errors import IndexError_, IndexLockedError, IndexWriteError
from index.indexer import Indexer, IndexReport, Progress
from index.schema import LOCK_NAME
from index.store import Store

_PAGE = 500


def rebuild(
    index_dir: Path | str,
    embedder: Embedder,
    progress: Progress | None = None,
    analyses: bool = True,
) -> IndexReport:
    """Re-chunk, re-embed and (with `analyses`) re-analyse every stored article into a fresh
    index, then swap it in.

    The old index stays whole and in place until the new one is complete.
    """
    if is_url(index_dir):
        raise IndexError_(
            "rebuild works on an index directory; for a database, index the articles again"
            " into a new database or schema and point QA_STORE_URL at it"
        )
    path = Path(index_dir)
    store = Store(path, exact=True)  # any model: rebuilding is how an index moves to another one
    with open(path / LOCK_NAME, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexLockedError(f"another process is writing to the index at {path}") from exc
        fresh = path.with_name(f"{path.name}.rebuild")
        shutil.rmtree(fresh, ignore_errors=True)
        indexer = Indexer(fresh, embedder, analyses=analyses)
        try:
            report = indexer.index_articles(_all_articles(store), progress)
        except BaseException as exc:
            shutil.rmtree(fresh, ignore_errors=True)  # half an index, on a disk maybe full
            if isinstance(exc, IndexWriteError):
                raise IndexWriteError(
                    f"could not write the rebuilt index beside {path}: {exc.reason}; the "
                    "rebuild was dropped, and the index is as it was",
                    exc.reason,
                ) from exc
            raise
        finally:
            store.close()
        retired = path.with_name(f"{path.name}.old-{int(time.time())}")
        path.rename(retired)
        fresh.rename(path)
    shutil.rmtree(retired, ignore_errors=True)
    return report


def _all_articles(store: Store) -> Iterator[Article]:
    offset = 0
    while page := store.list_articles(offset, _PAGE):
        for info in page:
            yield store.article(info.doc_id)
        offset += len(page)
