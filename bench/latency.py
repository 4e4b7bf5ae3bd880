"""In-process `ask` latency, in a process of its own that opens the index.

    python -m bench.latency INDEX_DIR QUESTIONS.json [--warm-up WARM.json]

A library user (`qa.Answerer.open`) and the server open an index and answer; they have not
just built it. bench.perf and bench.scale measure `ask` here, in a fresh process; bench.perf
also measures it in its own process right after indexing, which holds the corpus, three
encoders and what indexing left behind. The process first answers the `--warm-up`
questions (none of the measured ones), then measures, as bench.perf.latencies does, with
numpy's BLAS at one thread as the server runs it (qa.blas), and what it loaded set aside
from Python's cycle collector, as the server does (qa.collector):
- `ask`: the full answer, top 3;
- `ask_fast`: the same without the span model and the late evidence;
- `search`: retrieval alone, top 5.
It prints one JSON object with their p50/p95/p99 in milliseconds, and `open_s`, the seconds
opening the index took (a large index's approximate copies read back as the first reader
saved them, index.ann_file).

`ask` is measured twice, with the index's files in two states of the operating system's
page cache (bench.page_cache), each time by an answerer of its own so that no parse or span
is remembered from the other: `ask_ms` with the files dropped from the cache first, as a
question finds an index whose pages have not been read lately, and `ask_cached_ms` with
them read through first. `--cached-questions` names other questions for the second: asked
the same questions again, it would also find what the process keeps of the first run (the
stems, numbers and spaCy lexemes of the same sentences and articles), about 2.5 ms of a
new question's time on Reuters. The rest is measured after that, with the files cached,
on the measured questions again.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from bench import page_cache
from bench.perf import latencies
from index.embed import SentenceTransformerEmbedder
from index.store import Store
from qa.answer import Answerer
from qa.blas import one_blas_thread
from qa.collector import freeze_loaded
from qa.retrieve import Retriever


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("questions", type=Path, help="a JSON list of questions to measure")
    parser.add_argument("--warm-up", type=Path, help="a JSON list of other questions")
    parser.add_argument(
        "--cached-questions",
        type=Path,
        help="a JSON list of other questions for `ask_cached_ms` (default: the measured ones)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    asked: list[str] = json.loads(args.questions.read_text())
    warm: list[str] = json.loads(args.warm_up.read_text()) if args.warm_up else []
    other: list[str] = (
        json.loads(args.cached_questions.read_text()) if args.cached_questions else asked
    )
    started = time.perf_counter()
    store = Store(args.index)
    open_s = round(time.perf_counter() - started, 4)  # a small index opens in milliseconds
    # No question memo: each figure pays for its own embeddings.
    answerer = Answerer(Retriever(store, SentenceTransformerEmbedder(store.model), memo_size=0))
    fast = Answerer(answerer.retriever, spans=False, late=0, tagger=answerer.tagger)
    cached = Answerer(answerer.retriever)  # memos of its own: nothing parsed for `answerer`
    freeze_loaded()  # as the server does once it has loaded
    with one_blas_thread():
        for question in warm:
            answerer.ask(question, top_k=3)
        page_cache.drop(args.index)
        cold = latencies(lambda q: answerer.ask(q, top_k=3), asked)
        page_cache.load(args.index)
        out = {
            "ask_ms": cold,
            "ask_cached_ms": latencies(lambda q: cached.ask(q, top_k=3), other),
            "ask_fast_ms": latencies(lambda q: fast.ask(q, top_k=3), asked),
            "search_ms": latencies(lambda q: answerer.retriever.search(q, 5), asked),
            "open_s": open_s,
            "warm_up": len(warm),
            "cached_questions": len(other),
        }
    store.close()
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
