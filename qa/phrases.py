"""Candidate answer phrases of a parsed sentence, and the features that rank them.

The candidates are the phrases a dependency parse offers: every word's subtree, every word
with its left modifiers, single words, noun chunks and named entities, and the span the
rules of qa.span chose. SQuAD-style answers are nearly always one of them (97% token F1 for
the best candidate given the right sentence). Each candidate gets features that describe it
without naming any word: its length, its overlap with the question, how far it lies from
the question's words in the text and in the parse tree, its entity type, part of speech and
role, each crossed with the kind of question; a linear model over them (qa.span_ranker)
picks the answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Set as AbstractSet
from typing import Any

from qa.span import Span, _head_noun, question_stems, question_type
from qa.terms import STOP_WORDS, fold, stem

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
)
_ARTICLES = frozenset(("the", "a", "an"))


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
    if token.dep_ == "pobj" and token.head.dep_ == "agent":
        return "subj"
    return _DEP_GROUPS.get(token.dep_, "other")


def asks_plural(question_doc: Doc) -> bool:
    """Whether the question asks for several things: "where are the bases?"."""
    return any(
        t.lower_ in ("they", "them")
        or (t.tag_ in ("NNS", "NNPS") and t.dep_ in ("nsubj", "nsubjpass", "attr", "dobj"))
        for t in question_doc
    )


TokenEntity = tuple[int, int, str]  # token range [start, end) and label


def candidates(doc: Doc, entities: list[TokenEntity]) -> dict[tuple[int, int], set[str]]:
    """Token ranges [start, end) of the candidate phrases, each with the kinds it came from."""
    found: dict[tuple[int, int], set[str]] = {}
    edge = [t.is_punct or t.is_space for t in doc]  # never the first or last word
    lead = [e or t.lower_ in _ARTICLES for e, t in zip(edge, doc, strict=True)]  # nor first

    def add(start: int, end: int, kind: str) -> None:
        while start < end and lead[start]:
            start += 1
        while end > start and edge[end - 1]:
            end -= 1
        if start < end:
            found.setdefault((start, end), set()).add(kind)

    for token in doc:
        add(token.left_edge.i, token.right_edge.i + 1, "sub")
        add(token.left_edge.i, token.i + 1, "left")
        add(token.i, token.i + 1, "tok")
    for chunk in doc.noun_chunks:
        add(chunk.start, chunk.end, "chunk")
    for start, end, _ in entities:
        add(start, end, "ent")
    return found


class Context:
    """What every candidate of one sentence is compared with: the question and the parse."""

    def __init__(
        self,
        question: str,
        question_doc: Doc,
        doc: Doc,
        rule: tuple[int, int],
        entities: list[TokenEntity],
    ) -> None:
        self.doc = doc
        self.rule = rule
        self.q_stems: AbstractSet[str] = question_stems(question)
        self.head_noun = _head_noun(question)
        self.wh = wh_word(question)
        self.kind = question_type(question)
        self.category = f"{self.wh}|{self.kind}"
        self.role = wh_role(question_doc)
        self.plural = asks_plural(question_doc)
        # Each token's attributes, read once: a candidate's features read them for every
        # token it covers, and spaCy makes a new Token object on each `doc[i]`.
        tokens = list(doc)
        self.stems = [stem(fold(t.text)) for t in tokens]
        self.content = [not t.is_punct and t.lower_ not in STOP_WORDS for t in tokens]
        self.comma = [t.text == "," for t in tokens]
        self.cc = [t.dep_ == "cc" for t in tokens]
        self.verb = [t.pos_ == "VERB" for t in tokens]
        self.prep = [t.dep_ == "prep" or t.pos_ == "ADP" for t in tokens]
        self.cap = [t.text[:1].isupper() for t in tokens]
        self.hits = [
            i for i, content in enumerate(self.content) if content and self.stems[i] in self.q_stems
        ]
        self.paths = [_path(t) for t in tokens]  # each token's way up to the root
        self.entity_of = {i: label for start, end, label in entities for i in range(start, end)}
        self.entity_spans = {(start, end) for start, end, _ in entities}


def features(ctx: Context, start: int, end: int, kinds: AbstractSet[str]) -> Features:
    """The features of the candidate doc[start:end]."""
    f: Features = {}
    content = [ctx.stems[i] for i in range(start, end) if ctx.content[i]]
    overlap = sum(s in ctx.q_stems for s in content) / len(content) if content else 1.0
    f["overlap"], f["all_in_q"], f["any_q"] = overlap, float(overlap == 1.0), float(overlap > 0)
    n = end - start
    f["loglen"] = math.log(n)
    for low, high in _LENGTHS:
        f[f"len{low}"] = float(low <= n <= high)
    root = ctx.doc[start:end].root
    if ctx.hits:
        _add_distances(f, ctx, start, end, root.i)
    else:
        f["nohits"] = 1.0
    for kind in kinds:
        f[f"kind_{kind}"] = 1.0
    rule_start, rule_end = ctx.rule
    f["rule_eq"] = float((start, end) == ctx.rule)
    overlap_rule = max(0, min(end, rule_end) - max(start, rule_start))
    f["rule_iou"] = overlap_rule / (max(end, rule_end) - min(start, rule_start))
    f["rule_in"] = float(rule_start <= start and end <= rule_end)
    f["ent_exact"] = float((start, end) in ctx.entity_spans)
    f["comma"] = float(any(ctx.comma[start:end]))
    f["cc"] = float(any(ctx.cc[start:end]))
    f["verb_in"] = float(any(ctx.verb[start:end]))
    f["starts_prep"] = float(ctx.prep[start])
    f["cap"] = float(ctx.cap[start])
    f["sent_start"] = float(start == 0)
    if ctx.head_noun:
        f["has_head"] = float(any(ctx.stems[i] == ctx.head_noun for i in range(start, end)))
        f["ends_head"] = float(ctx.stems[end - 1] == ctx.head_noun)
    _add_crossed(f, ctx, root)
    if ctx.plural:  # a list answers a question about several things
        for name in ("cc", "comma", "loglen", "kind_sub"):
            if name in f:
                f[f"plural*{name}"] = f[name]
    return f


def _add_distances(f: Features, ctx: Context, start: int, end: int, root: int) -> None:
    """How far the candidate lies from the question's words, in the text and in the tree."""
    gaps = [start - h if h < start else (h - end + 1 if h >= end else 0) for h in ctx.hits]
    gap = min(gaps)
    f["logdist"] = math.log1p(gap)
    f["near1"], f["near3"] = float(gap <= 1), float(gap <= 3)
    f["after_hit"] = float(any(h < start for h in ctx.hits))
    f["hit_inside"] = float(any(start <= h < end for h in ctx.hits))
    up = {t: k for k, t in enumerate(ctx.paths[root])}
    tree = min(
        (k + up[t] for h in ctx.hits for k, t in enumerate(ctx.paths[h]) if t in up), default=99
    )
    f["treedist"] = math.log1p(tree)
    f["tree1"], f["tree2"] = float(tree <= 1), float(tree <= 2)


