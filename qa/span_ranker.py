"""Pick the answer phrase inside the chosen sentence with a fitted linear model.

spaCy parses the sentence and the question; qa.phrases lists the candidate phrases and
their features; the weights in span_weights.json (fitted by bench/fit_spans.py, README
"How the span model is fitted") score them, and the best one is the answer. The rules of
qa.span and the entity tagger still run: their choice is one of the candidates and one of
the features, so the model learns when to trust them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from index import english
from index.errors import ModelLoadError
from qa.definition import asks_definition, definition
from qa.entities import EntityTagger
from qa.fits import counts
from qa.instances import instances
from qa.memo import Memo
from qa.parsed import Parsed
from qa.phrases import (
    Context,
    LinearScore,
    TokenEntity,
    asks_plural,
    candidates,
    char_span,
    features,
    whole_list,
)
from qa.predicate import asks_what_done, predicate
from qa.span import Span, find_span, name_lists, nearest
from qa.verb_object import asks_object, verb_object

WEIGHTS_FILE = Path(__file__).with_name("span_weights.json")
_HOW = re.compile(r"\bhow\s+(much|many)\b", re.IGNORECASE)
_POSSESSIVE = frozenset(("'s", "’s", "'", "’"))
_LIST = re.compile(r",\s(?:and|or)\s|,.*\s(?:and|or)\s")
_MEMO_SIZE = 4096


def load_weights(path: Path = WEIGHTS_FILE) -> dict[str, float]:
    """Weights written by bench/fit_spans.py: {"weights": {feature: weight}}."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return {str(k): float(v) for k, v in data["weights"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelLoadError(f"cannot read span weights from {path}: {exc!r}") from exc


def rule_span(question: str, sentence: str, tagger: EntityTagger | None) -> Span:
    """The rules' answer: an entity of the wanted type near the question's words, else the
    phrase qa.span finds (a typed list around the entity wins over the entity alone)."""
    found = find_span(question, sentence)
    if tagger is not None:
        entities = tagger.answer_entities(question, sentence)
        if entities:
            start, end = nearest(entities, question, sentence)
            if not (found.typed and found.start <= start and end <= found.end):
                return start, end
    return found.start, found.end


def _ruled(question: str, question_doc: Any, parsed: Parsed) -> tuple[int, int] | None:
    """The token range the rules answer with, for questions SQuAD has too few of to fit the
    span model on: what X did or said and what happened (qa.predicate, qa.event), what X
    acquired (qa.verb_object), what X is (qa.definition) and what a kind includes
    (qa.instances). None for any other question, or when the sentence does not say it the
    way the rule reads."""
    kind = asks_what_done(question, question_doc)
    if kind is not None:
        done = predicate(question, question_doc, parsed, kind)
        if done is not None:
            return done
    verb = asks_object(question)
    if verb is not None:
        done_to = verb_object(question, verb, parsed)
        if done_to is not None:
            return done_to
    named = asks_definition(question_doc)
    if named is not None:
        return definition(named, parsed)
    return instances(question, question_doc, parsed)


def _a_list(
    parsed: Parsed, scored: list[tuple[tuple[int, int], float]], question: str, sentence: str
) -> tuple[int, int] | None:
    """The list that the best-scoring candidate able to be widened to one is an item of
    (a list of things, not of the sentence's main verbs), else the first list of names the
    text has, else None."""
    roots = [i for i in range(parsed.size) if parsed.dep[i] == "ROOT"]
    for (start, end), _ in sorted(scored, key=lambda item: -item[1]):
        first, last = whole_list(parsed.doc, start, end)
        if (
            (first, last) != (start, end)
            and _LIST.search(parsed.doc[first:last].text)
            and not any(first <= root < last for root in roots)  # verbs in a list
        ):
            return first, last
    names = name_lists(question, sentence)
    return parsed.token_span(names[0]) if names else None


