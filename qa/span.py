"""Find the shortest span of a sentence that answers a question.

No QA model: the question's type (who, where, when, how many, other) picks the kind of
phrase wanted, and the phrase of that kind nearest to the question's own words wins.
When nothing fits, the whole sentence is the answer.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

from qa.terms import STOP_WORDS, fold, stem, words

Span = tuple[int, int]

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
DATE = re.compile(
    rf"\b(?:(?:on\s+)?{_DAYS},?\s+)?(?:{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}(?:,?\s+\d{{4}})?"
    rf"|{_MONTHS},?\s+\d{{4}}|{_DAYS}|\d{{4}}-\d\d-\d\d|(?:1\d|20)\d\d(?:s)?"
    r"|\d{1,2}(?:st|nd|rd|th)[\s-]+centur(?:y|ies))\b"
    r"|\b(?:yesterday|today|tomorrow|last\s+(?:week|month|year|night)|next\s+(?:week|month|year))\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty"
    r"|forty|fifty|hundred|thousand|million|billion|dozen|dozens|hundreds|thousands"
)
NUMBER = re.compile(
    rf"(?:[$£€¥]\s?)?\b(?:\d[\d,.]*\d|\d|(?:{_NUMBER_WORDS})(?![\w-]))"
    rf"(?:\s*(?:%|(?:per\s?cent|percent|bn|m|mln|km|kg|million|billion|thousand|hundred"
    rf"|{_NUMBER_WORDS})\b))*(?:\s+[a-z]+\b)?",
    re.IGNORECASE,
)
MONTH_OR_DAY = re.compile(rf"{_MONTHS}|{_DAYS}")
_NAME_TOKEN = r"(?:[A-Z][\w’'.\-]*|[A-Z]{2,}s?)"
NAME = re.compile(
    rf"{_NAME_TOKEN}(?:(?:\s+(?:of|de|du|la|le|al|van|von|the|for|and)){{0,2}}"
    rf"\s+{_NAME_TOKEN})*"
)
_LOCATIVE = re.compile(
    r"\b(?:in|at|near|from|to|into|across|outside|inside|around|between|"
    r"towards?|within|throughout)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_LIST_GAP = re.compile(
    r"^(?:\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+)(?:(?:in|at|on|near)\s+)?"
    r"(?:the\s+)?$",
    re.IGNORECASE,
)
_LEADING = re.compile(
    r"^(?:(?:is|are|was|were|be|been|being|has|have|had|that|which|to|by|as|"
    r"of|for|in|on|at|from|into|with|it|its|their|them|they|there|this|these|those)\b[\s,]*)+",
    re.IGNORECASE,
)

_PERSON_NOUNS = (
    r"person|people|man|woman|player|actor|actress|singer|artist|writer|author|poet"
    r"|president|leader|king|queen|emperor|ruler|minister|official|scientist"
    r"|general|coach|quarterback|founder|director|composer|architect|inventor"
    r"|company|team|group|organi[sz]ation|party|band|club|university|agency|firm"
)
_PLACE_NOUNS = (
    r"place|city|country|town|area|region|location|state|continent|river|island"
    r"|nation|province|county|village|building|stadium|street|port|mountain"
)
_TIME_NOUNS = r"year|date|day|month|time|century|decade|period|era|season"
_AMOUNT_NOUNS = r"percentage|percent|number|amount|proportion|share|size|population|cost|price"

# "what year", "which city", and "what was the year", "which is the city".
_WHAT = r"(?:what|which)\s+(?:(?:is|was|are|were)\s+the\s+)?"
QUESTION_TYPES = (
    ("date", re.compile(rf"\b(?:when|{_WHAT}(?:{_TIME_NOUNS})s?|how long ago)\b", re.I)),
    (
        "number",
        re.compile(
            rf"\b(?:how (?:many|much|long|far|old|big|large|often|tall|high)|{_WHAT}"
            rf"(?:{_AMOUNT_NOUNS}))\b",
            re.I,
        ),
    ),
    ("place", re.compile(rf"\b(?:where|{_WHAT}(?:{_PLACE_NOUNS})s?)\b", re.I)),
    ("name", re.compile(rf"\b(?:who|whom|whose|{_WHAT}(?:{_PERSON_NOUNS})s?)\b", re.I)),
)

_WH = re.compile(r"\b(?:what|which|who|whom|whose|where|how|why)\b", re.I)

# "what award ...?", "which kind of city ...?": the noun the answer is a kind of.
_HEAD_NOUN = re.compile(
    r"\b(?:what|which)\s+(?:(?:kind|type|sort|form|part)s?\s+of\s+)?(?:the\s+)?([a-z][\w-]*)",
    re.IGNORECASE,
)
# Capitalised only because they open a sentence: "Despite Ombaka's warning" names Ombaka.
_SENTENCE_OPENERS = frozenset(
    "despite however although though following unlike like among meanwhile besides "
    "without within upon since yet thus hence instead still later earlier".split()
)
_LEADING_WORDS = STOP_WORDS | _SENTENCE_OPENERS
# Words after "what"/"which" that are not the noun the answer is a kind of.
_NOT_HEAD_NOUNS = STOP_WORDS | frozenset("must can could should would will shall may might".split())
MAX_MODIFIERS = 4


_CLAUSE_END = re.compile(
    r";|:|\s[–—-]\s|\s\(|\)|,?\s(?:while|whereas|which|who|whom|whose|where|when|because|"
    r"although|though|but|after|before|since|until|unless|if|as well as)\b"
)
_CLAUSE_OR_COMMA = re.compile(_CLAUSE_END.pattern + r"|,")
LIST = re.compile(r",\s(?:and|or)\s")


@lru_cache(maxsize=4096)
def question_type(question: str) -> str:
    """The kind of answer the question wants (QUESTION_TYPES), or "other": the kind whose
    words come first ("Who was king when ...?" asks for a name). A "when" after another
    question word opens a clause and asks nothing ("What sea bordered the empire when he
    died?"). Memoised: the scorer asks it of every candidate sentence."""
    found = []
    for order, (kind, pattern) in enumerate(QUESTION_TYPES):
        for m in pattern.finditer(question):
            if not (m.group().lower() == "when" and _WH.search(question, 0, m.start())):
                found.append((m.start(), order, kind))
                break
    return min(found)[2] if found else "other"


@dataclass(frozen=True)
class Found:
    """A span inside the sentence (offsets relative to the sentence) and whether it is typed."""

    start: int
    end: int
    typed: bool


def find_span(question: str, sentence: str) -> Found:
    """The answer span inside `sentence`; the whole (trimmed) sentence when none is found."""
    kind = question_type(question)
    q_stems = question_stems(question)
    hits = _hits(sentence, q_stems)
    candidates = _candidates(kind, sentence, q_stems)
    if candidates:
        best = min(candidates, key=lambda c: (_distance(c, hits), c[0]))
        return Found(best[0], best[1], typed=True)
    if kind == "other":
        headed = _headed(question, sentence, q_stems)
        if headed is not None:
            return Found(headed[0], headed[1], typed=False)
    if kind == "other" and hits:
        tail = _tail_after(sentence, q_stems)
        if tail is not None:
            return Found(tail[0], tail[1], typed=False)
    start, end = _trim(sentence, 0, len(sentence))
    return Found(start, end, typed=False)


def has_typed_span(question: str, sentence: str) -> bool:
    """Whether `find_span` would find a phrase of the wanted type (its `typed`), without
    looking for the span itself: a "what" or "why" question never has one."""
    kind = question_type(question)
    return kind != "other" and bool(_candidates(kind, sentence, question_stems(question)))


def typed_spans(kind: str, sentence: str, question: str) -> list[Span]:
    """The phrases of a kind ("date", "number", "place", "name") in the sentence that the
    question does not already hold."""
    return _candidates(kind, sentence, question_stems(question))


def name_lists(question: str, sentence: str) -> list[Span]:
    """Lists of names in the sentence ("Pont Sondé, Downtown Port-au-Prince, and at the
    Haitian Police Academy"), read off the text, that the question does not already hold."""
    merged = _merge_lists(sentence, _names(sentence, question_stems(question)))
    return [(start, end) for start, end in merged if LIST.search(sentence[start:end])]


def nearest(spans: list[Span], question: str, sentence: str) -> Span:
    """The span closest to (preferably right after) the question's words in the sentence."""
    hits = _hits(sentence, question_stems(question))
    return min(spans, key=lambda c: (_distance(c, hits), c[0]))


def question_stems(question: str) -> frozenset[str]:
    """Stems of the question's content words."""
    return frozenset(_question_stems(question))


@lru_cache(maxsize=4096)
def _question_stems(question: str) -> tuple[str, ...]:
    # A tuple, which the cycle collector stops tracking, not a frozenset (qa.terms.stems).
    found = [(s, w) for s, _, w in words(question)]
    stems_ = {stem(w) for _, w in found if w not in STOP_WORDS}
    return tuple(stems_ | _acronyms(question, found))


def _acronyms(question: str, found: list[tuple[int, str]]) -> set[str]:
    """The initials of each run of two to six capitalised words of the question, as a
    sentence would abbreviate them: "MSS" for "the Multinational Security Support
    mission", so that "(MSS)" counts as the question's own words."""
    out: set[str] = set()
    run: list[str] = []
    for start, word in [*found, (-1, "")]:
        if start >= 0 and question[start].isupper() and word not in STOP_WORDS:
            run.append(word[0])
            continue
        if 2 <= len(run) <= 6 and "".join(run) not in STOP_WORDS:  # "IT" is not "it"
            out.add(stem("".join(run)))
        for i in range(len(run)):  # "MSS" of "the Multinational Security Support Mission"
            for j in range(i + 3, min(len(run), i + 6) + 1):
                out.add(stem("".join(run[i:j])))
        run = []
    return out


def _hits(sentence: str, q_stems: AbstractSet[str]) -> list[Span]:
    return [(s, e) for s, e, w in words(sentence) if stem(w) in q_stems]


def _candidates(kind: str, sentence: str, q_stems: AbstractSet[str]) -> list[Span]:
    if kind == "date":
        spans = [m.span() for m in DATE.finditer(sentence)]
    elif kind == "number":
        spans = [_trim_number(sentence, m.span(), q_stems) for m in NUMBER.finditer(sentence)]
    elif kind in ("place", "name"):
        spans = _names(sentence, q_stems)
        if kind == "place":
            spans = _merge_lists(sentence, spans)
            located = [n for n in spans if _LOCATIVE.search(sentence[: n[0]])]
            spans = located or spans
    else:
        return []
    return [s for s in spans if not all_in_question(sentence[s[0] : s[1]], q_stems)]


def _names(sentence: str, q_stems: AbstractSet[str]) -> list[Span]:
    spans = []
    for m in NAME.finditer(sentence):
        start, end = m.span()
        # A capital at the start of the sentence may just be an ordinary word.
        lead = re.match(r"(?:[A-Z][a-z]*\s+)", sentence[start:end])
        while lead and fold(lead.group().strip()) in _LEADING_WORDS:
            start += lead.end()
            lead = re.match(r"(?:[A-Z][a-z]*\s+)", sentence[start:end])
        text = re.sub(r"[’']s$", "", sentence[start:end].rstrip("."))  # "Manning's"
        if text and not MONTH_OR_DAY.fullmatch(text) and fold(text) not in STOP_WORDS:
            spans.append((start, start + len(text)))
    return [s for s in spans if not all_in_question(sentence[s[0] : s[1]], q_stems)]


def _merge_lists(sentence: str, spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in spans:
        if merged and _LIST_GAP.match(sentence[merged[-1][1] : start]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _headed(question: str, sentence: str, q_stems: AbstractSet[str]) -> Span | None:
    """For "what award ...?": the words that modify "award" in the sentence, with it.

    "Academy Award", "multi-cultural city", "San Diego International Airport". None when
    the noun is not in the sentence or every word before it is already in the question.
    """
    noun = _head_noun(question)
    if noun is None:
        return None
    tokens = words(sentence)
    for i, (_, end, word) in enumerate(tokens):
        if stem(word) != noun:
            continue
        j = i
        while j > 0 and i - j < MAX_MODIFIERS:
            _, prev_end, prev = tokens[j - 1]
            if sentence[prev_end : tokens[j][0]].strip() not in ("", "-") or prev in STOP_WORDS:
                break
            if len(prev) == 1:  # the "s" of a possessive
                break
            j -= 1
        if j < i and not all(stem(w) in q_stems for _, _, w in tokens[j:i]):
            return tokens[j][0], end
    return None


@lru_cache(maxsize=4096)
def _head_noun(question: str) -> str | None:
    """The stem of the noun in "what award ...?", once per question; None if there is none."""
    m = _HEAD_NOUN.search(question)
    if m is None or fold(m.group(1)) in _NOT_HEAD_NOUNS or m.group(1).endswith("ly"):
        return None
    return stem(fold(m.group(1)))


def _tail_after(sentence: str, q_stems: AbstractSet[str]) -> Span | None:
    """The words after the last question word: "improving [patrol reach, ...]"."""
    last = max(e for _, e, w in words(sentence) if stem(w) in q_stems)
    start, end = _trim(sentence, last, len(sentence))
    lead = _LEADING.match(sentence[start:end])
    if lead:
        start += lead.end()
    # Stop at the end of the clause; a list ("A, B, and C") counts as one phrase.
    tail = sentence[start:end]
    stops = _CLAUSE_END if LIST.search(tail) else _CLAUSE_OR_COMMA
    cut = stops.search(tail)
    if cut and cut.start() > 0:
        end = start + len(tail[: cut.start()].rstrip())
    if len(sentence[start:end].split()) < 2:
        return None
    return start, end


def _trim(sentence: str, start: int, end: int) -> Span:
    while start < end and not sentence[start].isalnum() and sentence[start] not in '“"$£€':
        start += 1
    while end > start and sentence[end - 1] in ' \t\n.,;:!?”"’)':
        if sentence[end - 1] == ")" and "(" in sentence[start:end]:
            break
        end -= 1
    return start, end


def _trim_number(sentence: str, span: Span, q_stems: AbstractSet[str]) -> Span:
    start, end = span
    text = sentence[start:end]
    # Keep one following noun ("35 officers") but not a function word, nor the noun the
    # question already counts: "how many bodies?" is answered by "25", not "25 bodies".
    parts = text.rsplit(None, 1)
    if len(parts) == 2 and (fold(parts[1]) in STOP_WORDS or stem(fold(parts[1])) in q_stems):
        end = start + len(parts[0])
    return start, end


def all_in_question(text: str, q_stems: AbstractSet[str]) -> bool:
    """True when every content word of `text` is one of the question's (it can't answer it)."""
    content = [stem(w) for _, _, w in words(text) if w not in STOP_WORDS]
    return bool(content) and all(s in q_stems for s in content)


def _distance(span: Span, hits: list[Span]) -> int:
    """How far a candidate lies from the question's words; after them is preferred."""
    if not hits:
        return 0
    return min(span[0] - e if e <= span[0] else max(0, s - span[1]) + 5 for s, e in hits)


_PAIRS = (("(", ")"), ("[", "]"), ("“", "”"))


def balanced(sentence: str, span: Span) -> Span:
    """The span widened to close what it opens: "Secondary IV (NS4" is "Secondary IV
    (NS4)", and "NS4) examinations" starts at its "(". Where the bracket holds a long
    aside and the span has words outside it, the span ends (or starts) at the bracket
    instead: "Westminster (and where Ministerial functions …" is "Westminster". A mark
    left open in the sentence itself stays as it is. The angle brackets wire stories put
    around company names are dropped instead: "Langasco Energy Corp>" is "Langasco Energy
    Corp"."""
    start, end = span
    text = sentence[start:end]
    if text.endswith(">") and "<" not in text:  # "<Langasco Energy Corp>": a wire's markup
        end -= 1
    if text.startswith("<") and ">" not in text:
        start += 1
    for left, right in _PAIRS:
        text = sentence[start:end]
        opened, closed = text.count(left), text.count(right)
        if opened > closed:
            at = start + text.rfind(left)
            close = sentence.find(right, end)
            before = sentence[start:at].rstrip(" ,;:")
            if close < 0:
                continue  # left open in the sentence itself
            if before and _long_aside(sentence[at : close + 1]):
                end = start + len(before)  # "Westminster [(and where … lie with ministers]"
            else:
                end = close + 1
        elif closed > opened:
            at = start + text.find(right)
            open_ = sentence.rfind(left, 0, start)
            after = sentence[at + 1 : end]
            if open_ < 0:
                continue
            if after.strip() and _long_aside(sentence[open_ : at + 1]):
                start = at + 1 + len(after) - len(after.lstrip())
            else:
                start = open_
    return start, end


def _long_aside(bracketed: str) -> bool:
    """Whether a bracketed aside says more than a name or an acronym: over four words."""
    return len(bracketed.split()) > 4
