"""Fit the sentence scorer's weights and calibrate its score, on SQuAD-format files.

    python -m bench.fit_weights RANK.json CALIBRATE.json [CALIBRATE.json ...] [--test OTHER.json]

Two steps, both on features computed by qa.answer exactly as at question time:

1. Ranking. A conditional logit over each answerable question's candidate sentences: the
   weights maximise the probability of the sentences that hold a gold span (by offsets),
   against the other candidates of the same question. Only relative scores matter here.
2. Calibration. Platt scaling of the top candidate's linear score against "the top sentence
   is right" over every question of the calibration files, unanswerable ones included (their
   top sentence is never right). The score then reads as a probability, so the no-answer
   threshold means the same on any collection. The answerability features (ANSWERABILITY)
   get a weight of their own here, beyond the ranking's.

The result prints as the WEIGHTS dict of qa/answer.py (calibration folded into the weights
and the bias), then what the calibration added for the answerability features, the
CALIBRATION_ONLY dict; with --no-late, as WEIGHTS_WITHOUT_LATE and
CALIBRATION_ONLY_WITHOUT_LATE. Fit the ranking on one file and report on another.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from index.store import Store
from qa.answer import FEATURES, LATE, Answerer
from qa.retrieve import Retriever
from qa.squad import load_squad

L2 = 0.05  # ridge penalty of the ranking fit
# Features that speak to whether the question can be answered at all (qa.mismatch); the
# calibration fits their weight beyond the ranking's.
ANSWERABILITY = ("numbers", "negation", "unnegated", "names")


@dataclass
class Question:
    x: np.ndarray  # candidates × features
    right: np.ndarray  # per candidate: holds a gold span
    impossible: bool


def collect(path: str, embedder: SentenceTransformerEmbedder, late: bool = True) -> list[Question]:
    _, articles, golds = load_squad(path)  # type: ignore[arg-type]
    questions = []
    with tempfile.TemporaryDirectory() as tmp:
        Indexer(tmp, embedder).index_articles(articles)
        answerer = Answerer(Retriever(Store(tmp), embedder), late=LATE if late else 0)
        for gold in golds:
            query = answerer.retriever.prepare(gold.question)
            hits = answerer.retriever.retrieve(query, answerer.passages)
            scored = answerer.score(query, query, hits, rerank=None)
            x = np.array([[s.features.get(k, 0.0) for k in FEATURES] for s in scored])
            right = np.array(
                [
                    not gold.impossible
                    and s.sentence.doc_id == gold.doc_id
                    and any(
                        s.sentence.start <= st and st + len(t) <= s.sentence.end
                        for t, st in gold.answers
                    )
                    for s in scored
                ],
                dtype=bool,
            )
            questions.append(Question(x.reshape(-1, len(FEATURES)), right, gold.impossible))
    return questions


def fit_ranking(questions: list[Question]) -> np.ndarray:
    usable = [q for q in questions if q.right.any()]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = L2 * float(w @ w), 2 * L2 * w
        for q in usable:
            s = q.x @ w
            e = np.exp(s - s.max())
            p = e / e.sum()
            pos = e[q.right].sum()
            total -= float(np.log(pos / e.sum()))
            grad -= q.x[q.right].T @ (e[q.right] / pos) - q.x.T @ p
        return total, grad

    return np.asarray(minimize(loss, np.zeros(len(FEATURES)), jac=True, method="L-BFGS-B").x)


def calibrate(questions: list[Question], w: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Platt scaling, widened by the answerability features (ANSWERABILITY).

    Returns (slope, bias, extra) so that sigmoid(slope * score + bias + extra · x) ≈ P(top is
    right), x being the top candidate's features: a question that names a number its article
    lacks is less likely answered whatever the ranking says, and only the calibration, which
    sees the unanswerable questions, can learn how much less.
    """
    cols = [FEATURES.index(k) for k in ANSWERABILITY]
    rows, right = [], []
    for q in questions:
        if len(q.x):
            s = q.x @ w
            top = int(np.argmax(s))
            rows.append([float(s[top]), 1.0, *q.x[top, cols]])
            right.append(float(q.right[top]))
    x, y = np.array(rows), np.array(right)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ theta
        p = 1.0 / (1.0 + np.exp(-z))
        return float(np.sum(np.logaddexp(0, z) - y * z)), x.T @ (p - y)

    start = np.zeros(x.shape[1])
    start[0] = 1.0
    theta = minimize(loss, start, jac=True, method="L-BFGS-B").x
    return float(theta[0]), float(theta[1]), np.asarray(theta[2:])


def top1(questions: list[Question], w: np.ndarray) -> float:
    answerable = [q for q in questions if not q.impossible]
    hits = [bool(len(q.x)) and bool(q.right[int(np.argmax(q.x @ w))]) for q in answerable]
    return float(np.mean(hits))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rank", help="SQuAD file to fit the ranking weights on")
    parser.add_argument("calibrate", nargs="+", help="SQuAD files to calibrate the score on")
    parser.add_argument("--test", help="a held-out SQuAD file to report top-1 accuracy on")
    parser.add_argument(
        "--late",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="with the late-interaction features (WEIGHTS) or without (WEIGHTS_WITHOUT_LATE)",
    )
    args = parser.parse_args()
    embedder = SentenceTransformerEmbedder()
    data = {path: collect(path, embedder, args.late) for path in {args.rank, *args.calibrate}}
    w = fit_ranking(data[args.rank])
    a, b, extra = calibrate([q for path in args.calibrate for q in data[path]], w)
    added = dict(zip(ANSWERABILITY, extra, strict=True))
    scaled = {
        k: round(a * float(v) + added.get(k, 0.0), 3) for k, v in zip(FEATURES, w, strict=True)
    }
    weights = {"bias": round(b, 3)} | scaled
    print(json.dumps(weights))
    # What the calibration adds to the ranking's weights: qa.answer ranks without it.
    print(json.dumps({k: round(float(v), 3) for k, v in added.items()}))
    print(f"top-1 sentence on {args.rank} (fitted on):", round(top1(data[args.rank], w), 4))
    if args.test:
        held_out = data.get(args.test) or collect(args.test, embedder, args.late)
        print(f"top-1 sentence on {args.test} (held out):", round(top1(held_out, w), 4))


if __name__ == "__main__":
    main()
