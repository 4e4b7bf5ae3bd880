"""docker-compose.yml and the Dockerfile: validated as far as this machine allows (no engine),
and the image's start command run for real against the project."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

from tests.api.conftest import _wait, free_port
from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()
MAKEFILE = (ROOT / "Makefile").read_text()


def compose() -> dict[str, object]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())  # type: ignore[no-any-return]


def test_compose_serves_port_8000_with_a_healthcheck_and_a_named_volume() -> None:
    config = compose()
    service = config["services"]["qa"]  # type: ignore[index]
    assert any(str(p).endswith(":8000") for p in service["ports"])
    assert "/healthz" in " ".join(service["healthcheck"]["test"])
    volume, mount = service["volumes"][0].split(":")[:2]
    assert volume in config["volumes"]  # type: ignore[operator]
    assert service["environment"]["QA_INDEX_DIR"].startswith(mount)


def test_dockerfile_installs_like_the_makefile() -> None:
    torch_pin = re.search(r"pip install --quiet (torch==[\d.]+)", MAKEFILE)
    assert torch_pin and f"pip install {torch_pin.group(1)}" in DOCKERFILE
    assert re.search(r"^RUN pip install \.$", DOCKERFILE, re.M)
    for folder in ("qa", "index", "api", "seeds"):
        assert f"COPY {folder} ./{folder}" in DOCKERFILE
    assert "HEALTHCHECK" in DOCKERFILE and "/healthz" in DOCKERFILE
    assert "EXPOSE 8000" in DOCKERFILE


def test_compose_file_is_valid_for_the_compose_client() -> None:
    if shutil.which("docker-compose"):
        command = ["docker-compose", "config", "-q"]
    elif subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        command = ["docker", "compose", "config", "-q"]
    else:
        pytest.skip("no compose client on this machine (CI installs docker-compose)")
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_compose_postgres_profile_runs_a_primary_a_replica_and_the_service_on_them() -> None:
    services = compose()["services"]  # type: ignore[index]
    for name in ("db", "db-replica", "qa-pg"):
        assert services[name]["profiles"] == ["postgres"]
    assert "profiles" not in services["qa"]  # the default stays the index directory
    env = services["qa-pg"]["environment"]
    assert "@db:5432/" in env["QA_STORE_URL"] and "@db-replica:5432/" in env["QA_STORE_REPLICAS"]
    assert services["db"]["image"].startswith("pgvector/pgvector:pg")
    assert "pg_basebackup" in " ".join(services["db-replica"]["entrypoint"])
    assert "-R" in " ".join(services["db-replica"]["entrypoint"]).split()
    script = services["db"]["volumes"][1].split(":")[0]
    assert (ROOT / script).is_file() and "replication" in (ROOT / script).read_text()
    if shutil.which("docker-compose"):
        result = subprocess.run(
            ["docker-compose", "--profile", "postgres", "config", "-q"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["directory", "postgres"])
def test_the_image_start_command_indexes_seeds_and_serves(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.M).group(1))  # type: ignore[union-attr]
    port = free_port()
    store = {}
    if backend == "postgres":  # as the compose profile runs it: QA_STORE_URL set
        cluster = request.getfixturevalue("pg_cluster")
        store["QA_STORE_URL"] = cluster.create_database("image-start")
    env = {
        **os.environ,
        **store,
        "QA_INDEX_DIR": str(tmp_path / "index"),
        "QA_HOST": "127.0.0.1",
        "QA_PORT": str(port),
        "HF_HUB_OFFLINE": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    with open(tmp_path / "log", "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        try:
            _wait(client, "/readyz", proc, tmp_path / "log")
            assert client.get("/readyz").json()["articles"] == 1
            assert client.get("/healthz").json() == {"status": "ok"}
            assert not (tmp_path / "index").exists() or backend == "directory"
        finally:
            client.close()
            proc.terminate()
            proc.wait(timeout=30)
