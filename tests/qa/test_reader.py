"""The optional span reader's plumbing, with a tiny random QA model the test builds itself.

The model is untrained, so only the plumbing and the offsets are checked, not quality.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import ModelLoadError
from index.store import Store
from qa.answer import Answerer
from qa.reader import TransformersReader
from qa.retrieve import Retriever
from tests.conftest import assert_cited_exactly

WORDS = """the harbour of jacmel reopened on friday after two years repairs when did where are
forward operating bases in pont sonde downtown port au prince and at haitian police academy
a move to rapid response security presence have been established fobs""".split()


@pytest.fixture(scope="module")
def tiny_reader(tmp_path_factory: pytest.TempPathFactory) -> str:
    from transformers import BertConfig, BertForQuestionAnswering, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-reader")
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]))
    BertTokenizerFast(vocab_file=str(vocab)).save_pretrained(folder)
    config = BertConfig(
        vocab_size=5 + len(WORDS),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=128,
    )
    BertForQuestionAnswering(config).save_pretrained(folder)
    return str(folder)


def test_reader_spans_are_exact_offsets_inside_the_sentence(tiny_reader: str) -> None:
    reader = TransformersReader(tiny_reader)
    sentence = "The harbour of Jacmel reopened on Friday after two years of repairs."
    span = reader.read("When did the harbour reopen?", sentence)
    assert span is not None
    start, end = span
    assert 0 <= start < end <= len(sentence) and sentence[start:end].strip()


def test_answers_use_the_reader_and_keep_the_citation_invariants(
    tiny_reader: str, seed_index: Path, embedder: object
) -> None:
    answerer = Answerer(
        Retriever(Store(seed_index), embedder),  # type: ignore[arg-type]
        reader=TransformersReader(tiny_reader),
    )
    result = answerer.ask("where are the forward operating bases?")
    assert "Haitian Police Academy" in result.answers[0].sentence  # the sentence choice is ours
    assert_cited_exactly(result, answerer.retriever.store)


def test_a_missing_reader_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="cannot load reader model"):
        TransformersReader(str(tmp_path / "nothing-here"))
