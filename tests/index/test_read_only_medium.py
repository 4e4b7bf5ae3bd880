"""An index on a file system mounted read-only (a volume mounted `:ro`, a snapshot): it is
read and answers, and a write is refused with the reason. Needs a tmpfs mount, so root."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.embed import SentenceTransformerEmbedder
from index.errors import IndexWriteError
from index.indexer import Indexer
from index.store import Store
from qa.answer import Answerer
from qa.retrieve import Retriever
from tests.conftest import SEEDS


@pytest.fixture()
def mounted(tmp_path: Path) -> Iterator[Path]:
    point = tmp_path / "mnt"
    point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(point)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_an_index_on_a_read_only_mount_answers_and_refuses_writes(
    mounted: Path, embedder: SentenceTransformerEmbedder
) -> None:
    index = mounted / "index"
    Indexer(index, embedder).index_paths([SEEDS])
    subprocess.run(["mount", "-o", "remount,ro", str(mounted)], check=True)
    store = Store(index)
    try:
        result = Answerer(Retriever(store, embedder)).ask("where are the forward operating bases?")
        assert "Pont Sondé" in result.answers[0].text
    finally:
        store.close()
    with pytest.raises(IndexWriteError, match="the disk is read-only"):
        Indexer(index, embedder).index_paths([SEEDS])
