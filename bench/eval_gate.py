"""CI's answer-quality gate: `qa eval` on the shared SQuAD files, against floors.

    python -m bench.eval_gate EVAL_DIR [--floors bench/eval_floors.json] [--report OUT.json]

For every figure, bench/eval_floors.json holds the project's target and the floor, which
is the figure last accepted on main. A run fails when a figure falls more than TOLERANCE
below the lower of the two: below the target once the target is reached, and below the
last accepted figure until then, so quality can only go up. Raise a floor in the same
commit that raises the figure.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from index.embed import SentenceTransformerEmbedder
from qa.evaluate import evaluate

TOLERANCE = 0.02
FLOORS = Path(__file__).with_name("eval_floors.json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("eval_dir", type=Path, help="folder holding the SQuAD files")
    parser.add_argument("--floors", type=Path, default=FLOORS)
    parser.add_argument("--report", type=Path, help="also write every figure here as JSON")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    floors: dict[str, dict[str, dict[str, float]]] = json.loads(args.floors.read_text())
    embedder = SentenceTransformerEmbedder()
    failed, reports = [], {}
    print(f"{'file':<20} {'figure':<20} {'measured':>9} {'floor':>7} {'target':>7}")
    for file, figures in floors.items():
        report = evaluate(args.eval_dir / file, embedder).model_dump()
        reports[file] = report
        for name, bounds in figures.items():
            measured = float(report[name])
            limit = min(bounds["target"], bounds["floor"]) - TOLERANCE
            verdict = "ok" if measured >= limit else "FAIL"
            if verdict == "FAIL":
                failed.append(f"{file} {name}")
            print(
                f"{file:<20} {name:<20} {measured:>9.4f} {bounds['floor']:>7.3f} "
                f"{bounds['target']:>7.3f}  {verdict}"
                + ("" if measured >= bounds["target"] else "  (below target)")
            )
    if args.report:
        args.report.write_text(json.dumps(reports, indent=2) + "\n")
    if failed:
        print(f"answer quality fell more than {TOLERANCE} below: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
