"""spaCy's token encoder, predicted by one function instead of thinc's tree of layers.

Both pipelines of index.english encode tokens with spaCy's Tok2Vec.v2 architecture: hash
embeddings of a few token attributes, mixed by a maxout layer, then a few residual blocks
that each see a window of neighbouring tokens. thinc runs it as about fifty nested layers,
each call converting its input (lists, ragged arrays, padded arrays) and making a backward
closure that predicting never uses. On one short question that machinery costs about a
fifth of the encoder's time, which is most of a question's parse.

`FusedEncoder` runs the same operations on the same ops object (the matrix products of
index.spacy_speedups included), in the same order, on the model's own parameters, so its
output is equal bit for bit (tests/index/test_fused_encoder.py). It only predicts: training
still goes through thinc's layers. A model of any other structure is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Array = Any  # a numpy array; thinc's own types are not checked here

_EMBED = ("extract_features", "list2ragged", "with_array", "with_array", "ragged2list")
# The layers without layers of their own that FusedEncoder knows how to run (dropout does
# nothing when predicting).
_LEAVES = {
    "extract_features",
    "list2ragged",
    "ints-getitem",
    "hashembed",
    "maxout",
    "layernorm",
    "dropout",
    "ragged2list",
    "expand_window",
}


class FusedEncoder:
    """A Tok2Vec.v2 model's prediction for a list of Docs: one array per Doc."""

    def __init__(self, model: Any) -> None:
        embed, encode = model.layers
        names = tuple(layer.name.split("(")[0] for layer in embed.layers)
        if names != _EMBED or not encode.name.startswith("with_array(residual("):
            raise ValueError(f"not a Tok2Vec.v2 model: {model.name}")
        leaves = {m.name for m in model.walk() if not m.layers}
        if not leaves <= _LEAVES:
            raise ValueError(f"layers FusedEncoder does not run: {sorted(leaves - _LEAVES)}")
        self.columns = embed.layers[0].attrs["columns"]
        getitems = _named(embed, "ints-getitem")
        tables = _named(embed, "hashembed")
        if len(tables) != len(self.columns) or len(getitems) != len(tables):
            raise ValueError("one hash table per column expected")
        # Each table with the column its getitem reads, in the order they are concatenated.
        self.tables = [(g.attrs["index"][1], t) for g, t in zip(getitems, tables, strict=True)]
        self.mix = _one(embed, "maxout"), _one(embed, "layernorm")
        self.blocks = [
            (_one(block, "expand_window"), _one(block, "maxout"), _one(block, "layernorm"))
            for block in encode.walk()
            if getattr(block._func, "__module__", "") == "thinc.layers.residual"
        ]
        self.pad = encode.attrs["pad"]
        self.ops = self.mix[0].ops

    def __call__(self, docs: list[Any]) -> list[Array]:
        ops = self.ops
        lengths = ops.asarray1i([len(doc) for doc in docs])
        ids = [ops.asarray2i(_features(doc, self.columns), dtype="uint64") for doc in docs]
        X = self._embed(np.concatenate(ids) if ids else np.zeros((0, len(self.columns)), "uint64"))
        X = _norm(self.mix[1], _maxout(self.mix[0], X))
        # The blocks see the Docs one after another, padded apart as thinc's with_array pads.
        X = ops.flatten(ops.unflatten(X, lengths), pad=self.pad)
        for window, maxout, norm in self.blocks:
            X = X + _norm(norm, _maxout(maxout, ops.seq2col(X, window.attrs["window_size"])))
        return list(ops.unflatten(X, lengths, pad=self.pad))

    def _embed(self, ids: Array) -> Array:
        """Each column's hash embedding, side by side (thinc's HashEmbed and concatenate)."""
        ops, parts = self.ops, []
        for column, table in self.tables:
            E = table.get_param("E")
            if len(ids) == 0:
                parts.append(ops.alloc2f(0, E.shape[1], dtype=E.dtype))
                continue
            keys = ops.hash(ops.as_contig(ids[:, column], dtype="uint64"), table.attrs["seed"])
            parts.append(ops.gather_add(E, keys % E.shape[0]))
        return ops.xp.hstack(parts)


def _features(doc: Any, columns: list[Any]) -> Array:
    """The token attributes the hash tables read (spaCy's FeatureExtractor)."""
    found = doc.to_array(columns)
    return found.reshape((found.shape[0], 1)) if found.ndim == 1 else found


def _maxout(layer: Any, X: Array) -> Array:
    """thinc's Maxout layer, predicting."""
    nO, nP, nI = layer.get_dim("nO"), layer.get_dim("nP"), layer.get_dim("nI")
    ops = layer.ops
    Y = ops.gemm(X, ops.reshape2f(layer.get_param("W"), nO * nP, nI), trans2=True)
    Y += ops.reshape1f(layer.get_param("b"), nO * nP)
    return ops.maxout(ops.reshape3f(Y, Y.shape[0], nO, nP))[0]


def _norm(layer: Any, X: Array) -> Array:
    """thinc's LayerNorm, predicting."""
    mu = X.mean(axis=1, keepdims=True)
    var = X.var(axis=1, keepdims=True) + 1e-08
    Y = (X - mu) * var ** (-1.0 / 2.0) * layer.get_param("G")
    Y += layer.get_param("b")
    return Y


def _named(model: Any, name: str) -> list[Any]:
    """The layers under `model` of this kind (a combinator's name lists its layers too)."""
    return [m for m in model.walk() if m.name == name or m.name.startswith(f"{name}(")]


def _one(model: Any, name: str) -> Any:
    found = _named(model, name)
    if len(found) != 1:
        raise ValueError(f"one {name} layer expected in {model.name}, found {len(found)}")
    return found[0]


def fuse_encoders(nlp: Any) -> int:
    """Predict every Tok2Vec.v2 model of the pipeline with a FusedEncoder; how many."""
    fused = 0
    for node in encoders(nlp):
        try:
            encoder = FusedEncoder(node)
        except (ValueError, KeyError, IndexError, AttributeError):
            continue  # another structure: thinc's layers run it
        node._func = _predicting(encoder, node._func)
        fused += 1
    return fused


def encoders(nlp: Any) -> list[Any]:
    """The pipeline's token encoders: the models that read token attributes and encode them
    (the shared `tok2vec`, and one inside a component that has its own)."""
    return [
        node
        for _, component in nlp.pipeline
        if getattr(component, "model", None) is not None
        for node in component.model.walk()
        if len(node.layers) == 2 and node.layers[0].name.startswith("extract_features")
    ]


def _predicting(encoder: FusedEncoder, train: Callable[..., Any]) -> Callable[..., Any]:
    """A forward function: the fused encoder to predict, thinc's layers to train."""

    def forward(model: Any, docs: list[Any], is_train: bool) -> tuple[list[Array], Any]:
        if is_train:
            return train(model, docs, is_train)  # type: ignore[no-any-return]
        return encoder(docs), _no_backprop

    return forward


def _no_backprop(_: Any) -> Any:
    raise NotImplementedError("predicted by FusedEncoder; train with thinc's own layers")
