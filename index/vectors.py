"""FAISS indexes keyed by row id, saved atomically next to the SQLite store."""

from __future__ import annotations

import os
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

from index.embed import Vectors

Ids = npt.NDArray[np.int64]


def empty(dim: int) -> faiss.Index:
    # Exact inner product on unit vectors is cosine similarity.
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))


def build(dim: int, ids: Ids, vectors: Vectors) -> faiss.Index:
    index = empty(dim)
    if len(ids):
        index.add_with_ids(vectors, ids)
    return index


def save(index: faiss.Index, path: Path) -> None:
    """Write to a temporary file, fsync it, then rename over `path`."""
    tmp = path.with_name(path.name + ".tmp")
    faiss.write_index(index, str(tmp))
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def load(path: Path, dim: int) -> faiss.Index:
    """Read a saved index; raises RuntimeError or OSError when the file is unusable."""
    if not path.exists():
        raise OSError(f"missing vector file {path.name}")
    index = faiss.read_index(str(path))
    if index.d != dim:
        raise RuntimeError(f"{path.name} has dimension {index.d}, expected {dim}")
    return index


def search(
    index: faiss.Index, query: Vectors, k: int, allowed: Ids | None = None
) -> list[tuple[int, float]]:
    """Top-k (id, cosine) pairs, optionally restricted to the `allowed` ids."""
    if index.ntotal == 0 or k <= 0:
        return []
    params = None
    if allowed is not None:
        if len(allowed) == 0:
            return []
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))  # type: ignore[call-arg]
    scores, ids = index.search(query.reshape(1, -1), min(k, index.ntotal), params=params)
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]


def unit_mean(vectors: Vectors) -> Vectors:
    """The normalised mean of unit vectors: a passage vector from its sentence vectors."""
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    unit: Vectors = (mean / norm if norm > 0 else mean).astype(np.float32)
    return unit
