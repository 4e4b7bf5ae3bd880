"""Fit the span model's weights (qa/span_weights.json) on SQuAD-format files.

    python -m bench.fit_spans FILE.json [FILE.json ...] [--out qa/span_weights.json]
                              [--folds 5]

For every answerable question, the sentence of the real index that holds its gold answer
is parsed, and every candidate phrase gets its features exactly as at question time
(qa.span_ranker). A conditional logit over each question's candidates is fitted so that the
candidates with the best token F1 against the gold answers come first. Before writing the
weights it reports, given the gold sentence, the F1 and EM of the rules alone and of the
model, measured honestly: fitted on one file and tested on each other file, and in K-fold
cross-validation over articles of all files together. The weights written are fitted on
every file given.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from index.embed import SentenceTransformerEmbedder
from index.indexer import Indexer
from index.store import Store
from qa.entities import EntityTagger
from qa.evaluate import exact_match, token_f1
from qa.phrases import char_span
from qa.span_ranker import WEIGHTS_FILE, SpanRanker, rule_span
from qa.squad import load_squad

L2 = 2.0
MIN_COUNT = 3  # features seen on fewer candidates are dropped


@dataclass
class Example:
    group: str  # file and article: folds never split an article
    features: list[dict[str, float]]
    texts: list[str]
    f1: np.ndarray
    answers: list[str]
    rule: tuple[float, float]  # EM, F1 of the rules' span


def collect(path: str, embedder: SentenceTransformerEmbedder, ranker: SpanRanker) -> list[Example]:
    _, articles, golds = load_squad(Path(path))
    tagger = ranker.tagger
    examples = []
    with tempfile.TemporaryDirectory() as tmp:
        Indexer(tmp, embedder).index_articles(articles)
        store = Store(tmp)
        texts = {a.doc_id: a.text for a in articles}
        for gold in golds:
            if gold.impossible:
                continue
            text, start = gold.answers[0]
            row = store.sentence_holding(gold.doc_id, start, start + len(text))
            if row is None:
                continue  # the answer crosses a sentence boundary
            sentence = texts[gold.doc_id][row.start : row.end]
            answers = [t for t, _ in gold.answers]
            rule = rule_span(gold.question, sentence, tagger)
            parsed, qdoc = ranker.table(sentence), ranker.parse(gold.question)
            doc = parsed.doc
            cands = ranker.candidate_features(gold.question, qdoc, parsed, rule)
            spans = [sentence[slice(*char_span(doc, a, b))] for (a, b), _ in cands]
            rule_text = sentence[rule[0] : rule[1]]
            examples.append(
                Example(
                    group=f"{Path(path).name}:{gold.doc_id.split('-')[0]}",
                    features=[f for _, f in cands],
                    texts=spans,
                    f1=np.array([_best(token_f1, s, answers) for s in spans]),
                    answers=answers,
                    rule=(
                        _best(exact_match, rule_text, answers),
                        _best(token_f1, rule_text, answers),
                    ),
                )
            )
        store.close()
    return examples


def _best(metric: Callable[[str, str], float], predicted: str, answers: list[str]) -> float:
    return max(metric(predicted, a) for a in answers)


def fit(examples: list[Example]) -> dict[str, float]:
    counts = Counter(k for e in examples for f in e.features for k in f)
    names = sorted(k for k, c in counts.items() if c >= MIN_COUNT)
    index = {k: i for i, k in enumerate(names)}
    data = []
    for e in examples:
        if e.f1.max() <= 0:
            continue
        x = _matrix(e.features, index)
        target = (e.f1 == e.f1.max()).astype(float)
        data.append((x, target / target.sum()))

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = L2 * float(w @ w), 2 * L2 * w
        for x, t in data:
            s = x @ w
            top = s.max()
            e = np.exp(s - top)
            total -= float(t @ (s - top - np.log(e.sum())))
            grad -= x.T @ (t - e / e.sum())
        return total, grad

    w = minimize(loss, np.zeros(len(names)), jac=True, method="L-BFGS-B").x
    return {k: round(float(v), 4) for k, v in zip(names, w, strict=True) if abs(v) >= 1e-4}


def _matrix(rows: list[dict[str, float]], index: dict[str, int]) -> np.ndarray:
    x = np.zeros((len(rows), len(index)))
    for i, row in enumerate(rows):
        for k, v in row.items():
            if k in index:
                x[i, index[k]] = v
    return x


def measure(examples: list[Example], weights: dict[str, float]) -> tuple[float, float]:
    """EM and F1 of the model's top candidate, given the gold sentence."""
    em, f1 = [], []
    for e in examples:
        scores = [sum(weights.get(k, 0.0) * v for k, v in f.items()) for f in e.features]
        best = e.texts[int(np.argmax(scores))]
        em.append(_best(exact_match, best, e.answers))
        f1.append(_best(token_f1, best, e.answers))
    return float(np.mean(em)), float(np.mean(f1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", help="SQuAD-format files to fit on")
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    embedder, ranker = SentenceTransformerEmbedder(), SpanRanker(weights={}, tagger=EntityTagger())
    data = {Path(f).name: collect(f, embedder, ranker) for f in args.files}
    print("given the gold sentence:          EM     F1")
    for name, examples in data.items():
        em, f1 = np.mean([e.rule for e in examples], axis=0)
        print(f"  rules alone on {name:<18} {em:.3f}  {f1:.3f}")
    for train in data:
        weights = fit(data[train])
        for test in data:
            if test != train:
                em, f1 = measure(data[test], weights)
                print(f"  fitted on {train}, on {test:<12} {em:.3f}  {f1:.3f}")
    everything = [e for examples in data.values() for e in examples]
    groups = sorted({e.group for e in everything})
    random.Random(0).shuffle(groups)
    held_out: dict[str, list[tuple[int, float, float]]] = {name: [] for name in data}
    for k in range(args.folds):
        test_groups = set(groups[k :: args.folds])
        weights = fit([e for e in everything if e.group not in test_groups])
        for name, examples in data.items():
            fold = [e for e in examples if e.group in test_groups]
            if fold:
                held_out[name].append((len(fold), *measure(fold, weights)))
    for name, rows in held_out.items():
        n = sum(r[0] for r in rows)
        em = sum(r[0] * r[1] for r in rows) / n
        f1 = sum(r[0] * r[2] for r in rows) / n
        print(f"  {args.folds}-fold over articles, {name:<13} {em:.3f}  {f1:.3f}")
    weights = fit(everything)
    about = f"bench/fit_spans.py on {', '.join(data)}; {len(everything)} questions"
    args.out.write_text(json.dumps({"about": about, "weights": weights}, indent=0) + "\n")
    print(f"wrote {len(weights)} weights to {args.out}")


if __name__ == "__main__":
    main()
