"""Deterministic fakes for fast tests of logic that does not depend on meaning."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from index.embed import Vectors


class HashingEmbedder:
    """A bag of hashed words as a unit vector: no meaning, no model, no waiting."""

    name = "test/hashing-embedder"
    dim = 64

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, zlib.crc32(word.encode()) % self.dim] += 1.0
            out[row, 0] += 0.01
            out[row] /= np.linalg.norm(out[row])
        return out


class CountingEmbedder(HashingEmbedder):
    """HashingEmbedder that records the texts of each call."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.asked.append(list(texts))
        return super().embed(texts)
