"""Candidate answer phrases of a parsed sentence, and the features that rank them.

The candidates are the phrases a dependency parse offers: every word's subtree, every word
with its left modifiers, single words, noun chunks and named entities, and the span the
rules of qa.span chose. SQuAD-style answers are nearly always one of them (97% token F1 for
the best candidate given the right sentence). Each candidate gets features that describe it
without naming any word: its length, its overlap with the question, how far it lies from
the question's words in the text and in the parse tree, its entity type, part of speech and
role, each crossed with the kind of question, and the part it plays to the question's verb
(qa.verb_roles); a linear model over them (qa.span_ranker) picks the answer.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from functools import cached_property, lru_cache
from itertools import repeat
from operator import mul
from typing import Any

import numpy as np

from qa.parsed import Parsed
from qa.span import Span, _head_noun, question_stems, question_type
from qa.terms import ARTICLES, fold, stem
from qa.verb_roles import asked_role, verb_roles

Features = dict[str, float]
Doc = Any  # spacy.tokens.Doc: spaCy ships no type information

WH_WORDS = (
    "what",
    "which",
    "who",
    "whom",
    "whose",
    "when",
    "where",
    "why",
    "how many",
    "how much",
    "how",
)
_WH = re.compile(r"\b(" + "|".join(WH_WORDS) + r")\b", re.IGNORECASE)
_WH_SINGLE = frozenset(w for w in WH_WORDS if " " not in w)  # one token each
_ENTITY_GROUPS = {
    "PERSON": "person",
    "ORG": "org",
    "NORP": "org",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "DATE": "date",
    "TIME": "date",
    "CARDINAL": "number",
    "QUANTITY": "number",
    "MONEY": "number",
    "PERCENT": "number",
    "ORDINAL": "number",
}
_POS_GROUPS = {
    "NOUN": "noun",
    "PROPN": "propn",
    "NUM": "num",
    "VERB": "verb",
    "AUX": "verb",
    "ADJ": "adj",
}
_DEP_GROUPS = {
    "nsubj": "subj",
    "nsubjpass": "obj",  # the guarded airport is what is guarded, in either voice
    "dobj": "obj",
    "dative": "obj",
    "pobj": "pobj",
    "attr": "attr",
    "acomp": "attr",
    "oprd": "attr",
    "appos": "appos",
    "conj": "conj",
    "compound": "mod",
    "amod": "mod",
    "nmod": "mod",
    "npadvmod": "adv",
    "ROOT": "root",
    "ccomp": "clause",
    "xcomp": "clause",
    "advcl": "clause",
    "relcl": "clause",
    "prep": "prep",
    "poss": "poss",
}
_LENGTHS = ((1, 1), (2, 2), (3, 3), (4, 5), (6, 9), (10, 10_000))
# The length features of a candidate of n words, by n (every n from 10 on as 10), made once.
_LENGTH_FEATURES = [
    {f"len{low}": float(low <= n <= high) for low, high in _LENGTHS} for n in range(11)
]
# Features also crossed with the question word: their weight differs most between kinds.
_CROSSED = (
    "overlap",
    "logdist",
    "loglen",
    "near1",
    "after_hit",
    "treedist",
    "rule_eq",
    "has_head",
    "kind_ent",
    "len1",
    "len2",
    "len3",
    "comma",
    "verb_in",
    "starts_prep",
    "under_named",
)
_KIND_FEATURES = {k: f"kind_{k}" for k in ("sub", "left", "tok", "chunk", "ent", "rule")}
_PLURAL = ("cc", "comma", "loglen", "kind_sub")  # crossed with a question about several things
_FAR = 1 << 30  # past any sentence's last word
_NOUNS = ("NOUN", "PROPN")
# Links a modifier does not cross: the items of a list, what a noun is also called and a
# clause of its own are not said of the noun they hang from.
_NOT_MODIFIER = frozenset(("conj", "appos", "ccomp", "advcl", "parataxis", "cc"))


def wh_word(question: str) -> str:
    """The question's first question word ("how many" counts as one); "other" if none."""
    m = _WH.search(question)
    return m.group(1).lower() if m else "other"


