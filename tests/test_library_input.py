"""What a library caller may pass to `ask`, `search` and the indexer, and the clear errors
(not AttributeError or TypeError from deep inside) for what they may not."""

from __future__ import annotations

from pathlib import Path

import pytest

import qa
from tests.conftest import SEEDS

SOURCE = "mss-haiti-kenyan-police-2025-08.txt"  # the seed's file, its source


def test_filters_and_history_may_be_dicts(seed_index: Path) -> None:
    answerer = qa.Answerer.open(seed_index)
    first = answerer.ask("where are the forward operating bases?")
    as_dicts = answerer.ask(
        "what are they improving?",
        history=[{"question": first.question}],
        filters={"source": SOURCE},
    )
    as_models = answerer.ask(
        "what are they improving?",
        history=[qa.Turn(question=first.question)],
        filters=qa.SearchFilters(source=SOURCE),
    )
    assert as_dicts == as_models and not as_dicts.no_answer
    found = answerer.retriever.search("bases", filters={"source": "nowhere"})
    assert found == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda a: a.ask(b"where are the bases?"), "question must be a string, not bytes"),
        (lambda a: a.ask(None), "question must be a string, not NoneType"),
        (lambda a: a.ask("🚀"), "no words"),
        (lambda a: a.ask("bases?", top_k="3"), "top_k must be a whole number"),
        (lambda a: a.ask("bases?", top_k=2.5), "top_k must be a whole number"),
        (lambda a: a.ask("bases?", filters={"published_after": "2025"}), "Extra inputs"),
        (lambda a: a.ask("bases?", filters="source=x"), "filters must be SearchFilters or a dict"),
        (lambda a: a.ask("and?", history="where are the bases?"), "history must be a list"),
        (lambda a: a.ask("and?", history=[None]), "history[0] must be a Turn or a dict"),
        (lambda a: a.ask("and?", history=[{"q": "x"}]), "bad history[0]"),
        (lambda a: a.retriever.search("bases", filters=[1]), "filters must be"),
    ],
)
def test_unusable_arguments_are_an_invalid_query_that_says_why(
    seed_index: Path, call: object, message: str
) -> None:
    answerer = qa.Answerer.open(seed_index)
    with pytest.raises(qa.InvalidQueryError) as raised:
        call(answerer)  # type: ignore[operator]
    assert message in str(raised.value)


def test_one_path_is_one_path_not_its_letters(
    tmp_path: Path, embedder: qa.SentenceTransformerEmbedder
) -> None:
    # A str is a sequence too: index_paths("seeds") walked "s", "e", ... and "/" the disk.
    report = qa.Indexer(tmp_path / "index", embedder).index_paths(str(SEEDS))
    assert report.added == 1 and report.failed == 0
    again = qa.Indexer(tmp_path / "index", embedder).index_paths(SEEDS)
    assert again.unchanged == 1


def test_articles_may_be_dicts_as_a_feed_gives_them(
    tmp_path: Path, embedder: qa.SentenceTransformerEmbedder
) -> None:
    records = [
        {"id": "jacmel", "title": "Jacmel", "text": "The Jacmel road reopened on Friday."},
        {"title": "no text"},
        "not a record",
    ]
    report = qa.Indexer(tmp_path / "index", embedder).index_articles(records)
    assert report.doc_ids == ["jacmel"] and report.failed == 2
    assert "text" in str(report.failures[0]) and "expected a JSON object" in str(report.failures[1])
    with pytest.raises(qa.IngestError, match="not one str"):
        qa.Indexer(tmp_path / "index", embedder).index_articles("The road reopened.")  # type: ignore[arg-type]


def test_an_index_where_a_file_is_says_so(
    tmp_path: Path, embedder: qa.SentenceTransformerEmbedder
) -> None:
    (tmp_path / "feed.jsonl").write_text("{}\n")
    with pytest.raises(qa.QAError, match="cannot write an index at .*feed.jsonl: it is a file"):
        qa.Indexer(tmp_path / "feed.jsonl", embedder).index_paths([SEEDS])
