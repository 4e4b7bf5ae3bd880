"""The retriever keeps recent questions' embeddings: a question asked again costs no model
run, and gets the same passages as the first time."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from index.document import Article
from index.embed import Vectors
from index.errors import ModelLoadError
from index.indexer import Indexer
from index.store import Store
from qa.retrieve import Query, Retriever
from qa.terms import other_forms, spelling_forms, stem, stems, verb_forms
from qa.types import SearchFilters
from tests.fakes import CountingEmbedder, HashingEmbedder


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    articles = [
        Article(doc_id="a", title="Port", text="The convoy reached the port on Monday."),
        Article(doc_id="b", title="Road", text="The road north of the town was closed."),
    ]
    Indexer(tmp_path / "index", HashingEmbedder()).index_articles(articles)
    return Store(tmp_path / "index")


def test_a_question_asked_again_is_not_embedded_again(store: Store) -> None:
    counting = CountingEmbedder()
    retriever = Retriever(store, counting)
    first = retriever.search("When did the convoy reach the port?")
    again = retriever.search("When did the convoy reach the port?")
    assert counting.asked == [["When did the convoy reach the port?"]]
    assert again == first and first[0].citation.doc_id == "a"
    query = retriever.prepare("When did the convoy reach the port?")
    with pytest.raises(ValueError):  # shared by every Query of the text: nobody may change it
        query.vector[0] = 1.0


def test_the_memo_keeps_only_the_latest_questions(store: Store) -> None:
    counting = CountingEmbedder()
    retriever = Retriever(store, counting, memo_size=2)
    for question in ("convoy?", "road?", "convoy?", "town?", "road?"):
        retriever.prepare(question)
    # "convoy?" was used again before "town?" came, so "road?" was the one dropped.
    assert [call[0] for call in counting.asked] == ["convoy?", "road?", "town?", "road?"]
    assert len(retriever._memo) == 2
    np.testing.assert_array_equal(
        retriever.prepare("town?").vector, HashingEmbedder().embed(["town?"])[0]
    )


class _ThreadNoting(CountingEmbedder):
    """Records which thread ran the model, and waits until `meanwhile` has started."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[str] = []
        self.started = threading.Event()

    def embed(self, texts: Sequence[str]) -> Vectors:
        assert self.started.wait(timeout=10), "the model ran before `meanwhile`, not beside it"
        self.threads.append(threading.current_thread().name)
        return super().embed(texts)


def test_meanwhile_runs_on_the_asking_thread_while_the_model_embeds_on_another(
    store: Store,
) -> None:
    noting = _ThreadNoting()
    retriever = Retriever(store, noting)
    seen: list[tuple[str, str]] = []

    def meanwhile(text: str) -> None:
        seen.append((text, threading.current_thread().name))
        noting.started.set()

    query = retriever.prepare("  When did the convoy reach the port?\n", meanwhile)
    assert seen == [("When did the convoy reach the port?", threading.current_thread().name)]
    assert noting.threads and noting.threads[0] != threading.current_thread().name
    plain = Retriever(store, HashingEmbedder()).prepare("When did the convoy reach the port?")
    np.testing.assert_array_equal(query.vector, plain.vector)
    assert query.idf == plain.idf and query.text == plain.text
    # Asked again, the memo answers and the model does not run.
    retriever.prepare("When did the convoy reach the port?", meanwhile)
    assert len(noting.asked) == 1


def test_a_model_error_on_the_helper_thread_reaches_the_caller(store: Store) -> None:
    class Broken(HashingEmbedder):
        def embed(self, texts: Sequence[str]) -> Vectors:
            raise ModelLoadError("the model is gone")

    with pytest.raises(ModelLoadError, match="gone"):
        Retriever(store, Broken()).prepare("convoy?", lambda text: None)


