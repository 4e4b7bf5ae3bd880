"""A question's runs of capitalised words, each with its initials: "United States" is
"us", "Securities and Exchange Commission" "sec". qa.mismatch finds a name an article
writes as its initials ("U.S.") or a country of two words by another name ("United
Kingdom" of "Britain").
"""

from __future__ import annotations

import re
from functools import lru_cache

from qa.terms import STOP_WORDS

# A run of capitalised words, small words between them left out of its initials:
# "Securities and Exchange Commission", "General Agreement on Tariffs and Trade".
_NAMED_RUN = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:(?:of|and|on|for|the|&)\s+)*[A-Z][a-z]+)+")
_SMALL = frozenset(("of", "and", "on", "for", "the", "&"))


@lru_cache(maxsize=4096)
def name_runs(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The text's runs of capitalised words, each as its initials and its words, folded,
    stop words in front left out ("In the United States"): ("us", ("united", "states"))."""
    runs = []
    for run in _NAMED_RUN.finditer(text):
        words = [w.lower() for w in run.group().split() if w.lower() not in _SMALL]
        while words and words[0] in STOP_WORDS:
            del words[0]
        if len(words) > 1:
            runs.append(("".join(w[0] for w in words), tuple(words)))
    return tuple(runs)
