"""A large index's approximate copy kept on disk, so that opening the index need not train it.

A reader of a large index searches an approximate copy of its vectors (index.approximate).
Training the copy's lists and codes and filling them took most of the time of opening
Reuters-21578: about 3 of 4.5 s. Read back from this file, with the 16-bit vectors made
again from the exact ones as they are read, the same copy took about 0.3 s.

Sentence and passage ids are never reused (index.writer), so the vector of an id never
changes: a copy saved when the index held some rows is right for any later state that
still holds most of them. The rows gone since are taken out and the new ones added, as a
reader's catch-up after a write does (`Approximate.resumed`).

Whoever builds a copy, or brings a saved one up to date, saves it: best effort, as a
read-only directory, a full disk or another reader saving at the same moment leaves the
file as it was, or with no file. The file is written atomically (schema.save_atomically:
a temporary file of the reader's own, renamed over it) and checked when read: its format,
the index it belongs to (model, dimension, creation time), NumPy's and FAISS's reading,
and the rows it says it holds. Anything amiss, and the copy is built afresh, as without
the file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import faiss
import numpy as np

from index.approximate import Approximate, Ids, Rows
from index.schema import save_atomically

FORMAT = 1


def ann_path(index_dir: Path, kind: str) -> Path:
    """Where the approximate copy of `kind` ("sentences" or "passages") is kept."""
    return index_dir / f"{kind}.ann.npz"


def copy_of(path: Path, owner: str, ids: Ids, rows: Rows) -> Approximate:
    """The approximate copy of `rows`, the vectors of `ids`, of the index `owner`: read
    from the file and brought up to date where it can be, else built; then saved there,
    unless it was read as it is. Reading `rows` may raise OSError or RuntimeError, as
    building from them does."""
    saved = _read(path, owner)
    if saved is not None:
        fast, held, trained = saved
        copy = Approximate.resumed(fast, held, trained, rows, ids)
        if copy is not None:
            if not np.array_equal(held, ids):
                save(path, owner, copy)
            return copy
    copy = Approximate.build(ids, rows)
    save(path, owner, copy)
    return copy


def _read(path: Path, owner: str) -> tuple[faiss.Index, Ids, int] | None:
    """The saved lists and codes, the ids they hold and how many vectors they were trained
    on; None when there is no usable file for this index."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            if int(saved["format"]) != FORMAT or str(saved["owner"]) != owner:
                return None
            fast = faiss.deserialize_index(np.ascontiguousarray(saved["fast"], dtype=np.uint8))
            return fast, np.asarray(saved["ids"], dtype=np.int64), int(saved["trained"])
    except (OSError, ValueError, KeyError, RuntimeError, EOFError, zipfile.BadZipFile):
        return None  # none, damaged, cut short, or from another version: built again


def save(path: Path, owner: str, copy: Approximate) -> bool:
    """Keep the copy for the next reader of this index (`owner`); False when it could not
    be written (a read-only directory, a full disk), which changes nothing else."""
    try:
        save_atomically(path, lambda tmp: _write(tmp, owner, copy))
    except OSError:
        return False
    return True


def owner_of(model: str, dim: int, created_at: str) -> str:
    """What tells one index from another in the same place (a directory made anew)."""
    return f"{model}|{dim}|{created_at}"


def _write(path: Path, owner: str, copy: Approximate) -> None:
    with path.open("wb") as handle:  # a handle: given a name, numpy would add ".npz"
        np.savez(
            handle,
            format=np.int64(FORMAT),
            owner=np.str_(owner),
            fast=faiss.serialize_index(copy.fast),
            ids=copy.ids,
            trained=np.int64(copy.trained),
        )
