"""Every article's text and metadata, held in memory by a reader.

A question reads the texts and the metadata of some six articles, three times over (its
candidates' sentences, their neighbours, the citations). In SQLite each article lies on
pages of its own scattered through the file, and a page that has not been read lately is
a disk read: on Reuters, `Store.texts` and `Store.infos` took 1.26 ms a question with the
file out of the page cache and 0.46 ms with it in. Reuters' 18,543 articles hold 15.6 MB
of text; in memory that is about 20 MB, read in one pass when a question first needs them
after the index changed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from index.document import nesting_problem


@dataclass(frozen=True)
class ArticleInfo:
    """An article's metadata without its text."""

    doc_id: str
    title: str
    url: str | None
    published: str | None
    source: str | None
    metadata: dict[str, Any]


def article_info(row: Any) -> ArticleInfo:
    """An articles row (SQLite's, or PostgreSQL's with its metadata already decoded)."""
    metadata = row["metadata"]
    return ArticleInfo(
        row["doc_id"],
        row["title"],
        row["url"],
        row["published"],
        row["source"],
        metadata if isinstance(metadata, dict) else _decoded(metadata),
    )


# Metadata as an earlier version may have stored it, nested past what JSON's decoder and
# encoder can walk (no check refused it then): served as this instead of a 500.
_UNREADABLE = {"unreadable_metadata": "nested too deeply to serve; index the article again"}
_SERVED_NESTING = 256


def _decoded(metadata: str) -> dict[str, Any]:
    try:
        value = json.loads(metadata)
    except RecursionError:
        return dict(_UNREADABLE)
    deep = metadata.count("[") + metadata.count("{") > _SERVED_NESTING  # else it cannot be
    if deep and nesting_problem(value, _SERVED_NESTING) is not None:
        return dict(_UNREADABLE)
    return value if isinstance(value, dict) else {}


# An article's metadata as stored: title, url, published, source and the metadata's JSON.
# Decoded into an ArticleInfo only when asked for, so that holding it costs little.
_Stored = tuple[str, str | None, str | None, str | None, str]


class ArticleTable:
    """The articles of one generation of an index, by id."""

    def __init__(self, generation: int, texts: dict[str, str], infos: dict[str, _Stored]) -> None:
        self.generation = generation
        self._texts = texts
        self._infos = infos

    @classmethod
    def empty(cls) -> ArticleTable:
        return cls(-1, {}, {})

    @classmethod
    def read(cls, conn: sqlite3.Connection, generation: int) -> ArticleTable:
        """Every article as `conn` sees them; call it inside the snapshot `generation` was
        read in."""
        texts: dict[str, str] = {}
        infos: dict[str, _Stored] = {}
        rows = conn.execute(
            "SELECT doc_id, title, url, published, source, metadata, text FROM articles"
        )
        for doc_id, title, url, published, source, metadata, text in rows:
            texts[doc_id] = text
            infos[doc_id] = (title, url, published, source, metadata)
        return cls(generation, texts, infos)

    def __len__(self) -> int:
        return len(self._texts)

    def texts(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """The texts of those of `doc_ids` the index holds, in id order as SQLite gives them."""
        texts = self._texts
        return {d: texts[d] for d in sorted(set(doc_ids)) if d in texts}

    def infos(self, doc_ids: Iterable[str]) -> dict[str, ArticleInfo]:
        """The metadata of those of `doc_ids` the index holds, in id order."""
        infos = self._infos
        found = {}
        for doc_id in sorted(set(doc_ids)):
            stored = infos.get(doc_id)
            if stored is not None:
                title, url, published, source, metadata = stored
                found[doc_id] = ArticleInfo(
                    doc_id, title, url, published, source, _decoded(metadata)
                )
        return found
