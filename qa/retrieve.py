"""Hybrid retrieval: dense (FAISS) and lexical (BM25) passage rankings fused by their scores."""

from __future__ import annotations

import copy
import math
import threading
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.backend import ReadStore, open_store
from index.document import unicode_problem
from index.embed import (
    BackgroundEmbedder,
    Embedder,
    SentenceTransformerEmbedder,
    TokenEmbedder,
    Vectors,
)
from index.errors import InvalidQueryError, ModelMismatchError
from index.passage_table import PassageRow
from index.store import Filters
from qa.memo import Memo
from qa.terms import key_terms, other_forms, stem, stems
from qa.types import Citation, Passage, SearchFilters, as_filters

# A passage's fused score is (1 - w) * its cosine with the question + w * its BM25 score over
# the question's best BM25 score (fuse()), with w = LEXICAL_WEIGHT. It replaced reciprocal
# rank fusion (RRF, k=60), which puts a passage both rankings place fairly high above one
# that BM25 puts first by far. Recall@1 of the right article, RRF against this (w = 0.4):
# xquad-en 0.918 / 0.950, squad2-sample 0.727 / 0.785, and 1,000 title questions ("What
# happened: <title>?") on BBC 0.795 / 0.919 and Reuters 0.534 / 0.853. With w = 0.3: 0.951,
# 0.795, 0.888, 0.824; with w = 0.5: 0.947, 0.782, 0.935, 0.868.
LEXICAL_WEIGHT = 0.4
MODES = ("hybrid", "dense", "bm25")
MAX_QUESTION_CHARS = 2000
# Questions whose embeddings are kept, least recently asked dropped first. People ask the
# same questions again (a chat page re-asked, a popular question), and the model run is
# the largest cost of a question that the memos of spaCy's parses don't already save.
QUERY_MEMO = 1024
# Helper threads that embed questions while the asking thread does other work (`prepare`'s
# `meanwhile`), and search the nearest sentences while it retrieves the passages
# (`nearest_sentences`): one per question being answered at the same time, at most.
MODEL_THREADS = 8


@dataclass
class Hit:
    """A fused retrieval result, before it becomes a public Passage."""

    passage: PassageRow
    rank: int
    dense: float
    lexical: float


class Query:
    """A question prepared once: its vector, key terms and their idf weights, and its token
    vectors when the embedder gives them."""

    def __init__(
        self, text: str, vector: Vectors, idf: dict[str, float], tokens: Vectors | None = None
    ) -> None:
        self.text = text
        self.vector = vector
        self.idf = idf
        self.tokens = tokens
        self._total = sum(idf.values())
        # The other forms of the question's words, a verb's ("led" for "leads") and a
        # spelling's ("colour" for "color"), which count as the word itself wherever the
        # question's terms are looked for (qa.terms.other_forms).
        self.forms = {t: f for t in idf if (f := other_forms().get(t))}
        self._groups = [(frozenset((t, *self.forms.get(t, ()))), w) for t, w in idf.items()]

    def terms(self) -> list[str]:
        """The stems BM25 looks for: the question's, and their other forms."""
        return [*self.idf, *(f for forms in self.forms.values() for f in forms)]

    def coverage(self, text_stems: AbstractSet[str], more: AbstractSet[str] = frozenset()) -> float:
        """Idf-weighted share of the query's terms that occur in a text (its stems), or in
        `more` stems, in [0, 1]; a verb counts in any of its forms ("led" for "leads"). Two
        sets rather than their union: the answerer asks this of every candidate sentence with
        its passage's or its window's stems."""
        if not self._total:
            return 0.0
        found = sum(
            w for g, w in self._groups if not g.isdisjoint(text_stems) or not g.isdisjoint(more)
        )
        return found / self._total


