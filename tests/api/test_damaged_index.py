"""An index whose database is damaged while the server runs: 503 with a message, not a 500."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from qa.settings import Settings
from tests.conftest import SEED_ID, damage_database


def test_a_database_damaged_under_a_running_server_is_a_503_that_says_so(
    seed_copy: Path,
) -> None:
    app = create_app(Settings(index_dir=seed_copy))
    with TestClient(app, raise_server_exceptions=False) as client:
        asked = client.post("/ask", json={"question": "where are the forward operating bases?"})
        assert asked.status_code == 200
        damage_database(seed_copy)
        # The article's text and the list are read from the database when asked for.
        for response in (client.get(f"/documents/{SEED_ID}"), client.get("/documents")):
            assert response.status_code == 503, response.text
            detail = response.json()["detail"]
            assert "cannot be read (database disk image is malformed)" in detail
        # What the server holds in memory still answers, or fails the same way.
        again = client.post("/ask", json={"question": "who leads the mission?"})
        assert again.status_code in (200, 503), again.text
