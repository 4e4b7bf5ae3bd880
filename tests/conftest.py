"""Shared fixtures: the real bundled model, and a real index of the seed article."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from index.store import Store
from qa.answer import Answerer
from qa.types import AskResult, Passage

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_ID = "mss-haiti-kenyan-police-2025-08"


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def seed_index(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Path:
    path = tmp_path_factory.mktemp("seed") / "index"
    Indexer(path, embedder).index_paths([SEEDS])
    return path


@pytest.fixture()
def seed_copy(seed_index: Path, tmp_path: Path) -> Path:
    """A private copy of the seed index that a test may change."""
    target = tmp_path / "index"
    shutil.copytree(seed_index, target)
    return target


@pytest.fixture(scope="session")
def answerer(seed_index: Path, embedder: SentenceTransformerEmbedder) -> Answerer:
    from qa.retrieve import Retriever

    return Answerer(Retriever(Store(seed_index), embedder))


def assert_cited_exactly(result: AskResult, store: Store) -> None:
    """The two invariants every answer keeps, checked against the stored article."""
    for answer in result.answers:
        c = answer.citation
        text = store.article(c.doc_id).text
        assert text[c.start : c.end] == answer.text
        assert text[c.sentence_start : c.sentence_end] == answer.sentence
        assert c.sentence_start <= c.start <= c.end <= c.sentence_end
    for passage in result.related:
        assert_passage_cited(passage, store)


def assert_passage_cited(passage: Passage, store: Store) -> None:
    c = passage.citation
    text = store.article(c.doc_id).text
    assert text[c.start : c.end] == passage.text
    assert c.start <= c.sentence_start < c.sentence_end <= c.end
