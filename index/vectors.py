"""FAISS indexes keyed by row id, saved atomically next to the SQLite store."""

from __future__ import annotations

import math
import os
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

from index.embed import Vectors
from index.schema import save_atomically

Ids = npt.NDArray[np.int64]

# Questions search one vector at a time: starting OpenMP threads costs more than the search
# itself (measured 12.8 ms with 2 threads against 2.2 ms with 1, on 40,000 vectors).
faiss.omp_set_num_threads(1)

# From this many vectors on, searches go through an inverted-file index (approximate) built
# in memory from the exact one on disk. Exact search reads every vector, about 0.1 ms per
# 1,000 of them here: Reuters' 38,797 passages took 3.9-4.3 ms a question exactly, against
# 1.7 ms with the inverted lists (recall@50 0.99 on questions near its passages).
ANN_MIN = 20_000
# Inverted lists searched per question. On Reuters (103,846 sentences, 322 lists) recall@10
# against exact search is 0.80 at 16, 0.88 at 32, 0.95 at 64 and 0.99 at 128, at 0.55, 1.2,
# 2.1 and 7.5 ms a search (exact: 9.9 ms), for 100 title questions while another job kept
# both cores busy; bench/perf.py reports the recall for every corpus.
ANN_PROBE = 64
# The approximate copy keeps its vectors as 16-bit floats: half the memory of 32-bit ones
# and half the bytes a probe reads, which is what a search's time goes on. On Reuters, 300
# title questions, side by side: sentences 0.64 against 1.14 ms a search and passages 0.31
# against 0.66, with the same recall@10 against exact search (0.934 and 0.987 against 0.935
# and 0.987). 8-bit codes were faster again (0.43 ms) but lost recall (0.929 and 0.977).
APPROX_STORAGE = faiss.ScalarQuantizer.QT_fp16


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


def for_search(index: faiss.Index, min_size: int | None = None) -> faiss.Index:
    """The index to answer questions from: `index` itself when small, else an IVF copy.

    The IVF index has about sqrt(n) lists, trained on a sample; a search probes ANN_PROBE
    of them. Searches restricted to some ids probe every list, so they find the same vectors
    as exact search. The copy keeps each vector in 16-bit floats (APPROX_STORAGE).
    """
    n = int(index.ntotal)
    if n < (ANN_MIN if min_size is None else min_size):
        return index
    ids = ids_of(index)
    # A view of the exact index's own vectors, not a copy: at Reuters' size a copy is 160 MB
    # more at the moment of loading, the server's peak.
    flat = faiss.downcast_index(index.index)  # type: ignore[attr-defined]
    vecs = faiss.rev_swig_ptr(flat.get_xb(), n * index.d).reshape(n, index.d)  # type: ignore[attr-defined]
    lists = max(16, int(math.sqrt(n)))
    ivf = faiss.IndexIVFScalarQuantizer(
        faiss.IndexFlatIP(index.d),
        index.d,
        lists,
        APPROX_STORAGE,
        faiss.METRIC_INNER_PRODUCT,
        False,  # the vectors themselves, not their offsets from the list's centroid
    )
    sample = np.random.default_rng(0).choice(n, size=min(n, 40 * lists), replace=False)
    faiss.omp_set_num_threads(os.cpu_count() or 1)  # training and adding are batch work
    try:
        ivf.train(vecs[np.sort(sample)])
        ivf.add_with_ids(vecs, ids)
    finally:
        faiss.omp_set_num_threads(1)
    ivf.nprobe = ANN_PROBE
    # Vectors are read back by id (index.sentence_table): a hash table from id to place.
    ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
    return ivf


def ids_of(index: faiss.Index) -> Ids:
    """The ids of an exact index's vectors, in the order it holds them."""
    return faiss.vector_to_array(index.id_map).astype(np.int64)  # type: ignore[attr-defined]


def search(
    index: faiss.Index, query: Vectors, k: int, allowed: Ids | None = None
) -> list[tuple[int, float]]:
    """Top-k (id, cosine) pairs, optionally restricted to the `allowed` ids."""
    if index.ntotal == 0 or k <= 0:
        return []
    params: faiss.SearchParameters | None = None
    if allowed is not None:
        if len(allowed) == 0:
            return []
        selector = faiss.IDSelectorBatch(allowed)
        if isinstance(index, faiss.IndexIVF):
            params = faiss.SearchParametersIVF(sel=selector, nprobe=index.nlist)  # type: ignore[call-arg,assignment]
        else:
            params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
    scores, ids = index.search(query.reshape(1, -1), min(k, index.ntotal), params=params)
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]


def unit_mean(vectors: Vectors) -> Vectors:
    """The normalised mean of unit vectors: a passage vector from its sentence vectors."""
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    unit: Vectors = (mean / norm if norm > 0 else mean).astype(np.float32)
    return unit
