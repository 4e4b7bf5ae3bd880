"""`qa eval`: answer quality on a SQuAD v1.1 or v2.0 file, measured end to end.

Every paragraph becomes an article of one temporary index; every question is asked; the
top answer is judged by offsets (is the gold span inside the answer's sentence?) and by
SQuAD's exact match and token F1.
"""

from __future__ import annotations

import re
import statistics
import string
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from index.backend import open_store, scratch_index
from index.embed import Embedder
from index.errors import IngestError, InvalidQueryError
from index.indexer import Indexer
from qa.answer import BASELINE_WEIGHTS, DEFAULT_THRESHOLD, LATE, Answerer
from qa.blas import one_blas_thread
from qa.retrieve import Retriever
from qa.squad import Gold, load_squad
from qa.types import AskResult

Progress = Callable[[int, int], None]


class EvalReport(BaseModel):
    """Every figure `qa eval` reports for one file and one mode."""

    file: str
    mode: str
    version: str
    paragraphs: int
    questions: int
    answerable: int
    refused: int = Field(
        default=0,
        description="questions the service refuses (empty, no words, too long), scored as "
        "no answer",
    )
    threshold: float
    recall_at_1: float
    recall_at_5: float
    mrr: float
    sentence_accuracy: float
    exact_match: float
    f1: float
    no_answer_precision: float | None = None
    no_answer_recall: float | None = None
    no_answer_f1: float | None = None
    answerable_accuracy: float | None = None
    latency_p50_ms: float
    latency_p95_ms: float


def evaluate(
    path: Path,
    embedder: Embedder,
    mode: str = "hybrid",
    limit: int | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Progress | None = None,
    spans: bool | dict[str, float] = True,
    late: int = LATE,
    store_url: str | None = None,
) -> EvalReport:
    """Index the file's paragraphs into a temporary index and measure every question.

    The index is a temporary directory, or with `store_url` a temporary schema of that
    PostgreSQL database (dropped after), so both backends are measured the same way."""
    version, articles, golds = load_squad(path)
    if not golds:
        raise IngestError(f"{path}: no questions to evaluate")
    golds = golds[:limit] if limit else golds
    with scratch_index(store_url) as location:
        Indexer(location, embedder).index_articles(articles)
        retriever = Retriever(open_store(location), embedder, mode=mode)
        answerer = Answerer(
            retriever,
            threshold=threshold,
            weights=BASELINE_WEIGHTS.get(mode),
            spans=spans,
            late=late,
        )
        texts = {a.doc_id: a.text for a in articles}
        rows = []
        with one_blas_thread():  # the latency as a server measures it (qa.blas)
            for n, gold in enumerate(golds, start=1):
                rows.append(_measure(answerer, gold, texts))
                if progress:
                    progress(n, len(golds))
        retriever.store.close()
    return _report(str(path), mode, version, len(articles), golds, rows, threshold)


@dataclass
class _Row:
    rank: int | None  # 1-based rank of the gold paragraph among retrieved articles
    sentence_ok: bool
    em: float
    f1: float
    answered: bool
    seconds: float
    refused: bool = False


def _measure(answerer: Answerer, gold: Gold, texts: dict[str, str]) -> _Row:
    started = time.perf_counter()
    try:
        result = answerer.ask(gold.question, top_k=1)
    except InvalidQueryError:  # a question the service would answer with a 400
        return _Row(None, False, 0.0, 0.0, answered=False, seconds=0.0, refused=True)
    seconds = time.perf_counter() - started
    hits = answerer.retriever.retrieve(answerer.retriever.prepare(gold.question), 20)
    docs = list(dict.fromkeys(h.passage.doc_id for h in hits))
    rank = docs.index(gold.doc_id) + 1 if gold.doc_id in docs else None
    if gold.impossible:
        return _Row(rank, False, 0.0, 0.0, not result.no_answer, seconds)
    return _Row(
        rank,
        sentence_ok(result, gold),
        *_text_scores(result, gold),
        answered=not result.no_answer,
        seconds=seconds,
    )


def sentence_ok(result: AskResult, gold: Gold) -> bool:
    """The top answer's sentence holds a gold answer span, judged by offsets."""
    if result.no_answer:
        return False
    c = result.answers[0].citation
    return c.doc_id == gold.doc_id and any(
        c.sentence_start <= start and start + len(text) <= c.sentence_end
        for text, start in gold.answers
    )


def _text_scores(result: AskResult, gold: Gold) -> tuple[float, float]:
    if result.no_answer:
        return 0.0, 0.0
    predicted = result.answers[0].text
    return (
        max(exact_match(predicted, t) for t, _ in gold.answers),
        max(token_f1(predicted, t) for t, _ in gold.answers),
    )


def normalize_answer(text: str) -> str:
    """SQuAD's official normalisation: lower case, no punctuation, articles or extra spaces."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(predicted: str, gold: str) -> float:
    return float(normalize_answer(predicted) == normalize_answer(gold))


def token_f1(predicted: str, gold: str) -> float:
    p, g = normalize_answer(predicted).split(), normalize_answer(gold).split()
    common = sum((Counter(p) & Counter(g)).values())
    if not p or not g:
        return float(p == g)
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def _report(
    file: str,
    mode: str,
    version: str,
    paragraphs: int,
    golds: list[Gold],
    rows: list[_Row],
    threshold: float,
) -> EvalReport:
    answerable = [r for r, g in zip(rows, golds, strict=True) if not g.impossible]
    ranks = [r.rank for r in answerable]
    latencies = sorted(r.seconds * 1000 for r in rows if not r.refused)
    report = EvalReport(
        file=file,
        mode=mode,
        version=version,
        paragraphs=paragraphs,
        questions=len(rows),
        answerable=len(answerable),
        refused=sum(r.refused for r in rows),
        threshold=threshold,
        recall_at_1=_mean([rank == 1 for rank in ranks]),
        recall_at_5=_mean([rank is not None and rank <= 5 for rank in ranks]),
        mrr=_mean([1.0 / rank if rank else 0.0 for rank in ranks]),
        sentence_accuracy=_mean([r.sentence_ok for r in answerable]),
        exact_match=_mean([r.em for r in answerable]),
        f1=_mean([r.f1 for r in answerable]),
        latency_p50_ms=round(statistics.median(latencies), 1) if latencies else 0.0,
        latency_p95_ms=round(latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else 0.0,
    )
    if any(g.impossible for g in golds):
        predicted_none = [not r.answered for r in rows]
        truly_none = [g.impossible for g in golds]
        tp = sum(p and t for p, t in zip(predicted_none, truly_none, strict=True))
        precision = tp / sum(predicted_none) if any(predicted_none) else 0.0
        recall = tp / sum(truly_none)
        report.no_answer_precision = round(precision, 4)
        report.no_answer_recall = round(recall, 4)
        report.no_answer_f1 = round(2 * precision * recall / (precision + recall), 4) if tp else 0.0
        report.answerable_accuracy = report.sentence_accuracy
    return report


def _mean(values: list[bool] | list[float]) -> float:
    return round(sum(float(v) for v in values) / len(values), 4) if values else 0.0
