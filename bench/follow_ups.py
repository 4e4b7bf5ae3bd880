"""Measure follow-up questions: how well a question is answered when it says "it" or "they"
for something the question before it named, or "there" for a place it named.

    python -m bench.follow_ups ../shared/eval/xquad-en.json [--kind pronoun|there] [--json]

SQuAD-format files have no conversations, so this one makes them. Within a paragraph,
take two answerable questions in a row; when the second names a noun phrase that the first
names too ("Where did Tesla live?" after "What did Tesla invent?"), replace that phrase in
the second with the pronoun that fits it (he/him for a person the recogniser finds, they/
them for a plural, it otherwise), and ask it after the first. With `--kind there`, the
phrase is a place the recogniser finds after a preposition ("When were the Normans in
Normandy?" after "In what country is Normandy located?"), and "in Normandy" becomes
"there". Four ways are measured, on the same index, by answer-sentence accuracy
(qa.evaluate.sentence_ok) and how often an answer is given at all:

- as written: the second question as the file has it, alone (the ceiling);
- alone: the follow-up without the conversation;
- history: with the first question as history, the follow-up left as it is (retrieval
  still reads the history's words, as before follow-ups were resolved);
- resolved: as `ask` answers it, the pronoun or "there" replaced (qa.follow_up).

It also counts how often the resolved question is the one the file wrote (ignoring "the"
and case). The made-up follow-ups are noisy: a phrase may repeat by chance, and spaCy's
parse picks the phrase and its number.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from index.english import flat, parser, recogniser
from index.indexer import Indexer
from index.store import Store
from qa.answer import Answerer
from qa.evaluate import sentence_ok
from qa.follow_up import PLACE_LABELS, entity_root, noun_phrases, resolve
from qa.retrieve import Retriever
from qa.settings import Settings
from qa.squad import Gold, load_squad
from qa.terms import key_terms
from qa.types import Turn

# A phrase followed by one of these is part of a longer name ("Super Bowl 50").
_RUNS_ON = ("POS", "CD", "NNP", "NNPS")
_PREPOSITIONS = ("in", "at", "on", "near", "inside", "across", "around")


@dataclass(frozen=True)
class FollowUp:
    qid: str
    first: str  # the question before
    written: str  # the second question as the file has it
    follow_up: str  # the same with a pronoun for the phrase it shares with the first
    phrase: str


def make_follow_ups(golds: Sequence[Gold], kind: str = "pronoun") -> list[FollowUp]:
    """Follow-ups from consecutive answerable questions of each paragraph: with a pronoun
    for a phrase the first names, or with "there" for a place it names (`kind`)."""
    make = {"pronoun": _with_pronoun, "there": _with_there, "word": _with_word}[kind]
    by_paragraph: dict[str, list[Gold]] = {}
    for gold in golds:
        if not gold.impossible:
            by_paragraph.setdefault(gold.doc_id, []).append(gold)
    made = []
    for questions in by_paragraph.values():
        docs = parser().pipe([flat(g.question) for g in questions])
        for before, gold, doc in zip(questions, questions[1:], docs[1:], strict=False):
            follow_up = make(gold.question, doc, before.question.lower())
            if follow_up is not None:
                made.append(FollowUp(gold.qid, before.question, gold.question, *follow_up))
    return made


_WORDS = ("when", "where", "who", "why", "how")


def _with_word(question: str, doc: object, before: str) -> tuple[str, str] | None:
    """The question word alone ("When?"), where the question asks what the one before it
    asked, in other words: its content words are the first's, but for one at most."""
    word = question.split()[0].lower()
    if word not in _WORDS or before.split()[0] == word:
        return None
    mine, theirs = set(key_terms(question)) - set(_WORDS), set(key_terms(before)) - set(_WORDS)
    if not mine or not mine <= theirs or len(theirs - mine) > 1:
        return None
    return f"{word.capitalize()}?", word


def _with_pronoun(question: str, doc: object, before: str) -> tuple[str, str] | None:
    for chunk in noun_phrases(doc):
        root = chunk.root
        core = chunk.text.lower()
        for article in ("the ", "a ", "an "):
            core = core.removeprefix(article)
        if core not in before:
            continue
        if chunk.end < len(doc) and doc[chunk.end].tag_ in _RUNS_ON:  # type: ignore[arg-type, index]
            continue
        subject = root.dep_ in ("nsubj", "nsubjpass")
        if _is_person(question, root.idx):
            pronoun = "he" if subject else "him"
        elif root.tag_ in ("NNS", "NNPS"):
            pronoun = "they" if subject else "them"
        else:
            pronoun = "it"
        text = question[: chunk.start_char] + pronoun + question[chunk.end_char :]
        return (text[0].upper() + text[1:] if chunk.start_char == 0 else text), chunk.text
    return None


