"""An embedder and an analyser for the benches that ask the model (and spaCy) once per
distinct text in a process."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index import token_vectors
from index.analysis import Analyser, Packed, Pending
from index.embed import Embedder, TokenEmbedder, Vectors
from index.store import Store


class EmbedOnce:
    """The real embedder, asked once per distinct text: a second index of the same
    sentences (another backend, copies under new ids) costs its writes only."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.name, self.dim = embedder.name, embedder.dim
        self.seen: dict[str, Vectors] = {}
        self.tokens: dict[str, token_vectors.Packed] = {}

    @staticmethod
    def wrap(embedder: Embedder) -> EmbedOnce:
        """An EmbedOnce that gives token vectors too when `embedder` does, as the indexer
        keeps them."""
        return (
            EmbedTokensOnce(embedder)
            if isinstance(embedder, TokenEmbedder)
            else EmbedOnce(embedder)
        )

    def learn(self, index_dir: Path) -> None:
        """Remember the vectors (and token vectors) an index already holds for its sentences."""
        store = Store(index_dir, exact=True)
        db = store._db()
        for doc_id, text in store.texts(a.doc_id for a in store.list_articles(0, 10**9)).items():
            rows = db.execute(
                'SELECT id, start, "end", vec FROM sentences WHERE doc_id = ?', (doc_id,)
            ).fetchall()
            packed = store.packed_tokens([r[0] for r in rows])
            for sid, start, end, vec in rows:
                self.seen[text[start:end]] = np.frombuffer(vec, dtype=np.float32)
                if packed.get(sid):
                    self.tokens[text[start:end]] = packed[sid]
        store.close()

    def embed(self, texts: Sequence[str]) -> Vectors:
        todo = [t for t in dict.fromkeys(texts) if t not in self.seen]
        if todo:
            self.seen.update(zip(todo, self.embedder.embed(todo), strict=True))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.seen[t] for t in texts])


class EmbedTokensOnce(EmbedOnce):
    """EmbedOnce for an embedder that gives token vectors; they are memoised packed, as the
    index keeps them (packing what was unpacked gives the same bytes)."""

    def embed_with_tokens(self, texts: Sequence[str]) -> tuple[Vectors, list[Vectors]]:
        assert isinstance(self.embedder, TokenEmbedder)
        todo = [t for t in dict.fromkeys(texts) if t not in self.tokens]
        if todo:
            found, tokens = self.embedder.embed_with_tokens(todo)
            self.seen.update(zip(todo, found, strict=True))
            self.tokens.update(
                (t, token_vectors.pack(v)) for t, v in zip(todo, tokens, strict=True)
            )
        vectors = self.embed(texts)
        return vectors, [token_vectors.unpack(self.tokens[t], self.dim) for t in texts]


class AnalyseOnce(Analyser):
    """The real analyser, asked once per distinct sentence, as EmbedOnce asks the model:
    Reuters ×5 repeats Reuters' sentences, and its copies cost spaCy nothing more."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[str, Packed | None] = {}

    def start(self, sentences: Sequence[str]) -> Pending:
        todo = [s for s in dict.fromkeys(sentences) if s not in self.seen]
        pending = super().start(todo) if todo else list

        def results() -> list[Packed | None]:
            self.seen.update(zip(todo, pending(), strict=True))
            return [self.seen[s] for s in sentences]

        return results

    def learn(self, index_dir: Path) -> None:
        """Remember the analyses an index already holds for its sentences."""
        store = Store(index_dir, exact=True)
        db = store._db()
        for doc_id, text in store.texts(a.doc_id for a in store.list_articles(0, 10**9)).items():
            rows = db.execute(
                'SELECT s.start, s."end", n.analysis FROM sentences s'
                " JOIN sentence_analyses n ON n.id = s.id WHERE s.doc_id = ?",
                (doc_id,),
            )
            for start, end, packed in rows:
                self.seen[text[start:end]] = packed
        store.close()
