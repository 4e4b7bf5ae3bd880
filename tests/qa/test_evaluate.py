"""`qa eval` on a small SQuAD v2.0 file the test writes itself, and SQuAD's scoring rules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import qa.evaluate
from index.embed import SentenceTransformerEmbedder
from index.errors import IngestError
from qa.evaluate import evaluate, exact_match, normalize_answer, token_f1
from qa.squad import load_squad
from tests.conftest import ROOT

CONTEXTS = [
    (
        "Harbour",
        "The harbour of Jacmel reopened on Friday after two years of repairs. "
        "Fishermen welcomed the decision. The mayor, Anne Duval, cut the ribbon.",
    ),
    (
        "Rain",
        "Heavy rain flooded the valley of Artibonite in March. About 3,000 families "
        "left their homes. Aid groups sent tents and water filters.",
    ),
    (
        "Roads",
        "The national road to Les Cayes was blocked by landslides. Engineers expect "
        "to clear it within six weeks, the ministry said.",
    ),
]
QUESTIONS = [
    (0, "When did the harbour of Jacmel reopen?", "Friday", False),
    (0, "Who cut the ribbon at the harbour?", "Anne Duval", False),
    (1, "How many families left their homes?", "About 3,000 families", False),
    (2, "What blocked the national road to Les Cayes?", "landslides", False),
    (2, "Which airline flies to Les Cayes?", None, True),
]


def squad_file(path: Path) -> Path:
    paragraphs: dict[int, dict[str, object]] = {}
    for n, (_title, context) in enumerate(CONTEXTS):
        paragraphs[n] = {"context": context, "qas": []}
    for n, (c, question, answer, impossible) in enumerate(QUESTIONS):
        context = CONTEXTS[c][1]
        answers = (
            [] if answer is None else [{"text": answer, "answer_start": context.index(answer)}]
        )
        paragraphs[c]["qas"].append(  # type: ignore[attr-defined]
            {"id": f"q{n}", "question": question, "answers": answers, "is_impossible": impossible}
        )
    data = {
        "version": "v2.0",
        "data": [{"title": t, "paragraphs": [paragraphs[n]]} for n, (t, _) in enumerate(CONTEXTS)],
    }
    path.write_text(json.dumps(data))
    return path


@pytest.mark.slow
def test_eval_reports_every_figure_as_json_with_both_baselines(tmp_path: Path) -> None:
    file = squad_file(tmp_path / "tiny.json")
    run = subprocess.run(
        [sys.executable, "-m", "qa", "eval", str(file), "--json"]
        + ["--baseline", "bm25", "--baseline", "dense"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    hybrid, bm25, dense = json.loads(run.stdout)
    assert (hybrid["mode"], bm25["mode"], dense["mode"]) == ("hybrid", "bm25", "dense")
    assert hybrid["questions"] == 5 and hybrid["answerable"] == 4 and hybrid["paragraphs"] == 3
    assert hybrid["recall_at_1"] == 1.0 and hybrid["sentence_accuracy"] >= 0.75
    for key in (
        "recall_at_5",
        "mrr",
        "exact_match",
        "f1",
        "no_answer_precision",
        "no_answer_recall",
        "no_answer_f1",
        "latency_p50_ms",
        "latency_p95_ms",
    ):
        assert hybrid[key] is not None


def _blas_threads() -> int:
    return min(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")


def test_eval_asks_with_one_blas_thread_as_the_server_does(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its latency is the server's (qa.blas), and the process gets its BLAS threads back."""
    seen = []
    measure = qa.evaluate._measure

    def counting(*args: Any) -> Any:
        seen.append(_blas_threads())
        return measure(*args)

    monkeypatch.setattr(qa.evaluate, "_measure", counting)
    with threadpool_limits(2, user_api="blas"):
        report = evaluate(squad_file(tmp_path / "tiny.json"), embedder, limit=2)
        after = _blas_threads()
    assert report.questions == 2 and seen == [1, 1] and after == 2


