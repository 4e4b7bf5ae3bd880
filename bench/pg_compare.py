"""The index directory against PostgreSQL + pgvector, side by side in one run.

    python -m bench.pg_compare --corpora ../shared/corpora [--sets bbc,reuters] [--limit N]
                               [--http-seconds 10] [--out bench/results]

It starts a real primary and a streaming replica (bench.pgserver) and, for each corpus:
- writes the same articles into an index directory and into PostgreSQL. The sentences are
  embedded once, in the first pass, so the two write times compare storage, not the model;
- measures replica lag: the replay after the bulk load, and how long one new article takes
  to be readable on the replica;
- times `ask` and retrieval in-process on both (Postgres read through the replica), and
  `POST /ask` over HTTP with wrk at 1 and 8 connections against real servers;
- measures HNSW recall@10 against exact search on the sentence vectors.

Answer quality through Postgres is measured by `python -m bench.eval_gate DIR --postgres`.
Nothing here is asserted; compare the ratios, which are measured side by side.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from pgvector.psycopg import register_vector

from bench import wrk
from bench.corpora import load, questions_from_titles
from bench.embed_once import AnalyseOnce, EmbedOnce
from bench.perf import latencies
from bench.pgserver import Cluster, running
from bench.server import ROOT, serve
from index.document import Article
from index.embed import SentenceTransformerEmbedder, Vectors
from index.indexer import Indexer
from index.pg_store import PgStore
from index.store import Store
from qa.answer import Answerer
from qa.retrieve import Retriever

CONNECTIONS = (1, 8)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--sets", default="bbc,reuters")
    parser.add_argument("--limit", type=int, help="only the first N articles of each corpus")
    parser.add_argument("--http-seconds", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    embedder = SentenceTransformerEmbedder()
    results = []
    with tempfile.TemporaryDirectory(prefix="qa-pg-") as pgtmp, running(pgtmp, 1) as cluster:
        for name in args.sets.split(","):
            articles = load(name, args.corpora, args.limit)
            print(f"{name}: {len(articles)} articles", flush=True)
            results.append(_bench(name, articles, embedder, cluster, args))
            _write(results, args.out)
    print(_markdown(results))
    return 0


def _bench(
    name: str,
    articles: list[Article],
    embedder: SentenceTransformerEmbedder,
    cluster: Cluster,
    args: argparse.Namespace,
) -> dict[str, Any]:
    asked = questions_from_titles(articles, 100)
    memo = EmbedOnce(embedder)
    row: dict[str, Any] = {"corpus": name, "articles": len(articles)}
    url = cluster.create_database(name)
    replica_url = cluster.replicas[0].url_of(url)
    with (
        tempfile.TemporaryDirectory(prefix=f"qa-pgbench-{name}-") as tmp,
        AnalyseOnce() as analyser,
    ):
        # Embeds and analyses; the runs below only write.
        first = Indexer(Path(tmp) / "warm", memo, analyser=analyser).index_articles(articles)
        row["embed_and_write_s"] = round(first.seconds, 1)
        directory = Path(tmp) / "index"
        dir_report = Indexer(directory, memo, analyser=analyser).index_articles(articles)
        pg_report = Indexer(url, memo).index_articles(articles)
        row["write_s"] = {
            "directory": round(dir_report.seconds, 1),
            "postgres": round(pg_report.seconds, 1),
        }
        row["replay_after_load_s"] = round(cluster.wait_replicated(), 2)
        row["new_article_visible_on_replica_ms"] = _visible_ms(url, replica_url, memo)
        store = Store(directory)
        pg = PgStore(url, replicas=[replica_url])
        row["sentences"] = store.stats()["sentences"]
        row["hnsw_recall_at_10"] = _hnsw_recall(url, embedder.embed(asked))
        for label, s in (("directory", store), ("postgres", pg)):
            answerer = Answerer(Retriever(s, embedder))
            row[f"ask_ms_{label}"] = latencies(partial(answerer.ask, top_k=3), asked)
            search = partial(answerer.retriever.search, top_k=5)
            row[f"search_ms_{label}"] = latencies(search, asked)
        row["ask_p50_ratio"] = round(
            row["ask_ms_postgres"]["p50"] / row["ask_ms_directory"]["p50"], 2
        )
        store.close()
        pg.close()
        script = wrk.write_script(asked, Path(tmp) / "ask.lua")
        row["http_directory"] = _http(serve(directory, Path(tmp) / "dir.log"), script, args)
        row["http_postgres"] = _http(
            serve(
                Path(tmp) / "unused",
                Path(tmp) / "pg.log",
                store_url=url,
                store_replicas=replica_url,
            ),
            script,
            args,
        )
    return row


def _visible_ms(url: str, replica_url: str, embedder: EmbedOnce) -> float:
    """From the commit of one new article on the primary to reading it on the replica."""
    article = Article(doc_id="lag-probe", title="Probe", text="A probe article was written.")
    replica = PgStore(replica_url)
    Indexer(url, embedder).index_articles([article])
    started = time.perf_counter()
    while not replica.infos(["lag-probe"]):
        time.sleep(0.001)
    seconds = time.perf_counter() - started
    replica.close()
    Indexer(url, embedder).delete("lag-probe")
    return round(seconds * 1000, 1)


def _hnsw_recall(url: str, queries: Vectors) -> float:
    """Recall@10 of the HNSW sentence search (ef_search as served) against exact search."""
    found = []
    with psycopg.connect(url, autocommit=True) as conn:
        register_vector(conn)
        conn.execute("SET hnsw.ef_search = 100")
        sql = "SELECT id FROM sentences ORDER BY vec <=> %s LIMIT 10"
        for q in queries:
            approx = {r[0] for r in conn.execute(sql, [q]).fetchall()}
            with conn.transaction():
                conn.execute("SET LOCAL enable_indexscan = off")
                exact = {r[0] for r in conn.execute(sql, [q]).fetchall()}
            found.append(len(approx & exact) / len(exact))
    return round(float(np.mean(found)), 4)


def _http(server: Any, script: Path, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with server as running_server:
        wrk.run(running_server.url, script, 2, 8)  # warm-up
        for connections in CONNECTIONS:
            result = wrk.run(running_server.url, script, args.http_seconds, connections)
            out[f"c{connections}"] = {
                "per_s": round(result.per_second, 1),
                "p50": round(result.p50_ms, 2),
                "p99": round(result.p99_ms, 2),
                "errors": result.errors,
            }
        out["peak_rss_mb"] = round(running_server.peak_rss_mb(), 1)
    return out


def _write(results: list[dict[str, Any]], out: Path) -> None:
    (out / "pg_compare.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "pg_compare.md").write_text(_markdown(results))


def _markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| corpus | sentences | backend | write s | `ask` p50/p95/p99 ms | search p50 ms "
        "| HTTP c1 q/s, p50 | HTTP c8 q/s, p99 | server RSS MB |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for label in ("directory", "postgres"):
            a, h = r[f"ask_ms_{label}"], r[f"http_{label}"]
            lines.append(
                f"| {r['corpus']} | {r['sentences']} | {label} | {r['write_s'][label]} "
                f"| {a['p50']}/{a['p95']}/{a['p99']} | {r[f'search_ms_{label}']['p50']} "
                f"| {h['c1']['per_s']}, {h['c1']['p50']} | {h['c8']['per_s']}, {h['c8']['p99']} "
                f"| {h['peak_rss_mb']} |"
            )
    lines.append("")
    for r in results:
        lines.append(
            f"- {r['corpus']}: HNSW recall@10 {r['hnsw_recall_at_10']}; replica replay after "
            f"the load {r['replay_after_load_s']} s; one new article readable on the replica "
            f"{r['new_article_visible_on_replica_ms']} ms after its commit; `ask` p50 "
            f"Postgres/directory {r['ask_p50_ratio']}×"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
