"""Answers on the seed article, with the real model and index: quotes, spans, abstention."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from index import english
from index.embed import SentenceTransformerEmbedder
from index.errors import InvalidQueryError
from index.indexer import Indexer
from index.store import Store
from qa.answer import CALIBRATION_ONLY, CALIBRATION_ONLY_WITHOUT_LATE, TIE, Answerer, Scored
from qa.retrieve import Retriever
from qa.types import SearchFilters, Turn
from tests.conftest import SEED_ID, SEEDS, assert_cited_exactly, assert_passage_cited

QUESTIONS = {
    "where are the forward operating bases?": (
        "Pont Sondé, Downtown Port-au-Prince, and at the Haitian Police Academy"
    ),
    "who is the MSS spokesperson?": "Jack Ombaka",
    "when did the United States issue a security alert?": "August 5",
    "where did the US embassy urge its citizens to avoid?": "Port-au-Prince, Tabarre",
    "what is the MSS guarding?": "key national infrastructure",
    # the quotation, not "said in a statement"
    "what did Ombaka say?": "Despite the continued threat of gang violence, our collaboration",
    "which exams were completed?": "National Secondary IV (NS4)",  # not "(NS4": brackets close
}


def test_forward_operating_bases_question_quotes_the_right_sentence(answerer: Answerer) -> None:
    result = answerer.ask("where are the forward operating bases?")
    assert not result.no_answer
    top = result.answers[0]
    for place in ("Pont Sondé", "Downtown Port-au-Prince", "Haitian Police Academy"):
        assert place in top.sentence and place in top.text
    assert top.citation.doc_id == SEED_ID
    assert top.text == "Pont Sondé, Downtown Port-au-Prince, and at the Haitian Police Academy"
    assert_cited_exactly(result, answerer.retriever.store)


@pytest.mark.parametrize(("question", "expected"), QUESTIONS.items())
def test_seed_questions_get_short_exact_answers(
    answerer: Answerer, question: str, expected: str
) -> None:
    result = answerer.ask(question)
    assert not result.no_answer
    assert result.answers[0].text.startswith(expected)
    assert 0.0 <= result.answers[0].score <= 1.0
    assert_cited_exactly(result, answerer.retriever.store)


@pytest.mark.parametrize(
    "question",
    [
        "what is the capital of France?",
        "how do I bake sourdough bread?",
        "who won the 2018 football world cup?",
        "who is the president of Kenya?",
    ],
)
def test_questions_the_article_does_not_answer_get_no_answer(
    answerer: Answerer, question: str
) -> None:
    result = answerer.ask(question)
    assert result.no_answer and result.answers == []
    assert result.related, "the nearest passages are still listed"
    assert_cited_exactly(result, answerer.retriever.store)


def test_follow_up_question_is_resolved_from_history(answerer: Answerer) -> None:
    history = [Turn(question="where are the forward operating bases?")]
    result = answerer.ask("what are they improving?", history=history)
    assert result.answers[0].text.startswith("patrol reach, cutting response times")
    assert result.question == "what are they improving?"
    assert result.resolved_question == "what are the forward operating bases improving?"
    assert_cited_exactly(result, answerer.retriever.store)
    # Alone, "who set them up?" has one word to match and gets no answer; read as a
    # follow-up it is answered from the sentence that names the bases.
    assert answerer.ask("who set them up?").no_answer
    followed = answerer.ask("who set them up?", history=history)
    assert "Forward Operating Bases" in followed.answers[0].sentence
    assert answerer.ask("where are the bases?").resolved_question is None


def test_a_bare_question_word_is_answered_as_the_last_question_asked_that_way(
    answerer: Answerer,
) -> None:
    # "when?" alone has nothing to match: it got no answer.
    first = answerer.ask("who issued a security alert?", top_k=1)
    history = [Turn(question=first.question, answer=first.answers[0].text)]
    assert answerer.ask("when?").no_answer
    when = answerer.ask("when?", history=history, top_k=1)
    assert when.resolved_question is not None and when.resolved_question.startswith("when ")
    assert when.answers[0].text == "August 5"
    assert_cited_exactly(when, answerer.retriever.store)
    gangs = [Turn(question="what did the gangs try to overrun?")]
    where = answerer.ask("and where?", history=gangs, top_k=1)
    assert where.resolved_question == "where did the gangs try to overrun?"
    # The places the gangs tried to overrun, or one of them.
    places, text = "Telesco area and the Savien Police Station in Pont Sondé", where.answers[0].text
    assert text in places and any(name in text for name in ("Telesco", "Savien", "Pont Sondé"))


def test_search_returns_cited_passages_best_first(answerer: Answerer) -> None:
    passages = answerer.retriever.search("forward operating bases", top_k=3)
    assert "Forward Operating Bases" in passages[0].text
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    store: Store = answerer.retriever.store
    for p in passages:
        assert_passage_cited(p, store)


def test_filters_restrict_to_matching_articles(answerer: Answerer) -> None:
    result = answerer.ask(
        "where are the forward operating bases?", filters=SearchFilters(source="some-other-paper")
    )
    assert result.no_answer and result.related == []
    kept = answerer.ask(
        "where are the forward operating bases?",
        filters=SearchFilters(source="mss-haiti-kenyan-police-2025-08.txt"),
    )
    assert not kept.no_answer


@pytest.mark.parametrize("question", ["", "   \n\t", "x" * 100_000])
def test_empty_and_huge_questions_are_refused_clearly(answerer: Answerer, question: str) -> None:
    with pytest.raises(InvalidQueryError, match="empty|limit"):
        answerer.ask(question)


def test_a_question_that_is_not_unicode_text_is_refused_clearly(answerer: Answerer) -> None:
    # A lone surrogate: what a JSON escape cut in half, or an undecodable byte of a command
    # line argument, leaves in a str. Neither the model nor spaCy can read it.
    for question in ("where are the \ud83d bases?", "bases \udcff"):
        with pytest.raises(InvalidQueryError, match="lone surrogate"):
            answerer.ask(question)
        with pytest.raises(InvalidQueryError, match="lone surrogate"):
            answerer.retriever.search(question)


def test_filters_are_checked_when_made() -> None:
    assert SearchFilters(published_from="20250801").published_from == "2025-08-01"
    with pytest.raises(ValueError, match="not an ISO date"):
        SearchFilters(published_to="August 2025")
    with pytest.raises(ValueError, match="is after published_to"):
        SearchFilters(published_from="2025-09-01", published_to="2025-08-01")
    with pytest.raises(ValueError, match="Extra inputs"):
        SearchFilters(published_after="2025-08-01")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="lone surrogate"):
        SearchFilters(source="\ud83d")


def test_top_k_is_validated(answerer: Answerer) -> None:
    with pytest.raises(InvalidQueryError, match="top_k"):
        answerer.ask("where are the bases?", top_k=0)


def test_sentence_weights_given_are_the_ones_used(answerer: Answerer) -> None:
    mine = {"bias": -1.0, "dense": 4.0}
    custom = Answerer(answerer.retriever, weights=mine, tagger=answerer.tagger)
    assert custom.weights is mine
    # Without token vectors the calibrated weights that never saw them are used.
    no_late = Answerer(answerer.retriever, late=0, tagger=answerer.tagger)
    assert "maxsim" not in no_late.weights and "maxsim" in answerer.weights
    assert not no_late.ask("who is the MSS spokesperson?").no_answer


@pytest.mark.parametrize(
    ("answered", "unanswerable"),
    [
        (
            "when did the United States issue a security alert?",
            "when did the United States issue a security alert in 2019?",
        ),
        ("who is the MSS spokesperson?", "who is not the MSS spokesperson?"),
        # The seed counts no officers; it lists the bases, and that answers how many.
        (
            "how many forward operating bases have been established?",
            "how many Kenyan police officers are in Haiti?",
        ),
    ],
)
def test_a_question_asking_what_the_article_never_says_gets_no_answer(
    answerer: Answerer, answered: str, unanswerable: str
) -> None:
    # The seed writes no 2019, negates nothing and counts no officers: the same question
    # otherwise is answered.
    assert not answerer.ask(answered).no_answer
    result = answerer.ask(unanswerable)
    assert result.no_answer and result.answers == []


def test_answers_are_the_same_when_asked_from_many_threads_at_once(
    seed_index: Path, embedder: SentenceTransformerEmbedder
) -> None:
    """The service answers from a thread pool: caches, stemmer and spaCy are shared."""
    from qa.retrieve import Retriever

    # Words never seen before, so the stemmer and every memo miss while threads race.
    questions = [f"{q} operationalizingly{n}" for n in range(6) for q in QUESTIONS]

    def answers(answerer: Answerer, threads: int) -> list[tuple[str, ...]]:
        with ThreadPoolExecutor(threads) as pool:
            results = list(pool.map(answerer.ask, questions))
        return [tuple(a.text for a in r.answers) for r in results]

    concurrent = answers(Answerer(Retriever(Store(seed_index), embedder)), 8)
    serial = answers(Answerer(Retriever(Store(seed_index), embedder)), 1)
    assert concurrent == serial


def test_the_ranking_leaves_out_what_only_the_calibration_adds(answerer: Answerer) -> None:
    # "2019" is in no article: the answerability evidence is on, and the candidates are
    # ranked without what the calibration alone adds for it (CALIBRATION_ONLY).
    scored = candidates(answerer, "how many Kenyan officers arrived in Haiti in 2019?")
    assert any(s.features.get("numbers") for s in scored), "the test needs the evidence on"
    assert [s.rank for s in scored] == sorted((s.rank for s in scored), reverse=True)
    for s in scored:
        only = CALIBRATION_ONLY if "maxsim" in s.features else CALIBRATION_ONLY_WITHOUT_LATE
        added = sum(v * s.features.get(k, 0.0) for k, v in only.items())
        assert math.log(s.score / (1 - s.score)) == pytest.approx(s.rank + added, abs=1e-6)


def test_the_best_ranked_candidates_article_answers_or_none_does(answerer: Answerer) -> None:
    row = answerer.retriever.store.sentences([1])[1]

    def candidate(doc_id: str, rank: float, score: float) -> Scored:
        text = f"The mission opened bases in the north ({doc_id}, {rank}, {score})."
        return Scored(dataclasses.replace(row, doc_id=doc_id), score, {}, text, rank)

    question = "what did the mission open?"
    lead, lesser = candidate("a", 3.0, 0.1), candidate("b", 1.0, 0.9)
    assert answerer._choose(question, [lead, lesser], 3) == [], "a lesser match elsewhere"
    tie = candidate("c", 3.0 - TIE, 0.9)  # as good, to the ranking
    assert answerer._choose(question, [lead, tie, lesser], 3) == [tie, lesser]
    negates = candidate("a", 2.0, 0.8)  # the lead's article's sentence that clears it
    assert answerer._choose(question, [lead, negates, lesser], 3) == [negates, lesser]
    lead = candidate("a", 3.0, answerer.threshold)
    assert answerer._choose(question, [lead, lesser], 3) == [lead, lesser]


def answerer_over(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, files: dict[str, str]
) -> Answerer:
    """An answerer over a new index of these article files (name: text)."""
    articles = tmp_path / "articles"
    articles.mkdir()
    for name, text in files.items():
        (articles / name).write_text(text, encoding="utf-8")
    Indexer(tmp_path / "index", embedder).index_paths([articles])
    return Answerer(Retriever(Store(tmp_path / "index"), embedder))


def test_a_story_filed_twice_gives_its_sentence_once(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    seed = (SEEDS / f"{SEED_ID}.txt").read_text(encoding="utf-8")
    answerer = answerer_over(
        tmp_path,
        embedder,
        {"first.txt": seed, "refiled.txt": seed + "\nThis story was filed again.\n"},
    )
    result = answerer.ask("where are the forward operating bases?", top_k=3)
    sentences = [a.sentence for a in result.answers]
    assert len(sentences) == len(set(sentences)) >= 1
    assert "Pont Sondé" in sentences[0]
    assert {a.citation.doc_id for a in result.answers} <= {"first", "refiled"}


def test_a_how_many_question_passes_over_the_best_sentence_when_it_counts_nothing(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    text = (
        "Kenyan police officers are in Haiti under the Multinational Security Support mission.\n"
        "Kenya has deployed 400 officers so far, the ministry said.\n"
    )
    answerer = answerer_over(tmp_path, embedder, {"officers.txt": text})
    question = "how many Kenyan police officers are in Haiti?"
    scored = answerer.score(*[answerer.retriever.prepare(question)] * 2, [])
    assert "400" not in scored[0].text, "the test needs a best sentence that counts nothing"
    result = answerer.ask(question, top_k=1)
    assert [a.text for a in result.answers] == ["400"]
    assert_cited_exactly(result, answerer.retriever.store)


def test_a_word_with_a_soft_hyphen_in_it_matches_the_word_as_typed(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    # Text taken from web pages often holds soft hyphens (&shy;): the words were split in
    # two, and the seed's "UN mission" answered instead.
    seed = (SEEDS / f"{SEED_ID}.txt").read_text(encoding="utf-8")
    shy = "The Ken\u00adyan po\u00adlice commander Godfrey Otunge leads the mis\u00adsion."
    answerer = answerer_over(tmp_path, embedder, {"seed.txt": seed, "shy.txt": shy})
    result = answerer.ask("who is the Kenyan police commander?", top_k=1)
    assert [(a.text, a.citation.doc_id) for a in result.answers] == [("Godfrey Otunge", "shy")]
    assert result.answers[0].sentence == shy


def test_invisible_characters_leave_the_parse_and_the_span_as_without_them(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    # spaCy read "soft\u00adware" as an adjective and "Motorola.\u200b" as one token with
    # no entity, so the span was "radio net\u00adwork".
    text = (
        "The mission\u2019s budget was cut by the United Nations. The soft\u00adware"
        " con\u00adtract for the radio net\u00adwork went to Motorola.\u200b The airport"
        " reopened after the pro\u00adtests.\n"
    )
    answerer = answerer_over(tmp_path, embedder, {"budget.txt": text})
    result = answerer.ask("who got the software contract?", top_k=1)
    assert [a.text for a in result.answers] == ["Motorola"]
    answer = result.answers[0]
    assert text[answer.citation.start : answer.citation.end] == "Motorola"
    assert answer.sentence.startswith("The soft\u00adware con\u00adtract")


def test_who_a_he_did_it_is_the_person_named_the_sentence_before(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (
        "Texaco names new chairman\n\n"
        "Texaco said on Friday that Alfred DeCrane would take over its board in May. "
        "He succeeds John McKinley as chairman of the oil company, a post he has held since "
        "1980. The company's shares rose 2 dlrs.\n"
    )
    answerer = answerer_over(tmp_path, embedder, {"texaco.txt": text})
    assert answerer.spans is not None
    parsed: list[str] = []
    prepare = answerer.spans.prepare

    def spy(question: str, sentences: list[str]) -> None:
        parsed.extend(sentences)
        prepare(question, sentences)

    monkeypatch.setattr(answerer.spans, "prepare", spy)
    result = answerer.ask("Who succeeds John McKinley as chairman?", top_k=1)
    answer = result.answers[0]
    assert answer.text == "Alfred DeCrane"
    assert not any(s.startswith("He succeeds") for s in parsed)  # no span model asked: no parse
    # The quote holds the sentence that names him and the one that answers, verbatim.
    assert answer.sentence.startswith("Texaco said on Friday that Alfred DeCrane")
    assert answer.sentence.endswith("a post he has held since 1980.")
    assert_cited_exactly(result, answerer.retriever.store)
    # Asked about someone the question names, the pronoun is not them: no such rewrite.
    other = answerer.ask("Who did Alfred DeCrane succeed as chairman?", top_k=1)
    assert other.answers[0].text != "Alfred DeCrane"


def test_which_company_it_is_is_the_company_named_up_to_three_sentences_before(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    text = (
        "Acme closes plants\n\n"
        "Acme Robotics Corp said on Tuesday it would close two plants in Ohio. "
        "The plants employ 400 people. "
        "It said it expects a first-quarter loss of 12 mln dlrs from the closures.\n"
    )
    answerer = answerer_over(tmp_path, embedder, {"acme.txt": text})
    result = answerer.ask("Which company expects a first-quarter loss?", top_k=1)
    answer = result.answers[0]
    assert answer.text == "Acme Robotics Corp"
    assert answer.sentence.startswith("Acme Robotics Corp said on Tuesday")
    assert answer.sentence.endswith("from the closures.")
    assert_cited_exactly(result, answerer.retriever.store)


def test_stored_analyses_give_the_answers_spacy_gives_and_spare_it_the_sentences(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    questions = [*QUESTIONS, "who succeeds John McKinley as chairman?", "what did Texaco say?"]
    texaco = (
        "Texaco names new chairman\n\n"
        "Texaco said on Friday that Alfred DeCrane would take over its board in\nMay. "
        "He succeeds John McKinley as chairman of the oil company, a post he has held since "
        "1980.\n"
    )
    results = {}
    for analyses in (False, True):
        articles = tmp_path / f"articles-{analyses}"
        articles.mkdir()
        (articles / "texaco.txt").write_text(texaco, encoding="utf-8")
        (articles / "seed.txt").write_text(
            (SEEDS / f"{SEED_ID}.txt").read_text(encoding="utf-8"), encoding="utf-8"
        )
        Indexer(tmp_path / f"index-{analyses}", embedder, analyses=analyses).index_paths([articles])
        answerer = Answerer(Retriever(Store(tmp_path / f"index-{analyses}"), embedder))
        read: list[str] = []
        for pipeline in (english.parser(), english.recogniser()):
            monkeypatch.setattr(pipeline, "pipe", spy_on(pipeline.pipe, read))
        results[analyses] = [answerer.ask(q).model_dump() for q in questions]
        monkeypatch.undo()
        if analyses:  # spaCy read the questions, and nothing else
            assert set(read) <= {english.flat(q) for q in questions}
        else:
            assert not set(read) <= {english.flat(q) for q in questions}
    assert results[True] == results[False]


def spy_on(pipe: Callable[..., list[Any]], read: list[str]) -> Callable[..., list[Any]]:
    def spy(texts: Iterable[str], batch_size: int = 256) -> list[Any]:
        texts = list(texts)
        read.extend(texts)
        return pipe(texts, batch_size)

    return spy


def candidates(answerer: Answerer, question: str) -> list[Scored]:
    """Every candidate sentence of the question, scored, with its features."""
    query = answerer.retriever.prepare(question)
    return answerer.score(query, query, answerer.retriever.retrieve(query, answerer.passages))


def test_the_sentence_naming_what_a_which_question_asks_for_is_scored_so(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    text = (
        "Jacksonville grows\n\n"
        "Jacksonville is the most populous city in Florida and lies on the St. Johns River. "
        "It is the county seat of Duval County, with which its government merged in 1968. "
        "The county has a port and two naval bases.\n"
    )
    answerer = answerer_over(tmp_path, embedder, {"jacksonville.txt": text})
    question = "In which county does Jacksonville reside?"
    scored = candidates(answerer, question)
    focus = {s.text.split()[0]: s.features["focus"] for s in scored}
    # "Duval County": the asked-for noun after a word the question lacks; "The county" and
    # a sentence with no county at all are not.
    assert focus == {"Jacksonville": 0.0, "It": 1.0, "The": 0.0}
    assert answerer.weights["focus"] > 0 and answerer.first_weights["focus"] > 0


def test_a_sentence_gets_credit_for_the_question_words_its_article_s_title_names(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    files = {
        "mechtron.txt": (
            "MECHTRON INTERNATIONAL CORP YEAR NET\n\n"
            "Shr three cts vs 80 cts. Net profit 46,000 dlrs vs 1,220,000 dlrs. "
            "Revs 11.5 mln dlrs vs 13.0 mln dlrs.\n"
        ),
        "other.txt": (
            "Grain markets steady\n\n"
            "Wheat futures were steady in slow trade, dealers said. "
            "Net profit margins of millers held up in the year.\n"
        ),
    }
    answerer = answerer_over(tmp_path, embedder, files)
    scored = candidates(answerer, "What was Mechtron's net profit for the year?")
    by_doc: dict[str, list[dict[str, float]]] = {}
    for s in scored:
        by_doc.setdefault(s.sentence.doc_id, []).append(s.features)
    # The table never names the company; its title does.
    assert all(f["title"] > f["lexical"] for f in by_doc["mechtron"])
    assert all(f["title"] == f["lexical"] for f in by_doc["other"])
    assert answerer.weights["title"] > 0 and answerer.first_weights["title"] > 0


def test_a_sentence_of_an_article_that_never_writes_a_name_the_question_has_is_marked(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    files = {
        "normans.txt": (
            "The Normans\n\n"
            "Emma, sister of Duke Richard II of Normandy, married King Ethelred II of England. "
            "Ethelred fled to Normandy in 1013.\n"
        ),
    }
    answerer = answerer_over(tmp_path, embedder, files)
    for question, missing in (("Who did Emma marry?", 0.0), ("Who did Gisela marry?", 1.0)):
        scored = candidates(answerer, question)
        assert scored and all(s.features["names"] == missing for s in scored), question
    assert answerer.weights["names"] < 0 and answerer.first_weights["names"] < 0


def test_a_negated_question_prefers_the_sentence_that_says_what_did_not_happen(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    text = (
        "The Mongol invasion\n\n"
        "Over three years the Mongols destroyed the major cities of Eastern Europe. "
        "Novgorod and Pskov were not destroyed, as the army turned back.\n"
    )
    answerer = answerer_over(tmp_path, embedder, {"mongols.txt": text})
    scored = candidates(answerer, "Which cities were not destroyed by the Mongols?")
    flags = {s.text.split()[0]: s.features["unnegated"] for s in scored}
    assert flags == {"Over": 1.0, "Novgorod": 0.0}
    assert scored[0].text.startswith("Over"), "ranked first, and belied by the question"
    result = answerer.ask("Which cities were not destroyed by the Mongols?", top_k=1)
    assert [a.text for a in result.answers][0].startswith("Novgorod")
    plain = candidates(answerer, "Which cities did the Mongols destroy?")
    assert all(s.features["unnegated"] == 0.0 for s in plain)  # only a negated question
    assert answerer.weights["unnegated"] < 0 and answerer.first_weights["unnegated"] < 0
