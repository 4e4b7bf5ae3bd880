"""Measure whole conversations: each one's last question, asked after the turns before it
as the chat page asks it (each earlier answer sent back as history).

    python -m bench.conversations INDEX [FILE] [--json]

FILE (default bench/questions/conversations-seed.json, about the seed article) is a list
of {"turns": [question, …], "expect": [text, …]}: the last turn is right when its top
answer's sentence holds one of the expected texts. The shipped file was written by hand,
16 conversations whose last turn is a follow-up of the kinds people type into a chat:
a bare question word ("why?", "when?"), "what about …?", "and …?", a pronoun.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from qa.answer import Answerer
from qa.types import Turn

DEFAULT = Path(__file__).parent / "questions" / "conversations-seed.json"


def measure(answerer: Answerer, conversations: list[dict[str, Any]]) -> dict[str, Any]:
    """How many last turns are right and answered, with each one's reading and answer."""
    rows = []
    for conversation in conversations:
        *earlier, last = conversation["turns"]
        history: list[Turn] = []
        for question in earlier:
            result = answerer.ask(question, history=history, top_k=1)
            answer = result.answers[0].text if result.answers else None
            history.append(Turn(question=question, answer=answer))
        result = answerer.ask(last, history=history, top_k=1)
        top = result.answers[0] if result.answers else None
        right = top is not None and any(e in top.sentence for e in conversation["expect"])
        rows.append(
            {
                "turns": conversation["turns"],
                "read_as": result.resolved_question,
                "answer": top.text if top else None,
                "right": right,
            }
        )
    return {
        "conversations": len(rows),
        "right": sum(r["right"] for r in rows),
        "answered": sum(r["answer"] is not None for r in rows),
        "rows": rows,
    }


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("index", help="an index directory or PostgreSQL URL")
    arguments.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    arguments.add_argument("--json", action="store_true", help="Print JSON")
    args = arguments.parse_args()
    report = measure(Answerer.open(args.index), json.loads(args.file.read_text("utf-8")))
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for row in report["rows"]:
        mark, turns = "ok" if row["right"] else "--", " / ".join(row["turns"])
        print(f"{mark} {turns} -> {row['read_as'] or '(as asked)'}: {row['answer']}")
    right, total = report["right"], report["conversations"]
    print(f"right {right} of {total}, answered {report['answered']}")


if __name__ == "__main__":
    main()
