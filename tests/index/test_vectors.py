"""Exact and approximate vector search agree where they must."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from index import vectors
from index.approximate import PROBE, Approximate


def clustered(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(40, dim))
    x = centres[rng.integers(0, 40, n)] + 0.5 * rng.normal(size=(n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_large_indexes_are_searched_approximately_with_high_recall() -> None:
    x = clustered(5000)
    ids = np.arange(5000, dtype=np.int64) * 7  # ids are row ids, not positions
    exact = vectors.build(32, ids, x)
    assert vectors.for_search(exact, min_size=10_000) is exact  # small: stays exact
    approx = vectors.for_search(exact, min_size=1000)
    assert isinstance(approx, Approximate) and approx.ntotal == 5000
    queries = clustered(100, seed=1)
    recall = np.mean(
        [
            len(
                {i for i, _ in vectors.search(exact, q, 10)}
                & {i for i, _ in vectors.search(approx, q, 10)}
            )
            / 10
            for q in queries
        ]
    )
    assert recall >= 0.9
    # Its scores are cosines of 16-bit copies of the vectors, best first.
    for q in queries[:10]:
        found = vectors.search(approx, q, 10)
        truth = {i: s for i, s in vectors.search(exact, q, 1000)}
        assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
        assert all(abs(s - truth[i]) < 2e-3 for i, s in found if i in truth)
    # Restricted to a few ids, the approximate index finds what exact search finds: it
    # searches every 16-bit vector it is allowed.
    allowed = ids[::50]
    for q in queries[:10]:
        found, truth = vectors.search(approx, q, 5, allowed), vectors.search(exact, q, 5, allowed)
        assert [i for i, _ in found] == [i for i, _ in truth]
        assert np.allclose([s for _, s in found], [s for _, s in truth], atol=2e-3)


def test_the_approximate_copy_keeps_4_bit_codes_and_half_precision_vectors() -> None:
    x = clustered(3000)
    ids = np.arange(3000, dtype=np.int64) * 3
    approx = vectors.for_search(vectors.build(32, ids, x), 1000)
    assert isinstance(approx, Approximate)
    assert isinstance(approx.fast, faiss.IndexIVFPQFastScan)
    assert approx.fast.pq.M == 16 and approx.fast.pq.nbits == 4  # 4 bits for 2 dimensions
    assert approx.half.code_size == 2 * 32  # 2 bytes a dimension
    some = ids[[0, 5, 2999]]
    assert np.allclose(approx.reconstruct_batch(some), x[[0, 5, 2999]], atol=1e-3)


def test_the_approximate_copy_finds_vectors_by_id_whatever_their_order() -> None:
    x = clustered(2000)
    ids = np.arange(2000, dtype=np.int64)[::-1] * 5 + 11  # held in descending id order
    approx = vectors.for_search(vectors.build(32, ids, x), 1000)
    assert isinstance(approx, Approximate)
    assert ids[1999] == 11
    assert np.allclose(
        approx.reconstruct_batch(ids[[1999, 0, 1000]]), x[[1999, 0, 1000]], atol=1e-3
    )
    best = vectors.search(approx, x[7], 1)
    assert best[0][0] == ids[7] and abs(best[0][1] - 1.0) < 1e-3
    only = vectors.search(approx, x[7], 3, allowed=np.array([ids[3], ids[9], 123456]))
    assert {i for i, _ in only} == {ids[3], ids[9]}  # an id it lacks is no error


def test_an_updated_copy_matches_the_exact_index_after_deletes_and_adds() -> None:
    """After a write, a reader's copy is updated, not trained again: it holds what the new
    exact index holds, its 16-bit vectors are the ones a fresh copy would have, and it
    searches as well as a fresh copy."""
    x = clustered(6000)
    ids = np.arange(6000, dtype=np.int64) * 2
    exact = vectors.build(32, ids[:5000], x[:5000])
    before = vectors.for_search(exact, 1000)
    assert isinstance(before, Approximate)
    gone = ids[100:400]  # deleted, as a changed article's sentences are
    exact.remove_ids(faiss.IDSelectorBatch(gone))
    exact.add_with_ids(x[5000:], ids[5000:])  # and new rows after the others
    after = vectors.for_search(exact, 1000, previous=before)
    fresh = vectors.for_search(exact, 1000)
    assert isinstance(after, Approximate) and isinstance(fresh, Approximate)
    assert after.trained == before.trained == 5000 and fresh.trained == 5700
    assert np.array_equal(
        after.fast.quantizer.reconstruct_n(0, after.fast.nlist),
        before.fast.quantizer.reconstruct_n(0, before.fast.nlist),
    )
    assert after.fast.nprobe == before.fast.nprobe == PROBE
    assert after.ntotal == after.fast.ntotal == 5700 and before.ntotal == 5000  # untouched
    assert np.array_equal(after.ids, vectors.ids_of(exact))
    assert np.array_equal(after._half, fresh._half)  # the same 16-bit vectors, bit for bit
    with np.testing.assert_raises(KeyError):
        after.reconstruct_batch(gone[:1])
    queries = clustered(100, seed=1)
    for approx in (after, fresh):
        found = [{i for i, _ in vectors.search(approx, q, 10)} for q in queries]
        truth = [{i for i, _ in vectors.search(exact, q, 10)} for q in queries]
        assert not set().union(*found) & set(gone.tolist())
        assert np.mean([len(f & t) / 10 for f, t in zip(found, truth, strict=True)]) >= 0.9


def test_a_copy_is_trained_again_when_the_index_doubles_or_its_order_changes() -> None:
    x = clustered(5000)
    ids = np.arange(5000, dtype=np.int64)
    small = vectors.for_search(vectors.build(32, ids[:2000], x[:2000]), 1000)
    assert isinstance(small, Approximate)
    doubled = vectors.for_search(vectors.build(32, ids, x), 1000, previous=small)
    assert isinstance(doubled, Approximate) and doubled.trained == 5000
    reordered = vectors.build(32, ids[:2000][::-1], x[:2000][::-1])
    again = vectors.for_search(reordered, 1000, previous=small)
    assert isinstance(again, Approximate) and again is not small
    assert np.array_equal(again.ids, ids[:2000][::-1])
    assert np.allclose(again.reconstruct_batch(ids[:3]), x[:3], atol=1e-3)


def test_a_copy_built_from_the_saved_file_a_slice_at_a_time_is_the_same_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    x = clustered(5000)
    ids = np.arange(5000, dtype=np.int64) * 3 + 1
    path = tmp_path / "sentences.1.faiss"
    vectors.save(vectors.build(32, ids, x), path)
    monkeypatch.setattr(vectors, "SLICE_ROWS", 700)  # slices that do not divide the rows
    source = vectors.VectorFile.open(path, 32)
    assert source is not None and len(source) == 5000 and np.array_equal(source.ids, ids)
    assert np.array_equal(source.take(np.array([0, 699, 700, 4999])), x[[0, 699, 700, 4999]])
    from_file, in_memory = Approximate.build(source.ids, source), Approximate.build(ids, x)
    assert faiss.serialize_index(from_file.fast).tobytes() == (
        faiss.serialize_index(in_memory.fast).tobytes()
    )
    assert np.array_equal(from_file._half, in_memory._half)
    added = faiss.IndexScalarQuantizer(32, faiss.ScalarQuantizer.QT_fp16)
    added.add(x)  # the codes are FAISS's own, as its add makes them
    assert np.array_equal(
        faiss.vector_to_array(added.codes), faiss.vector_to_array(from_file.half.codes)
    )


def test_a_file_not_laid_out_as_saved_is_not_read_a_slice_at_a_time(tmp_path: Path) -> None:
    x = clustered(100)
    path = tmp_path / "v.faiss"
    vectors.save(vectors.build(32, np.arange(100, dtype=np.int64), x), path)
    whole = path.read_bytes()
    assert vectors.VectorFile.open(path, 16) is None  # another dimension
    path.write_bytes(whole[:-8])  # cut short
    assert vectors.VectorFile.open(path, 32) is None
    path.write_bytes(whole + b"\0")  # too long
    assert vectors.VectorFile.open(path, 32) is None
    faiss.write_index(faiss.IndexFlatIP(32), str(path))  # no id map
    assert vectors.VectorFile.open(path, 32) is None
    assert vectors.VectorFile.open(tmp_path / "missing.faiss", 32) is None
