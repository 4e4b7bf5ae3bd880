"""Sentence splitting and passages on the seed article's hard cases."""

from __future__ import annotations

from index.chunk import chunk
from index.clean import is_boilerplate, is_heading
from index.segment import sentences
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