def wh_role(question_doc: Doc) -> str:
    """The syntactic role of the question word (or of the noun it asks about): the answer
    tends to play the same role in the sentence."""
    for token in question_doc:
        if token.lower_ in _WH_SINGLE:
            if token.dep_ == "det":  # "which airport": the role is the airport's
                token = token.head
            elif token.lower_ == "how" and token.head.pos_ in ("ADJ", "ADV"):
                token = token.head.head if token.head.dep_ in ("amod", "advmod") else token.head
            return _role(token)
    return "none"


def _role(token: Any) -> str:
    """A word's role, the same in both voices: "by X" of a passive verb is its subject."""
    return _role_of(token.dep_, token.head.dep_)


def _role_of(dep: str, head_dep: str) -> str:
    if dep == "pobj" and head_dep == "agent":
        return "subj"
    return _DEP_GROUPS.get(dep, "other")


def asks_plural(question_doc: Doc) -> bool:
    """Whether the question asks for several things: "where are the bases?"."""
    return any(
        t.lower_ in ("they", "them")
        or (t.tag_ in ("NNS", "NNPS") and t.dep_ in ("nsubj", "nsubjpass", "attr", "dobj"))
        for t in question_doc
    )


TokenEntity = tuple[int, int, str]  # token range [start, end) and label


def candidates(parsed: Parsed, entities: list[TokenEntity]) -> dict[tuple[int, int], set[str]]:
    """Token ranges [start, end) of the candidate phrases, each with the kinds it came from."""
    found: dict[tuple[int, int], set[str]] = {}
    edge = [p or s for p, s in zip(parsed.punct, parsed.space, strict=True)]  # never first or last
    lead = [e or w in ARTICLES for e, w in zip(edge, parsed.lower, strict=True)]  # nor first

    def add(start: int, end: int, kind: str) -> None:
        while start < end and lead[start]:
            start += 1
        while end > start and edge[end - 1]:
            end -= 1
        if start < end:
            found.setdefault((start, end), set()).add(kind)

    for i in range(parsed.size):
        add(parsed.left_edge[i], parsed.right_edge[i] + 1, "sub")
        add(parsed.left_edge[i], i + 1, "left")
        add(i, i + 1, "tok")
    for start, end in parsed.noun_chunks:
        add(start, end, "chunk")
    for start, end, _ in entities:
        add(start, end, "ent")
    return found


