"""Fuzz every endpoint from the app's own OpenAPI spec against a real server (schemathesis).

Targets: no 5xx, and every response matches the documented schema.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import TOKEN

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("authorised", [True, False], ids=["with-token", "no-token"])
def test_fuzzing_finds_no_server_errors_or_schema_breaks(
    server: httpx.Client, authorised: bool
) -> None:
    tool = Path(sys.executable).with_name("schemathesis")
    command = [
        str(tool),
        "run",
        f"{server.base_url}/openapi.json",
        "--max-examples",
        "25",
        "--checks",
        "not_a_server_error,response_schema_conformance",
        "--seed",
        "1",
    ]
    if authorised:
        command += ["-H", f"Authorization: Bearer {TOKEN}"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    summary = run.stdout[-3000:]
    assert run.returncode == 0, summary
    assert "passed" in summary
