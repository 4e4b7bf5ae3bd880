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
    """thinc's CPU ops with matrix products by numpy (OpenBLAS) instead of blis, and a
    maxout that only predicts. The pipelines never train, so these ops refuse to."""

    name = "numpy_gemm"

    def maxout(self, X: Any) -> tuple[Any, Any]:
        """The largest of each unit's pieces, as thinc's own finds it. thinc's also notes
        which piece that was, for training, one element at a time: for a batch of 256
        Reuters sentences (7,000 tokens, 96 units of 3 pieces) 6.1 ms, where these element-
        wise maxima over the pieces take 1.6 ms. The token encoders of the parser and of the
        entity recogniser call it for every token."""
        best = X[:, :, 0].copy()
        for piece in range(1, X.shape[2]):
            np.maximum(best, X[:, :, piece], out=best)
        return best, _NOT_KEPT

    def backprop_maxout(self, dY: Any, which: Any, P: int) -> Any:
        raise NotImplementedError("these ops only predict: train with thinc's own")

    def gemm(
        self, x: Any, y: Any, out: Any = None, trans1: bool = False, trans2: bool = False
    ) -> Any:
        a = x.T if trans1 else x
        b = y.T if trans2 else y
        if out is None:
            return np.matmul(a, b)
        np.matmul(a, b, out=out)
        return out


