"""The part a word plays to the question's verb, read off spaCy's parse (qa.verb_roles)."""

from __future__ import annotations

import pytest

from index import english
from index.irregular_verbs import verb_bases
from qa.parsed import Parsed
from qa.verb_roles import AGENT, PATIENT, asked_role, verb_roles, verb_stem


def _parse(text: str) -> Parsed:
    return Parsed(english.parser().pipe([text])[0])


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("who is deployed in Haiti?", ("deploi", PATIENT)),
        ("who leads the MSS?", ("lead", AGENT)),
        ("which airport is being guarded?", ("guard", PATIENT)),  # the airport's part
        ("what did Instrumentarium acquire?", ("acquir", PATIENT)),
        # parsed with the tools as the subject of "do"
        ("What tools do stratigraphers use to see their data?", ("us", PATIENT)),
        ("By whom was the alert issued?", ("issu", AGENT)),
        ("who is Jack Ombaka?", None),  # no verb but "is"
        ("where are the forward operating bases?", None),
        ("how many officers were deployed?", None),
    ],
)
def test_the_question_word_s_verb_and_part(question: str, expected: object) -> None:
    assert asked_role(english.parser().pipe([question])[0]) == expected


def test_irregular_forms_share_their_base_s_stem() -> None:
    assert verb_stem("led") == verb_stem("leads") == verb_stem("leading") == "lead"
    assert verb_stem("bought") == verb_stem("buys")
    assert verb_stem("Deployed") == verb_stem("deploy")
    assert verb_bases()["went"] == "go"


def _parts(sentence: str, verb: str) -> dict[str, set[str]]:
    parsed = _parse(sentence)
    return {parsed.text[i]: parts for i, parts in verb_roles(parsed, verb_stem(verb)).items()}


def test_a_passive_s_by_phrase_is_its_agent_and_its_subject_what_it_was_done_to() -> None:
    parts = _parts(
        "The MSS, largely led by Kenyan police, expressed gratitude towards the Haitian people.",
        "lead",
    )
    assert parts["police"] == {AGENT}
    assert parts["MSS"] == {PATIENT}


def test_the_noun_a_participle_describes_is_what_was_done_to_it() -> None:
    parts = _parts(
        "Kenyan police officers deployed in Haiti under the Multinational Security Support "
        "Mission (MSS) have made measurable gains in restoring order.",
        "deploy",
    )
    assert parts["officers"] == {PATIENT}
    assert parts["Haiti"] == {"prep in"}


def test_what_an_object_includes_and_the_items_of_its_list_share_its_part() -> None:
    parts = _parts(
        "The MSS has also taken the responsibility of guarding key national infrastructure, "
        "including Haiti’s main international airport and seaport.",
        "guard",
    )
    assert parts["infrastructure"] == parts["airport"] == parts["seaport"] == {PATIENT}


def test_an_active_verb_s_subject_and_object() -> None:
    parts = _parts("On August 5, the United States issued a security alert.", "issue")
    assert parts["States"] == {AGENT}
    assert parts["alert"] == {PATIENT}
    assert parts["August"] == {"prep on"}
    assert _parts("The United States has issued a security alert.", "issue")["States"] == {AGENT}
    assert _parts("A security alert was issued by the embassy.", "issue") == {
        "alert": {PATIENT},
        "embassy": {AGENT},
    }


def test_a_relative_clause_gives_its_noun_the_relative_pronoun_s_part() -> None:
    assert _parts("The officers who patrol the capital met the press.", "patrol")["officers"] == {
        AGENT
    }
    assert _parts("The report which the embassy issued was short.", "issue")["report"] == {PATIENT}
    assert "city" not in _parts("The city where the officers patrol is calm.", "patrol")


def test_who_said_it_did_something_did_it() -> None:
    parts = _parts("Harlow Environmental Services Corp said it signed a contract.", "sign")
    assert parts["it"] == parts["Corp"] == {AGENT}


def test_a_sentence_without_the_verb_gives_no_parts() -> None:
    assert _parts("Armed gangs have continued efforts to disrupt road access.", "guard") == {}
