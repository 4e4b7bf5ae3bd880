"""Answers to "Who is the chairman of Pennzoil?": the name the sentence gives the role.

News names whoever holds a post beside the post and the organisation: "Pennzoil chairman
Hugh Liedtke said", "Robert Adler, president of the Cabletelevision Advertising Bureau,
said", "the chairman of the Federal Reserve Board, Paul Volcker". A sentence with the same
words about another organisation's chairman ("Zenex chairman John Truscott" in a story
about Exxon) or the post without a name ("A Boliden spokesman told Reuters") scores as
high, so the answerer prefers a sentence that binds the post to the organisation asked
about and names its holder, and quotes the name.

Words only, no parse: the post as the question writes it ("chief executive"), the
organisation's words within a few words of it (before it, or after "of"), and a run of
capitalised words right after it or right before ", <post> of".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qa.organisation import ends_with, org_stems, starts_with

# Posts a person holds at an organisation (qa.person_post adds occupations).
POSTS = (
    "chairman|chairwoman|chairperson|chair|president|vice president|chief executive"
    "|chief executive officer|chief operating officer|chief financial officer|ceo|cfo|coo"
    "|spokesman|spokeswoman|spokesperson|managing director|director|general manager"
    "|governor|minister|prime minister|foreign minister|finance minister|secretary"
    "|treasurer|head|leader|founder|owner|commander|chief|coach|captain|mayor"
    "|ambassador|chief economist|economist|editor|general secretary|secretary general"
    "|secretary-general|deputy|manager|executive director|commissioner|president-elect"
)
_ASKED = (
    # "Who is the chairman of Pennzoil?", "who was the president of the Fed in 1987?"
    re.compile(
        rf"^\W*who\s+(?:is|was|are|were)\s+(?:the\s+|a\s+|an\s+)?(?:current\s+|new\s+)?"
        rf"(?P<post>{POSTS})\s+(?:of|at|for)\s+(?:the\s+)?(?P<org>.+?)\W*$",
        re.IGNORECASE,
    ),
    # "Who is Pennzoil's chairman?"
    re.compile(
        rf"^\W*who\s+(?:is|was)\s+(?:the\s+)?(?P<org>.+?)['’]s?\s+(?:current\s+|new\s+)?"
        rf"(?P<post>{POSTS})\W*$",
        re.IGNORECASE,
    ),
    # "Who is the MSS spokesperson?"
    re.compile(
        rf"^\W*who\s+(?:is|was)\s+(?:the\s+)?(?P<org>[A-Z0-9][^?]*?)\s+(?:current\s+|new\s+)?"
        rf"(?P<post>{POSTS})\W*$",
        re.IGNORECASE,
    ),
)
# A name: capitalised words, initials among them ("Joseph E. Cappy", "Annesley").
_WORD = r"[A-Z][\w-]*(?:['’][A-Z][\w-]*)?"  # "Liedtke", "O'Neil"; not "Volcker's"
_NAME = rf"(?:{_WORD}\.?\s+){{0,3}}{_WORD}"
# Another post than the one asked: "Bundesbank vice president Helmut Schlesinger".
_OTHER_POST = r"(?<!(?i:vice)[ -])(?<!(?i:deputy) )(?<!(?i:former) )(?<!(?i:assistant) )"


@dataclass(frozen=True)
class Asked:
    """What a who-holds-this-post question asks: the post's words and the organisation's
    content stems."""

    post: str
    org: frozenset[str]


@lru_cache(maxsize=1024)
def asked_post(question: str) -> Asked | None:
    """The post and organisation a "Who is the <post> of <organisation>?" question asks
    about; None for any other question."""
    for pattern in _ASKED:
        m = pattern.match(question.strip())
        if m is None:
            continue
        org = org_stems(m.group("org"))
        if org:
            return Asked(" ".join(m.group("post").lower().split()), org)
    return None


def holder(asked: Asked, sentence: str) -> tuple[int, int] | None:
    """The character span of the name the sentence gives the post at the organisation asked
    about, or None when it gives none."""
    if asked.post.split()[0] not in sentence.lower():
        return None
    for pattern, org_first in _patterns(asked.post):
        for m in pattern.finditer(sentence):
            if org_first:
                bound = ends_with(asked.org, sentence[: m.start("post")])
            else:
                bound = starts_with(asked.org, sentence[m.start("org") :])
            if bound:
                return m.start("name"), m.end("name")
    return None


@lru_cache(maxsize=64)
def _patterns(post: str) -> tuple[tuple[re.Pattern[str], bool], ...]:
    """The ways a sentence names the post's holder, each with whether the organisation
    comes before the post (else right after its "of")."""
    written = r"\s+".join(map(re.escape, post.split()))
    post_group = rf"{_OTHER_POST}(?P<post>(?i:{written}))\b"
    return (
        # "Pennzoil chairman Hugh Liedtke", "First National Bank's managing director, Chris Ball"
        (re.compile(rf"\b{post_group},?\s+(?P<name>{_NAME})"), True),
        # "Robert Adler, president of the Cabletelevision Advertising Bureau"
        (
            re.compile(
                rf"(?P<name>{_NAME}),\s+(?:(?i:the|its|a)\s+)?(?:[a-z]+\s+){{0,2}}{post_group}"
                rf"\s+(?:of|at)\s+(?P<org>\S)"
            ),
            False,
        ),
        # "the chairman of the Federal Reserve Board, Paul Volcker"
        (
            re.compile(rf"\b{post_group}\s+(?:of|at)\s+(?P<org>[^,]{{1,80}}),\s+(?P<name>{_NAME})"),
            False,
        ),
    )
