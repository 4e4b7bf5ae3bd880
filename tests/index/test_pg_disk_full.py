"""PostgreSQL on a full disk: a write fails as IndexWriteError, which names the full disk
(psycopg's DiskFull is an OperationalError, and was "the database … is unavailable", a 503
"try again"), and what was committed before it answers as it did. Needs a tmpfs mount, so
root."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.pgserver import running
from index.document import Article
from index.embed import SentenceTransformerEmbedder
from index.errors import IndexWriteError
from index.indexer import Indexer
from index.pg_store import PgStore
from qa.answer import Answerer
from qa.retrieve import Retriever
from tests.conftest import SEED_ID, SEEDS

pytestmark = pytest.mark.slow


@pytest.fixture()
def small_disk() -> Iterator[Path]:
    """A 96 MB tmpfs that the PostgreSQL user may write. Not under pytest's folder, which
    that user cannot enter (see tests.conftest.pg_cluster)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    with tempfile.TemporaryDirectory(prefix="qa-pgfull-") as tmp:
        os.chmod(tmp, 0o755)
        point = Path(tmp) / "mnt"
        point.mkdir()
        made = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", str(point)], capture_output=True
        )
        if made.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
        try:
            os.chmod(point, 0o777)
            yield point
        finally:
            subprocess.run(["umount", "-l", str(point)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """A file that takes all of the disk's free space but `leave` bytes."""
    free = os.statvfs(disk)
    filler = disk / "filler"
    with open(filler, "wb") as out:
        left = free.f_bavail * free.f_frsize - leave
        while left > 0:
            left -= out.write(b"\0" * min(left, 1 << 20))
    return filler


def test_a_full_disk_is_a_write_error_and_what_was_committed_answers(
    small_disk: Path, embedder: SentenceTransformerEmbedder
) -> None:
    seed = (SEEDS / f"{SEED_ID}.txt").read_text(encoding="utf-8")
    with running(small_disk / "pg") as cluster:
        url = cluster.create_database("full")
        Indexer(url, embedder).index_paths([SEEDS])
        filler = fill(small_disk, leave=256 << 10)
        more = [
            Article(doc_id=f"copy-{n}", text=f"Copy {n} of the report.\n\n{seed}")
            for n in range(40)
        ]
        with pytest.raises(IndexWriteError, match="no space left on the disk") as caught:
            Indexer(url, embedder).index_articles(more)
        assert "none of these articles was written" in str(caught.value)
        filler.unlink()
        store = PgStore(url)
        try:
            result = Answerer(Retriever(store, embedder)).ask(
                "where are the forward operating bases?"
            )
            assert "Pont Sondé" in result.answers[0].text
            assert store.stats()["articles"] == 1
        finally:
            store.close()
        # With room again, the same articles are written, and the writer's lock was let go.
        assert Indexer(url, embedder).index_articles(more[:2]).added == 2
