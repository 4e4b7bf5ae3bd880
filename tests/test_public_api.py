"""The library surface is declared once, in qa/__init__.py."""

import qa

PUBLIC = {
    "Answer",
    "Answerer",
    "Article",
    "AskResult",
    "Citation",
    "DEFAULT_MODEL",
    "DocumentNotFoundError",
    "Embedder",
    "IndexCorruptError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexReport",
    "IndexWriteError",
    "Indexer",
    "IngestError",
    "InvalidQueryError",
    "ModelLoadError",
    "ModelMismatchError",
    "Passage",
    "QAError",
    "Retriever",
    "SearchFilters",
    "SentenceTransformerEmbedder",
    "Store",
    "Turn",
    "freeze_loaded",
    "one_blas_thread",
}


def test_all_is_exactly_the_public_api_and_sorted() -> None:
    assert set(qa.__all__) == PUBLIC
    assert qa.__all__ == sorted(qa.__all__)
    for name in qa.__all__:
        assert getattr(qa, name) is not None


def test_library_example_from_the_readme_runs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import SEEDS

    qa.Indexer(tmp_path / "idx", qa.SentenceTransformerEmbedder()).index_paths([SEEDS])
    answerer = qa.Answerer.open(tmp_path / "idx")
    result = answerer.ask("where are the forward operating bases?")
    assert "Haitian Police Academy" in result.answers[0].text