# What NumpyGemmOps.maxout gives for which piece was largest: it does not keep that.
_NOT_KEPT = np.zeros((0, 0), dtype=np.int32)

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
    lemmas: a table for the rules that read the tag alone, and the rest as `_Rules` (spaCy's
    Matcher when they hold a test `_Rules` cannot read)."""

    def __init__(self, vocab: Any, tag_pos: dict[str, str], patterns: list[dict[str, Any]]):
        strings = vocab.strings
        self.tag_pos = {strings.add(tag): strings.add(pos) for tag, pos in tag_pos.items()}
        self.rules = _Rules.compile(strings, patterns)
        self.rest: Any = None
        if self.rules is None:
            self.rest = AttributeRuler(vocab)
            self.rest.add_patterns(patterns)

    def __call__(self, doc: Any) -> Any:
        for token in doc:
            pos = self.tag_pos.get(token.tag)
            if pos is not None:
                token.pos = pos
        if self.rules is None:
            return self.rest(doc)
        self.rules.apply(doc)
        return doc


# What `_Rules` reads off a token, in this order: the values a rule's tests compare.
_COLUMNS = ("TAG", "LOWER", "DEP", "IS_SPACE")
_SETS = {"POS": "pos_", "TAG": "tag_", "DEP": "dep_"}
# Distinct tokens (codes) whose matching rules are remembered: about 12 MB at most.
_REMEMBERED = 50_000


class _Rules:
    """Token rules as the attribute ruler applies them, without its Matcher.

    The ruler matches every rule against the tokens as they are, then sets each match's
    attributes in the rules' order, so a later rule overrides an earlier one. Here a rule is
    a test per token of its pattern on the token's (tag, lower case, label, is-space)
    codes; the rules one token matches alone are found once for each distinct set of codes
    and remembered, and the few longer rules are tried at every token. On 3,000 Reuters
    sentences the Matcher took 0.43 s, 11% of the parse; this takes 0.16 s in a new process
    and 0.05 s once it has seen such words, with the same result (tested, and the same tags,
    parts of speech and labels as spaCy's own on 20,508 texts).
    """

    def __init__(
        self,
        single: list[tuple[int, list["_Test"], dict[str, str]]],
        longer: list[tuple[int, list["_Test"], int, dict[str, str]]],
    ) -> None:
        self.single = single  # (order, [test], attributes to set)
        self.longer = longer  # (order, [test per token], index of the token set, attributes)
        # The single rules that can match a tag: those that ask for it and those that ask
        # for no one tag, in order.
        self._by_tag: dict[int, list[tuple[int, _Test, dict[str, str]]]] = {}
        self._any_tag = [(o, t, s) for o, (t,), s in single if t.tag is None]
        for order, (test,), sets in single:
            if test.tag is not None:
                self._by_tag.setdefault(test.tag, []).append((order, test, sets))
        self._found: dict[tuple[int, ...], tuple[tuple[int, dict[str, str]], ...]] = {}
        from spacy import attrs

        self.columns = [getattr(attrs, name) for name in _COLUMNS]

    @classmethod
    def compile(cls, strings: Any, patterns: list[dict[str, Any]]) -> "_Rules | None":
        """The rules of these attribute-ruler patterns; None when one of them holds a test
        or an attribute this class does not read."""
        single: list[tuple[int, list[_Test], dict[str, str]]] = []
        longer: list[tuple[int, list[_Test], int, dict[str, str]]] = []
        for order, pattern in enumerate(patterns):
            attributes = pattern.get("attrs", {})
            if not set(attributes) <= set(_SETS):
                return None
            sets = {_SETS[name]: value for name, value in attributes.items()}
            for tokens in pattern["patterns"]:
                found = [_token_test(strings, token) for token in tokens]
                tests = [t for t in found if t is not None]
                if not tests or len(tests) < len(found):
                    return None
                index = pattern.get("index", 0)
                index = index + len(tests) if index < 0 else index
                if not 0 <= index < len(tests):
                    return None
                if len(tests) == 1:
                    single.append((order, tests, sets))
                else:
                    longer.append((order, tests, index, sets))
        return cls(single, longer)

    def apply(self, doc: Any) -> None:
        """Set the attributes of every rule that matches, in the rules' order."""
        if not len(doc):
            return
        codes = [tuple(row) for row in doc.to_array(self.columns).tolist()]
        matched: dict[int, list[tuple[int, dict[str, str]]]] = {}
        for i, token in enumerate(codes):
            found = self._found.get(token)
            if found is None:
                if len(self._found) >= _REMEMBERED:
                    self._found.clear()  # a server parses questions for months: bounded
                found = self._found[token] = self._match(token)
            if found:
                matched[i] = list(found)
        for order, tests, index, sets in self.longer:
            first, n = tests[0], len(tests)
            for i in range(len(codes) - n + 1):
                if first(codes[i]) and all(tests[k](codes[i + k]) for k in range(1, n)):
                    matched.setdefault(i + index, []).append((order, sets))
        for i, rules in matched.items():
            token = doc[i]
            for _, sets in sorted(rules, key=lambda rule: rule[0]):
                for name, value in sets.items():
                    setattr(token, name, value)

    def _match(self, codes: tuple[int, ...]) -> tuple[tuple[int, dict[str, str]], ...]:
        """The single rules a token of these codes matches, in order."""
        rules = self._by_tag.get(codes[0], [])
        if self._any_tag:
            rules = sorted(rules + self._any_tag, key=lambda rule: rule[0])
        return tuple((order, sets) for order, test, sets in rules if test(codes)) or _NONE


_NONE: tuple[tuple[int, dict[str, str]], ...] = ()


def _token_test(strings: Any, token: dict[str, Any]) -> "_Test | None":
    """The test of one token of a Matcher pattern on a token's `_COLUMNS` codes; None for
    a key or a form of value other than a string, a bool or {"IN"/"NOT_IN": [strings]}."""
    checks: list[tuple[int, str, Any]] = []
    for key, value in token.items():
        if key not in _COLUMNS:
            return None
        column = _COLUMNS.index(key)
        if key == "IS_SPACE":
            if not isinstance(value, bool):
                return None
            checks.append((column, "==", int(value)))
        elif isinstance(value, str):
            checks.append((column, "==", strings.add(value)))
        elif (
            isinstance(value, dict)
            and len(value) == 1
            and set(value) <= {"IN", "NOT_IN"}
            and all(isinstance(v, str) for v in next(iter(value.values())))
        ):
            ((how, values),) = value.items()
            checks.append((column, how, frozenset(strings.add(v) for v in values)))
        else:
            return None

    return _Test(checks)


class _Test:
    """One token's test: every check of (column, "==" / "IN" / "NOT_IN", value) holds.
    `tag` is the tag it asks for, if it asks for one."""

    def __init__(self, checks: list[tuple[int, str, Any]]) -> None:
        self.checks = checks
        self.tag = next((v for c, how, v in checks if c == 0 and how == "=="), None)

    def __call__(self, codes: tuple[int, ...]) -> bool:
        for column, how, value in self.checks:
            code = codes[column]
            if how == "==":
                if code != value:
                    return False
            elif (code in value) != (how == "IN"):
                return False
        return True


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
