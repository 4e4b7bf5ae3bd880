"""Sentence analyses made at index time: restored, they are exactly what spaCy finds."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from index import analysis, english
from index.document import Article
from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from index.schema import DB_NAME
from index.store import Store
from qa.parsed import Parsed
from tests.conftest import ROOT, SEED_ID, SEEDS

SENTENCES = [
    "In a move to rapid response and security presence, Forward Operating Bases (FOBs) have"
    " been established in Pont Sondé, Downtown Port-au-Prince, and at the Haitian Police"
    " Academy.",
    # Hard-wrapped newswire, as Reuters files it: read flat, with the same offsets.
    "Metropolitan Federal Savings\nand Loan Association said it has signed a definitive\n"
    "agreement to acquire Home Savings Bank for 12.5 mln dlrs.",
    "“We will not leave,” said Godfrey Otunge, who commanded the first 400 officers.",
    "Shares  rose 2 dlrs\tto 43-1/2 on Friday, the U.S. company said. ",
    "Texaco Inc (TX) said it sold its 50 pct stake in Caltex Petroleum Corp to Chevron.",
    # Invisible characters, as text from web pages has them, join a token.
    "The soft\u00adware con\u00adtract went to Motorola\u00ad Inc.\u200b ",
]


def entities(doc: english.Doc) -> list[tuple[int, int, str]]:
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]


def test_a_restored_analysis_is_what_spacy_finds() -> None:
    packed = analysis.analyse(SENTENCES)
    flats = [english.flat(s) for s in SENTENCES]
    parsed = english.parser().pipe(flats)
    recognised = english.recogniser().pipe(flats)
    found = []
    for sentence, blob, live, ents in zip(SENTENCES, packed, parsed, recognised, strict=True):
        assert blob is not None
        doc = analysis.restore(sentence, blob)
        assert doc is not None and doc.text == english.flat(sentence)
        want, got = Parsed(live), Parsed(doc)
        for field in ("text", "pos", "dep", "head", "left_edge", "right_edge", "starts", "same"):
            assert getattr(got, field) == getattr(want, field), field
        assert got.noun_chunks == want.noun_chunks
        assert [t.tag_ for t in doc] == [t.tag_ for t in live]
        assert entities(doc) == entities(ents)
        found += entities(doc)
    assert {"PERSON", "ORG", "GPE", "CARDINAL"} <= {label for _, _, label in found}


def test_an_analysis_that_does_not_fit_its_sentence_is_refused() -> None:
    sentence = SENTENCES[0]
    blob = analysis.analyse([sentence])[0]
    assert blob is not None
    assert analysis.restore(sentence, blob[:-1]) is None  # cut short
    assert analysis.restore("Something else entirely, with other words.", blob) is None
    rows = np.frombuffer(blob, dtype=np.int16).reshape(-1, 8).copy()
    rows[0, 2] = 30000  # a label code no table has
    assert analysis.restore(sentence, rows.tobytes()) is None
    rows = np.frombuffer(blob, dtype=np.int16).reshape(-1, 8).copy()
    rows[0, 5] = -1  # a head before the first token
    assert analysis.restore(sentence, rows.tobytes()) is None
    assert analysis.restore(sentence, b"") is None


def test_worker_processes_make_the_same_analyses_as_this_process() -> None:
    sentences = SENTENCES * 3
    with analysis.Analyser(workers=2, pool_min=1) as analyser:
        pending = analyser.start(sentences)
        assert len(analyser._started) == 2  # the work went to the workers
        assert pending() == analysis.analyse(sentences)


def test_a_worker_that_dies_leaves_its_work_to_this_process() -> None:
    with analysis.Analyser(workers=2, pool_min=1) as analyser:
        analyser.start(SENTENCES)()
        for worker in analyser._started:
            worker.process.kill()
            worker.process.wait()
        assert analyser.start(SENTENCES)() == analysis.analyse(SENTENCES)


def test_the_version_names_the_format_spacy_and_the_model() -> None:
    version = analysis.version()
    assert version.startswith(f"{analysis.FORMAT}:spacy==")
    assert analysis.MODEL_PACKAGE in version and "==?" not in version


def stored_analyses(index: Path) -> dict[int, bytes]:
    with sqlite3.connect(index / DB_NAME) as conn:
        return dict(conn.execute("SELECT id, analysis FROM sentence_analyses").fetchall())


def test_the_index_keeps_every_sentences_analysis_and_drops_it_with_the_article(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    store = Store(seed_copy)
    ids = list(range(1, store.stats()["sentences"] + 1))
    kept = store.analyses(ids)
    assert sorted(kept) == ids and kept == stored_analyses(seed_copy)
    text = store.article(SEED_ID).text
    rows = store.sentences(ids)
    for sid, blob in kept.items():
        doc = analysis.restore(text[rows[sid].start : rows[sid].end], blob)
        assert doc is not None and len(doc) > 2
    assert Indexer(seed_copy, embedder).delete(SEED_ID)
    assert stored_analyses(seed_copy) == {}


def test_an_index_without_analyses_is_read_and_gains_them_for_new_articles(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    path = tmp_path / "index"
    Indexer(path, embedder, analyses=False).index_paths([SEEDS])
    assert stored_analyses(path) == {}
    with sqlite3.connect(path / DB_NAME) as conn:  # as an index from before they were kept
        conn.execute("DROP TABLE sentence_analyses")
        conn.execute("DELETE FROM meta WHERE key = 'analyses'")
    store = Store(path)
    assert store.analyses([1, 2]) == {} and store.warnings == []
    story = Article(doc_id="new", title="Nairobi", text="Police officers arrived in Nairobi.")
    Indexer(path, embedder).index_articles([story])
    assert len(stored_analyses(path)) == 1
    assert Store(path).warnings == []


def test_analyses_of_another_spacy_are_not_read_and_the_index_says_so(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    with sqlite3.connect(seed_copy / DB_NAME) as conn:
        conn.execute("UPDATE meta SET value = '0:spacy==2.0' WHERE key = 'analyses'")
    store = Store(seed_copy)
    assert store.analyses([1, 2]) == {}
    assert any("qa index --rebuild" in w and "spacy==2.0" in w for w in store.warnings)
    before = len(stored_analyses(seed_copy))
    story = Article(doc_id="new", title="Nairobi", text="Police officers arrived in Nairobi.")
    report = Indexer(seed_copy, embedder).index_articles([story])
    assert report.added == 1 and len(stored_analyses(seed_copy)) == before  # none written
    assert any("spacy==2.0" in w for w in report.warnings)


@pytest.mark.parametrize("analyses", [True, False])
def test_the_indexer_writes_analyses_only_when_asked(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, analyses: bool
) -> None:
    Indexer(tmp_path / "i", embedder, analyses=analyses).index_paths([SEEDS])
    assert bool(stored_analyses(tmp_path / "i")) is analyses


def children_of(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def test_the_analysis_workers_end_with_an_indexer_that_is_killed(tmp_path: Path) -> None:
    child = textwrap.dedent(
        """
        import sys
        from index.analysis import Analyser
        from index.document import Article
        from index.indexer import Indexer
        from tests.fakes import HashingEmbedder
        articles = [Article(doc_id=f"a{i}", title=f"Story {i}",
                            text=f"Officers from Nairobi reached camp {i} on Monday. " * 40)
                    for i in range(3000)]
        print("started", flush=True)
        Indexer(sys.argv[1], HashingEmbedder(), analyser=Analyser(workers=2, pool_min=1)
                ).index_articles(articles)
        """
    )
    indexer = subprocess.Popen(
        [sys.executable, "-c", child, str(tmp_path / "index")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert indexer.stdout is not None and indexer.stdout.readline() == "started\n"
    deadline = time.monotonic() + 60
    while len(workers := children_of(indexer.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(workers) == 2
    indexer.kill()
    indexer.wait()
    while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(Path(f"/proc/{w}").exists() for w in workers), "a worker outlived its indexer"