class Context:
    """What every candidate of one sentence is compared with: the question and the parse."""

    def __init__(
        self,
        question: str,
        question_doc: Doc,
        parsed: Parsed,
        rule: tuple[int, int],
        entities: list[TokenEntity],
    ) -> None:
        self.parsed = parsed
        self.rule = rule
        self.q_stems: AbstractSet[str] = question_stems(question)
        self.head_noun = _head_noun(question)
        self.wh = wh_word(question)
        self.kind = question_type(question)
        self.category = f"{self.wh}|{self.kind}"
        self.role = wh_role(question_doc)
        # The part the question word plays to its verb, and what each word of the sentence
        # plays to a verb of the same stem (qa.verb_roles).
        asked = asked_role(question_doc)
        self.asked_part = asked[1] if asked else None
        self.parts = verb_roles(parsed, asked[0]) if asked else {}
        self.plural = asks_plural(question_doc)
        self.stems = parsed.stems
        self.content = parsed.content
        self.prep = [d == "prep" or p == "ADP" for d, p in zip(parsed.dep, parsed.pos, strict=True)]
        self.cap = [t[:1].isupper() for t in parsed.text]
        self.hits = [  # in order
            i for i, content in enumerate(self.content) if content and self.stems[i] in self.q_stems
        ]
        # How many words of each kind come before each position: a candidate's count is the
        # difference between its end's and its start's, whatever its length.
        self.n_content = _counts(self.content)
        hit = set(self.hits)
        self.n_hits = _counts([i in hit for i in range(parsed.size)])
        self.n_comma = _counts([t == "," for t in parsed.text])
        self.n_cc = _counts([d == "cc" for d in parsed.dep])
        self.n_verb = _counts([p == "VERB" for p in parsed.pos])
        self.n_head = _counts([stem == self.head_noun for stem in self.stems])
        self.entity_of = {i: label for start, end, label in entities for i in range(start, end)}
        self.entity_spans = {(start, end) for start, end, _ in entities}
        self.tree = _tree_distances(parsed, self.hits)
        q_nouns = {stem(fold(t.text)) for t in question_doc if t.pos_ in _NOUNS}
        self.under_named = _under_named(parsed, self.hits, q_nouns - {self.head_noun})
        self.crossed = [(name, f"{self.wh}*{name}") for name in _CROSSED]
        self._root_features: dict[int, dict[str, float]] = {}

    @cached_property
    def arrays(self) -> dict[str, np.ndarray]:
        """The counts before each position, and the per-word flags, as arrays: what
        LinearScore reads for all the candidates at once."""
        return {
            "content": np.array(self.n_content),
            "hits": np.array(self.n_hits),
            "comma": np.array(self.n_comma),
            "cc": np.array(self.n_cc),
            "verb": np.array(self.n_verb),
            "head": np.array(self.n_head),
            "prep": np.array(self.prep, dtype=bool),
            "cap": np.array(self.cap, dtype=bool),
            "is_head": np.array([stem == self.head_noun for stem in self.stems], dtype=bool),
            "under_named": np.array(self.under_named, dtype=bool),
        }

    def root_features(self, root: int) -> dict[str, float]:
        """The features a candidate's root word sets, each to 1.0, in order: its entity
        group, part of speech and role, alone and crossed with the question's kind."""
        found = self._root_features.get(root)
        if found is None:
            found = self._root_features[root] = dict.fromkeys(self.root_keys(root), 1.0)
        return found

    def root_keys(self, root: int) -> tuple[str, ...]:
        """The names of `root_features`."""
        label = self.entity_of.get(root)
        group = _ENTITY_GROUPS.get(label, "other_entity") if label is not None else "none"
        parsed = self.parsed
        pos = _POS_GROUPS.get(parsed.pos[root], "other")
        role = _role_of(parsed.dep[root], parsed.dep[parsed.head[root]])
        parts = self.parts.get(root)
        part = "none" if not parts else "same" if self.asked_part in parts else "other"
        return _root_keys(self.role, self.category, self.wh, self.kind, group, pos, role, part)


@lru_cache(maxsize=16_384)
def _root_keys(
    asked_role: str,
    category: str,
    wh: str,
    kind: str,
    group: str,
    pos: str,
    role: str,
    part: str,
) -> tuple[str, ...]:
    """The root features' names, made once for each question kind and kind of root."""
    pos, dep = f"pos_{pos}", f"dep_{role}"
    keys = [f"role_{asked_role}*{dep}", f"role_{asked_role}*{pos}"]
    for g in (f"entity_{group}", pos, dep):
        keys += [g, f"{category}*{g}", f"{wh}*{g}", f"{kind}*{g}"]
    if part != "none":  # the part it plays to the question's verb: the one asked, or another
        keys += [f"part_{part}", f"{wh}*part_{part}"]
    return tuple(keys)


def _tree_distances(parsed: Parsed, hits: list[int]) -> list[int]:
    """Each word's distance in the parse tree to the nearest of the question's words (99
    where none is in its tree): a breadth-first walk out from all of them at once."""
    distance = [-1] * parsed.size
    same = parsed.same

    def with_same(words: list[int], steps: int) -> list[int]:
        # A word and the words it stands for (a reported "it" and its subject) are as near.
        for i in words:
            for j in same[i]:
                if distance[j] < 0:
                    distance[j] = steps
                    words.append(j)
        return words

    frontier = list(dict.fromkeys(hits))
    for i in frontier:
        distance[i] = 0
    frontier = with_same(frontier, 0)
    steps = 0
    while frontier:
        steps += 1
        reached = []
        for i in frontier:
            for j in (parsed.head[i], *parsed.children[i]):
                if distance[j] < 0:
                    distance[j] = steps
                    reached.append(j)
        frontier = with_same(reached, steps)
    return [d if d >= 0 else 99 for d in distance]