def _add_crossed(f: Features, ctx: Context, root: Any) -> None:
    label = ctx.entity_of.get(root.i)
    group = _ENTITY_GROUPS.get(label, "other_entity") if label is not None else "none"
    pos = "pos_" + _POS_GROUPS.get(root.pos_, "other")
    dep = "dep_" + _role(root)
    f[f"role_{ctx.role}*{dep}"] = 1.0
    f[f"role_{ctx.role}*{pos}"] = 1.0
    for g in (f"entity_{group}", pos, dep):
        f[g] = 1.0
        f[f"{ctx.category}*{g}"] = 1.0
        f[f"{ctx.wh}*{g}"] = 1.0
        f[f"{ctx.kind}*{g}"] = 1.0
    for name in _CROSSED:
        if name in f:
            f[f"{ctx.wh}*{name}"] = f[name]


def _path(token: Any) -> list[int]:
    path = [token.i]
    while token.head.i != token.i:
        token = token.head
        path.append(token.i)
    return path


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


def token_span(doc: Doc, span: Span) -> tuple[int, int]:
    """The token range covering a character span (the whole doc if none)."""
    inside = [t.i for t in doc if t.idx < span[1] and t.idx + len(t.text) > span[0]]
    return (inside[0], inside[-1] + 1) if inside else (0, len(doc))
