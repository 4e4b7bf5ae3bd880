"""CI's answer-quality gate: `qa eval` on the shared SQuAD files, against floors.

    python -m bench.eval_gate EVAL_DIR [--floors bench/eval_floors.json] [--report OUT.json]

For every figure, bench/eval_floors.json holds the project's target and the floor, which
is the figure last accepted on main. A run fails when a figure falls more than TOLERANCE
below the lower of the two: below the target once the target is reached, and below the
last accepted figure until then, so quality can only go up. Raise a floor in the same
commit that raises the figure.

With --postgres, xquad-en is also measured through the PostgreSQL backend, on a real
server this run starts (bench.pgserver), and every figure must be within TOLERANCE of the
index directory's, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from index.embed import SentenceTransformerEmbedder
from qa.evaluate import EvalReport, evaluate

TOLERANCE = 0.02
COMPARED = ("recall_at_1", "mrr", "sentence_accuracy", "exact_match", "f1")
FLOORS = Path(__file__).with_name("eval_floors.json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("eval_dir", type=Path, help="folder holding the SQuAD files")
    parser.add_argument("--floors", type=Path, default=FLOORS)
    parser.add_argument("--report", type=Path, help="also write every figure here as JSON")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="also measure xquad-en through PostgreSQL + pgvector and compare",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    floors: dict[str, dict[str, dict[str, float]]] = json.loads(args.floors.read_text())
    embedder = SentenceTransformerEmbedder.for_new_index()  # as QA_BACKEND=auto does
    failed, reports = [], {}
    print(f"{'file':<20} {'figure':<20} {'measured':>9} {'floor':>7} {'target':>7}")
    results: dict[str, EvalReport] = {}
    for file, figures in floors.items():
        results[file] = evaluate(args.eval_dir / file, embedder)
        report = results[file].model_dump()
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
    if args.postgres:
        file = "xquad-en.json"
        pg = _through_postgres(args.eval_dir / file, embedder)
        reports[f"{file} (postgres)"] = pg.model_dump()
        print(f"\n{file}: index directory against PostgreSQL, same run")
        for name in COMPARED:
            a, b = float(getattr(results[file], name)), float(getattr(pg, name))
            verdict = "ok" if abs(a - b) <= TOLERANCE else "FAIL"
            if verdict == "FAIL":
                failed.append(f"{file} {name} through postgres")
            print(f"{name:<20} {a:>9.4f} {b:>9.4f}  {verdict}")
        print(f"{'latency_p50_ms':<20} {results[file].latency_p50_ms:>9} {pg.latency_p50_ms:>9}")
    if args.report:
        args.report.write_text(json.dumps(reports, indent=2) + "\n")
    if failed:
        print(f"answer quality fell more than {TOLERANCE} below: {', '.join(failed)}")
        return 1
    return 0


def _through_postgres(path: Path, embedder: SentenceTransformerEmbedder) -> EvalReport:
    import tempfile

    from bench.pgserver import running

    with tempfile.TemporaryDirectory(prefix="qa-pg-") as tmp, running(tmp) as cluster:
        return evaluate(path, embedder, store_url=cluster.primary.url)


if __name__ == "__main__":
    raise SystemExit(main())
