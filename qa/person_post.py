"""Answers to "Who is Hugh Liedtke?": the post or description the sentence gives the person.

Wire copy says who someone is once, right beside the name: "Pennzoil chairman Hugh
Liedtke", "Ike Kerridge, an economist with the oilfield service firm Baker Hughes Inc.,
was ...", "said Peter Beutel of Elders Energy Futures Inc.". The sentence that best matches
the question's few words is often one that only mentions the person ("Alan Greenspan has
been nominated to replace Volcker."), and the span model, fitted on SQuAD, then picks
another name from it. So for such a question the answerer prefers a sentence that
describes the person, and quotes the description (qa.bound).

Words only: the person is the question's name (its first word, any middle names or
initials, its last word; a title the question puts first is dropped), and a description
is one of
- a phrase set after the name in commas that has a post or occupation among its first
  words ("James Robinson III, chairman of American Express Co, said");
- the post written right before the name, with the capitalised words before it
  ("State Department spokesman Charles Redman");
- the organisation after "of" where the person is quoted ("said David Horner of Merrill
  Lynch Economics").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qa.role_holder import POSTS
from qa.span import MONTH_OR_DAY
from qa.terms import STOP_WORDS

# Posts and occupations that say who someone is: the posts qa.role_holder reads, and more.
_POSTS = POSTS + (
    "|"
    "analyst|strategist|official|officer|executive|partner|trader|dealer|lawyer|attorney"
    "|judge|senator|congressman|congresswoman|representative|member|professor|researcher"
    "|consultant|adviser|advisor|counsel|king|queen|prince|princess|chancellor|premier"
    "|envoy|negotiator|delegate|general|colonel|sheriff|investor|banker|broker|journalist"
    "|correspondent|author|writer|actor|actress|singer|player|striker|playwright|scientist"
    "|inventor|entrepreneur|candidate|nominee|heir|son|daughter|wife|husband|widow|brother"
    "|sister|father|mother|vice chairman|vice-chairman|vice-president|co-founder|cofounder"
    "|boss|administrator|regulator|auditor|dean"
)
_POST = re.compile(rf"\b(?i:{_POSTS})s?\b")
# "Who is Hugh Liedtke?", "who was Karl Otto Poehl?": capitalised words and initials only.
_NAME = r"(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]*"
_ASKED = re.compile(rf"^\W*(?i:who\s+(?:is|was)\s+)(?P<name>{_NAME})\W*$")
_SUFFIX = r"(?:,?\s+(?:Jr|Sr|II|III|IV)\b\.?)?"
_TITLES = frozenset("mr mrs ms dr sir lord lady dame rep sen gov gen president".split())
# The description in commas: up to the clause's end, and a post among its first words.
_APPOSITIVE = re.compile(
    r",\s+(?:\d{1,3},\s+)?"  # an age first: "Gordon Macklin, 58, president of ..."
    r"(?P<desc>(?!(?i:who|whose|whom|which|that|where|when|while|and|but|said|says)\b)"
    r"[^,;()\"“”]{3,160})"
)
_OPENS_WITH_POST = re.compile(
    rf"^(?:(?i:the|a|an|its|his|her|their)\s+)?(?:[\w'’.&-]+\s+){{0,4}}?(?i:{_POSTS})\b"
)
_REPORTING = (
    "said|says|told|added|noted|predicted|estimated|believes|believed|expects|expected"
    "|warned|explained|argued|stated|commented|suggested|pointed|described|reported"
)
_TIME = "last|next|week|weeks|month|months|year|years|day|days|today|yesterday|tomorrow|now"
_SAYS_AFTER = re.compile(rf"\s+(?:{_REPORTING})\b")
# A description stops at a verb of saying or where a relative clause starts: "chief
# executive of BT Wholesale[, which provides phone lines ...]".
_DESC_ENDS = re.compile(rf"\s+(?:{_REPORTING}|who|whose|which|that)\b")
# A singular post, as written right before a name ("dealers" before one is not its post).
_SINGLE_POST = re.compile(rf"(?i:{_POSTS})")
# A lower-case word that may say whose post it is, before the post: not a function word,
# a verb of saying or what looks like a verb or an adverb ("elected", "recently").
_MODIFIER = re.compile(
    rf"(?!(?:{_REPORTING}|{_TIME}|met|named|replace|replaces|join|joins|including|following"
    r"|saying)$)[a-z][a-z-]*(?<!ed)(?<!ly)|retired"
)
# After a description in commas, more of a company's name ("Prescott, Ball and Turben
# Inc."), or its acronym in brackets ("(FIESP)").
_CAPITALISED_RUN = r"[A-Z][\w'’.&-]*(?:\s+(?:&|and|of|[A-Z][\w'’.&-]*))*"
_GOES_ON = re.compile(
    rf",\s+(?![A-Z][\w'’.&-]*\s+(?:said|says|told)\b){_CAPITALISED_RUN}(?=[,.;]|\s*$)"
    r"|\s*\([A-Z][\w&.-]{1,12}\)"
)
_TRAILING_TICKER = re.compile(r"\s*<[^>]*>\s*$")
_SAID_BEFORE = re.compile(r"\b(?:said|says|according\s+to)\s+$")
_OF_ORG = re.compile(r"\s+of\s+(?P<org>(?:the\s+)?[A-Z][\w'’.&-]*(?:\s+(?:&|of|[A-Z][\w'’.&-]*))*)")
# A capitalised word or a ticker: what a post's organisation is made of.
_ORG_WORD = re.compile(r"^(?:[A-Z0-9][\w'’.&!-]*|<[^>]*>)$")
# A day or a month is a name's ("Sunday Telegraph journalist") but after a word that makes
# it a date ("on Monday Lib Dem constitutional affairs committee chairman Alan Beith").
_BEFORE_DATE = frozenset(
    "on last next this since until till from every each early late in during".split()
)
_ABBREVIATED = re.compile(r"(?:\b(?:Inc|Ltd|Co|Corp|Jr|Sr|Bros|Plc)|\b[A-Z])\.$")


@dataclass(frozen=True)
class Person:
    """Who a who-is question asks about: their first and last name as the question writes
    them (the same word for a single name)."""

    first: str
    last: str


@lru_cache(maxsize=1024)
def asked_person(question: str) -> Person | None:
    """The person a "Who is <name>?" question asks about; None for any other question."""
    m = _ASKED.match(question.strip())
    if m is None:
        return None
    names = m.group("name").split()
    while len(names) > 1 and names[-1].rstrip(".") in ("Jr", "Sr", "II", "III", "IV"):
        names.pop()
    while len(names) > 1 and names[0].rstrip(".").lower() in _TITLES:
        names.pop(0)
    if _POST.fullmatch(names[-1]) or names[-1].endswith(("'s", "’s")):
        return None  # "Who is the Pennzoil chairman?" is qa.role_holder's
    return Person(names[0], names[-1])


def described(person: Person, sentence: str) -> tuple[int, int] | None:
    """The character span of what the sentence says the person is, or None."""
    if person.last not in sentence:
        return None
    for m in _name_pattern(person).finditer(sentence):
        span = _after(sentence, m.end()) or _before(sentence, m.start())
        if span is None:
            span = _quoted_from(sentence, m.start(), m.end())
        if span is not None:
            return span
    return None


@lru_cache(maxsize=256)
def _name_pattern(person: Person) -> re.Pattern[str]:
    last = re.escape(person.last)
    if person.first == person.last:
        return re.compile(rf"\b{last}\b{_SUFFIX}")
    first = re.escape(person.first)
    return re.compile(rf"\b{first}(?:\s+[A-Z][\w'’.-]*){{0,2}}?\s+{last}\b{_SUFFIX}")


def _after(sentence: str, end: int) -> tuple[int, int] | None:
    """ "Ike Kerridge, [an economist with ... Baker Hughes Inc.],": a description in
    commas that opens with a post. A company's name may go on past a comma ("analyst at
    Prescott, Ball and Turben Inc.") and an acronym in brackets with it ("(FIESP)")."""
    m = _APPOSITIVE.match(sentence, end)
    if m is None or not _OPENS_WITH_POST.match(m.group("desc")):
        return None
    start, stop = m.span("desc")
    while (more := _GOES_ON.match(sentence, stop)) is not None:
        stop = more.end()
    desc = sentence[start:stop]
    said = _DESC_ENDS.search(desc)
    if said is not None:
        desc = desc[: said.start()]
    desc = _TRAILING_TICKER.sub("", desc).rstrip()
    if desc.endswith(".") and not _ABBREVIATED.search(desc):
        desc = desc[:-1]
    return start, start + len(desc)