def test_the_nearest_sentences_are_searched_beside_the_caller_unless_filtered(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    retriever = Retriever(store, HashingEmbedder())
    query = retriever.prepare("When did the convoy reach the port?")
    exact = store.dense_sentences(query.vector, 5)
    threads: list[str] = []
    search = store.dense_sentences

    def noting(*args: object, **kwargs: object) -> list[tuple[int, float]]:
        threads.append(threading.current_thread().name)
        return search(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "dense_sentences", noting)
    assert retriever.nearest_sentences(query, 5).result(timeout=10) == exact
    assert threads[-1] != threading.current_thread().name  # a helper thread's
    # With a filter the store reads the database: on the caller's thread, in its snapshot.
    found = retriever.nearest_sentences(query, 5, SearchFilters(source="nowhere"))
    assert found.done() and found.result() == []
    assert threads[-1] == threading.current_thread().name
    # A store whose snapshot is one connection's searches on the caller's thread too.
    monkeypatch.setattr(store, "parallel_dense", False)
    assert retriever.nearest_sentences(query, 5).result() == exact
    assert threads[-1] == threading.current_thread().name


def test_a_verb_counts_in_its_other_forms() -> None:
    # Porter keeps "led" apart from "leads" and "bought" from "buys"; the spaCy model's
    # table of irregular verbs joins them, both ways.
    forms = verb_forms()
    assert "led" in forms["lead"] and "lead" in forms["led"]
    assert stem("buy") in forms["bought"] and stem("sell") in forms["sold"]
    vector = np.zeros(4, dtype=np.float32)
    leads = Query("who leads the MSS?", vector, {"lead": 2.0, "mss": 1.0})
    assert leads.coverage(stems("The MSS, largely led by Kenyan police, thanked them.")) == 1.0
    assert leads.coverage(stems("The MSS thanked them.")) == pytest.approx(1 / 3)
    assert leads.coverage(stems("The MSS thanked them."), stems("It is Kenyan-led.")) == 1.0
    bought = Query("who bought mortgages?", vector, {stem("bought"): 1.0, stem("mortgages"): 1.0})
    assert bought.coverage(stems("Fannie Mae buys mortgages from lenders.")) == 1.0
    assert bought.coverage(stems("Fannie Mae sells mortgages.")) == 0.5
    # BM25 looks for them too.
    assert set(bought.terms()) >= {stem("bought"), stem("buy"), stem("mortgages")}


def test_a_word_counts_in_its_other_spelling() -> None:
    # British and American spellings, both ways; a word spelt one way only has no entry.
    forms = spelling_forms()
    assert stem("color") in forms[stem("colour")] and stem("colour") in forms[stem("color")]
    assert stem("programme") in forms[stem("program")] and stem("labour") in forms["labor"]
    assert stem("police") not in forms
    # Merged with a verb's other forms, which keep theirs.
    assert "led" in other_forms()["lead"] and stem("defence") in other_forms()[stem("defense")]
    vector = np.zeros(4, dtype=np.float32)
    labor = Query("what did labor promise?", vector, {"labor": 2.0, stem("promise"): 1.0})
    assert labor.coverage(stems("Labour promised to cut taxes.")) == 1.0
    assert stem("labour") in labor.terms()


def test_bm25_finds_a_word_in_its_other_spelling(tmp_path: Path) -> None:
    articles = [
        Article(doc_id="uk", title="Defence", text="The defence budget will grow, Labour said."),
        Article(doc_id="other", title="Budget", text="The budget will grow, they said."),
    ]
    Indexer(tmp_path / "index", HashingEmbedder()).index_articles(articles)
    retriever = Retriever(Store(tmp_path / "index"), HashingEmbedder(), mode="bm25")
    found = retriever.search("What did the labor party say about the defense budget?")
    assert [p.citation.doc_id for p in found] == ["uk", "other"]


def test_bm25_finds_a_verb_in_its_other_form(tmp_path: Path) -> None:
    articles = [
        Article(
            doc_id="led", title="Haiti", text="The mission, led by Kenyan police, thanked them."
        ),
        Article(doc_id="other", title="Haiti", text="The mission patrols the capital."),
    ]
    Indexer(tmp_path / "index", HashingEmbedder()).index_articles(articles)
    retriever = Retriever(Store(tmp_path / "index"), HashingEmbedder(), mode="bm25")
    found = retriever.search("Who leads the mission?")
    # Both hold "mission"; only "led" holds "leads", and the shorter passage would win
    # without it.
    assert [p.citation.doc_id for p in found] == ["led", "other"]
