"""`qa index --rebuild` swaps a new index directory in under readers that hold the old one
open: they go on reading the old one whole, know that it was replaced, and open the new
one when asked (the server does so itself: tests/api/test_http.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from index.embed import SentenceTransformerEmbedder
from index.errors import IndexError_
from index.indexer import Indexer
from index.rebuild import rebuild
from index.store import Store
from qa.answer import Answerer
from qa.retrieve import Retriever

BRIDGE = {"id": "jacmel", "title": "Bridge", "text": "The bridge in Jacmel opened on Friday."}
PORT = {"id": "gonaives", "title": "Port", "text": "The port of Gonaives reopened on Monday."}


def test_a_reader_keeps_the_old_index_whole_and_opens_the_rebuilt_one(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    Indexer(seed_copy, embedder).index_articles([BRIDGE])
    old = Store(seed_copy)
    answerer = Answerer(Retriever(old, embedder))
    bridge = answerer.ask("when did the bridge in Jacmel open?", top_k=1)
    assert bridge.answers[0].text == "Friday"
    assert not old.replaced()
    idle = Store(seed_copy)  # opened, and first read after the rebuild
    rebuild(seed_copy, embedder)  # new sentence ids, new files, in a new directory
    Indexer(seed_copy, embedder).index_articles([PORT])
    assert old.replaced()
    # The old store, on this thread, still reads the old files: the same answer, cited the same.
    again = answerer.ask("when did the bridge in Jacmel open?", top_k=1)
    assert again.answers[0].citation == bridge.answers[0].citation
    late = Answerer(Retriever(idle, embedder)).ask("when did the bridge in Jacmel open?", top_k=1)
    assert late.answers[0].citation == bridge.answers[0].citation
    assert late.answers[0].score == bridge.answers[0].score  # the old token vectors, too
    idle.close()
    unknown = answerer.ask("when did the port of Gonaives reopen?")
    assert "Monday" not in [a.text for a in unknown.answers]
    # A thread it has not read on would open the new database beside the old vectors.
    failed: list[BaseException] = []

    def read() -> None:
        try:
            old.stats()
        except BaseException as exc:  # noqa: BLE001 - kept for the assertion
            failed.append(exc)

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert len(failed) == 1 and isinstance(failed[0], IndexError_)
    assert "was rebuilt" in str(failed[0])
    new = Store(seed_copy)
    fresh = answerer.reopened(new)
    assert fresh.ask("when did the port of Gonaives reopen?").answers[0].text == "Monday"
    assert fresh.ask("when did the bridge in Jacmel open?").answers[0].text == "Friday"
    assert answerer.retriever.store is old  # the old answerer is left as it was
    with pytest.raises(IndexError_):
        Retriever(new, embedder).with_store(_OtherModel(new))  # type: ignore[arg-type]
    new.close()
    old.close()


class _OtherModel:
    """A store that says it was built with another model."""

    def __init__(self, store: Store) -> None:
        self.model, self.dim = "another/model", store.dim