def _with_there(question: str, doc: object, before: str) -> tuple[str, str] | None:
    """ "in Warsaw" -> "there", when the question before names Warsaw too."""
    for entity in recogniser().pipe([flat(question)])[0].ents:
        if entity.label_ not in PLACE_LABELS or entity.text.lower() not in before:
            continue
        root = entity_root(doc, entity.start_char, entity.end_char)
        if root is None or root.dep_ != "pobj" or root.head.lower_ not in _PREPOSITIONS:
            continue
        phrase = question[root.head.idx : entity.end_char]
        return question[: root.head.idx] + "there" + question[entity.end_char :], phrase
    return None


def _is_person(text: str, at: int) -> bool:
    ents = recogniser().pipe([flat(text)])[0].ents
    return any(e.label_ == "PERSON" and e.start_char <= at < e.end_char for e in ents)


@dataclass
class Row:
    way: str
    sentence_accuracy: float
    answered: float


def measure(path: Path, limit: int | None = None, kind: str = "pronoun") -> dict[str, object]:
    """Every figure of the module's docstring for one SQuAD-format file."""
    _, articles, golds = load_squad(path)
    gold = {g.qid: g for g in golds}
    cases = make_follow_ups(golds, kind)[:limit]
    if not cases:  # none of this kind in the file: nothing to index or ask
        return {"file": str(path), "kind": kind, "follow_ups": 0, "recovered": 0, "rows": []}
    embedder = Settings().embedder(new_index=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        Indexer(tmp, embedder).index_articles(articles)
        answerer = Answerer(Retriever(Store(tmp), embedder))
        ways: list[tuple[str, Callable[[FollowUp], tuple[str, list[Turn]]], bool]] = [
            ("as written", lambda c: (c.written, []), True),
            (f"{kind}, alone", lambda c: (c.follow_up, []), True),
            (f"{kind}, history", lambda c: (c.follow_up, [Turn(question=c.first)]), False),
            (f"{kind}, resolved", lambda c: (c.follow_up, [Turn(question=c.first)]), True),
        ]
        for way, asked, follow_ups in ways:
            answerer.follow_ups = follow_ups
            right = answered = 0
            for case in cases:
                question, history = asked(case)
                result = answerer.ask(question, history=history, top_k=1)
                right += sentence_ok(result, gold[case.qid])
                answered += not result.no_answer
            rows.append(Row(way, right / len(cases), answered / len(cases)))
        answerer.retriever.store.close()
    recovered = sum(
        _plain(resolve(c.follow_up, [Turn(question=c.first)])) == _plain(c.written) for c in cases
    )
    return {
        "file": str(path),
        "kind": kind,
        "follow_ups": len(cases),
        "recovered": recovered,
        "rows": [asdict(r) for r in rows],
        "examples": [asdict(c) for c in cases[:5]],
    }


def _plain(text: str) -> str:
    return " ".join(w for w in text.lower().split() if w != "the")


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("files", nargs="+", type=Path, help="SQuAD-format files")
    arguments.add_argument("--limit", type=int, default=None, help="Only the first N follow-ups")
    arguments.add_argument("--json", action="store_true", help="Print JSON")
    arguments.add_argument(
        "--kind",
        choices=("pronoun", "there", "word"),
        default="pronoun",
        help='follow-ups with a pronoun for a phrase, with "there" for a place, or the'
        ' question word alone ("When?") for a question that asks what the one before asked',
    )
    args = arguments.parse_args()
    reports = [measure(f, args.limit, args.kind) for f in args.files]
    if args.json:
        print(json.dumps(reports, indent=2))
        return
    for report in reports:
        print(
            f"{report['file']}: {report['follow_ups']} follow-ups, the file's question"
            f" recovered for {report['recovered']}"
        )
        print("| way | sentence acc. | answered |\n|---|---:|---:|")
        for row in report["rows"]:  # type: ignore[attr-defined]
            print(f"| {row['way']} | {row['sentence_accuracy']:.3f} | {row['answered']:.3f} |")


if __name__ == "__main__":
    main()