class Retriever:
    """Finds the passages most likely to answer a question."""

    def __init__(
        self,
        store: ReadStore,
        embedder: Embedder,
        candidates: int = 50,
        mode: str = "hybrid",
        memo_size: int = QUERY_MEMO,
    ) -> None:
        if embedder.dim != store.dim:
            raise InvalidQueryError(f"embedder dimension {embedder.dim} != index {store.dim}")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self.mode = mode
        self._memo: Memo[str, tuple[Vectors, Vectors | None]] = Memo(memo_size)
        self._pool: ThreadPoolExecutor | None = None  # made on first use
        self._pool_lock = threading.Lock()

    def with_store(self, store: ReadStore) -> Retriever:
        """This retriever over another store built with the same model (the same directory
        opened again): the model, and what it made of questions lately, are shared."""
        if store.model != self.store.model:
            raise ModelMismatchError(
                f"the index was built with model {store.model!r}, not {self.store.model!r}"
            )
        other = copy.copy(self)
        other.store = store
        return other

    @classmethod
    def open(cls, index_dir: Path | str, model: str | None = None) -> Retriever:
        """Load an index (a directory or a PostgreSQL URL) and the model it was built with
        (or `model`, checked)."""
        store = open_store(index_dir, model=model)
        return cls(store, SentenceTransformerEmbedder(model or store.model))

    def prepare(self, text: str, meanwhile: Callable[[str], object] | None = None) -> Query:
        """The question's vector, token vectors and term weights.

        `meanwhile(text)`, given the cleaned question, runs on this thread while the model
        embeds the question on a helper thread (MODEL_THREADS; why it pays, qa.blas).
        """
        text = validate_question(text)
        found = self._memo.get(text)  # asked lately: no model run
        pending = self._embed_soon(text) if found is None and meanwhile is not None else None
        terms = [stem(t) for t in key_terms(text)]
        df, total = self.store.document_frequencies(terms)  # never memoised: the index grows
        idf = {t: _idf(df.get(t, 0), total) for t in terms}
        if meanwhile is not None:
            meanwhile(text)
        if found is None:
            found = self._kept(text, pending.result()) if pending is not None else self._embed(text)
        vector, tokens = found
        return Query(text, vector, idf, tokens)

    def _embed_soon(self, text: str) -> Future[tuple[Vectors, Vectors | None]]:
        """The model's run for the question, on a helper thread."""
        if isinstance(self.embedder, BackgroundEmbedder):
            return self.embedder.embed_soon(text, self._helpers())
        return self._helpers().submit(self._run_model, text)

    def nearest_sentences(
        self, query: Query, k: int, filters: SearchFilters | None = None
    ) -> Future[list[tuple[int, float]]]:
        """The `k` sentences nearest the question's embedding, as (id, cosine).

        Where the store searches in memory (`parallel_dense`) and no filter applies, the
        search runs on a helper thread (MODEL_THREADS) while the caller goes on: FAISS lets
        go of Python's interpreter lock, and the second core is idle while this thread
        scores in Python. Otherwise it runs here, before this returns. Either way it
        searches the index as a writer last committed it, as `retrieve` does.
        """
        self.store.refresh()
        flt = store_filters(filters)
        if flt is None and self.store.parallel_dense:
            return self._helpers().submit(self.store.dense_sentences, query.vector, k)
        done: Future[list[tuple[int, float]]] = Future()
        done.set_result(self.store.dense_sentences(query.vector, k, flt))
        return done

    def _helpers(self) -> ThreadPoolExecutor:
        """The threads `prepare` runs the model on (made on first use)."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(MODEL_THREADS, thread_name_prefix="qa-embed")
            return self._pool

    def _embed(self, text: str) -> tuple[Vectors, Vectors | None]:
        """The question's vector and token vectors from a model run, kept in the memo."""
        return self._kept(text, self._run_model(text))

    def _run_model(self, text: str) -> tuple[Vectors, Vectors | None]:
        if isinstance(self.embedder, TokenEmbedder):
            vectors, token_lists = self.embedder.embed_with_tokens([text])
            return vectors[0], token_lists[0]
        return self.embedder.embed([text])[0], None

    def _kept(
        self, text: str, found: tuple[Vectors, Vectors | None]
    ) -> tuple[Vectors, Vectors | None]:
        """A model run's vectors, made read-only and kept in the memo: every later Query of
        this text shares them."""
        for array in found:
            if array is not None:
                array.setflags(write=False)
        self._memo.put(text, found)
        return found

    def retrieve(self, query: Query, k: int, filters: SearchFilters | None = None) -> list[Hit]:
        self.store.refresh()
        flt = store_filters(filters)
        n = max(self.candidates, k)
        dense = self.store.dense_passages(query.vector, n, flt) if self.mode != "bm25" else []
        lexical = self.store.bm25_passages(query.terms(), n, flt) if self.mode != "dense" else []
        fused = fuse(dense, lexical)
        order = sorted(fused, key=lambda pid: (-fused[pid], pid))[:k]
        rows = self.store.passages(order)
        dense_score = dict(dense)
        lexical_score = dict(lexical)
        return [
            Hit(rows[pid], rank, dense_score.get(pid, 0.0), lexical_score.get(pid, 0.0))
            for rank, pid in enumerate(order)
            if pid in rows
        ]

    def search(
        self,
        question: str,
        top_k: int = 5,
        filters: SearchFilters | Mapping[str, Any] | None = None,
    ) -> list[Passage]:
        """Ranked passages with scores and citations, without answer extraction. `filters`
        may be SearchFilters or a dict of its fields."""
        check_top_k(top_k)
        wanted = as_filters(filters)
        query = self.prepare(question)
        with self.store.snapshot():
            hits = self.retrieve(query, top_k, wanted)
            return self.to_passages(query, hits)

    def to_passages(self, query: Query, hits: list[Hit]) -> list[Passage]:
        if not hits:
            return []
        infos = self.store.infos(h.passage.doc_id for h in hits)
        texts = self.store.texts(h.passage.doc_id for h in hits)
        sentence_ids = [
            s for h in hits for s in range(h.passage.first_sentence, h.passage.last_sentence + 1)
        ]
        sentences = self.store.sentences(sentence_ids)
        result = []
        for hit in hits:
            p, info, text = hit.passage, infos[hit.passage.doc_id], texts[hit.passage.doc_id]
            inside = [
                sentences[s] for s in range(p.first_sentence, p.last_sentence + 1) if s in sentences
            ]
            best = max(inside, key=lambda s: float(np.dot(s.vector, query.vector)))
            score = 0.5 * max(hit.dense, 0.0) + 0.5 * query.coverage(stems(text[p.start : p.end]))
            result.append(
                Passage(
                    text=text[p.start : p.end],
                    score=round(min(score, 1.0), 4),
                    citation=Citation(
                        doc_id=p.doc_id,
                        title=info.title,
                        url=info.url,
                        published=info.published,
                        start=p.start,
                        end=p.end,
                        sentence_start=best.start,
                        sentence_end=best.end,
                    ),
                )
            )
        return result


