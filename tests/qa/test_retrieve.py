"""The retriever keeps recent questions' embeddings: a question asked again costs no model
run, and gets the same passages as the first time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.document import Article
from index.indexer import Indexer
from index.store import Store
from qa.retrieve import Retriever
from tests.fakes import CountingEmbedder, HashingEmbedder


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    articles = [
        Article(doc_id="a", title="Port", text="The convoy reached the port on Monday."),
        Article(doc_id="b", title="Road", text="The road north of the town was closed."),
    ]
    Indexer(tmp_path / "index", HashingEmbedder()).index_articles(articles)
    return Store(tmp_path / "index")


def test_a_question_asked_again_is_not_embedded_again(store: Store) -> None:
    counting = CountingEmbedder()
    retriever = Retriever(store, counting)
    first = retriever.search("When did the convoy reach the port?")
    again = retriever.search("When did the convoy reach the port?")
    assert counting.asked == [["When did the convoy reach the port?"]]
    assert again == first and first[0].citation.doc_id == "a"
    query = retriever.prepare("When did the convoy reach the port?")
    with pytest.raises(ValueError):  # shared by every Query of the text: nobody may change it
        query.vector[0] = 1.0


def test_the_memo_keeps_only_the_latest_questions(store: Store) -> None:
    counting = CountingEmbedder()
    retriever = Retriever(store, counting, memo_size=2)
    for question in ("convoy?", "road?", "convoy?", "town?", "road?"):
        retriever.prepare(question)
    # "convoy?" was used again before "town?" came, so "road?" was the one dropped.
    assert [call[0] for call in counting.asked] == ["convoy?", "road?", "town?", "road?"]
    assert len(retriever._memo) == 2
    np.testing.assert_array_equal(
        retriever.prepare("town?").vector, HashingEmbedder().embed(["town?"])[0]
    )
