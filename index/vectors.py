"""FAISS indexes keyed by row id, saved atomically next to the SQLite store."""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Self

import faiss
import numpy as np
import numpy.typing as npt

from index.approximate import Approximate, pairs
from index.embed import Vectors
from index.schema import save_atomically

Ids = npt.NDArray[np.int64]
# What questions search: exact FAISS indexes, or a large one's approximate copy.
Searchable = faiss.Index | Approximate

# Questions search one vector at a time: starting OpenMP threads costs more than the search
# itself (measured 12.8 ms with 2 threads against 2.2 ms with 1, on 40,000 vectors).
faiss.omp_set_num_threads(1)

# From this many vectors on, searches go through an approximate copy (index.approximate)
# built in memory from the exact index on disk. Exact search reads every vector, about
# 0.1 ms per 1,000 of them here: Reuters' 38,797 passages took 3.9-4.3 ms a question.
ANN_MIN = 20_000


def empty(dim: int) -> faiss.Index:
    # Exact inner product on unit vectors is cosine similarity.
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))


def build(dim: int, ids: Ids, vectors: Vectors) -> faiss.Index:
    index = empty(dim)
    if len(ids):
        index.add_with_ids(vectors, ids)
    return index


def save(index: faiss.Index, path: Path) -> None:
    """Write atomically (schema.save_atomically)."""
    save_atomically(path, lambda tmp: faiss.write_index(index, str(tmp)))


def load(path: Path, dim: int) -> faiss.Index:
    """Read a saved exact index; raises RuntimeError or OSError when the file is unusable."""
    if not path.exists():
        raise OSError(f"missing vector file {path.name}")
    index = faiss.read_index(str(path))
    if index.d != dim:
        raise RuntimeError(f"{path.name} has dimension {index.d}, expected {dim}")
    if not isinstance(index, faiss.IndexIDMap):
        # Earlier writers saved the approximate copy of a large index after a second write.
        raise RuntimeError(f"{path.name} holds a {type(index).__name__}, not exact vectors")
    return index


# How `save` lays out an exact index (FAISS's IndexIDMap2 over an IndexFlatIP): each
# index's four-letter code and header (dimension, count, two unused counts, trained,
# metric), then the vectors' float count and the vectors, then the ids' count and the ids.
_HEADER = struct.Struct("<iqqq?i")
_COUNT = struct.Struct("<Q")
_INNER_AT = 4 + _HEADER.size  # where the flat index's code begins
_FLOATS_AT = 2 * _INNER_AT
_VECTORS_AT = _FLOATS_AT + _COUNT.size
SLICE_ROWS = 32_768  # vectors read at a time: 50 MB at 384 dimensions


