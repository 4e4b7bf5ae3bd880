"""BM25 postings: FTS5's scores, saved per generation, kept up to date by the writer, and
rebuilt from the database when their file is damaged or from before they existed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from index import lexical
from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from index.schema import DB_NAME, lexicon_file
from index.store import Store
from index.tokens import stem, stem_list
from qa.answer import Answerer
from qa.retrieve import Retriever
from tests.index.test_store import story

PASSAGES = [
    (1, "Oil prices rise", "Oil prices rose sharply in Tokyo as traders bought crude oil."),
    (2, "Wheat exports", "Wheat exports fell for a third month, the ministry said."),
    (3, "Oil and wheat", "Crude oil and wheat futures moved together on Monday."),
    (4, "Central bank", "The central bank left its rates unchanged, citing inflation."),
    (7, "Tokyo stocks", "Tokyo stocks closed higher, led by oil and shipping companies."),
    (9, "Housing", "Housing starts rose; the ministry said builders hired more workers."),
]


def fts5_scores(passages: list[tuple[int, str, str]], terms: list[str]) -> list[tuple[int, float]]:
    """SQLite FTS5's own bm25() over the same passages, title weighted 0.5 as the store did."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize = 'porter unicode61')")
    db.executemany("INSERT INTO t(rowid, title, body) VALUES (?,?,?)", passages)
    match = " OR ".join(f'"{t}"' for t in terms)
    rows = db.execute(
        "SELECT rowid, -bm25(t, 0.5, 1.0) AS s FROM t WHERE t MATCH ? ORDER BY s DESC, rowid",
        (match,),
    ).fetchall()
    return [(int(r[0]), float(r[1])) for r in rows]


@pytest.mark.parametrize("words", [["oil"], ["oil", "wheat"], ["tokyo", "stocks", "ministry"]])
def test_scores_are_fts5_bm25_scores(words: list[str]) -> None:
    found = lexical.build(PASSAGES).search([stem(w) for w in words], 10)
    expected = fts5_scores(PASSAGES, words)
    assert [p for p, _ in found] == [p for p, _ in expected]
    assert [s for _, s in found] == pytest.approx([s for _, s in expected], rel=1e-5)


def test_a_stem_that_porter_would_stem_again_still_matches() -> None:
    # FTS5 stemmed the already-stemmed question terms a second time: "hous" became "hou"
    # and no passage about housing matched.
    assert stem("housing") == "hous" != stem("hous")
    assert [p for p, _ in lexical.build(PASSAGES).search([stem("housing")], 5)] == [9]


def test_top_k_filters_and_document_frequencies() -> None:
    lexicon = lexical.build(PASSAGES)
    assert lexicon.document_frequency("oil") == 3 and lexicon.document_frequency("zebra") == 0
    assert len(lexicon.search(["oil", "wheat"], 2)) == 2
    allowed = lexicon.search(["oil"], 10, allowed=lexical.np.array([3, 4], dtype="int64"))
    assert [p for p, _ in allowed] == [3]
    assert lexicon.search(["zebra"], 5) == []


def test_changes_give_the_lexicon_a_fresh_build_would() -> None:
    changes = lexical.LexiconChanges()
    changes.remove([2, 7])
    changes.add(11, "Wheat harvest", "The wheat harvest in Kansas beat forecasts.")
    changes.add(12, "Gone", "A passage added and removed before the commit.")
    changes.remove([12])
    merged = changes.apply(lexical.build(PASSAGES))
    fresh = lexical.build(
        [p for p in PASSAGES if p[0] not in (2, 7)]
        + [(11, "Wheat harvest", "The wheat harvest in Kansas beat forecasts.")]
    )
    assert list(merged.pids) == list(fresh.pids) == [1, 3, 4, 9, 11]
    assert sorted(merged.vocab) == sorted(fresh.vocab) and "gone" not in merged.vocab
    for words in (["wheat"], ["oil", "tokyo"], ["kansas", "ministry"]):
        terms = [stem(w) for w in words]
        assert merged.search(terms, 10) == fresh.search(terms, 10)


def test_a_saved_lexicon_loads_the_same_and_a_damaged_file_is_an_error(tmp_path: Path) -> None:
    lexicon = lexical.build(PASSAGES)
    path = tmp_path / "passages.1.bm25.npz"
    lexicon.save(path)
    loaded = lexical.load(path)
    assert loaded.vocab == lexicon.vocab
    assert loaded.search(["oil", "wheat"], 10) == lexicon.search(["oil", "wheat"], 10)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match="not a BM25 file"):
        lexical.load(path)
    with pytest.raises(OSError, match="missing"):
        lexical.load(tmp_path / "nothing.npz")


def test_a_damaged_bm25_file_is_rebuilt_from_the_database(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    path = lexicon_file(seed_copy, Store(seed_copy).generation)
    path.write_bytes(b"garbage")
    reopened = Store(seed_copy)
    assert any("BM25" in w and "rebuilt" in w for w in reopened.warnings)
    assert reopened.bm25_passages(stem_list("Pont Sondé"), 3)
    result = Answerer(Retriever(reopened, embedder)).ask("where are the forward operating bases?")
    assert "Pont Sondé" in result.answers[0].sentence


def test_an_index_from_before_the_bm25_file_is_read_then_upgraded_by_its_next_write(
    seed_copy: Path, embedder: SentenceTransformerEmbedder
) -> None:
    store = Store(seed_copy)
    generation, expected = store.generation, store.bm25_passages([stem("bases")], 5)
    lexicon_file(seed_copy, generation).unlink()
    with sqlite3.connect(seed_copy / DB_NAME) as db:  # the FTS5 tables the old store kept
        db.execute("CREATE VIRTUAL TABLE passages_fts USING fts5(title, body)")
    old = Store(seed_copy)
    assert old.bm25_passages([stem("bases")], 5) == expected
    Indexer(seed_copy, embedder).index_articles([story(1)])
    upgraded = Store(seed_copy)
    assert not upgraded.warnings
    assert lexicon_file(seed_copy, upgraded.generation).exists()
    # Another passage changes N and the mean length, so the scores, but not who matches.
    assert [p for p, _ in upgraded.bm25_passages([stem("bases")], 5)] == [p for p, _ in expected]
    assert upgraded.bm25_passages([stem("harbour")], 5)
    with sqlite3.connect(seed_copy / DB_NAME) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert "passages_fts" not in tables
    assert sorted(p.name for p in seed_copy.glob("*.bm25.npz")) == [
        lexicon_file(seed_copy, upgraded.generation).name
    ]
