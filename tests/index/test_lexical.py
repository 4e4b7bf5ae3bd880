"""BM25 postings: FTS5's scores, saved per generation, kept up to date by the writer, and
rebuilt from the database when their file is damaged or from before they existed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


WORDS = ["oil", "wheat", "tokyo", "bank", "rate", "ship", "crude", "ministry", "harvest"]


def postings(lexicon: lexical.Lexicon) -> set[tuple[str, int, float]]:
    return {
        (lexicon.vocab[t], int(p), float(f))
        for t, p, f in zip(lexicon.term, lexicon.pid, lexicon.freq, strict=True)
    }


@settings(max_examples=60, deadline=None)
@given(
    base=st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6), max_size=8),
    added=st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6), max_size=4),
    removed=st.sets(st.integers(0, 12)),
    first_id=st.sampled_from([0, 2**40, 2**60]),  # the last: no single sort key holds both
    interleaved=st.booleans(),  # new ids between old ones, not all above them
)
def test_merging_changes_into_the_postings_gives_what_sorting_them_all_does(
    base: list[list[str]],
    added: list[list[str]],
    removed: set[int],
    first_id: int,
    interleaved: bool,
) -> None:
    """A writer's changes are merged into the sorted postings, not sorted again with them:
    the same postings, vocabulary and passages as a fresh build, in (term, passage) order."""
    old = [(first_id + 2 * i, "", " ".join(words)) for i, words in enumerate(base)]
    start, step = (first_id + 1, 2) if interleaved else (first_id + 100, 1)
    new = [(start + step * i, "", " ".join(words)) for i, words in enumerate(added)]
    changes = lexical.LexiconChanges()
    for pid, title, body in new:
        changes.add(pid, title, body)
    gone = {first_id + r for r in removed}
    changes.remove(gone)
    merged = changes.apply(lexical.build(old))
    fresh = lexical.build([p for p in old + new if p[0] not in gone])
    assert postings(merged) == postings(fresh)
    assert sorted(merged.vocab) == sorted(fresh.vocab)
    assert list(merged.pids) == list(fresh.pids) and list(merged.lengths) == list(fresh.lengths)
    keys = list(zip(merged.term.tolist(), merged.pid.tolist(), strict=True))
    assert keys == sorted(keys)
    for word in WORDS:
        assert merged.search([stem(word)], 20) == fresh.search([stem(word)], 20)
        assert merged.document_frequency(stem(word)) == fresh.document_frequency(stem(word))


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
    path = lexicon_file(seed_copy, Store(seed_copy).vectors_base)
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


def every_match_reference(
    lexicon: lexical.Lexicon, terms: list[str], k: int
) -> list[tuple[int, float]]:
    """BM25 the plain way: every posting of every term read, then the best k."""
    n = len(lexicon.pids)
    scores: dict[int, float] = {}
    for term in dict.fromkeys(terms):
        row = lexicon.vocab.index(term) if term in lexicon.vocab else None
        if row is None:
            continue
        lo, hi = int(lexicon._starts[row]), int(lexicon._starts[row + 1])
        idf = max(lexical.math.log((n - (hi - lo) + 0.5) / ((hi - lo) + 0.5)), lexical.MIN_IDF)
        for doc, sat in zip(lexicon._doc[lo:hi], lexicon._saturated[lo:hi], strict=True):
            pid = int(lexicon.pids[doc])
            scores[pid] = scores.get(pid, 0.0) + float(idf * sat)  # float32, as stored
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    size=st.integers(1, 600),
    query=st.lists(st.integers(0, 59), min_size=1, max_size=7),
    k=st.sampled_from([1, 3, 10, 50]),
)
def test_the_top_k_are_the_best_scores_with_ties_to_the_lower_id(
    seed: int, size: int, query: list[int], k: int
) -> None:
    rng = lexical.np.random.default_rng(seed)
    # Zipf-like words: a few in most passages, most in a few, as in news.
    words = [f"w{i}" for i in range(60)]
    weights = 1.0 / lexical.np.arange(1, 61)
    passages = [
        (pid, "", " ".join(rng.choice(words, size=rng.integers(3, 30), p=weights / weights.sum())))
        for pid in range(1, size + 1)
    ]
    lexicon = lexical.build(passages)
    terms = [stem(words[q]) for q in query]
    found = lexicon.search(terms, k)
    expected = every_match_reference(lexicon, terms, k)
    assert [p for p, _ in found] == [p for p, _ in expected]
    assert [s for _, s in found] == pytest.approx([s for _, s in expected], rel=1e-12)


def test_a_story_filed_many_times_is_found_under_its_first_ids() -> None:
    # Wire stories are filed again under new ids; their passages tie, and the k best are
    # the lowest ids, not whichever the selection happened to leave at the cut.
    story = "Bahia cocoa crop estimates were cut again."
    passages = [(pid, "Cocoa", story) for pid in range(1, 301)]
    passages += [(500, "Other", "Cocoa prices rose.")]
    found = lexical.build(passages).search([stem("bahia"), stem("cocoa")], 10)
    assert [p for p, _ in found] == list(range(1, 11))


def test_the_floor_under_the_kth_score_never_drops_one_of_the_best() -> None:
    # A rare word sets the floor; passages holding only the common word score below it,
    # and passages with both, or with the rare word twice, rank above.
    rng = lexical.np.random.default_rng(7)
    passages = [
        (pid, "", " ".join(["market"] * int(rng.integers(1, 4)) + ["cocoa"] * (pid % 7 == 0)))
        for pid in range(1, 2001)
    ]
    lexicon = lexical.build(passages)
    terms = [stem("cocoa"), stem("market")]
    spans = lexicon._spans(terms)
    assert len(spans) == 2
    scores = lexical.np.zeros(len(lexicon), dtype=lexical.np.float64)
    for lo, hi in spans:
        scores[lexicon._doc[lo:hi]] += 1.0
    assert lexicon._floor(scores, spans, 10) > 0  # the pruned path is the one tested
    for k in (1, 10, 100, 400):
        found, expected = lexicon.search(terms, k), every_match_reference(lexicon, terms, k)
        assert [p for p, _ in found] == [p for p, _ in expected]
        assert [s for _, s in found] == pytest.approx([s for _, s in expected], rel=1e-12)
