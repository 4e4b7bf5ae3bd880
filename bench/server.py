"""A real uvicorn server on loopback for the benches, and its memory read from /proc."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Server:
    url: str
    pid: int

    def rss_mb(self) -> float:
        """Resident memory now, in MB, of the server and its worker processes."""
        return sum(_status_kb(p, "VmRSS") for p in _tree(self.pid)) / 1024

    def peak_rss_mb(self) -> float:
        """Highest resident memory so far, in MB (summed over the processes' own peaks)."""
        return sum(_status_kb(p, "VmHWM") for p in _tree(self.pid)) / 1024


def _tree(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        children += [int(c) for c in task.read_text().split()]
    return [pid] + [p for c in children for p in _tree(c)]


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no {field}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(index_dir: Path, log: Path, workers: int = 1, **settings: str) -> Iterator[Server]:
    """uvicorn serving `index_dir` on a free loopback port until the block ends."""
    port = free_port()
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "QA_INDEX_DIR": str(index_dir),
        "QA_WORKERS": str(workers),  # what each process's share of the cores is taken from
        **{f"QA_{key.upper()}": value for key, value in settings.items()},
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    command += ["--workers", str(workers)] if workers > 1 else []
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(url, proc, log)
            yield Server(url, proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=60)


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    with httpx.Client(base_url=url, timeout=10) as client:
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if client.get("/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"server did not become ready; see {log}:\n{log.read_text()[-2000:]}")


def questions(path: Path) -> list[str]:
    """The fixed question list: one per line, '#' comments and blank lines skipped."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]
