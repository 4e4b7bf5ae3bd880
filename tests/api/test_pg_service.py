"""The service on PostgreSQL, over real HTTP: reads on the replica, 503s (never 500s) while
the databases are down, and answers again once they are back, without a restart."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from bench.pgserver import Cluster
from tests.api.conftest import AUTH, start_server

QUESTION = {"question": "who is the MSS spokesperson?"}


def _ask_until(client: httpx.Client, status: int, seconds: float = 30.0) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        response = client.post("/ask", json=QUESTION)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def test_service_on_postgres_survives_its_databases_going_down(
    pg_cluster: Cluster, pg_seed_url: str, tmp_path: Path
) -> None:
    replica = pg_cluster.replicas[0]
    settings = {"store_url": pg_seed_url, "store_replicas": replica.url_of(pg_seed_url)}
    with start_server(tmp_path / "unused", tmp_path, **settings) as client:
        ready = client.get("/readyz").json()
        assert ready["articles"] == 1 and ready["status"] == "ready"
        answer = client.post("/ask", json=QUESTION).json()
        assert answer["answers"][0]["text"] == "Jack Ombaka"
        # Writes go to the primary through the same API, and reads see them on the replica.
        bridge = {"id": "pg-bridge", "title": "Bridge", "text": "The bridge opened on Friday."}
        added = client.post("/documents", json={"articles": [bridge]}, headers=AUTH)
        assert added.status_code == 200 and added.json()["added"] == 1
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            seen = client.post("/ask", json={"question": "when did the bridge open?"}).json()
            if seen["answers"] and seen["answers"][0]["text"] == "Friday":
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the replica never showed the write")
        assert client.delete("/documents/pg-bridge", headers=AUTH).status_code == 200

        statuses: Counter[int] = Counter()
        stop = threading.Event()

        def ask_all_the_time() -> None:
            while not stop.is_set():
                statuses[client.post("/ask", json=QUESTION).status_code] += 1

        asker = threading.Thread(target=ask_all_the_time)
        asker.start()
        try:
            pg_cluster.primary.stop("immediate")  # a crash: no clean shutdown
            time.sleep(1)
            # Reads go on from the replica while the primary is down.
            assert client.post("/ask", json=QUESTION).status_code == 200
            replica.stop("immediate")
            down = _ask_until(client, 503)
            assert down.status_code == 503, down.text
            assert "unavailable" in down.json()["detail"]
            assert client.get("/readyz").status_code == 503
            pg_cluster.primary.start()
            replica.start()
            back = _ask_until(client, 200, seconds=60)
            assert back.status_code == 200, back.text
            assert back.json()["answers"][0]["text"] == "Jack Ombaka"
        finally:
            stop.set()
            asker.join()
        assert set(statuses) <= {200, 503}, statuses
        assert statuses[503] > 0 and statuses[200] > 0
        assert client.get("/readyz").status_code == 200


def test_service_started_while_its_database_is_down_recovers_by_itself(
    pg_cluster: Cluster, tmp_path: Path
) -> None:
    url = pg_cluster.primary.url_for("not-yet")
    with start_server(tmp_path / "unused", tmp_path, wait_for="/healthz", store_url=url) as client:
        response = client.post("/ask", json=QUESTION)
        assert response.status_code == 503
        assert "not-yet" in response.json()["detail"]  # says which database, no password
        # The database appears and gets an index: the service picks it up, no restart.
        pg_cluster.create_database("not-yet")
        from index.embed import SentenceTransformerEmbedder
        from index.indexer import Indexer
        from tests.conftest import SEEDS

        Indexer(url, SentenceTransformerEmbedder()).index_paths([SEEDS])
        back = _ask_until(client, 200)
        assert back.status_code == 200, back.text
