"""Three ways to run spaCy's small English pipeline faster, each with the same output.

Imported only by index.english, inside the block that keeps torch out of thinc's import.
No `from __future__ import annotations` here: spaCy resolves the factory's annotations at
run time, and the confection release that spaCy 3.8.7 installs with cannot read them as
strings.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from thinc.api import NumpyOps, get_current_ops, set_current_ops
from thinc.backends import context_ops

# What the answer code reads off a token that the attribute ruler sets: qa.phrases and
# spaCy's noun chunks read the part of speech; the tag and label are reset on whitespace.
_READ = frozenset(("POS", "TAG", "DEP"))
_NAME = "attribute_ruler"


class NumpyGemmOps(NumpyOps):  # type: ignore[misc]  # thinc's ops are untyped Cython
    """thinc's CPU ops with matrix products by numpy (OpenBLAS) instead of blis."""

    name = "numpy_gemm"

    def gemm(
        self, x: Any, y: Any, out: Any = None, trans1: bool = False, trans2: bool = False
    ) -> Any:
        a = x.T if trans1 else x
        b = y.T if trans2 else y
        if out is None:
            return np.matmul(a, b)
        np.matmul(a, b, out=out)
        return out


# What thinc would pick for a context that has no ops yet (its "cpu" choice here).
_CPU_OPS = NumpyOps()


def keep_ops() -> None:
    """Give the current context the ops thinc would look up for it, made once.

    thinc keeps its current ops in a context variable, and the parser makes a model per
    call that reads it. Each request a server answers runs in a fresh copy of the context,
    where it is unset; thinc then looks for optional backends (two failed imports) and
    makes new ops, every call: 0.35 ms of a 13 ms question, in-process A/B on Reuters.
    """
    if context_ops.get() is None:
        set_current_ops(_CPU_OPS)


@contextmanager
def numpy_gemm() -> Iterator[None]:
    """Models built inside the block keep NumpyGemmOps as their ops."""
    previous = get_current_ops()
    set_current_ops(NumpyGemmOps())
    try:
        yield
    finally:
        set_current_ops(previous)


class SlimAttributeRuler:
    """The attribute ruler's part-of-speech, tag and label rules, without morphology or
    lemmas: a table for the rules that read the tag alone, the Matcher for the rest."""

    def __init__(self, vocab: Any, tag_pos: dict[str, str], patterns: list[dict[str, Any]]):
        strings = vocab.strings
        self.tag_pos = {strings.add(tag): strings.add(pos) for tag, pos in tag_pos.items()}
        self.rest = AttributeRuler(vocab)
        self.rest.add_patterns(patterns)

    def __call__(self, doc: Any) -> Any:
        for token in doc:
            pos = self.tag_pos.get(token.tag)
            if pos is not None:
                token.pos = pos
        return self.rest(doc)


@Language.factory(  # type: ignore[untyped-decorator]
    "slim_attribute_ruler", default_config={"tag_pos": {}, "patterns": []}
)
def _make_slim(
    nlp: Language, name: str, tag_pos: dict[str, str], patterns: list[dict[str, Any]]
) -> SlimAttributeRuler:
    return SlimAttributeRuler(nlp.vocab, tag_pos, patterns)


def slim_attribute_ruler(nlp: Any) -> None:
    """Swap the pipeline's attribute ruler for a SlimAttributeRuler that sets the same
    part of speech, tag and label; leave it when the swap would not be exact."""
    if _NAME not in nlp.pipe_names:
        return
    patterns = nlp.get_pipe(_NAME).patterns
    by_tag = [_tag_only(p) for p in patterns]
    # Later rules win. The table runs first, so it must hold the first rules only.
    first_other = next((i for i, t in enumerate(by_tag) if t is None), len(patterns))
    if any(t is not None for t in by_tag[first_other:]):
        return
    tag_pos = {
        t: p["attrs"]["POS"]
        for t, p in zip(by_tag, patterns, strict=True)
        if t is not None and "POS" in p["attrs"]
    }
    rest = [
        {**p, "attrs": {k: v for k, v in p["attrs"].items() if k in _READ}}
        for p in patterns[first_other:]
        if _READ & set(p["attrs"])
    ]
    nlp.replace_pipe(_NAME, "slim_attribute_ruler", config={"tag_pos": tag_pos, "patterns": rest})


def _tag_only(pattern: dict[str, Any]) -> str | None:
    """The tag a rule matches when it matches one token on its tag alone, else None."""
    tokens = pattern["patterns"]
    if len(tokens) != 1 or len(tokens[0]) != 1 or set(tokens[0][0]) != {"TAG"}:
        return None
    tag = tokens[0][0]["TAG"]
    return tag if isinstance(tag, str) and pattern.get("index", 0) == 0 else None
