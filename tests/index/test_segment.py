"""Sentence splitting and passages on the seed article's hard cases."""

from __future__ import annotations

from index.chunk import chunk
from index.clean import is_boilerplate, is_heading
from index.segment import MAX_SENTENCE_CHARS, _join_brackets, sentences
from tests.conftest import SEEDS

SEED = (SEEDS / "mss-haiti-kenyan-police-2025-08.txt").read_text(encoding="utf-8")


def seed_sentences() -> list[str]:
    return [SEED[s:e] for s, e in sentences(SEED)]


def test_us_abbreviation_and_curly_quotation_stay_in_one_sentence() -> None:
    quoted = [s for s in seed_sentences() if s.startswith("“There is heavy gunfire")]
    assert quoted == [
        "“There is heavy gunfire reported in the Tabarre area near the U.S. Embassy. U.S. "
        "government personnel have paused all official movement outside the embassy compound,” "
        "the alert stated."
    ]


def test_quotation_ending_the_sentence_keeps_its_closing_mark() -> None:
    assert any(s.endswith("escalating violence.”") for s in seed_sentences())
    assert any(
        s.startswith("“Despite the continued threat") and s.endswith("in a statement.")
        for s in seed_sentences()
    )


def test_teasers_footer_and_headings_are_never_sentences() -> None:
    found = seed_sentences()
    assert not any("Also Read" in s or "WhatsApp" in s for s in found)
    assert not any(s.startswith(("Anti-Gang Operations", "Gunfire Reported")) for s in found)
    assert len(found) == 16


def test_every_sentence_is_an_exact_trimmed_slice() -> None:
    for start, end in sentences(SEED):
        piece = SEED[start:end]
        assert piece == piece.strip() and "\n" not in piece


def test_boilerplate_and_heading_rules() -> None:
    assert is_boilerplate("Also Read: DCI Arrests Content Creator Over Viral TikTok Video")
    assert is_boilerplate("Follow our WhatsApp Channel and X Account for real-time news updates.")
    assert not is_boilerplate("Officials say the bases are improving patrol reach.")
    assert is_heading("Anti-Gang Operations in Haiti")
    assert not is_heading("Arrivals for the week ended February 22 were 155,221 bags")


def test_passages_overlap_and_never_cross_a_teaser() -> None:
    result = chunk(SEED, size=3, overlap=1)
    for p in result.passages:
        assert "Also Read" not in SEED[p.start : p.end]
        assert p.start == result.sentences[p.first][0] and p.end == result.sentences[p.last][1]
    firsts = [p.first for p in result.passages]
    lasts = [p.last for p in result.passages]
    assert any(f == last for f, last in zip(firsts[1:], lasts, strict=False))


def test_wrapped_newswire_lines_join_into_sentences() -> None:
    text = (
        "Showers continued throughout the week in\nthe Bahia cocoa zone, alleviating the "
        "drought.\n    The dry period means the temporao will be late this year.\n"
    )
    found = [text[s:e] for s, e in sentences(text)]
    assert len(found) == 2 and found[0].startswith("Showers") and found[0].endswith("drought.")


def test_a_hard_wrapped_lead_line_is_story_not_a_heading() -> None:
    # Newswire wraps at a fixed width, so a lead's first line can be all company name.
    cases = {
        "Gulf Applied Technologies Inc said it\nsold its pipeline units for 12.2 mln\n"
        "dlrs.\n    It added that taxes will be offset.\n": "Gulf Applied Technologies Inc",
        "Beryllium International\nCorp said it has signed a joint venture agreement\n"
        "with a Chinese partner.\n": "Beryllium International\nCorp",
        "Texaco Inc said the U.S.\nSecurities and Exchange Commission will urge the Texas Supreme\n"
        "Court to accept the case.\n": "Texaco Inc said the U.S.\nSecurities and Exchange",
        "Suffield Financial Corp said\nJon Googel and Benjamin Sisti bought a stake.\n": "Suffield",
    }
    for text, lead in cases.items():
        found = [text[s:e] for s, e in sentences(text)]
        assert found[0].startswith(lead), found


def test_headings_are_still_skipped_before_a_paragraph_of_any_length() -> None:
    text = (
        "The bases improve patrol reach.\nGunfire Reported Near US Embassy\n"
        "This comes a day after concerns were raised.\n\nAnti-Gang Operations in Haiti\n"
        "Armed gangs have continued efforts to disrupt road\naccess, but attacks were repelled.\n"
    )
    found = [text[s:e] for s, e in sentences(text)]
    assert not any("Gunfire Reported" in s or "Anti-Gang" in s for s in found), found
    assert found[1].startswith("This comes") and found[2].startswith("Armed gangs"), found


def test_a_title_before_a_name_does_not_end_the_sentence() -> None:
    text = 'It is easy prey," Rep.\nEdward Markey, D-Mass, said. Sen. Bob Dole agreed.'
    found = [text[s:e] for s, e in sentences(text)]
    assert found == [
        'It is easy prey," Rep.\nEdward Markey, D-Mass, said.',
        "Sen. Bob Dole agreed.",
    ]


