"""Fit the sentence scorer's logistic weights on a SQuAD-format file.

    python bench/fit_weights.py TRAIN.json [--test OTHER.json]

Every question's candidate sentences are scored with the current features; a sentence is
a positive when it contains a gold answer span (by offsets). The fitted weights print as
a Python dict for qa/answer.py. Fit on one file and check on another, never on the file
you report.
"""

from __future__ import annotations

import argparse
import json
import tempfile

import numpy as np
from sklearn.linear_model import LogisticRegression

from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from index.store import Store
from qa.answer import Answerer
from qa.evaluate import load_squad
from qa.retrieve import Retriever

NAMES = ("dense", "lexical", "context", "rank", "typed")


def collect(path: str, embedder: SentenceTransformerEmbedder):  # type: ignore[no-untyped-def]
    _, articles, golds = load_squad(path)  # type: ignore[arg-type]
    rows, labels, groups = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        Indexer(tmp, embedder).index_articles(articles)
        answerer = Answerer(Retriever(Store(tmp), embedder))
        for n, gold in enumerate(golds):
            query = answerer.retriever.prepare(gold.question)
            hits = answerer.retriever.retrieve(query, answerer.passages)
            for s in answerer.score(query, query, hits):
                row = s.sentence
                ok = (not gold.impossible and row.doc_id == gold.doc_id and any(
                    row.start <= st and st + len(t) <= row.end for t, st in gold.answers))
                rows.append([s.features[k] for k in NAMES])
                labels.append(int(ok))
                groups.append(n)
    return np.array(rows), np.array(labels), np.array(groups), golds


def top1(model: LogisticRegression, x, y, groups) -> float:  # type: ignore[no-untyped-def]
    scores = model.decision_function(x)
    hit, total = 0, 0
    for g in np.unique(groups):
        idx = np.where(groups == g)[0]
        if y[idx].any():
            total += 1
            hit += int(y[idx[np.argmax(scores[idx])]])
    return hit / total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("train")
    parser.add_argument("--test")
    args = parser.parse_args()
    embedder = SentenceTransformerEmbedder()
    x, y, g, _ = collect(args.train, embedder)
    model = LogisticRegression(C=1.0, max_iter=1000, class_weight=None).fit(x, y)
    weights = {"bias": round(float(model.intercept_[0]), 3)}
    weights.update({k: round(float(w), 3) for k, w in zip(NAMES, model.coef_[0], strict=True)})
    print(json.dumps(weights))
    print("train top-1 sentence (questions with a gold candidate):", round(top1(model, x, y, g), 4))
    if args.test:
        tx, ty, tg, _ = collect(args.test, embedder)
        print("test top-1 sentence:", round(top1(model, tx, ty, tg), 4))


if __name__ == "__main__":
    main()