class VectorFile:
    """A saved exact index read a slice at a time (approximate.Rows), optionally with the
    rows changed since applied (`with_changes`): a server builds the approximate copy of a
    large index from it without the exact vectors all in memory, which on Reuters x5 took
    0.9 GB more at the moment of loading, the server's peak."""

    def __init__(
        self,
        path: Path,
        dim: int,
        ids: Ids,
        stored: int,
        keep: npt.NDArray[np.bool_] | None = None,
        added: Vectors | None = None,
    ) -> None:
        self.path = path
        self.dim = dim
        self.ids = ids  # of the rows it gives, in order
        self.stored = stored  # rows in the file
        self.keep = keep  # of the file's rows, the ones given (None: all)
        self.added = added  # given after them

    @classmethod
    def open(cls, path: Path, dim: int) -> Self | None:
        """The file's ids, ready to read its vectors; None when it is missing or not laid out
        as `save` writes an exact index of this dimension (`load` then says why)."""
        try:
            with path.open("rb") as f:
                head = f.read(_VECTORS_AT)
                inner_code = head[_INNER_AT : _INNER_AT + 4]
                if len(head) != _VECTORS_AT or head[:4] != b"IxM2" or inner_code != b"IxFI":
                    return None
                outer = _HEADER.unpack_from(head, 4)
                inner = _HEADER.unpack_from(head, _INNER_AT + 4)
                n = outer[1]
                (floats,) = _COUNT.unpack_from(head, _FLOATS_AT)
                if outer != inner or outer[0] != dim or outer[5] != 0 or floats != n * dim:
                    return None  # metric 0 is inner product
                f.seek(_VECTORS_AT + n * dim * 4)
                (count,) = _COUNT.unpack(f.read(_COUNT.size))
                ids = np.fromfile(f, dtype=np.int64, count=n)
                if count != n or len(ids) != n or f.read(1):
                    return None
        except (OSError, struct.error, ValueError):
            return None
        return cls(path, dim, ids, n)

    def with_changes(self, gone: Ids, new: Ids, added: Vectors) -> VectorFile:
        """The rows an exact index read from this file holds once the `gone` rows are
        removed and the `new` ones (their vectors `added`) appended, in its order."""
        keep = ~np.isin(self.ids, gone) if len(gone) else None
        ids = np.concatenate([self.ids if keep is None else self.ids[keep], new])
        return VectorFile(self.path, self.dim, ids, self.stored, keep, added)

    def __len__(self) -> int:
        return len(self.ids)

    def slices(self) -> Iterator[Vectors]:
        with self.path.open("rb") as f:
            f.seek(_VECTORS_AT)
            for start in range(0, self.stored, SLICE_ROWS):
                rows = min(SLICE_ROWS, self.stored - start)
                part = np.fromfile(f, dtype=np.float32, count=rows * self.dim)
                if len(part) != rows * self.dim:
                    raise OSError(f"{self.path.name} ended early")
                part = part.reshape(rows, self.dim)
                yield part if self.keep is None else part[self.keep[start : start + rows]]
        if self.added is not None and len(self.added):
            yield self.added

    def take(self, positions: npt.NDArray[np.intp]) -> Vectors:
        found, start = [], 0
        for part in self.slices():
            inside = positions[(positions >= start) & (positions < start + len(part))]
            found.append(part[inside - start])
            start += len(part)
        return np.concatenate(found) if found else np.zeros((0, self.dim), dtype=np.float32)


def for_search(
    index: faiss.Index, min_size: int | None = None, previous: Searchable | None = None
) -> Searchable:
    """The index to answer questions from: `index` itself when small, else an approximate
    copy (index.approximate) of the exact index's vectors: `previous`, the copy of an
    earlier state of the same index, brought up to date when it can be, else a new one."""
    n = int(index.ntotal)
    if n < (ANN_MIN if min_size is None else min_size):
        return index
    # A view of the exact index's own vectors, not a copy: at Reuters' size a copy is 160 MB
    # more at the moment of loading, the server's peak.
    flat = faiss.downcast_index(index.index)  # type: ignore[attr-defined]
    vecs = faiss.rev_swig_ptr(flat.get_xb(), n * index.d).reshape(n, index.d)  # type: ignore[attr-defined]
    ids = ids_of(index)
    if isinstance(previous, Approximate):
        updated = previous.updated(ids, vecs[~np.isin(ids, previous.ids)])
        if updated is not None:
            return updated
    return Approximate.build(ids, vecs)


def ids_of(index: Searchable) -> Ids:
    """The ids of an index's vectors, in the order the exact index holds them."""
    if isinstance(index, Approximate):
        return index.ids
    return faiss.vector_to_array(index.id_map).astype(np.int64)  # type: ignore[attr-defined]


def search(
    index: Searchable, query: Vectors, k: int, allowed: Ids | None = None
) -> list[tuple[int, float]]:
    """Top-k (id, cosine) pairs, optionally restricted to the `allowed` ids."""
    if index.ntotal == 0 or k <= 0:
        return []
    if allowed is not None and len(allowed) == 0:
        return []
    if isinstance(index, Approximate):
        return index.search(query, k, allowed)
    params: faiss.SearchParameters | None = None
    if allowed is not None:
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))  # type: ignore[call-arg]
    scores, ids = index.search(query.reshape(1, -1), min(k, index.ntotal), params=params)
    return pairs(ids[0], scores[0])


def stack(arrays: Sequence[Vectors], dim: int) -> Vectors:
    """Vectors as one contiguous float32 array, (0, dim) when there are none."""
    if not arrays:
        return np.zeros((0, dim), dtype=np.float32)
    return np.ascontiguousarray(np.stack(arrays), dtype=np.float32)


def unit_mean(vectors: Vectors) -> Vectors:
    """The normalised mean of unit vectors: a passage vector from its sentence vectors."""
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    unit: Vectors = (mean / norm if norm > 0 else mean).astype(np.float32)
    return unit