def test_eval_limit_and_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    run = subprocess.run(
        [sys.executable, "-m", "qa", "eval", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 1 and "not a readable SQuAD-format file" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_squad_file_without_a_field_names_it(tmp_path: Path) -> None:
    (tmp_path / "v.json").write_text('{"version": "2.0"}')
    with pytest.raises(IngestError, match="it lacks a 'data' field"):
        load_squad(tmp_path / "v.json")
    (tmp_path / "p.json").write_text('{"data": [{"title": "t", "paragraphs": [{"qas": []}]}]}')
    with pytest.raises(IngestError, match="it lacks a 'context' field"):
        load_squad(tmp_path / "p.json")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2]", "the file: should be a JSON object"),
        ('{"data": {"a": 1}}', "data: Input should be a valid list"),
        ('{"data": [{"paragraphs": "p"}]}', r"data\[0\].paragraphs: Input should be a valid list"),
        (
            '{"data": [{"paragraphs": [{"context": 5, "qas": []}]}]}',
            r"data\[0\].paragraphs\[0\].context: Input should be a valid string",
        ),
        (
            '{"data": [{"paragraphs": [{"context": "c", "qas": [{"id": 1, "question": null}]}]}]}',
            r"qas\[0\].question: Input should be a valid string",
        ),
        (
            '{"data": [{"paragraphs": [{"context": "c", "qas": [{"question": "q"}]}]}]}',
            r"it lacks a 'id' field at data\[0\].paragraphs\[0\].qas\[0\]",
        ),
    ],
)
def test_a_wrongly_shaped_squad_file_says_where(tmp_path: Path, content: str, message: str) -> None:
    # A list at the top was an AttributeError traceback; the others named Python's error.
    (tmp_path / "s.json").write_text(content)
    with pytest.raises(IngestError, match=message):
        load_squad(tmp_path / "s.json")


def test_gold_answers_must_stand_at_their_offsets(tmp_path: Path) -> None:
    # Answers are judged by offsets: one that is not where it says would be scored wrong.
    qas = [
        {"id": "a", "question": "q?", "answers": [{"text": "Harbour", "answer_start": 4}]},
        {"id": "b", "question": "q?", "answers": [{"text": "Harbour", "answer_start": 0}]},
        {"id": "c", "question": "q?", "answers": [{"text": "Harbour", "answer_start": -3}]},
    ]
    data = {"data": [{"title": "t", "paragraphs": [{"context": "The Harbour.", "qas": qas}]}]}
    (tmp_path / "s.json").write_text(json.dumps(data))
    with pytest.raises(IngestError, match=r"2 gold answers are not where answer_start says") as e:
        load_squad(tmp_path / "s.json")
    assert "question 'b': 'Harbour' is not at 0" in str(e.value)
    assert "question 'c'" in str(e.value) and "question 'a'" not in str(e.value)
    data["data"][0]["paragraphs"][0]["qas"] = qas[:1]  # type: ignore[index]
    (tmp_path / "s.json").write_text(json.dumps(data))
    version, articles, golds = load_squad(tmp_path / "s.json")
    assert (version, articles[0].text, golds[0].answers) == (
        "1.1",
        "The Harbour.",
        [("Harbour", 4)],
    )


def test_squad_normalisation_and_scores() -> None:
    assert normalize_answer("The  Denver Broncos!") == "denver broncos"
    assert exact_match("the Denver Broncos", "Denver Broncos") == 1.0
    assert token_f1("Denver Broncos won", "Denver Broncos") == pytest.approx(0.8)
    assert token_f1("Carolina", "Denver") == 0.0


def test_a_squad_file_nested_too_deeply_says_so(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text('{"data": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(IngestError, match=r"not a readable SQuAD-format file \(nested too deeply"):
        load_squad(tmp_path / "deep.json")


@pytest.mark.slow
def test_questions_the_service_refuses_count_as_no_answer_not_a_crash(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    # One empty question stopped the whole evaluation ("question must not be empty").
    path = squad_file(tmp_path / "tiny.json")
    data = json.loads(path.read_text())
    qas = data["data"][0]["paragraphs"][0]["qas"]
    qas.append({"id": "blank", "question": " ", "answers": [], "is_impossible": True})
    friday = [{"text": "Friday", "answer_start": CONTEXTS[0][1].index("Friday")}]
    qas.append({"id": "emoji", "question": "🚀?", "answers": friday})
    path.write_text(json.dumps(data))
    report = evaluate(path, embedder)
    assert report.questions == len(QUESTIONS) + 2 and report.refused == 2
    # The emoji one is answerable, and missed.
    assert report.answerable == sum(not impossible for *_, impossible in QUESTIONS) + 1
    assert report.no_answer_recall is not None and report.no_answer_recall > 0


def test_a_squad_file_without_questions_says_so(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    (tmp_path / "none.json").write_text('{"version": "v2.0", "data": []}')
    with pytest.raises(IngestError, match="no questions to evaluate"):
        evaluate(tmp_path / "none.json", embedder)
