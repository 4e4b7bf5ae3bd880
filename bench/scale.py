"""Scale curve: how the cost of a question grows from the seed to BBC, Reuters and Reuters ×5.

    python -m bench.scale --corpora ../shared/corpora --work DIR
                          [--sets seeds,bbc,reuters,reuters5] [--limit N]
                          [--http-seconds 10] [--out bench/results]

Each corpus is indexed once into `--work` and kept there, so a second run measures at once.
Every distinct sentence is embedded and analysed once per run: Reuters ×5 is Reuters and four
copies of it under new ids, so its index costs the model and spaCy no more than Reuters
does. The index times here are therefore no indexing measurement (bench.perf's are). What
this measures is the question side, with the same code and settings on every corpus and the
same kind of questions (the titles of 100 evenly spaced articles): `ask` and search
in-process (in a fresh process that opens the index, bench.latency; `ask` with the index's
files out of the page cache, and in it), and `POST /ask` over
HTTP with wrk at 1, 8 and 32 connections, with the server's peak RSS. Each figure is also
given as a ratio to BBC's, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import wrk
from bench.corpora import load, questions_from_titles
from bench.embed_once import AnalyseOnce, EmbedOnce
from bench.perf import disk_size, fresh_cell, fresh_for, http_runs, own_process
from bench.server import ROOT, questions
from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from index.store import Store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--work", type=Path, required=True, help="where the indexes are kept")
    parser.add_argument("--sets", default="seeds,bbc,reuters,reuters5")
    parser.add_argument("--limit", type=int, help="only the first N articles of each corpus")
    parser.add_argument("--http-seconds", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    wrk.require_wrk()
    args.out.mkdir(parents=True, exist_ok=True)
    embedder = SentenceTransformerEmbedder.for_new_index()  # as QA_BACKEND=auto does
    once = EmbedOnce.wrap(embedder)
    rows = []
    with AnalyseOnce() as analyser:
        for name in args.sets.split(","):
            print(f"== {name}", flush=True)
            rows.append(_measure(name, args, once, analyser))
            _relative(rows)
            (args.out / "scale.json").write_text(json.dumps(rows, indent=2) + "\n")
            (args.out / "scale.md").write_text(_markdown(rows))
    print(_markdown(rows))
    return 0


def _measure(
    name: str,
    args: argparse.Namespace,
    once: EmbedOnce,
    analyser: AnalyseOnce,
) -> dict[str, Any]:
    articles = load(name, args.corpora, args.limit)
    index_dir = args.work / name
    report = Indexer(index_dir, once, analyser=analyser).index_articles(articles, _progress())
    # Reuters ×5 reuses Reuters' vectors and analyses, whichever run made them.
    once.learn(index_dir)
    analyser.learn(index_dir)
    asked = (
        questions(ROOT / "bench/questions/seeds.txt")
        if name == "seeds"
        else questions_from_titles(articles, 100)
    )
    store = Store(index_dir)
    row: dict[str, Any] = {"corpus": name, **store.stats(), "new_articles": report.added}
    store.close()
    row["index_mb"] = round(disk_size(index_dir) / 1e6, 1)
    fresh = fresh_for(name, articles, asked)
    with tempfile.TemporaryDirectory(prefix=f"qa-scale-{name}-") as tmp:
        # In-process figures from a fresh process that opens the index (bench.latency).
        row.update(own_process(index_dir, asked, fresh, Path(tmp)))
        row["http"] = http_runs(index_dir, asked, args, Path(tmp), fresh)
    return row


def _progress() -> Callable[[int, int], None]:
    """A line every 2,048 articles or so: the indexer reports as its pools go, not at
    round numbers."""
    last = 0

    def report(done: int, total: int) -> None:
        nonlocal last
        if done == total or done // 2048 > last // 2048:
            print(f"  indexed {done}/{total}", flush=True)
        last = done

    return report


def _relative(rows: list[dict[str, Any]]) -> None:
    """Each figure over BBC's, once BBC has been measured."""
    base = next((r for r in rows if r["corpus"] == "bbc"), None)
    if base is None:
        return
    for row in rows:
        row["vs_bbc"] = {
            "ask_p50": round(row["ask_ms"]["p50"] / base["ask_ms"]["p50"], 2),
            "search_p50": round(row["search_ms"]["p50"] / base["search_ms"]["p50"], 2),
            "c8_per_s": round(row["http"]["c8"]["per_s"] / base["http"]["c8"]["per_s"], 2),
        }


def _markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| corpus | articles | sentences | passages | index MB | ask p50/p95/p99 ms "
        "| ask p50 ms, cached | search p50 ms | HTTP c1 q/s, p50 ms | c8 q/s, p99 ms "
        "| c32 q/s, p99 ms "
        "| c8 fresh q/s, p99 ms | peak RSS MB | ask p50 × BBC | search p50 × BBC | c8 q/s × BBC |",
        "|---|" + "---:|" * 15,
    ]
    for r in rows:
        a, h, rel = r["ask_ms"], r["http"], r.get("vs_bbc", {})
        lines.append(
            f"| {r['corpus']} | {r['articles']} | {r['sentences']} | {r['passages']} "
            f"| {r['index_mb']} | {a['p50']}/{a['p95']}/{a['p99']} "
            f"| {r['ask_cached_ms']['p50']} | {r['search_ms']['p50']} "
            f"| {h['c1']['per_s']}, {h['c1']['p50']} | {h['c8']['per_s']}, {h['c8']['p99']} "
            f"| {h['c32']['per_s']}, {h['c32']['p99']} | {fresh_cell(h)} | {h['peak_rss_mb']} "
            f"| {rel.get('ask_p50', '')} | {rel.get('search_p50', '')} "
            f"| {rel.get('c8_per_s', '')} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
