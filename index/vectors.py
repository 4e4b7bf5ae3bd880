"""FAISS indexes keyed by row id, saved atomically next to the SQLite store."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

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
