"""Approximate search for large indexes: 4-bit codes to find candidates, 16-bit vectors to rank.

A question's search scans the inverted lists it probes through FAISS's fast-scan codes (4
bits per two dimensions, compared with SIMD table lookups), keeps a few times as many
candidates as asked for, and ranks those by their 16-bit vectors. On Reuters' 104,401
sentences and 400 title questions, against exact search: recall@10 0.970 at 0.63-0.68 ms
a search, where the inverted lists of 16-bit vectors it replaces (64 probes) reached 0.917
at 1.77-1.80 ms. Passages (37,438), recall@50: 0.994 at 0.51 ms against 0.975 at 0.83 ms.

After a write, a reader brings its copy up to the new exact index (`updated`) instead of
building it again: the lists' centroids and the codes' tables stay as they were trained,
the vectors of deleted rows leave, and new ones are added. On Reuters, the first question
after a one-article write took 2.0-2.4 s, nearly all of it training and filling both
copies again; 0.40-0.52 s now. The copy is trained afresh once the index has doubled or
halved since it was trained, so that the lists keep about sqrt(n) vectors each.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

import faiss
import numpy as np
import numpy.typing as npt

from index.embed import Vectors

Ids = npt.NDArray[np.int64]  # as index.vectors.Ids, which imports this module

# Inverted lists probed per question; an index has about sqrt(n) of them (see above).
PROBE = 128
# Candidates kept from the 4-bit codes, ranked again by their 16-bit vectors: REFINE per
# result asked for, and at least CANDIDATES. Codes of 4 bits rank near neighbours coarsely:
# on clustered random vectors (tests/index/test_vectors.py) recall@10 is 0.76 with 40
# candidates, 0.95 with 80 and 0.999 with 160; on Reuters' sentences 0.965 with 40.
REFINE = 4
CANDIDATES = 100
# Training sample: this many vectors per inverted list, as FAISS's k-means advises.
SAMPLE_PER_LIST = 40
# k-means iterations for the lists' centroids and the codes' (FAISS's default is 25).
TRAIN_ITERATIONS = 10
# A copy is updated in place of rebuilt while the index holds between 1/REGROW and REGROW
# times the vectors it was trained on.
REGROW = 2


class Rows(Protocol):
    """Vectors that a copy is built from without holding them all at once: a saved exact
    index read a slice at a time (index.vectors.VectorFile), or an array."""

    dim: int

    def __len__(self) -> int: ...

    def take(self, positions: npt.NDArray[np.intp]) -> Vectors:
        """The rows at these positions (ascending)."""
        ...

    def slices(self) -> Iterator[Vectors]:
        """Every row, in order, a slice at a time."""
        ...


class InMemory:
    """An array as Rows: one slice, the array itself."""

    def __init__(self, vectors: Vectors) -> None:
        self.vectors = vectors
        self.dim = int(vectors.shape[1])

    def __len__(self) -> int:
        return len(self.vectors)

    def take(self, positions: npt.NDArray[np.intp]) -> Vectors:
        return self.vectors[positions]

    def slices(self) -> Iterator[Vectors]:
        yield self.vectors


class Approximate:
    """A large index's vectors as questions search them, by row id.

    `fast` (IVF lists of 4-bit codes, by id) finds candidates. `half` (every vector in
    16-bit floats, by position; `ids` gives each position's id) ranks them, answers
    searches restricted to some ids exactly, and gives the vectors back
    (`reconstruct_batch`), read as a numpy array.
    """

    def __init__(
        self, fast: faiss.Index, half: faiss.IndexScalarQuantizer, ids: Ids, trained: int
    ) -> None:
        self.fast = fast
        self.half = half
        self.ids = ids
        self.trained = trained  # vectors the lists and codes were trained for
        n, dim = int(half.ntotal), int(half.d)
        # The codes of QT_fp16 are the vectors' IEEE half floats: a view, not a copy.
        codes = faiss.rev_swig_ptr(half.codes.data(), n * dim * 2)  # type: ignore[attr-defined]
        self._half = np.asarray(codes).view(np.float16).reshape(n, dim)
        # Ids in ascending order and their positions, for searchsorted.
        self._order = np.argsort(ids, kind="stable")
        self._sorted = ids[self._order]

    @classmethod
    def build(cls, ids: Ids, vectors: Vectors | Rows) -> Approximate:
        """A copy trained on a sample of the vectors, which are then added a slice at a time
        (the same copy however they are sliced)."""
        rows = InMemory(vectors) if isinstance(vectors, np.ndarray) else vectors
        n, dim = len(rows), rows.dim
        lists = max(16, int(math.sqrt(n)))
        fast = faiss.IndexIVFPQFastScan(
            faiss.IndexFlatIP(dim), dim, lists, _subquantizers(dim), 4, faiss.METRIC_INNER_PRODUCT
        )
        fast.cp.niter = fast.pq.cp.niter = TRAIN_ITERATIONS
        half = _half_index(dim)
        sample = np.random.default_rng(0).choice(
            n, size=min(n, SAMPLE_PER_LIST * lists), replace=False
        )
        codes = _room(half, n)
        with _all_cores():  # training and adding are batch work
            fast.train(rows.take(np.sort(sample)))
            done = 0
            for part in rows.slices():
                fast.add_with_ids(part, ids[done : done + len(part)])
                codes[done : done + len(part)] = _encoded(half, part)
                done += len(part)
            if done != n:
                raise RuntimeError(f"{done} vectors read where {n} were expected")
        fast.nprobe = PROBE
        return cls(fast, half, np.array(ids, dtype=np.int64), n)

    @classmethod
    def resumed(
        cls, fast: faiss.Index, held: Ids, trained: int, rows: Rows, ids: Ids
    ) -> Approximate | None:
        """A copy of `rows` (the vectors of `ids`, in order) made from `fast`, a copy's
        trained lists and codes saved when it held `held` (index.ann_file): the rows gone
        since are taken out of it and the new ones added, as `updated` does, and the 16-bit
        vectors are made from the rows as they are read. None when it must be built afresh
        instead (see `updated`), or `fast` is not what it says it is."""
        n = len(ids)
        if (
            not trained / REGROW <= n <= trained * REGROW
            or int(fast.d) != rows.dim
            or int(fast.ntotal) != len(held)
            or not isinstance(fast, faiss.IndexIVFPQFastScan)
        ):
            return None
        gone = held[~np.isin(held, ids)]
        is_new = ~np.isin(ids, held)
        half = _half_index(rows.dim)
        codes, new_parts, done = _room(half, n), [], 0
        for part in rows.slices():
            codes[done : done + len(part)] = _encoded(half, part)
            new_parts.append(part[is_new[done : done + len(part)]])
            done += len(part)
        if done != n:
            raise RuntimeError(f"{done} vectors read where {n} were expected")
        if len(gone):
            fast.remove_ids(faiss.IDSelectorBatch(gone))
        if is_new.any():
            with _all_cores():
                fast.add_with_ids(np.concatenate(new_parts), ids[is_new])
        if int(fast.ntotal) != n:
            return None
        fast.nprobe = PROBE
        return cls(fast, half, np.array(ids, dtype=np.int64), trained)

    def updated(self, ids: Ids, added: Vectors) -> Approximate | None:
        """A copy that holds `ids` (in the exact index's order), made from this one without
        training: `added` are the vectors of the ids this one lacks. None when it must be
        built afresh instead.

        The exact index keeps the rows it holds in their order, without the deleted ones,
        and appends new rows after them; the update relies on that and checks it.
        """
        n = len(ids)
        if not self.trained / REGROW <= n <= self.trained * REGROW or added.shape[1] != self.d:
            return None
        keep = np.isin(self.ids, ids)
        kept = int(keep.sum())
        if kept + len(added) != n or not np.array_equal(ids[:kept], self.ids[keep]):
            return None
        fast = faiss.clone_index(self.fast)  # of the same class, with its nprobe
        gone = self.ids[~keep]
        if len(gone):
            fast.remove_ids(faiss.IDSelectorBatch(gone))
        added = np.ascontiguousarray(added, dtype=np.float32)
        if len(added):
            fast.add_with_ids(added, ids[kept:])
        half = _half_index(self.d)
        # The kept rows' codes copied straight into their place, and the new vectors' codes
        # after them, with no copy of them all on the way: updating Reuters x5's sentences
        # took 0.95 GB more at its peak, now 0.55, of which 0.52 is the new copy.
        codes = _room(half, n)
        # ("clip": numpy buffers `out` in its default mode; the positions are all valid.)
        np.take(self._half, np.flatnonzero(keep), axis=0, out=codes[:kept], mode="clip")
        codes[kept:] = _encoded(half, added)
        return Approximate(fast, half, np.array(ids, dtype=np.int64), self.trained)

    @property
    def ntotal(self) -> int:
        return int(self.half.ntotal)

    @property
    def d(self) -> int:
        return int(self.half.d)

    def _find(self, ids: Ids) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
        """Where each of these ids' vectors would be, and whether the index holds it."""
        at = np.minimum(np.searchsorted(self._sorted, ids), len(self._sorted) - 1)
        return np.asarray(self._order[at], dtype=np.intp), self._sorted[at] == ids

    def positions(self, ids: Ids) -> npt.NDArray[np.intp]:
        """Where these ids' vectors are; each id must be held."""
        places, held = self._find(ids)
        if not held.all():
            raise KeyError("some ids are not in the index")
        return places

    def reconstruct_batch(self, ids: Ids) -> Vectors:
        """The 16-bit vectors of these ids, as float32."""
        return np.asarray(self._half[self.positions(ids)], dtype=np.float32)

    def search(self, query: Vectors, k: int, allowed: Ids | None = None) -> list[tuple[int, float]]:
        """Top-k (id, cosine) pairs; restricted to `allowed`, exact over the 16-bit vectors."""
        k = min(k, self.ntotal)
        q = query.reshape(1, -1)
        if allowed is not None:
            places, held = self._find(allowed)
            params = faiss.SearchParameters(  # type: ignore[call-arg]
                sel=faiss.IDSelectorBatch(places[held])
            )
            scores, found = self.half.search(q, k, params=params)
            found_at = found[0][found[0] >= 0]
            return pairs(self.ids[found_at], scores[0][: len(found_at)])
        wanted = min(max(k * REFINE, CANDIDATES), self.ntotal)
        _, candidates = self.fast.search(q, wanted)
        ids = candidates[0][candidates[0] >= 0]
        if not len(ids):
            return []
        cosines = self.reconstruct_batch(ids) @ q[0]
        best = np.argsort(-cosines, kind="stable")[:k]
        return pairs(ids[best], cosines[best])


def _half_index(dim: int) -> faiss.IndexScalarQuantizer:
    """An empty index of 16-bit vectors, compared by inner product."""
    return faiss.IndexScalarQuantizer(
        dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
    )


@contextmanager
def _all_cores() -> Iterator[None]:
    """FAISS on every core for the block (a copy's training and filling), then on one
    again, as questions search (index.vectors)."""
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(1)


def _room(half: faiss.IndexScalarQuantizer, n: int) -> npt.NDArray[np.float16]:
    """Room for the 16-bit codes of `n` vectors in `half`, made at once, as a writable view
    (n x d): added a part at a time, FAISS would grow it by doubling, copying all the codes
    so far at each step."""
    half.codes.resize(n * half.code_size)
    half.ntotal = n
    raw = faiss.rev_swig_ptr(half.codes.data(), n * half.code_size)  # type: ignore[attr-defined]
    return np.asarray(raw).view(np.float16).reshape(n, half.d)


def _encoded(half: faiss.IndexScalarQuantizer, vectors: Vectors) -> npt.NDArray[np.float16]:
    """FAISS's own 16-bit codes of the vectors (it rounds ties unlike numpy)."""
    return half.sa_encode(vectors).view(np.float16).reshape(-1, half.d)


def _subquantizers(dim: int) -> int:
    """Two dimensions per 4-bit code where the dimension allows, else the nearest divisor."""
    return next(m for m in range(dim // 2, 0, -1) if dim % m == 0) if dim > 1 else 1


def pairs(ids: Sequence[int] | Ids, scores: Sequence[float] | Vectors) -> list[tuple[int, float]]:
    """(id, score) pairs of a FAISS result, without its empty places (id -1)."""
    return [(int(i), float(s)) for i, s in zip(ids, scores, strict=True) if i >= 0]
