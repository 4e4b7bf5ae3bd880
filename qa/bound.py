"""Questions that a sentence answers by what it writes right beside the name asked about.

"Who is the chairman of Pennzoil?" (qa.role_holder), "Where is FMR Corp based?"
(qa.home_base), "How old is Gordon Macklin?" (qa.age), "What does Naturalite Inc make?"
(qa.maker), "Who owns Ohio Power Co?" (qa.owner), "Who is Hugh Liedtke?"
(qa.person_post) and "What stake does Chrysler hold in Mitsubishi?" (qa.stake): the
sentence that binds the answer to the name ("Pennzoil chairman Hugh Liedtke",
"Boston-based FMR Corp", "Gordon Macklin, 58,", "Naturalite Inc, a manufacturer of
skylights", "Ohio Power Co, a unit of American Electric Power Co", "a 24 pct stake in
Mitsubishi") answers first, and the answer is what it binds, where the sentence that
matches the question's words best may be about another organisation or person, or say
nothing of it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from qa.age import age, asked_age
from qa.home_base import asked_base, base
from qa.maker import asked_make, makes
from qa.owner import asked_owner, owner
from qa.person_post import asked_person, described
from qa.role_holder import asked_post, holder
from qa.stake import asked_stake, stake

Span = tuple[int, int]
Finder = Callable[[str], "Span | None"]
# Each kind: what the question asks about (None for a question of another kind), and the
# span of what a sentence binds to it.
_KINDS: tuple[tuple[Callable[[str], Any], Callable[[Any, str], Span | None]], ...] = (
    (asked_post, holder),
    (asked_base, base),
    (asked_age, age),
    (asked_make, makes),
    (asked_owner, owner),
    (asked_person, described),
    (asked_stake, stake),
)


def finder(question: str) -> Finder | None:
    """For a question of these kinds, a function from a sentence to the character span of
    what it binds to the name asked about (None where it binds nothing); None for any
    other question."""
    for asked, find in _KINDS:
        about = asked(question)
        if about is not None:
            return partial(find, about)
    return None