def _under_named(parsed: Parsed, hits: list[int], nouns: AbstractSet[str]) -> list[bool]:
    """Per word, whether it modifies a noun the question names (`nouns`: the stems of its
    nouns but the one it asks for): "Kenyan police" in "The MSS, largely led by Kenyan
    police, expressed gratitude ..." says who leads the MSS, which a question about what
    the MSS expressed already knows. The word's chain of heads reaches the noun without
    crossing a list, an apposition, a clause of its own or another of the question's words
    ("who led the MSS?" is answered by what leads it)."""
    named = {i for i in hits if parsed.pos[i] in _NOUNS and parsed.stems[i] in nouns}
    under = [False] * parsed.size
    if not named:
        return under
    head, dep, asked = parsed.head, parsed.dep, set(hits)
    for i in range(parsed.size):
        j = i
        while head[j] != j and dep[j] not in _NOT_MODIFIER:
            j = head[j]
            if j in named:
                under[i] = True
                break
            if j in asked:  # "led by Kenyan police" answers who led it
                break
    return under


def _counts(flags: Sequence[bool]) -> list[int]:
    """counts[i]: how many of flags[:i] are set."""
    counts = [0]
    for flag in flags:
        counts.append(counts[-1] + flag)
    return counts


def features(ctx: Context, start: int, end: int, kinds: AbstractSet[str]) -> Features:
    """The features of the candidate doc[start:end]."""
    f, root, n = _own_features(ctx, start, end, kinds)
    f.update(_LENGTH_FEATURES[min(n, 10)])
    f.update(ctx.root_features(root))
    for name, crossed in ctx.crossed:
        if name in f:
            f[crossed] = f[name]
    if ctx.plural:  # a list answers a question about several things
        for name in _PLURAL:
            if name in f:
                f[f"plural*{name}"] = f[name]
    return f


