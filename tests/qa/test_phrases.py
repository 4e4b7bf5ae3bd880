"""The span model's candidate features, against their definitions read off the parse."""

from __future__ import annotations

import math

import pytest

from qa.entities import EntityTagger
from qa.phrases import Context, candidates, features
from qa.span_ranker import SpanRanker, rule_span

CASES = [
    (
        "where are the forward operating bases?",
        "In a move to rapid response and security presence, Forward Operating Bases (FOBs) "
        "have been established in Pont Sondé, Downtown Port-au-Prince, and at the Haitian "
        "Police Academy.",
    ),
    (
        "which airport is being guarded?",
        "The MSS has also taken the responsibility of guarding key national infrastructure, "
        "including Haiti’s main international airport and seaport.",
    ),
    # No word of the question in the sentence: no distances at all.
    ("who won the cup?", "Rain fell on Tuesday, and the match was called off."),
]


@pytest.fixture(scope="module")
def ranker() -> SpanRanker:
    return SpanRanker(tagger=EntityTagger())


@pytest.mark.parametrize(("question", "sentence"), CASES)
def test_counted_features_match_their_definitions(
    ranker: SpanRanker, question: str, sentence: str
) -> None:
    parsed, question_doc = ranker.table(sentence), ranker.parse(question)
    rule = parsed.token_span(rule_span(question, sentence, ranker.tagger))
    entities = ranker._entities(parsed)
    ctx = Context(question, question_doc, parsed, rule, entities)
    found = candidates(parsed, entities)
    assert len(found) > 10
    for (start, end), kinds in found.items():
        f = features(ctx, start, end, kinds)
        inside = range(start, end)
        content = [parsed.stems[i] for i in inside if parsed.content[i]]
        overlap = sum(s in ctx.q_stems for s in content) / len(content) if content else 1.0
        assert f["overlap"] == overlap
        assert f["comma"] == float(any(parsed.text[i] == "," for i in inside))
        assert f["cc"] == float(any(parsed.dep[i] == "cc" for i in inside))
        assert f["verb_in"] == float(any(parsed.pos[i] == "VERB" for i in inside))
        assert f.get("under_named", 0.0) == float(ctx.under_named[parsed.root(start, end)])
        if ctx.head_noun:
            assert f["has_head"] == float(any(parsed.stems[i] == ctx.head_noun for i in inside))
        if not ctx.hits:
            assert f["nohits"] == 1.0 and "logdist" not in f
            continue
        gap = min(start - h if h < start else (h - end + 1 if h >= end else 0) for h in ctx.hits)
        assert f["logdist"] == math.log1p(gap)
        assert (f["near1"], f["near3"]) == (float(gap <= 1), float(gap <= 3))
        assert f["after_hit"] == float(any(h < start for h in ctx.hits))
        assert f["hit_inside"] == float(any(h in inside for h in ctx.hits))


MSS_THANKS = (
    "The MSS, largely led by Kenyan police, expressed gratitude towards the Haitian people, "
    "local authorities, and diplomatic stakeholders for continued support."
)


def _under(ranker: SpanRanker, question: str, sentence: str) -> set[str]:
    parsed, question_doc = ranker.table(sentence), ranker.parse(question)
    rule = parsed.token_span(rule_span(question, sentence, ranker.tagger))
    ctx = Context(question, question_doc, parsed, rule, ranker._entities(parsed))
    return {parsed.text[i] for i, under in enumerate(ctx.under_named) if under}


def test_a_modifier_of_a_noun_the_question_names_is_marked(ranker: SpanRanker) -> None:
    # "Kenyan police" says who leads the MSS; "who did the MSS thank?" already names the MSS.
    under = _under(ranker, "who did the MSS thank?", MSS_THANKS)
    assert {"Kenyan", "police", "led"} <= under
    assert not under & {"MSS", "Haitian", "people", "authorities", "stakeholders"}


def test_a_modifier_through_the_question_s_own_verb_answers_it(ranker: SpanRanker) -> None:
    # "led by Kenyan police" is what "who led the MSS?" asks for: not marked.
    assert not {"Kenyan", "police"} & _under(ranker, "who led the MSS?", MSS_THANKS)


def test_a_list_s_items_and_the_asked_for_noun_s_modifiers_are_not_marked(
    ranker: SpanRanker,
) -> None:
    sentence = (
        "Joint patrols between the MSS and Haitian National Police are maintaining a strong "
        "presence in the capital."
    )
    # The second item of a list ("the MSS and Haitian National Police") is not said of the
    # first, the MSS the question names.
    under = _under(ranker, "who patrols with the MSS?", sentence)
    assert "the" in under and not {"Haitian", "National", "Police"} & under
    # "which patrols": the modifiers of the noun asked for may be the answer.
    assert "Joint" not in _under(ranker, "which patrols work with the MSS?", sentence)
    assert "Joint" in _under(ranker, "when did the patrols start?", sentence)
