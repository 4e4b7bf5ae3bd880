"""For any text, every sentence, passage and answer maps back to its exact characters."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.chunk import chunk
from qa.span import find_span

ALPHABET = st.sampled_from(
    list("abc XYZ.,;!?“”\"'’()-\n\r\t")
    + ["U.S.", "é", "🙂", "  ", "\r\n", "Mr. ", "Also Read: ", "\u00a0"]
)
TEXTS = st.lists(ALPHABET, max_size=300).map("".join) | st.text(max_size=400)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(TEXTS)
def test_sentences_and_passages_are_exact_ordered_slices(text: str) -> None:
    result = chunk(text, size=3, overlap=1)
    previous_end = 0
    for start, end in result.sentences:
        assert 0 <= start < end <= len(text)
        assert start >= previous_end  # in order, never overlapping
        assert text[start:end].strip() == text[start:end]
        previous_end = end
    for p in result.passages:
        assert p.start == result.sentences[p.first][0]
        assert p.end == result.sentences[p.last][1]
        assert p.first <= p.last


@settings(max_examples=300, deadline=None)
@given(question=st.text(max_size=80), sentence=TEXTS)
def test_answer_spans_lie_inside_their_sentence(question: str, sentence: str) -> None:
    found = find_span(question, sentence)
    assert 0 <= found.start <= found.end <= len(sentence)


def test_a_very_long_run_with_no_punctuation_is_cut_into_sentences_at_spaces() -> None:
    text = " ".join(["word"] * 5000)
    result = chunk(text)
    assert len(result.sentences) == 25  # 24,999 characters, 999 or fewer a piece
    assert all(text[s:e] == " ".join(["word"] * ((e - s + 1) // 5)) for s, e in result.sentences)
    assert result.sentences[0][0] == 0 and result.sentences[-1][1] == len(text)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    text=TEXTS.filter(lambda t: any(c.isalnum() for c in t)),
    question=st.text(min_size=1, max_size=60),
)
def test_answers_on_any_text_keep_both_citation_invariants(text: str, question: str) -> None:
    import tempfile

    from index.document import Article
    from index.errors import InvalidQueryError
    from index.indexer import Indexer
    from index.store import Store
    from qa.answer import Answerer
    from qa.retrieve import Retriever
    from tests.conftest import assert_cited_exactly

    if not question.strip():
        return
    with tempfile.TemporaryDirectory() as tmp:
        from tests.fakes import HashingEmbedder

        embedder = HashingEmbedder()
        Indexer(tmp, embedder).index_articles([Article(doc_id="a", text=text, title="t")])
        answerer = Answerer(Retriever(Store(tmp), embedder), threshold=0.0)
        if not any(char.isalnum() for char in question):  # nothing to search for
            with pytest.raises(InvalidQueryError, match="no words"):
                answerer.ask(question)
            return
        result = answerer.ask(question)
        assert_cited_exactly(result, answerer.retriever.store)
