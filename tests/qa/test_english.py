"""spaCy's pipelines load without torch, which they never use, and torch still imports after."""

from __future__ import annotations

import subprocess
import sys
import textwrap

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
    from qa import english
    from qa.entities import EntityTagger

    whole = english.load(exclude=["lemmatizer"])
    sentences = [
        "Kenyan police arrived in Port-au-Prince on Tuesday, 25 June 2024.",
        "The United Nations said 578,000 people had fled their homes.",
        "Godfrey Otunge commanded the first 400 officers from Nairobi.",
    ]
    tagger = EntityTagger()
    assert "tok2vec" not in tagger._nlp.pipe_names
    for sentence, doc in zip(sentences, whole.pipe(sentences), strict=True):
        expected = tuple((e.start_char, e.end_char, e.label_) for e in doc.ents)
        assert expected and tagger.entities(sentence) == expected
