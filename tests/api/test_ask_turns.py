"""Questions take turns: a server process answers QA_ASK_THREADS of them at once, and the
others wait instead of sharing the cores and Python's interpreter lock."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from threadpoolctl import threadpool_info, threadpool_limits

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


def test_model_threads_default_to_each_server_process_share_of_the_cores() -> None:
    cores = os.cpu_count() or 1
    assert Settings().threads == cores
    assert Settings(workers=2).threads == max(1, cores // 2)
    assert Settings(workers=cores * 4).threads == 1  # never none
    assert Settings(workers=2, model_threads=3).threads == 3
    with pytest.raises(ValueError, match="model_threads"):
        Settings(model_threads=0)


def _blas_threads() -> int:
    """numpy's BLAS, which spaCy's matrix products run on. (FAISS's own, an OpenMP build,
    keeps a count per thread, and the app's lifespan runs on another thread.)"""
    found = [i for i in threadpool_info() if i["user_api"] == "blas" and "numpy" in i["filepath"]]
    return max(int(i["num_threads"]) for i in found)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: one thread already")
def test_a_server_process_keeps_the_model_to_its_threads_and_blas_to_one(seed_index: Path) -> None:
    before = _blas_threads()
    threadpool_limits(2, user_api="blas")  # as a process starts on two cores
    assert _blas_threads() == 2
    app = create_app(Settings(index_dir=seed_index, workers=2, model_threads=1))
    try:
        with TestClient(app) as client:
            assert _blas_threads() == 1
            embedder = app.state.service.answerer.retriever.embedder
            assert embedder._onnx.threads == 1
            assert client.post("/ask", json={"question": "where are the bases?"}).status_code == 200
    finally:
        threadpool_limits(before, user_api="blas")
