"""Token vectors kept at index time: the model's own, within int8 rounding; read back for
late interaction without a model run; gone with their article; absent from older indexes."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index import token_vectors
from index.document import Article
from index.embed import SentenceTransformerEmbedder, Vectors
from index.indexer import Indexer
from index.schema import DB_NAME
from index.store import Store
from index.token_file import TOKENS_NAME
from qa.answer import Answerer
from qa.retrieve import Retriever
from tests.fakes import HashingEmbedder

QUESTION = "where are the forward operating bases?"


def forget_tokens(path: Path) -> None:
    """Make the index one written before token vectors were kept."""
    with sqlite3.connect(path / DB_NAME) as db:
        db.execute("DROP TABLE sentence_tokens")
        db.execute("DROP TABLE token_spans")
    (path / TOKENS_NAME).unlink()


def seed_sentences(store: Store) -> tuple[list[int], list[str]]:
    rows = store.sentences(list(range(1, 1000)))
    texts = store.texts({r.doc_id for r in rows.values()})
    ids = sorted(rows)
    return ids, [texts[rows[i].doc_id][rows[i].start : rows[i].end] for i in ids]


def test_pack_and_unpack_keep_cosines_within_rounding() -> None:
    rng = np.random.default_rng(0)
    tokens = rng.normal(size=(40, 384)).astype(np.float32)
    tokens /= np.linalg.norm(tokens, axis=1, keepdims=True)
    blob = token_vectors.pack(tokens)
    assert len(blob) == 40 * 384  # one byte a dimension
    back = token_vectors.unpack(blob, 384)
    np.testing.assert_allclose(np.linalg.norm(back, axis=1), 1.0, atol=1e-5)
    assert np.abs(back @ tokens.T - tokens @ tokens.T).max() < 0.01
    assert token_vectors.unpack(token_vectors.pack(tokens[:0]), 384).shape == (0, 384)


def test_the_index_keeps_the_models_token_vectors(
    seed_index: Path, embedder: SentenceTransformerEmbedder
) -> None:
    store = Store(seed_index)
    ids, sentences = seed_sentences(store)
    kept = store.token_vectors(ids)
    assert sorted(kept) == ids
    _, computed = embedder.embed_with_tokens(sentences)
    _, (question,) = embedder.embed_with_tokens([QUESTION])
    for i, tokens in zip(ids, computed, strict=True):
        assert kept[i].shape == tokens.shape
        assert np.abs(question @ kept[i].T - question @ tokens.T).max() < 0.005
    assert store.token_vectors([]) == {} and store.token_vectors([10**9]) == {}


class CountingEmbedder:
    """The real embedder, counting the texts it is asked for token vectors."""

    def __init__(self, real: SentenceTransformerEmbedder) -> None:
        self.real, self.name, self.dim = real, real.name, real.dim
        self.token_texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        return self.real.embed(texts)

    def embed_with_tokens(self, texts: Sequence[str]) -> tuple[Vectors, list[Vectors]]:
        self.token_texts.extend(texts)
        return self.real.embed_with_tokens(texts)


def test_answering_reads_them_instead_of_running_the_model(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    counting = CountingEmbedder(embedder)
    kept = Answerer(Retriever(Store(seed_copy), counting)).ask(QUESTION)
    assert counting.token_texts == [QUESTION]  # the question only: no sentence was encoded
    # Without them (an index written before they were kept), the same answer and nearly
    # the same score, from a model run per sentence.
    forget_tokens(seed_copy)
    counting.token_texts.clear()
    computed = Answerer(Retriever(Store(seed_copy), counting)).ask(QUESTION)
    assert len(counting.token_texts) > 1
    assert kept.answers[0].citation == computed.answers[0].citation
    assert abs(kept.answers[0].score - computed.answers[0].score) < 0.01


def test_an_older_index_gets_them_on_its_next_write_and_deletes_clear_them(
    seed_copy: Path,
) -> None:
    forget_tokens(seed_copy)
    store = Store(seed_copy)
    assert store.token_vectors([1, 2]) == {}
    store.close()
    real = SentenceTransformerEmbedder()
    story = Article(doc_id="new", title="Port", text="Ships reached the port of Cap-Haïtien.")
    Indexer(seed_copy, real).index_articles([story])
    with sqlite3.connect(seed_copy / DB_NAME) as db:
        (sid,) = db.execute("SELECT id FROM sentences WHERE doc_id = 'new'").fetchone()
        assert db.execute("SELECT count(*) FROM token_spans").fetchone() == (1,)
    assert (seed_copy / TOKENS_NAME).stat().st_size > 0
    assert Store(seed_copy).token_vectors([sid])[sid].shape[1] == real.dim
    assert Indexer(seed_copy, real).delete("new")
    with sqlite3.connect(seed_copy / DB_NAME) as db:
        assert db.execute("SELECT count(*) FROM token_spans").fetchone() == (0,)


def test_an_embedder_without_token_vectors_stores_none(tmp_path: Path) -> None:
    story = Article(doc_id="a", title="Port", text="Ships reached the port of Cap-Haïtien.")
    Indexer(tmp_path / "idx", HashingEmbedder()).index_articles([story])
    store = Store(tmp_path / "idx")
    assert store.stats()["sentences"] == 1 and store.token_vectors([1]) == {}
