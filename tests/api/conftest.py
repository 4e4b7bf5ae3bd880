"""A real uvicorn server on loopback, on a private copy of the seed index."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
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


@pytest.fixture()
def server(seed_copy: Path, tmp_path: Path) -> Iterator[httpx.Client]:
    port = free_port()
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 - closed below
    env = {
        **os.environ,
        "QA_INDEX_DIR": str(seed_copy),
        "QA_API_TOKEN": TOKEN,
        "QA_MAX_UPLOAD_BYTES": "20000",
    }
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
    )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if client.get("/readyz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail(f"server did not become ready: {(tmp_path / 'server.log').read_text()}")
    yield client
    client.close()
    proc.terminate()
    proc.wait(timeout=30)
    log.close()
