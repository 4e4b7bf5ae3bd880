"""What the app loads at start-up is set aside from the garbage collector's walks."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import state
from api.app import create_app
from api.state import Service
from index.embed import SentenceTransformerEmbedder
from index.rebuild import rebuild
from qa.settings import Settings


def test_the_loaded_answerer_is_frozen_out_of_garbage_collection(seed_index: Path) -> None:
    app = create_app(Settings(index_dir=seed_index))
    try:
        with TestClient(app) as client:
            answerer = app.state.service.answerer
            assert answerer is not None and gc.get_freeze_count() > 0
            # Frozen objects are in no generation that a collection walks.
            walked = gc.get_objects()
            assert not any(o is answerer or o is answerer.retriever.store for o in walked)
            del walked
            assert client.post("/ask", json={"question": "who is Jack Ombaka?"}).status_code == 200
    finally:
        gc.unfreeze()  # back into the oldest generation, for the tests that follow


def test_a_rebuilt_index_is_opened_and_the_old_ones_files_let_go(
    seed_copy: Path, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state, "RETRY_SECONDS", 0.0)
    monkeypatch.setattr(state, "RETIRE_SECONDS", 0.1)
    service = Service.load(Settings(index_dir=seed_copy))
    old = service.answerer
    assert old is not None
    assert old.ask("where are the forward operating bases?").answers
    rebuild(seed_copy, embedder)  # `qa index --rebuild`: the old files are deleted
    service.ensure()
    assert service.answerer is not old and service.answerer is not None
    assert service.answerer.retriever.embedder is old.retriever.embedder  # not loaded again
    assert service.answerer.ask("where are the forward operating bases?").answers
    time.sleep(0.5)
    # Each open file of the deleted index held its disk space for the life of the server.
    held = [os.readlink(f) for f in Path("/proc/self/fd").iterdir() if f.exists()]
    assert not [f for f in held if ".old-" in f], held
    service.answerer.retriever.store.close()


def test_an_index_rebuilt_with_another_model_is_served_with_that_model(
    seed_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state, "RETRY_SECONDS", 0.0)
    monkeypatch.setattr(state, "RETIRE_SECONDS", 0.1)
    service = Service.load(Settings(index_dir=seed_copy))
    assert service.answerer is not None
    assert not service.answerer.retriever.store.model.endswith("#int8-channel")
    rebuild(seed_copy, SentenceTransformerEmbedder.for_new_index())  # --model: the int8 one
    service.ensure()
    assert service.answerer is not None and service.problem is None
    assert service.answerer.retriever.store.model.endswith("#int8-channel")
    assert service.indexer is not None
    assert service.indexer.embedder is service.answerer.retriever.embedder
    assert service.answerer.ask("where are the forward operating bases?").answers
    service.answerer.retriever.store.close()