def test_an_indented_paragraph_after_an_abbreviation_starts_a_new_sentence() -> None:
    text = (
        "Rates will fall, said Paul McCulley of E.F. Hutton and Co.\n"
        "    Citibank's cut was expected by the market.\n"
        "    It added the U.S.\neconomy was slowing.\n"
    )
    found = [text[s:e] for s, e in sentences(text)]
    assert found == [
        "Rates will fall, said Paul McCulley of E.F. Hutton and Co.",
        "Citibank's cut was expected by the market.",
        "It added the U.S.\neconomy was slowing.",
    ]


WIRE = (
    "GULF APPLIED SELLS UNITS\n"
    "Gulf Applied Technologies Inc said it\nsold its pipeline units for 12.2 mln\n"
    "dlrs.\n    It added that taxes will be offset.\n"
    'It is easy prey," Rep.\nEdward Markey, D-Mass, said. Sen. Bob Dole agreed.\n'
    "Rates will fall, said Paul McCulley of E.F. Hutton and Co.\n    Bonds rallied.\n"
    "He was held under the Mental Health (Care and Treatment) (Scotland) Act 2003.\n"
    "Tickets cost 5 €. Sales rose 5 %. Fans cheered 🎉. Then it rained.\n"
)
# The sentences of SEED and WIRE under the current index.schema.SENTENCE_RULES.
RULES_DIGESTS = {4: "08b2dc6f7eefbce6"}


def test_the_sentence_rules_have_the_version_indexes_record() -> None:
    # An index records the version of the rules it was split by and warns when it is older
    # than SENTENCE_RULES; a change to the rules that leaves the version as it was would
    # leave old indexes silent. Changed the rules? Raise the version, record the new digest.
    import hashlib

    from index.schema import SENTENCE_RULES

    found = [sentences(SEED), sentences(WIRE)]
    digest = hashlib.sha256(repr(found).encode()).hexdigest()[:16]
    assert RULES_DIGESTS.get(SENTENCE_RULES) == digest, (
        f"the sentence rules split differently from version {SENTENCE_RULES}: raise "
        f"index.schema.SENTENCE_RULES and record {digest!r} for it in RULES_DIGESTS"
    )


def test_a_bracket_without_a_full_stop_ends_no_sentence() -> None:
    text = (
        "He was held under the Mental Health (Care and Treatment) (Scotland) Act 2003. "
        "Sony (UK) Ltd said it would double capacity. (It gave no figure.) Shares rose."
    )
    assert [text[s:e] for s, e in sentences(text)] == [
        "He was held under the Mental Health (Care and Treatment) (Scotland) Act 2003.",
        "Sony (UK) Ltd said it would double capacity.",
        "(It gave no figure.)",
        "Shares rose.",
    ]
    # A line that ends in a bracket may end its sentence there: a table row, a heading.
    table = "Units sold (est)\nPrices fell."
    assert _join_brackets(table, [(0, 16), (17, 29)]) == [(0, 16), (17, 29)]


def test_a_full_stop_after_a_sign_standing_apart_ends_the_sentence() -> None:
    text = (
        "The ticket costs 5 €. The bus left at noon. Prices rose 5 %. The bank agreed. "
        "Big day at the docks 🎉🎉! The harbour master spoke. Use C++. It is fast. "
        "He said so™. Then left. A £5 note was found. Stamps rose 2 ¢."
    )
    assert [text[s:e] for s, e in sentences(text)] == [
        "The ticket costs 5 €.",
        "The bus left at noon.",
        "Prices rose 5 %.",
        "The bank agreed.",
        "Big day at the docks 🎉🎉!",
        "The harbour master spoke.",
        "Use C++.",
        "It is fast.",
        "He said so™.",
        "Then left.",
        "A £5 note was found.",
        "Stamps rose 2 ¢.",
    ]


def test_a_run_over_the_longest_sentence_is_cut_at_a_semicolon_comma_or_space() -> None:
    # 270,000 characters without a full stop took spaCy a gigabyte; a million, a traceback.
    table = "; ".join(f"Wheat {n} tonnes, maize {n + 1} tonnes" for n in range(100)) + "."
    words = " ".join(["harbour"] * 400) + ". Ships docked."
    solid = "x" * 2500 + " end."
    for text in (table, words, solid):
        spans = sentences(text)
        assert max(e - s for s, e in spans) <= MAX_SENTENCE_CHARS
        assert all(text[s:e] == text[s:e].strip() for s, e in spans)
        # Nothing but the spaces between the pieces is left out.
        gaps = [text[e:s2] for (_, e), (s2, _) in zip(spans, spans[1:], strict=False)]
        assert all(gap.strip() == "" for gap in gaps)
        assert spans[0][0] == 0 and spans[-1][1] == len(text)
    pieces = [table[s:e] for s, e in sentences(table)]
    assert all(p.endswith(";") for p in pieces[:-1]) and len(pieces) > 1
    assert [words[s:e] for s, e in sentences(words)][-1] == "Ships docked."
    assert [e - s for s, e in sentences(solid)] == [1000, 1000, 505]