def fuse(
    dense: list[tuple[int, float]],
    lexical: list[tuple[int, float]],
    weight: float = LEXICAL_WEIGHT,
) -> dict[int, float]:
    """Each passage's fused score from its cosine (`dense`) and its BM25 score (`lexical`)
    (LEXICAL_WEIGHT). A passage that one ranking did not return gets that ranking's lowest
    score: it is no better than the last one the ranking kept."""
    best = max((score for _, score in lexical), default=0.0)
    scaled = {pid: score / best if best > 0 else 0.0 for pid, score in lexical}
    cosine = dict(dense)
    missing_dense = min(cosine.values(), default=0.0)
    missing_lexical = min(scaled.values(), default=0.0)
    return {
        pid: (1 - weight) * cosine.get(pid, missing_dense)
        + weight * scaled.get(pid, missing_lexical)
        for pid in cosine.keys() | scaled.keys()
    }


def store_filters(filters: SearchFilters | None) -> Filters | None:
    """The store's filter type for the public one."""
    return Filters(**filters.model_dump()) if filters else None


def validate_question(text: str) -> str:
    if not isinstance(text, str):
        raise InvalidQueryError(f"question must be a string, not {type(text).__name__}")
    if not text.strip():
        raise InvalidQueryError("question must not be empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise InvalidQueryError(
            f"question is {len(text)} characters long; the limit is {MAX_QUESTION_CHARS}"
        )
    problem = unicode_problem(text)
    if problem is not None:
        raise InvalidQueryError(f"question cannot be read: {problem}")
    if not any(char.isalnum() for char in text):
        # Only punctuation, symbols or emoji: nothing to match, though the embedding of
        # "🚀🚀🚀" is as near to some stray symbols in an article as to anything.
        raise InvalidQueryError("question has no words to search for (no letters or digits)")
    return text.strip()


def check_top_k(top_k: int) -> None:
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= 50:
        raise InvalidQueryError(f"top_k must be a whole number from 1 to 50, got {top_k!r}")


def _idf(df: int, total: int) -> float:
    # BM25's idf, floored so that very common words still count a little.
    return max(0.05, math.log((total - df + 0.5) / (df + 0.5) + 1.0))
