"""An embedder for the benches that asks the model once per distinct text in a process."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.embed import Embedder, Vectors
from index.store import Store


class EmbedOnce:
    """The real embedder, asked once per distinct text: a second index of the same
    sentences (another backend, copies under new ids) costs its writes only."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.name, self.dim = embedder.name, embedder.dim
        self.seen: dict[str, Vectors] = {}

    def learn(self, index_dir: Path) -> None:
        """Remember the vectors an index already holds for its sentences."""
        store = Store(index_dir, exact=True)
        for doc_id, text in store.texts(a.doc_id for a in store.list_articles(0, 10**9)).items():
            rows = store._db().execute(
                'SELECT start, "end", vec FROM sentences WHERE doc_id = ?', (doc_id,)
            )
            for start, end, vec in rows:
                self.seen[text[start:end]] = np.frombuffer(vec, dtype=np.float32)
        store.close()

    def embed(self, texts: Sequence[str]) -> Vectors:
        todo = [t for t in dict.fromkeys(texts) if t not in self.seen]
        if todo:
            self.seen.update(zip(todo, self.embedder.embed(todo), strict=True))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.seen[t] for t in texts])
