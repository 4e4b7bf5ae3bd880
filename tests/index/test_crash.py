"""SIGKILL the indexer at random points of a large build, 20 times.

After every kill the index opens, answers, and holds exactly the articles of its last
completed commit; re-running finishes the build. The real store, SQLite and FAISS files
are used; the embedder is a fast deterministic fake and no spaCy analyses are made, because
what is tested is the storage (the real model is killed mid-write in test_store.py, and the
analysis workers in test_analysis.py).
"""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from index.store import Store
from qa.answer import Answerer
from qa.retrieve import Retriever
from tests.conftest import ROOT
from tests.fakes import HashingEmbedder

pytestmark = pytest.mark.slow
ARTICLES, BATCH, COMMIT_EVERY, KILLS = 30_000, 100, 500, 20

CHILD = textwrap.dedent(f"""
    import sys
    from index.document import Article
    from index.indexer import Indexer
    from tests.fakes import HashingEmbedder
    articles = [Article(doc_id=f"bulk-{{i:05d}}", title=f"Bulk {{i}}",
                        text=f"Bulletin {{i}} says the road to village {{i}} is open. "
                             f"Convoy {{i}} delivered food. Residents of {{i}} returned.")
                for i in range({ARTICLES})]
    print("started", flush=True)
    Indexer(sys.argv[1], HashingEmbedder(), batch_articles={BATCH},
            commit_every={COMMIT_EVERY}, analyses=False).index_articles(articles)
""")


def run_child(index: Path, kill_after: float | None) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(index)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    child.stdout.readline()  # "started": imports are done, indexing begins
    if kill_after is None:
        assert child.wait(timeout=300) == 0
        return
    time.sleep(kill_after)
    child.kill()
    child.wait()


def test_twenty_random_sigkills_never_lose_a_commit(tmp_path: Path) -> None:
    index = tmp_path / "index"
    rng = random.Random(20)
    seen_counts = []
    for _ in range(KILLS):
        run_child(index, kill_after=rng.uniform(0.05, 0.4))
        if not (index / "store.sqlite").exists():
            continue  # killed before the first write
        store = Store(index)
        ids = sorted(info.doc_id for info in store.list_articles(0, ARTICLES))
        assert not store.warnings, store.warnings
        assert len(ids) % COMMIT_EVERY == 0, f"{len(ids)} articles is not a commit boundary"
        assert ids == [f"bulk-{i:05d}" for i in range(len(ids))]
        answerer = Answerer(Retriever(store, HashingEmbedder()), threshold=0.0, tagger=False)
        result = answerer.ask("what did convoy 3 deliver?")
        assert result.question
        seen_counts.append(len(ids))
        store.close()
    assert len(seen_counts) == KILLS and max(seen_counts) < ARTICLES, "every kill was mid-build"
    run_child(index, kill_after=None)
    final = Store(index)
    assert final.stats()["articles"] == ARTICLES and not final.warnings
    print(f"{KILLS} kills survived; article counts after each: {seen_counts}")
