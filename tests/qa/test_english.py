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