def _before(sentence: str, start: int) -> tuple[int, int] | None:
    """ "[State Department spokesman] Charles Redman": the post right before the name, with
    the words before it that say whose post it is: capitalised words, tickers, "of" and
    "and" inside a name ("House Ways and Means Committee chairman"), and a few lower-case
    modifiers ("New Zealand trade minister", "Dai-Ichi Kangyo Bank chief economist")."""
    head = sentence[max(0, start - 160) : start]
    offset = start - len(head)
    found = list(re.finditer(r"\S+", head))
    words = [(m.start(), m.group().rstrip(",")) for m in found]
    if not words or not head.endswith((" ", "\n")) or not _SINGLE_POST.fullmatch(words[-1][1]):
        return None
    first, lower, joined = len(words) - 1, 0, None
    for i in range(len(words) - 2, -1, -1):
        word = words[i][1]
        if word != found[i].group():
            break  # a comma ends the phrase: "In Tokyo, Bank of Japan governor ..."
        if MONTH_OR_DAY.fullmatch(word) and i > 0 and words[i - 1][1].lower() in _BEFORE_DATE:
            break
        if _ORG_WORD.match(word):
            if joined and _SINGLE_POST.fullmatch(word):
                first = joined  # another person's post: "Secretary James Baker and ..."
                break
            first = i
        elif (
            word in ("of", "&", "and")
            and i > 0
            and words[i - 1][1][:1].isupper()
            and words[i + 1][1][:1].isupper()
        ):
            joined = i + 1 if word == "and" else joined
        elif word == "and" and i > 0 and _SINGLE_POST.fullmatch(words[i - 1][1]):
            pass  # "GM chairman and chief executive Rick Wagoner"
        elif _MODIFIER.fullmatch(word) and word not in STOP_WORDS and lower < 3:
            if joined and _SINGLE_POST.fullmatch(word):
                first = joined  # "actor Jeremy Irons and former minister Kate Hoey"
                break
            lower += 1
            first = i
        else:
            break
    # Not a word that is capitalised only for opening the sentence: "But Pentagon spokesman".
    while first < len(words) - 1 and (
        words[first][1] in ("of", "&", "and") or words[first][1].lower() in STOP_WORDS
    ):
        first += 1
    last_start, last = words[-1]
    return offset + words[first][0], offset + last_start + len(last)


def _quoted_from(sentence: str, start: int, end: int) -> tuple[int, int] | None:
    """ "said David Horner of [Merrill Lynch Economics]", "Larry Eckenfelder of
    [Prudential-Bache Securities] said": where a person quoted is from."""
    m = _OF_ORG.match(sentence, end)
    if m is None:
        return None
    if not (_SAID_BEFORE.search(sentence, 0, start) or _SAYS_AFTER.match(sentence, m.end())):
        return None
    org = m.group("org")
    if org.endswith(".") and not _ABBREVIATED.search(org):
        org = org[:-1]
    return m.start("org"), m.start("org") + len(org)
