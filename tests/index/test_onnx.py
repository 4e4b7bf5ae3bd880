"""The ONNX path gives the torch path's vectors, and runs without torch once exported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from index.embed import SentenceTransformerEmbedder
from index.onnx_encoder import CONFIG, FORMAT, UnsupportedModel, export, prune
from tests.conftest import ROOT, SEEDS


def seed_sentences() -> list[str]:
    text = next(SEEDS.iterdir()).read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines + ["", "a", "é" * 3000, "🚓 patrols " * 400]  # empty, tiny, over-long


def fake_export(directory: Path, **config: object) -> Path:
    directory.mkdir(parents=True)
    (directory / CONFIG).write_text(json.dumps(config))
    return directory


@pytest.mark.slow
def test_onnx_vectors_match_torch_and_load_without_torch(tmp_path: Path) -> None:
    old_format = fake_export(tmp_path / "model-0123456789ab", format=FORMAT - 1)
    onnx = SentenceTransformerEmbedder(cache_dir=tmp_path, batch_size=8)
    # The new export records the model directory it came from, and an export of an older
    # format went when it was made.
    (export_dir,) = [d for d in tmp_path.iterdir() if d.is_dir()]
    assert json.loads((export_dir / CONFIG).read_text())["origin"]["mtime_ns"] > 0
    assert not old_format.exists()
    torch = SentenceTransformerEmbedder(backend="torch", batch_size=8)
    assert (onnx.backend, torch.backend) == ("onnx", "torch")
    texts = seed_sentences()
    a, b = onnx.embed(texts), torch.embed(texts)
    assert a.shape == b.shape == (len(texts), 384) and a.dtype == np.float32
    assert float((a * b).sum(axis=1).min()) >= 0.99999
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    # Order and batching do not change a vector.
    assert np.allclose(onnx.embed(texts[::-1])[::-1], a, atol=1e-5)
    # A second process finds the export in the cache and never imports torch.
    probe = (
        "import sys; from pathlib import Path; from index.embed import SentenceTransformerEmbedder"
        f" as E; e = E(cache_dir=Path({str(tmp_path)!r})); e.embed(['x']);"
        " print(e.backend, 'torch' in sys.modules)"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.stdout.split() == ["onnx", "False"], run.stderr


@pytest.mark.slow
def test_token_vectors_match_torch_and_come_with_the_same_sentence_vectors(
    embedder: SentenceTransformerEmbedder,
) -> None:
    torch = SentenceTransformerEmbedder(backend="torch", batch_size=8)
    texts = seed_sentences()[:6] + ["Where are the forward operating bases?"]
    vectors, tokens = embedder.embed_with_tokens(texts)
    torch_vectors, torch_tokens = torch.embed_with_tokens(texts)
    assert np.allclose(vectors, embedder.embed(texts), atol=1e-6)
    assert float((vectors * torch_vectors).sum(axis=1).min()) >= 0.99999
    for ours, theirs, text in zip(tokens, torch_tokens, texts, strict=True):
        # One vector per word piece, special tokens left out, unit length, torch's values.
        assert ours.shape == theirs.shape and ours.shape[0] >= len(text.split())
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        assert float((ours * theirs).sum(axis=1).min()) >= 0.9999
    assert embedder.embed_with_tokens([])[1] == []


def test_models_the_onnx_path_cannot_reproduce_are_refused(tmp_path: Path) -> None:
    transformer = type("Transformer", (), {})()
    max_pooling = SimpleNamespace(pooling_mode="max")
    with pytest.raises(UnsupportedModel, match="pooling"):
        export([transformer, max_pooling], tmp_path / "x")
    dense = type("Dense", (), {})()
    with pytest.raises(UnsupportedModel, match="Dense"):
        export([transformer, SimpleNamespace(pooling_mode="mean"), dense], tmp_path / "y")
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_unknown_backend_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="backend must be one of onnx, onnx-int8, torch"):
        SentenceTransformerEmbedder(backend="tensorflow")


@pytest.mark.slow
def test_int8_indexes_name_their_backend_and_are_read_only_with_it(tmp_path: Path) -> None:
    from index.embed import DEFAULT_MODEL, INT8
    from index.errors import ModelMismatchError
    from index.indexer import Indexer
    from index.store import Store
    from qa.retrieve import Retriever

    int8 = SentenceTransformerEmbedder(backend="onnx-int8", cache_dir=tmp_path / "cache")
    fp32 = SentenceTransformerEmbedder(cache_dir=tmp_path / "cache")
    assert int8.backend == "onnx-int8" and int8.name == DEFAULT_MODEL + INT8
    texts = seed_sentences()
    a, b = int8.embed(texts), fp32.embed(texts)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    # A scale per output channel keeps the vectors close, but they are not the same.
    assert 0.98 < float((a * b).sum(axis=1).mean()) < 0.99999
    # A text's vector is its own: the same alone as among others, in any order. (int8
    # quantises a model run's activations as a whole, so each text runs alone.)
    alone = np.stack([int8.embed([t])[0] for t in texts])
    assert np.allclose(alone, a, atol=1e-6)
    assert np.allclose(int8.embed(texts[::-1])[::-1], a, atol=1e-6)
    Indexer(tmp_path / "index", int8).index_paths([SEEDS])
    assert Store(tmp_path / "index").model == int8.name
    retriever = Retriever.open(tmp_path / "index")  # the recorded name picks the backend
    assert getattr(retriever.embedder, "backend", None) == "onnx-int8"
    assert retriever.search("where are the forward operating bases?", 1)
    with pytest.raises(ModelMismatchError):
        Store(tmp_path / "index", model=fp32.name)


@pytest.mark.slow
def test_indexes_from_before_per_channel_int8_keep_their_quantisation(tmp_path: Path) -> None:
    from index.embed import DEFAULT_MODEL, LEGACY_INT8
    from index.indexer import Indexer
    from qa.retrieve import Retriever

    cache = tmp_path / "cache"
    legacy = SentenceTransformerEmbedder(DEFAULT_MODEL + LEGACY_INT8, cache_dir=cache)
    assert legacy.backend == "onnx-int8" and legacy.name == DEFAULT_MODEL + LEGACY_INT8
    channel = SentenceTransformerEmbedder(backend="onnx-int8", cache_dir=cache)
    fp32 = SentenceTransformerEmbedder(cache_dir=cache)
    texts = seed_sentences()
    old, new, exact = legacy.embed(texts), channel.embed(texts), fp32.embed(texts)
    # One scale per weight matrix: other vectors, further from the model's own.
    assert not np.allclose(old, new, atol=1e-3)
    assert float((old * exact).sum(axis=1).mean()) < float((new * exact).sum(axis=1).mean())
    Indexer(tmp_path / "index", legacy).index_paths([SEEDS])
    retriever = Retriever.open(tmp_path / "index")  # read with the quantisation it was built with
    assert retriever.embedder.name == DEFAULT_MODEL + LEGACY_INT8
    again = retriever.embedder.embed(texts[:3])
    assert np.allclose(again, legacy.embed(texts[:3]), atol=1e-5)
    assert not np.allclose(again, channel.embed(texts[:3]), atol=1e-3)


def test_idle_onnx_threads_sleep_rather_than_spin(embedder: SentenceTransformerEmbedder) -> None:
    """Several questions run at once in a server; spinning threads would take their cores."""
    # The session for one long text, and the one-thread session several texts run on at once.
    for session in (embedder._onnx.session(2), embedder._onnx.session(1)):
        entry = session.get_session_options().get_session_config_entry
        assert entry("session.intra_op.allow_spinning") == "0"


def test_short_texts_run_on_one_thread_and_long_ones_on_all() -> None:
    from index.onnx_encoder import SHORT_TOKENS

    model = SentenceTransformerEmbedder(threads=2)._onnx
    question = "where are the forward operating bases?"
    long_text = " ".join(["the mission set up bases near the capital"] * 20)
    assert len(model._tokenizer.encode(long_text).ids) > SHORT_TOKENS
    vector, tokens = model.encode_with_tokens([question])
    assert set(model._sessions) == {1}  # a server of short questions loads the model once
    assert model.session(1).get_session_options().intra_op_num_threads == 1
    long_vector, _ = model.encode_with_tokens([long_text])
    assert set(model._sessions) == {1, 2}
    assert model.session(2).get_session_options().intra_op_num_threads == 2
    # Whichever session runs a text, its vectors are the same.
    for text, found in ((question, vector), (long_text, long_vector)):
        for threads in (1, 2):
            again = model._one(model.session(threads), text, True)
            assert np.allclose(again[0], found[0], atol=1e-5)
    assert np.allclose(model._one(model.session(2), question, True)[1], tokens[0], atol=1e-5)


def test_auto_builds_new_indexes_of_the_bundled_model_in_int8_and_keeps_old_ones() -> None:
    from index.embed import DEFAULT_MODEL, INT8, LEGACY_INT8, auto_backend

    assert auto_backend(DEFAULT_MODEL, None) == (DEFAULT_MODEL, "onnx-int8")
    assert auto_backend("all-MiniLM-L6-v2", None) == ("all-MiniLM-L6-v2", "onnx-int8")
    # An existing index: its own name, whose suffix (or none) picks the quantisation.
    for recorded in (DEFAULT_MODEL, DEFAULT_MODEL + INT8, DEFAULT_MODEL + LEGACY_INT8):
        assert auto_backend(DEFAULT_MODEL, recorded) == (recorded, "onnx")
    # Another model, measured by nobody in int8: float, new or not.
    assert auto_backend("/models/other", None) == ("/models/other", "onnx")
    assert auto_backend("/models/other", DEFAULT_MODEL) == ("/models/other", "onnx")


def test_the_recorded_model_name_has_one_int8_suffix_however_it_is_asked_for() -> None:
    from index.embed import DEFAULT_MODEL, INT8, LEGACY_INT8, indexed_name

    assert indexed_name(DEFAULT_MODEL, "onnx") == indexed_name(DEFAULT_MODEL, "torch")
    assert indexed_name(DEFAULT_MODEL, "onnx") == DEFAULT_MODEL
    for model, backend in [(DEFAULT_MODEL, "onnx-int8"), (DEFAULT_MODEL + INT8, "onnx")]:
        assert indexed_name(model, backend) == DEFAULT_MODEL + INT8
    assert indexed_name(DEFAULT_MODEL + INT8, "onnx-int8") == DEFAULT_MODEL + INT8
    # An older index's suffix is its own: asked for by that name, it is kept.
    for backend in ("onnx", "onnx-int8"):
        assert indexed_name(DEFAULT_MODEL + LEGACY_INT8, backend) == DEFAULT_MODEL + LEGACY_INT8
    assert indexed_name("all-MiniLM-L6-v2" + LEGACY_INT8, "onnx") == DEFAULT_MODEL + LEGACY_INT8


def test_stale_exports_are_pruned_and_the_rest_kept(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    mtime = model.stat().st_mtime_ns
    origin = {"path": str(model.resolve()), "mtime_ns": mtime}
    cache = tmp_path / "cache"
    keep = fake_export(cache / "model-aaaaaaaaaaaa", format=FORMAT, origin=origin)
    keep_int8 = fake_export(cache / "model-aaaaaaaaaaaa-int8c", format=FORMAT, origin=origin)
    changed = {**origin, "mtime_ns": mtime - 1}  # the package was reinstalled
    stale = [
        fake_export(cache / "model-bbbbbbbbbbbb", format=FORMAT, origin=changed),
        fake_export(cache / "model-bbbbbbbbbbbb-int8", format=FORMAT, origin=changed),
        fake_export(cache / "gone-cccccccccccc", format=FORMAT, origin={"path": "/no/such"}),
        fake_export(cache / "model-dddddddddddd", format=FORMAT - 1),
    ]
    other_model = tmp_path / "other"
    other_model.mkdir()
    other = {"path": str(other_model), "mtime_ns": other_model.stat().st_mtime_ns}
    kept = [
        fake_export(cache / "other-eeeeeeeeeeee", format=FORMAT, origin=other),
        fake_export(cache / "by-name-ffffffffffff", format=FORMAT),  # a model given by name
        fake_export(cache / "newer-000000000000", format=FORMAT + 1),  # a later version's
        cache / "not-ours",
    ]
    kept[-1].mkdir()
    fresh_staging = cache / ".export-fresh"
    fresh_staging.mkdir()
    old_staging = cache / ".export-crashed"
    old_staging.mkdir()
    hours_ago = time.time() - 2 * 3600
    os.utime(old_staging, (hours_ago, hours_ago))

    removed = prune(cache, keep=keep)

    assert sorted(removed) == sorted([*stale, old_staging])
    assert not any(p.exists() for p in removed)
    assert all(p.exists() for p in [keep, keep_int8, *kept, fresh_staging])
    assert prune(tmp_path / "no-cache-yet", keep=keep) == []


def test_a_text_encoded_in_the_background_gets_its_own_vectors_and_its_errors(
    embedder: SentenceTransformerEmbedder,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from index.onnx_encoder import OnnxEncoder

    question = "where are the forward operating bases?"
    with ThreadPoolExecutor(2) as pool:
        vector, tokens = embedder.embed_soon(question, pool).result()
        vectors, token_lists = embedder.embed_with_tokens([question])
        assert np.allclose(vector, vectors[0], atol=1e-6)
        assert tokens is not None and np.allclose(tokens, token_lists[0], atol=1e-6)
        # A run that fails before the model begins still returns, with the error to collect.
        broken = OnnxEncoder(embedder._onnx.directory)
        broken._tokenizer = SimpleNamespace(encode=lambda text: 1 / 0)
        future = broken.encode_soon(question, pool)
        with pytest.raises(ZeroDivisionError):
            future.result(timeout=30)
