"""Questions take turns: a server process answers QA_ASK_THREADS of them at once, and the
others wait instead of sharing the cores and Python's interpreter lock."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from qa.settings import Settings


@pytest.mark.parametrize("threads", [1, 2])
def test_no_more_questions_run_at_once_than_ask_threads(seed_index: Path, threads: int) -> None:
    app = create_app(Settings(index_dir=seed_index, ask_threads=threads))
    running, most = 0, 0
    lock = threading.Lock()
    with TestClient(app) as client:
        answerer = app.state.service.answerer
        ask, search = answerer.ask, answerer.retriever.search

        def counted(work: Any) -> Any:
            def run(*args: Any) -> Any:
                nonlocal running, most
                with lock:
                    running += 1
                    most = max(most, running)
                time.sleep(0.1)  # long enough for the others to arrive meanwhile
                try:
                    return work(*args)
                finally:
                    with lock:
                        running -= 1

            return run

        answerer.ask = counted(ask)
        answerer.retriever.search = counted(search)
        with ThreadPoolExecutor(6) as pool:
            asked = [
                pool.submit(client.post, "/ask", json={"question": "where are the bases?"})
                for _ in range(4)
            ] + [pool.submit(client.get, "/search", params={"q": "bases"}) for _ in range(2)]
            statuses = [f.result().status_code for f in asked]
    assert statuses == [200] * 6
    assert most == threads


def test_ask_threads_defaults_to_one_and_refuses_zero() -> None:
    assert Settings().ask_threads == 1
    with pytest.raises(ValueError, match="ask_threads"):
        Settings(ask_threads=0)
