"""What the app loads at start-up is set aside from the garbage collector's walks."""

from __future__ import annotations

import gc
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
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