class LinearScore:
    """The span model's linear score of a sentence's candidates, equal to the weighted sum
    of `features`, computed for all of them at once with numpy, one array operation per
    feature: the features of a candidate's length and of its root word are summed once per
    length and per root, and a feature crossed with the question word (or with a plural
    question) adds its crossing's weight to its own. On 537 answer sentences of 300 Reuters
    title questions, the candidates and their scores took 0.64 ms a question, against 0.92
    scoring them one by one (alternated in one process)."""

    def __init__(self, ctx: Context, weights: dict[str, float]) -> None:
        self.ctx = ctx
        self.weights = weights
        self.own = dict(weights)
        for name, crossed in ctx.crossed:
            self.own[name] = weights.get(name, 0.0) + weights.get(crossed, 0.0)
        if ctx.plural:
            for name in _PLURAL:
                self.own[name] = self.own.get(name, 0.0) + weights.get(f"plural*{name}", 0.0)
        self._by_length = np.array([self._sum(f) for f in _LENGTH_FEATURES])
        self._kinds = {kind: self.own.get(name, 0.0) for kind, name in _KIND_FEATURES.items()}
        self._roots: dict[tuple[str, ...], float] = {}

    def scores(self, found: dict[tuple[int, int], set[str]]) -> np.ndarray:
        """The score of each candidate of `found` (token ranges and their kinds), in order."""
        ctx, w = self.ctx, self.own
        spans = list(found)
        start = np.array([s for s, _ in spans], dtype=np.intp)
        end = np.array([e for _, e in spans], dtype=np.intp)
        n = end - start
        roots = [ctx.parsed.root(s, e) for s, e in spans]
        root_index = np.array(roots, dtype=np.intp)
        by_root = {r: self._root(r) for r in set(roots)}
        total: np.ndarray = self._by_length[np.minimum(n, 10)] + [by_root[r] for r in roots]
        weight_of = self._kinds  # the kinds a candidate came from (all in _KIND_FEATURES)
        total += [sum(weight_of[k] for k in kinds) for kinds in found.values()]

        def add(name: str, value: np.ndarray) -> None:
            """Add the feature's weight times its value, for every candidate."""
            weight = w.get(name)
            if weight:
                total[:] += weight * value

        counts = ctx.arrays
        content = counts["content"][end] - counts["content"][start]
        hits = (counts["hits"][end] - counts["hits"][start]).astype(float)
        overlap = np.divide(hits, content, out=np.ones(len(spans)), where=content > 0)
        add("overlap", overlap)
        add("all_in_q", overlap == 1.0)
        add("any_q", overlap > 0)
        add("loglen", np.log(n))
        if ctx.hits:
            self._add_distances(add, start, end, root_index)
        else:
            total += w.get("nohits", 0.0)
        rule_start, rule_end = ctx.rule
        add("rule_eq", (start == rule_start) & (end == rule_end))
        covered = np.maximum(0, np.minimum(end, rule_end) - np.maximum(start, rule_start))
        add("rule_iou", covered / (np.maximum(end, rule_end) - np.minimum(start, rule_start)))
        add("rule_in", (rule_start <= start) & (end <= rule_end))
        add("ent_exact", np.array([span in ctx.entity_spans for span in spans]))
        add("comma", counts["comma"][end] > counts["comma"][start])
        add("cc", counts["cc"][end] > counts["cc"][start])
        add("verb_in", counts["verb"][end] > counts["verb"][start])
        add("starts_prep", counts["prep"][start])
        add("cap", counts["cap"][start])
        add("sent_start", start == 0)
        add("under_named", counts["under_named"][root_index])
        if ctx.head_noun:
            add("has_head", counts["head"][end] > counts["head"][start])
            add("ends_head", counts["is_head"][end - 1])
        return total

    def _add_distances(
        self,
        add: Callable[[str, np.ndarray], None],
        start: np.ndarray,
        end: np.ndarray,
        roots: np.ndarray,
    ) -> None:
        """How far each candidate lies from the question's words (as `_add_distances`)."""
        ctx = self.ctx
        hits = np.array(ctx.hits, dtype=np.intp)
        size = len(ctx.stems)
        first = np.searchsorted(hits, start, side="left")
        after = np.append(hits, _FAR)[first]  # the first of them from `start` on
        before = np.append(0, hits)[first]  # the last one before it (where first > 0)
        inside = after < end
        gap = np.where(
            inside,
            0,
            np.minimum(
                np.where(first > 0, start - before, size),
                np.where(first < len(hits), after - end + 1, size),
            ),
        )
        add("logdist", np.log1p(gap))
        add("near1", gap <= 1)
        add("near3", gap <= 3)
        add("after_hit", hits[0] < start)
        add("hit_inside", inside)
        tree = np.array(ctx.tree, dtype=np.intp)[roots]
        add("treedist", np.log1p(tree))
        add("tree1", tree <= 1)
        add("tree2", tree <= 2)

    def _root(self, root: int) -> float:
        keys = self.ctx.root_keys(root)  # each feature 1.0
        by_root = self._roots.get(keys)
        if by_root is None:
            by_root = self._roots[keys] = sum(map(self.weights.get, keys, repeat(0.0)))
        return by_root

    def _sum(self, f: Features) -> float:
        return float(sum(map(mul, map(self.own.get, f, repeat(0.0)), f.values())))


