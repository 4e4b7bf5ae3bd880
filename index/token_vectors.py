"""Contextual token vectors kept per sentence, for late interaction at question time.

The indexer's model run already computes them: keeping them spares the answerer a model
run per candidate sentence. Each token's unit vector is stored as int8, scaled so that its
largest component is 127, one byte per dimension; it is made unit length again when read.
Cosines computed from them differ from float32's by about 0.002 at most (tested).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from index.embed import Vectors

Packed = bytes


def pack(tokens: Vectors) -> Packed:
    """A sentence's token vectors (tokens × dim, float32) as int8 bytes."""
    if not len(tokens):
        return b""
    peak = np.abs(tokens).max(axis=1, keepdims=True)
    scaled = tokens * (127.0 / np.clip(peak, 1e-12, None))
    return bytes(np.round(scaled).astype(np.int8).tobytes())


def unpack(blob: Packed, dim: int) -> Vectors:
    """The token vectors `pack` stored, unit length again (tokens × dim, float32)."""
    q: npt.NDArray[np.float32] = np.frombuffer(blob, dtype=np.int8).astype(np.float32)
    rows = q.reshape(-1, dim)
    norms = np.clip(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12, None)
    return np.asarray(rows / norms, dtype=np.float32)
