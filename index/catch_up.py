"""Bring what was read of an earlier state up to date from the database: the rows written
and removed since.

A commit that changes few rows keeps the files of an earlier generation, its base, instead
of writing them all again (the vectors and BM25 postings of Reuters are 254 MB, most of
what adding one article cost). SQLite holds every sentence's vector and every passage's
text, and a passage's vector is the mean of its sentences', so whoever opens the index
loads the base's files and applies what changed since; a reader that holds an earlier
state applies what changed since that, without reading the files. Ids are never reused:
a row above the highest id held was written since, and a count says whether any held
row was removed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import faiss
import numpy as np

from index import lexical, vectors
from index.embed import Vectors
from index.schema import table_of


@dataclass(frozen=True)
class Changes:
    """What the database holds beyond a set of rows: `gone`, rows it no longer has, and
    `new`, rows written since, in id order, with their vectors (`added`)."""

    gone: vectors.Ids
    new: vectors.Ids
    added: Vectors

    def __len__(self) -> int:
        return len(self.gone) + len(self.new)

    def ids_after(self, held: vectors.Ids) -> vectors.Ids:
        """The ids `held` becomes, in the order a writer keeps them: without the gone
        rows, and the new ones after."""
        kept = held[~np.isin(held, self.gone)] if len(self.gone) else held
        return np.concatenate([kept, self.new])


def since(held: vectors.Ids, kind: str, conn: sqlite3.Connection, dim: int) -> Changes:
    """How the database's `kind` rows ("sentences" or "passages") differ from `held`, the
    ids of a state that it once had."""
    gone, new = _changed_ids(held, table_of(kind), conn)
    read = _sentence_vectors if kind == "sentences" else _passage_vectors
    added = read(conn, new, dim) if len(new) else np.zeros((0, dim), dtype=np.float32)
    return Changes(gone, new, added)


def exact(index: faiss.Index, kind: str, conn: sqlite3.Connection, dim: int) -> int:
    """Bring an exact index of an earlier state up to date; how many rows changed."""
    changes = since(vectors.ids_of(index), kind, conn, dim)
    if len(changes.gone):
        index.remove_ids(changes.gone)  # type: ignore[arg-type]
    if len(changes.new):
        index.add_with_ids(changes.added, changes.new)
    return len(changes)


def lexicon(held: lexical.Lexicon, conn: sqlite3.Connection) -> lexical.Lexicon:
    """The BM25 postings of an earlier state with the passages written and removed since:
    what the writer made of them (lexical.LexiconChanges)."""
    gone, new = _changed_ids(held.pids, "passages", conn)
    changes = lexical.LexiconChanges()
    changes.remove(gone.tolist())
    if len(new):
        rows = conn.execute(
            'SELECT p.id, a.title, a.text, p.start, p."end" FROM passages p '
            "JOIN articles a ON a.doc_id = p.doc_id WHERE p.id >= ? ORDER BY p.id",
            (int(new[0]),),
        )
        for pid, title, text, start, end in rows:
            changes.add(int(pid), title, text[start:end])
    return changes.apply(held) if changes else held


def _changed_ids(
    held: vectors.Ids, table: str, conn: sqlite3.Connection
) -> tuple[vectors.Ids, vectors.Ids]:
    """The ids of `held` that `table` no longer has, and its ids written since (sorted)."""
    top = int(held.max()) if len(held) else 0
    # Ids only grow: the rows written since are the ones above the highest id held.
    new = _ids(conn, f"SELECT id FROM {table} WHERE id > ? ORDER BY id", (top,))
    (count,) = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    if count == len(held) + len(new):
        return new[:0], new
    # Some of the rows held were removed: which?
    stored = _ids(conn, f"SELECT id FROM {table} WHERE id <= ? ORDER BY id", (top,))
    return np.setdiff1d(held, stored, assume_unique=True), new


def _ids(conn: sqlite3.Connection, query: str, args: tuple[int, ...] = ()) -> vectors.Ids:
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: a quarter of the time of sqlite3.Row
    return np.fromiter((r[0] for r in cursor.execute(query, args)), dtype=np.int64)


def _sentence_vectors(conn: sqlite3.Connection, ids: vectors.Ids, dim: int) -> Vectors:
    """The stored vectors of sentences `ids` (sorted), read as one range."""
    found = _vectors_between(conn, int(ids[0]), int(ids[-1]))
    return vectors.stack([found[int(i)] for i in ids], dim)


def _passage_vectors(conn: sqlite3.Connection, ids: vectors.Ids, dim: int) -> Vectors:
    """The vectors of passages `ids` (sorted): each the mean of its sentences', as the
    writer made it."""
    rows = conn.execute(
        "SELECT id, first_sentence, last_sentence FROM passages WHERE id BETWEEN ? AND ?"
        " ORDER BY id",
        (int(ids[0]), int(ids[-1])),
    ).fetchall()
    wanted = set(ids.tolist())
    spans = [(r[1], r[2]) for r in rows if r[0] in wanted]
    found = _vectors_between(conn, min(s for s, _ in spans), max(e for _, e in spans))
    means = [vectors.unit_mean(np.stack([found[s] for s in range(a, b + 1)])) for a, b in spans]
    return vectors.stack(means, dim)


def _vectors_between(conn: sqlite3.Connection, first: int, last: int) -> dict[int, Vectors]:
    rows = conn.execute("SELECT id, vec FROM sentences WHERE id BETWEEN ? AND ?", (first, last))
    return {int(r[0]): np.frombuffer(r[1], dtype=np.float32) for r in rows}