class SpanRanker:
    """Chooses the answer span of a sentence among its parse's phrases."""

    def __init__(
        self, weights: dict[str, float] | None = None, tagger: EntityTagger | None = None
    ) -> None:
        self.weights = weights if weights is not None else load_weights()
        self.tagger = tagger
        # spaCy's tagger and parser; entities come from the EntityTagger instead, which
        # memoises them per sentence for the sentence scorer and the rules too.
        self._pipeline = english.parser()
        self._parses: Memo[str, Parsed] = Memo(_MEMO_SIZE)  # spaCy's parses, by flat text
        # Spans found, by question, sentence and the rules' span: a question asked again
        # skips its candidates' features, most of the span's cost once the parse is kept.
        self._found: Memo[tuple[str, str, Span], Span] = Memo(_MEMO_SIZE)

    def find(self, question: str, sentence: str, rule: Span) -> Span:
        """The best-scoring phrase of the sentence, as offsets into it.

        A question about several things ("where are the bases?") gets the whole list the
        phrase is an item of; SQuAD rarely wants that, so the model alone would not.
        """
        key = (question, sentence, rule)
        found = self._found.get(key)
        if found is None:
            found = self._find(question, sentence, rule)
            self._found.put(key, found)
        return found

    def _find(self, question: str, sentence: str, rule: Span) -> Span:
        parsed, question_doc = self.table(sentence), self.parse(question)
        doc = parsed.doc
        ruled = _ruled(question, question_doc, parsed)
        if ruled is not None:
            return char_span(doc, *ruled)
        scored = self._scored(question, question_doc, parsed, rule)
        if not scored:
            return rule
        (start, end), _ = max(scored, key=lambda item: item[1])
        how = _HOW.search(question)
        if how and not counts(doc[start:end].text):
            # "How much will the DS cost?" is not answered "touch-screen control".
            counting = [item for item in scored if counts(doc[item[0][0] : item[0][1]].text)]
            if counting:
                (start, end), _ = max(counting, key=lambda item: item[1])
            elif how.group(1).lower() == "many":
                # "how many FOBs?" of "… established in Pont Sondé, Downtown Port-au-Prince,
                # and at the Haitian Police Academy": the list counts them.
                listed = _a_list(parsed, scored, question, sentence)
                if listed is not None:
                    start, end = listed
        if asks_plural(question_doc):
            start, end = whole_list(doc, start, end)
            # The rules read lists off the text, where the parse may split them; not the
            # whole sentence, which they give when they find nothing.
            rule_start, rule_end = parsed.token_span(rule)
            if (
                rule_start <= start
                and end <= rule_end
                and _LIST.search(sentence[slice(*rule)])
                and parsed.trim(rule_start, rule_end) != parsed.trim(0, parsed.size)
            ):
                start, end = rule_start, rule_end
        while (
            end - start > 1
            and (parsed.lower[end - 1] in _POSSESSIVE or parsed.pos[end - 1] in ("ADP", "CCONJ"))
            and doc[start : end - 1].text.strip()  # never down to spaCy's whitespace token
        ):
            end -= 1  # "Manning's" answers "who did not throw?" as "Manning"; "Henry III of"
        while (
            end - start > 1
            and parsed.lower[start] in _POSSESSIVE
            and doc[start + 1 : end].text.strip()
        ):
            start += 1  # "’s main international airport", left of a phrase after "Haiti’s"
        return char_span(doc, start, end)

    def _scored(
        self, question: str, question_doc: Any, parsed: Parsed, rule: Span
    ) -> list[tuple[tuple[int, int], float]]:
        if not parsed.size:
            return []
        ctx, found = self._candidates(question, question_doc, parsed, rule)
        scores = LinearScore(ctx, self.weights).scores(found)
        return list(zip(found, scores.tolist(), strict=True))

    def candidate_features(
        self, question: str, question_doc: Any, parsed: Parsed, rule: Span
    ) -> list[tuple[tuple[int, int], dict[str, float]]]:
        """Token ranges of the candidates and their features (also used to fit the model)."""
        ctx, found = self._candidates(question, question_doc, parsed, rule)
        return [(span, features(ctx, *span, kinds)) for span, kinds in found.items()]

    def _candidates(
        self, question: str, question_doc: Any, parsed: Parsed, rule: Span
    ) -> tuple[Context, dict[tuple[int, int], set[str]]]:
        """What the candidates are compared with, and the candidates with their kinds."""
        rule_tokens = parsed.token_span(rule)
        entities = self._entities(parsed)
        found = candidates(parsed, entities)
        found.setdefault(rule_tokens, set()).add("rule")
        return Context(question, question_doc, parsed, rule_tokens, entities), found

    def _entities(self, parsed: Parsed) -> list[TokenEntity]:
        """The sentence's entities as token ranges (none without a tagger)."""
        if self.tagger is None:
            return []
        found = self.tagger.entities(parsed.doc.text)
        return [(*parsed.token_span((s, e)), label) for s, e, label in found]

    def prepare(self, question: str, sentences: list[str]) -> None:
        """Parse and tag a question and its answer sentences in one batch each."""
        todo = self._parses.lookup(map(english.flat, [question, *sentences]))[1]
        if todo:
            for text, doc in zip(todo, self._pipeline.pipe(todo), strict=True):
                self._parses.put(text, Parsed(doc))
        if self.tagger is not None:
            self.tagger.tag(sentences)

    def knows(self, sentence: str) -> bool:
        """Whether the sentence's parse is at hand, without parsing it."""
        return self._parses.get(english.flat(sentence)) is not None

    def know(self, sentence: str, doc: english.Doc) -> None:
        """Take the sentence's parse from its analysis (a Doc of its flat text, as
        index.analysis restores it) instead of parsing it."""
        self._parses.put(english.flat(sentence), Parsed(doc))

    def parse(self, text: str) -> Any:
        """The text's spaCy Doc (memoised)."""
        return self.table(text).doc

    def table(self, text: str) -> Parsed:
        """The text's parse with its tokens' attributes read out (memoised).

        spaCy reads the text flat (english.flat): the same offsets, one line however it
        was wrapped, and the memo is keyed by that.
        """
        text = english.flat(text)
        parsed = self._parses.get(text)
        if parsed is None:
            parsed = Parsed(self._pipeline.pipe([text])[0])
            self._parses.put(text, parsed)
        return parsed