def _own_features(
    ctx: Context, start: int, end: int, kinds: AbstractSet[str]
) -> tuple[Features, int, int]:
    """The candidate's features but those of its length, its root word, and the crossings;
    with its root word and its length."""
    f: Features = {}
    content = ctx.n_content[end] - ctx.n_content[start]
    overlap = (ctx.n_hits[end] - ctx.n_hits[start]) / content if content else 1.0
    f["overlap"], f["all_in_q"], f["any_q"] = overlap, float(overlap == 1.0), float(overlap > 0)
    n = end - start
    f["loglen"] = math.log(n)
    root = ctx.parsed.root(start, end)
    if ctx.hits:
        _add_distances(f, ctx, start, end, root)
    else:
        f["nohits"] = 1.0
    for kind in kinds:
        f[_KIND_FEATURES.get(kind) or f"kind_{kind}"] = 1.0
    rule_start, rule_end = ctx.rule
    f["rule_eq"] = float((start, end) == ctx.rule)
    overlap_rule = max(0, min(end, rule_end) - max(start, rule_start))
    f["rule_iou"] = overlap_rule / (max(end, rule_end) - min(start, rule_start))
    f["rule_in"] = float(rule_start <= start and end <= rule_end)
    f["ent_exact"] = float((start, end) in ctx.entity_spans)
    f["comma"] = float(ctx.n_comma[end] > ctx.n_comma[start])
    f["cc"] = float(ctx.n_cc[end] > ctx.n_cc[start])
    f["verb_in"] = float(ctx.n_verb[end] > ctx.n_verb[start])
    f["starts_prep"] = float(ctx.prep[start])
    f["cap"] = float(ctx.cap[start])
    f["sent_start"] = float(start == 0)
    if ctx.under_named[root]:
        f["under_named"] = 1.0
    if ctx.head_noun:
        f["has_head"] = float(ctx.n_head[end] > ctx.n_head[start])
        f["ends_head"] = float(ctx.stems[end - 1] == ctx.head_noun)
    return f, root, n


def _add_distances(f: Features, ctx: Context, start: int, end: int, root: int) -> None:
    """How far the candidate lies from the question's words, in the text and in the tree."""
    hits = ctx.hits
    first = bisect_left(hits, start)  # the first of the question's words from `start` on
    inside = first < len(hits) and hits[first] < end
    if inside:
        gap = 0
    else:  # the nearest before the candidate, or after it
        gap = min(
            start - hits[first - 1] if first else len(ctx.stems),
            hits[first] - end + 1 if first < len(hits) else len(ctx.stems),
        )
    f["logdist"] = math.log1p(gap)
    f["near1"], f["near3"] = float(gap <= 1), float(gap <= 3)
    f["after_hit"] = float(hits[0] < start)
    f["hit_inside"] = float(inside)
    tree = ctx.tree[root]
    f["treedist"] = math.log1p(tree)
    f["tree1"], f["tree2"] = float(tree <= 1), float(tree <= 2)


def whole_list(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """The whole list that doc[start:end] is an item of, or the range unchanged.

    The list hangs from the phrase itself ("A, B and C"), or from the word the phrase is the
    object of: "in A, B, and at C" (prepositions in a list), "improving A, cutting B and
    solidifying C" (verbs in a list). Then it starts at that word's object, not the word.
    """
    root = doc[start:end].root
    hosts = [root] + ([root.head] if root.dep_ in ("pobj", "dobj") else [])
    for host in hosts:
        head = host
        while head.dep_ == "conj" and head.head.i != head.i:
            head = head.head
        items = [t for t in head.subtree if t.dep_ == "conj" and t.head.i in _chain(head)]
        if not items:
            continue
        if host is root:
            first = min(head.left_edge.i, start)
        else:
            objects = [t for t in head.children if t.dep_ in ("pobj", "dobj")]
            first = min([start] + [t.left_edge.i for t in objects])
        last = max(max(t.right_edge.i for t in items) + 1, end)
        while last > first and doc[last - 1].is_punct:
            last -= 1
        return first, last
    return start, end


def _chain(head: Any) -> set[int]:
    """A list's first item and every item after it (each "conj" of the one before)."""
    chain, todo = {head.i}, [head]
    while todo:
        for child in todo.pop().children:
            if child.dep_ == "conj":
                chain.add(child.i)
                todo.append(child)
    return chain


def char_span(doc: Doc, start: int, end: int) -> Span:
    """The character offsets of doc[start:end] in the parsed text."""
    last = doc[end - 1]
    return doc[start].idx, last.idx + len(last.text)
