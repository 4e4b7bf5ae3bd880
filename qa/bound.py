"""Questions that a sentence answers by what it writes right beside the name asked about.

"Who is the chairman of Pennzoil?" (qa.role_holder), "Where is FMR Corp based?"
(qa.home_base), "How old is Gordon Macklin?" (qa.age) and "What does Naturalite Inc
make?" (qa.maker): the sentence that binds the answer to the name ("Pennzoil chairman
Hugh Liedtke", "Boston-based FMR Corp", "Gordon Macklin, 58,", "Naturalite Inc, a
manufacturer of skylights") answers first, and the answer is what it binds, where the
sentence that matches the question's words best may be about another organisation or say
nothing of it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from qa.age import age, asked_age
from qa.home_base import asked_base, base
from qa.maker import asked_make, makes
from qa.role_holder import asked_post, holder

Finder = Callable[[str], "tuple[int, int] | None"]


def finder(question: str) -> Finder | None:
    """For a question of these kinds, a function from a sentence to the character span of
    what it binds to the name asked about (None where it binds nothing); None for any
    other question."""
    post = asked_post(question)
    if post is not None:
        return partial(holder, post)
    org = asked_base(question)
    if org is not None:
        return partial(base, org)
    surname = asked_age(question)
    if surname is not None:
        return partial(age, surname)
    company = asked_make(question)
    if company is not None:
        return partial(makes, company)
    return None
