"""A real uvicorn server on loopback, on a private copy of the seed index."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def start_server(
    index_dir: Path,
    tmp_path: Path,
    wait_for: str = "/readyz",
    preexec: Callable[[], None] | None = None,
    **settings: str,
) -> Iterator[httpx.Client]:
    """uvicorn on a free loopback port, serving `index_dir`, until the block ends; the
    server process runs `preexec` first (tests.disk.refuse_writes_past, for one)."""
    port = free_port()
    env = {
        **os.environ,
        "QA_INDEX_DIR": str(index_dir),
        "QA_API_TOKEN": TOKEN,
        "QA_MAX_UPLOAD_BYTES": "20000",
        "QA_MAX_UPLOAD_ARTICLES": "400",
        **{f"QA_{key.upper()}": value for key, value in settings.items()},
    }
    with open(tmp_path / "server.log", "wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "api.app:create_app",
                "--port",
                str(port),
                "--host",
                "127.0.0.1",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=preexec,  # noqa: PLW1509 - a setrlimit, before any thread starts
        )
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
        try:
            _wait(client, wait_for, proc, tmp_path / "server.log")
            yield client
        finally:
            client.close()
            proc.terminate()
            proc.wait(timeout=30)


def _wait(client: httpx.Client, path: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if client.get(path).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    proc.kill()
    pytest.fail(f"server did not become ready: {log.read_text()}")


@pytest.fixture()
def server(seed_copy: Path, tmp_path: Path) -> Iterator[httpx.Client]:
    with start_server(seed_copy, tmp_path) as client:
        yield client
