"""Extractive answers: pick the sentence that answers, then the span inside it."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import numpy as np

from index import analysis
from index.backend import ReadStore
from index.embed import TokenEmbedder
from index.sentence_table import SentenceRow
from qa.antecedent import antecedent, referent
from qa.bound import Finder, finder
from qa.entities import EntityTagger
from qa.fits import fits
from qa.focus import focus, names
from qa.follow_up import resolve
from qa.late import MATCH, LateInteraction, Neighbour
from qa.mismatch import missing_names, missing_negation, missing_numbers, negates, unnegated
from qa.reader import SpanReader, TransformersReader
from qa.retrieve import Hit, Query, Retriever, check_top_k, store_filters, validate_question
from qa.span import Span, balanced, has_typed_span
from qa.span_ranker import SpanRanker, rule_span
from qa.terms import key_terms, stems
from qa.types import Answer, AskResult, Citation, SearchFilters, Turn, as_filters, as_history

# The sentence score is a logistic model over these features, computed in `score()`:
#   dense    cosine of the question's and the sentence's embeddings
#   lexical  idf-weighted share of the question's terms in the sentence
#   context  the same for the question with follow-up context, over the whole passage
#   window   the same for the question, over the sentence and the text just before it
#            (a sentence that says "He" or "It" names its subject in the one before)
#   rank     1 / (1 + rank of the passage the sentence came from)
#   typed    the span rules found a phrase of the wanted type (date, number, place, name)
#   focus    a which- or what-question's noun comes right after a word the question lacks
#            ("which county": "Duval County"; qa.focus)
#   numbers  the question names a number the sentence's article (title included) never
#            writes (qa.mismatch)
#   negation the question negates and the sentence's article negates nothing
#   unnegated the question negates and the sentence says nothing negative ("not", "lacks")
# and, for the best RERANK sentences only:
#   entity   spaCy found an entity of the wanted type
# and, for the best LATE sentences only (a model run each, unless the index kept the
# sentence's token vectors):
#   maxsim   token-by-token match of question and sentence (qa.late), and the same
#            with the sentence before or after it, its best token, the share of the
#            question's tokens it holds, and how much of it the question holds
#   previous cosine of the question's embedding and the sentence's and the one before it,
#            added together (the sentence in its immediate context)
FEATURES = (
    "dense",
    "lexical",
    "context",
    "window",
    "title",
    "rank",
    "typed",
    "focus",
    "numbers",
    "negation",
    "unnegated",
    "names",
    "entity",
    *MATCH,
    "previous",
)
# Fitted by bench/fit_weights.py (README, "How the score is fitted"): the ranking on the
# SQuAD v2.0 sample's answerable questions, the calibration on it and xquad-en together.
WEIGHTS = {
    "bias": -3.198,
    "dense": -0.519,
    "lexical": -0.005,
    "context": 0.26,
    "window": 0.497,
    "title": 0.411,
    "rank": 0.178,
    "typed": 0.437,
    "focus": 0.243,
    "numbers": -2.815,
    "negation": -0.702,
    "unnegated": -5.113,
    "names": -1.01,
    "entity": 0.036,
    "maxsim": 0.383,
    "maxsim_before": 2.574,
    "maxsim_after": 1.487,
    "maxsim_peak": -0.091,
    "maxsim_found": 0.282,
    "maxsim_reverse": 0.291,
    "previous": 0.104,
}
# What the calibration adds to the answerability features' weights above (bench/fit_weights.py),
# beyond the ranking's: the candidates are ranked without it, and it only decides whether the
# best of them answers at all.
CALIBRATION_ONLY = {
    "numbers": -2.584,
    "negation": -0.615,
    "unnegated": -4.968,
    "names": -0.349,
}
# The same fit without the late-interaction features, for when they are off or the
# embedder gives no token vectors: the calibration must not count on them.
WEIGHTS_WITHOUT_LATE = {
    "bias": -2.88,
    "dense": 2.492,
    "lexical": 0.377,
    "context": 0.17,
    "window": 1.26,
    "title": 0.427,
    "rank": 0.371,
    "typed": 0.472,
    "focus": 0.253,
    "numbers": -2.608,
    "negation": -0.766,
    "unnegated": -4.995,
    "names": -0.97,
    "entity": 0.231,
}
CALIBRATION_ONLY_WITHOUT_LATE = {
    "numbers": -2.012,
    "negation": -0.578,
    "unnegated": -4.653,
    "names": 0.08,
}
# The single-signal baselines `qa eval --baseline` compares against.
BASELINE_WEIGHTS = {
    "dense": {"bias": -2.0, "dense": 5.0},
    "bm25": {"bias": -1.5, "lexical": 3.0},
}
DEFAULT_THRESHOLD = 0.39  # a calibrated probability that the top sentence answers
# The evidence that costs more goes to the best few candidates by the rest. The weights were
# fitted with it on every candidate, and more of them read it the closer `ask` comes to
# that: 12 and 6 answer 2 more of xquad-en's questions from the right sentence and 3 more of
# squad2-sample's than 6 and 3, for about 0.4 ms more a question on Reuters
# (docs/answer-quality.md); beyond, no figure of either file moved.
RERANK = 12  # sentences that get the entity and names evidence
LATE = 6  # of those, sentences that get the late-interaction evidence
WINDOW_CHARS = 300  # how far back the "window" feature looks
MIN_ANSWER_WORDS = 3  # fragments like "France's" are never answers
LOOK_BACK = 3  # sentences searched for who "he" or "it" is (qa.antecedent)
NEAREST = 10  # candidate sentences found by their own embedding, beside the passages' ones
# Ranking scores (log-odds) this close to the best candidate's tie with it: the calibrated
# score chooses among them. Daily wire stories differ in a number ("deficit forecast at 700
# mln stg"), and the ranking barely tells them apart (docs/answer-quality.md).
TIE = 0.5


@dataclass
class Scored:
    sentence: SentenceRow
    score: float  # the calibrated probability that the sentence answers
    features: dict[str, float]
    text: str  # the sentence's words, as the article has them
    rank: float = 0.0  # the ranking's score: the candidates are ordered by it


class Answerer:
    """Answers questions with verbatim quotes from the indexed articles, or abstains."""

    def __init__(
        self,
        retriever: Retriever,
        threshold: float = DEFAULT_THRESHOLD,
        passages: int = 8,
        weights: dict[str, float] | None = None,
        reader: SpanReader | None = None,
        tagger: EntityTagger | None | bool = True,
        spans: bool | dict[str, float] = True,
        late: int = LATE,
        follow_ups: bool = True,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {threshold}")
        self.retriever = retriever
        self.threshold = threshold
        self.passages = passages
        self.reader = reader
        # True: spaCy named entities as answer-type evidence (the default); False: rules only.
        self.tagger = EntityTagger() if tagger is True else (tagger or None)
        # The fitted span model picks among the parse's phrases, with the shipped weights (True)
        # or these; False: the rules' span.
        span_weights = None if spans is True else spans or None
        self.spans = SpanRanker(span_weights, self.tagger) if spans is not False else None
        embedder = retriever.embedder
        if late < 0:
            raise ValueError(f"late must be >= 0, got {late}")
        self.late_sentences = late
        self.late = (
            LateInteraction(embedder) if late and isinstance(embedder, TokenEmbedder) else None
        )
        self.weights = weights or (WEIGHTS if self.late else WEIGHTS_WITHOUT_LATE)
        self.first_weights = weights or WEIGHTS_WITHOUT_LATE  # before the late evidence
        # What the calibration alone adds, left out of the ranking (given weights rank whole).
        only = CALIBRATION_ONLY if self.late else CALIBRATION_ONLY_WITHOUT_LATE
        self.only: dict[str, float] = {} if weights else only
        self.first_only: dict[str, float] = {} if weights else CALIBRATION_ONLY_WITHOUT_LATE
        # True: a follow-up's pronouns are replaced by what they refer to (qa.follow_up);
        # False: only retrieval reads the conversation.
        self.follow_ups = follow_ups

    def reopened(self, store: ReadStore) -> Answerer:
        """This answerer over `store`, its index opened again (after `qa index --rebuild`
        swapped a new one in: ReadStore.replaced). The models, and what they made of
        questions and sentences, are shared; they depend on the text, not the index."""
        other = copy.copy(self)
        other.retriever = self.retriever.with_store(store)
        return other

    @classmethod
    def open(
        cls,
        index_dir: Path | str,
        model: str | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        reader_model: str | None = None,
    ) -> Answerer:
        """Load an index directory and its model (and a span reader model), ready to answer."""
        reader = TransformersReader(reader_model) if reader_model else None
        return cls(Retriever.open(index_dir, model), threshold=threshold, reader=reader)

    def ask(
        self,
        question: str,
        history: Sequence[Turn | Mapping[str, Any]] = (),
        top_k: int = 3,
        filters: SearchFilters | Mapping[str, Any] | None = None,
    ) -> AskResult:
        """Answer a question; earlier turns in `history` resolve follow-ups. Turns and
        `filters` may be given as the models or as dicts of their fields."""
        check_top_k(top_k)
        history, filters = as_history(history), as_filters(filters)
        # spaCy parses the question for the span model while the model embeds it (qa.blas).
        spans = self.spans if self.reader is None else None
        meanwhile = spans.table if spans is not None else None
        asked = validate_question(question)
        # A follow-up is scored as resolved: "who set them up?" as "who set the bases up?"
        resolved = resolve(asked, history) if history and self.follow_ups else asked
        current = self.retriever.prepare(resolved, meanwhile)
        query = self.retriever.prepare(_with_context(current.text, history)) if history else current
        with self.retriever.store.snapshot():  # one committed state, even mid-write
            # The nearest sentences are searched on a helper thread while this one
            # retrieves the passages (Retriever.nearest_sentences).
            nearest = self.retriever.nearest_sentences(query, NEAREST, filters)
            hits = self.retriever.retrieve(query, self.passages, filters)
            scored = self.score(current, query, hits, filters, nearest=nearest.result())
            answers = self._answers(current.text, scored, top_k)
            related = self.retriever.to_passages(query, hits[:top_k])
        return AskResult(
            question=asked,
            no_answer=not answers,
            answers=answers,
            related=related,
            resolved_question=resolved if resolved != asked else None,
        )

    def score(
        self,
        current: Query,
        query: Query,
        hits: list[Hit],
        filters: SearchFilters | None = None,
        rerank: int | None = RERANK,
        nearest: list[tuple[int, float]] | None = None,
    ) -> list[Scored]:
        """Every candidate sentence with its features and scores, best first by the ranking:
        the sentences of the passages `hits`, and the NEAREST sentences to the question's
        embedding (`nearest` when they have been searched already).

        The evidence that costs more is added to the best `rerank` sentences only (None: to all
        of them), which are then scored again.
        """
        store = self.retriever.store
        rank_of: dict[int, int] = {}
        for hit in hits:
            for sid in range(hit.passage.first_sentence, hit.passage.last_sentence + 1):
                rank_of.setdefault(sid, hit.rank)
        if nearest is None:
            nearest = store.dense_sentences(query.vector, NEAREST, store_filters(filters))
        for sid, _ in nearest:
            rank_of.setdefault(sid, len(hits))
        rows = store.sentences(list(rank_of))
        texts = store.texts({r.doc_id for r in rows.values()})
        # What the mismatch evidence reads: the article with its title, which often holds
        # the year or the number that its text takes as known.
        infos = store.infos(texts)
        whole = {d: f"{info.title}\n{texts[d]}" for d, info in infos.items()}
        # A wire story's title often names what its sentences take as known: the company of
        # an earnings table ("MECHTRON INTERNATIONAL CORP <MCHT> YEAR NET").
        titles = {d: stems(info.title) for d, info in infos.items()}
        # They depend on the question and the article only: once per article.
        mismatch = {
            d: {
                "numbers": missing_numbers(current.text, article),
                "negation": missing_negation(current.text, article),
            }
            for d, article in whole.items()
        }
        stems_of = {sid: stems(texts[r.doc_id][r.start : r.end]) for sid, r in rows.items()}
        # A passage's words are its sentences' words: no second pass over its text.
        passage_stems = {
            h.rank: frozenset().union(
                *(
                    stems_of.get(sid, frozenset())
                    for sid in range(h.passage.first_sentence, h.passage.last_sentence + 1)
                )
            )
            for h in hits
        }
        asked, question_stems = focus(current.text), stems(current.text)
        negated = negates(current.text)
        scored = []
        for sid, row in rows.items():
            sentence = texts[row.doc_id][row.start : row.end]
            if len(sentence.split()) < MIN_ANSWER_WORDS:
                continue
            sentence_stems = stems_of[sid]
            rank = rank_of[sid]
            before = texts[row.doc_id][max(0, row.start - WINDOW_CHARS) : row.start]
            features = {
                "dense": float(np.dot(row.vector, query.vector)),
                "lexical": current.coverage(sentence_stems),
                "context": query.coverage(sentence_stems, passage_stems.get(rank, frozenset())),
                "window": current.coverage(sentence_stems, stems(before)),
                "title": current.coverage(sentence_stems, titles.get(row.doc_id, frozenset())),
                "rank": 1.0 / (1 + rank),
                "typed": float(has_typed_span(current.text, sentence)),
                "focus": float(
                    asked is not None
                    and asked in sentence_stems
                    and names(asked, question_stems, sentence)
                ),
                "unnegated": unnegated(sentence) if negated else 0.0,
                **mismatch[row.doc_id],
            }
            scored.append(Scored(row, 0.0, features, sentence))
            self._rescore(scored[-1], late=rerank is None)
        scored.sort(key=lambda s: -s.rank)
        top = scored[:rerank]
        self._add_entity_evidence(current.text, top, [s.text for s in top])
        # A name the question has and the article lacks: read for the best few only, as
        # spelling slips are looked for word by word (qa.mismatch.missing_names).
        missing = {
            d: missing_names(current.text, whole[d]) for d in {s.sentence.doc_id for s in top}
        }
        for s in top:
            s.features["names"] = missing[s.sentence.doc_id]
        if rerank is not None and self.late is not None:
            # The late evidence is for the best few by everything else, and only they are
            # scored with it; the rest keep the calibrated score that never counts on it.
            for s in top:
                self._rescore(s, late=False)
            top.sort(key=lambda s: -s.rank)
            top = top[: self.late_sentences]
        self._add_late_evidence(current, query, top, [s.text for s in top])
        for s in top:
            self._rescore(s, late=True)
        scored.sort(key=lambda s: -s.rank)
        return scored

    def _add_entity_evidence(self, question: str, top: list[Scored], sentences: list[str]) -> None:
        """Whether each sentence holds an entity of the wanted type."""
        if self.tagger is None or not self.tagger.wants_entities(question):
            return  # "what", "why", "how": no entity type answers them, so skip the tagging
        self._know([(s.sentence.id, s.text) for s in top])
        self.tagger.tag(sentences)
        for s, sentence in zip(top, sentences, strict=True):
            s.features["entity"] = float(bool(self.tagger.answer_entities(question, sentence)))

    def _add_late_evidence(
        self, current: Query, query: Query, top: list[Scored], sentences: list[str]
    ) -> None:
        """Token-level match with the question (qa.late.match), and the sentence read with
        the one before."""
        if self.late is None or current.tokens is None or not top:
            return
        ids = [s.sentence.id for s in top]
        store = self.retriever.store
        near = store.sentences(sorted({n for i in ids for n in (i - 1, i + 1) if n > 0}))
        kept = store.token_vectors(sorted({*ids, *near}))
        # Where the index kept no token vectors (a database), the neighbours' are computed.
        missing = {r.doc_id for r in near.values() if r.id not in kept}
        texts = store.texts(missing) if missing else {}

        def beside(s: Scored, step: int) -> Neighbour | None:
            """The sentence `step` away in the same article, if there is one."""
            row = near.get(s.sentence.id + step)
            if row is None or row.doc_id != s.sentence.doc_id:
                return None
            text = texts[row.doc_id][row.start : row.end] if row.doc_id in texts else ""
            return text, kept.get(row.id)

        values = self.late.features(
            current.tokens,
            sentences,
            [kept.get(i) for i in ids],
            [beside(s, -1) for s in top],
            [beside(s, 1) for s in top],
        )
        for s, value in zip(top, values, strict=True):
            s.features.update(value)
            row, prev = s.sentence, near.get(s.sentence.id - 1)
            joined = row.vector + prev.vector if prev and prev.doc_id == row.doc_id else row.vector
            norm = float(np.linalg.norm(joined))
            s.features["previous"] = float(np.dot(joined, query.vector)) / norm if norm else 0.0

    def _span(self, question: str, sentence: str) -> tuple[int, int]:
        """The answer inside the sentence: the reader model's span if one is set, else the
        span model's choice, which weighs the rules' own, with any bracket it opens
        closed."""
        if self.reader is not None:
            span = self.reader.read(question, sentence)
            if span is not None:
                return span
        rule = rule_span(question, sentence, self.tagger)
        found = self.spans.find(question, sentence, rule) if self.spans is not None else rule
        return balanced(sentence, found)

    def _know(self, sentences: Sequence[tuple[int, str]]) -> None:
        """Hand the stored analyses of these sentences (id, text) to the entity tagger and
        the span model, so that spaCy need not run on them (index.analysis)."""
        todo = [
            (sid, text)
            for sid, text in sentences
            if not (
                (self.tagger is None or self.tagger.knows(text))
                and (self.spans is None or self.spans.knows(text))
            )
        ]
        if not todo:
            return
        found = self.retriever.store.analyses([sid for sid, _ in todo])
        for sid, text in todo:
            packed = found.get(sid)
            doc = analysis.restore(text, packed) if packed else None
            if doc is None:
                continue  # indexed without one: spaCy runs on it when it is needed
            if self.tagger is not None:
                self.tagger.know(text, doc)
            if self.spans is not None:
                self.spans.know(text, doc)

    def _rescore(self, s: Scored, late: bool) -> None:
        """Score a candidate with the weights with the late evidence or without: its
        calibrated probability, and its ranking's score, which leaves out what the
        calibration alone adds (CALIBRATION_ONLY)."""
        w, only = (self.weights, self.only) if late else (self.first_weights, self.first_only)
        z = w["bias"] + sum(w.get(name, 0.0) * value for name, value in s.features.items())
        s.rank = z - sum(v * s.features.get(name, 0.0) for name, v in only.items())
        s.score = 1.0 / (1.0 + math.exp(-z))

    def _choose(
        self, question: str, scored: list[Scored], top_k: int, find: Finder | None = None
    ) -> list[Scored]:
        """The best sentence of each article above the threshold, and each quote once: wire
        stories are filed again under new ids, and the copy that scored best is cited.

        The best candidate by the ranking (`scored` is in its order) decides where the first
        answer comes from: its article's sentences and the candidates that tie with it (TIE)
        are the contenders, and the one of the best calibrated score answers; when that is
        under the threshold, the articles do not say. So a question whose best match is in
        an article that belies it (a number or a name it never writes) gets no answer, rather
        than a clearly lesser match elsewhere; but within that article, a negated question is
        answered by the sentence that negates ("Which cities were not destroyed?").

        A sentence that cannot answer what the question asks for is passed over (qa.fits):
        "how many officers are in Haiti?" is not answered by a sentence that only mentions
        the officers, and when none counts the articles do not say. For "Who is the
        chairman of X?", "Where is X based?" and the other kinds of qa.bound, the sentences
        that `find` finds the answer in come first.
        """
        # Each sentence is read against the question once, though three passes may ask.
        can_answer = cache(partial(fits, question))
        by_score = sorted(scored, key=lambda s: -s.score)
        if find is not None:
            by_score = [s for s in by_score if s.score >= self.threshold]
            by_score.sort(key=lambda s: find(s.text) is None)  # stable
        else:
            lead = next((s for s in scored if can_answer(s.text)), None)
            if lead is None:
                return []
            doc_id, tied = lead.sentence.doc_id, lead.rank - TIE
            first = next(
                s
                for s in by_score
                if (s.sentence.doc_id == doc_id or s.rank >= tied) and can_answer(s.text)
            )
            if first.score < self.threshold:
                return []
            by_score = [first, *(s for s in by_score if s is not first)]
        best_per_doc: dict[str, Scored] = {}
        for s in by_score:
            if s.score < self.threshold or s.sentence.doc_id in best_per_doc:
                continue
            if can_answer(s.text):
                best_per_doc[s.sentence.doc_id] = s
        chosen: list[Scored] = []
        seen: set[str] = set()
        for s in best_per_doc.values():
            if len(chosen) == top_k:
                break
            key = " ".join(s.text.split()).casefold()
            if key not in seen:
                seen.add(key)
                chosen.append(s)
        return chosen

    def _answers(self, question: str, scored: list[Scored], top_k: int) -> list[Answer]:
        store = self.retriever.store
        find = finder(question)
        chosen = self._choose(question, scored, top_k, find)
        self._know([(s.sentence.id, s.text) for s in chosen])
        sentences = [s.text for s in chosen]
        infos = store.infos(s.sentence.doc_id for s in chosen)
        span_model = self.spans is not None and self.reader is None
        if span_model and self.tagger is not None:
            self.tagger.tag(sentences)  # the span model reads their entities: one batch
        # "He resigned ...": the quote starts where he is named, and the span model is not asked.
        bound = find if self.reader is None else None  # a reader chooses its own spans
        found = [_bound(s, bound) or self._named_before(question, s) for s in chosen]
        if self.spans is not None and span_model:
            parse = [sentence for sentence, n in zip(sentences, found, strict=True) if n is None]
            self.spans.prepare(question, parse)  # one batch for spaCy, not one call each
        answers = []
        for s, sentence, named in zip(chosen, sentences, found, strict=True):
            row, info = s.sentence, infos[s.sentence.doc_id]
            if named is not None:
                quote_start, (start, end), quote = named
            else:
                span = self._span(question, sentence)
                quote_start, start, end, quote = row.start, *(row.start + i for i in span), sentence
            answers.append(
                Answer(
                    text=quote[start - quote_start : end - quote_start],
                    sentence=quote,
                    score=round(s.score, 4),
                    citation=Citation(
                        doc_id=row.doc_id,
                        title=info.title,
                        url=info.url,
                        published=info.published,
                        start=start,
                        end=end,
                        sentence_start=quote_start,
                        sentence_end=row.end,
                    ),
                )
            )
        return answers

    def _named_before(self, question: str, s: Scored) -> tuple[int, Span, str] | None:
        """For a who-question answered by a sentence that says only "he" (or a which-company
        question, "it"): where the quote starts (the nearest of the LOOK_BACK sentences
        before that names someone who fits), who it names there (article offsets) and the
        quote; None when none of them does (qa.antecedent)."""
        if self.tagger is None or self.reader is not None:
            return None
        label = referent(question, s.text, self.tagger)
        if label is None:
            return None
        row, store = s.sentence, self.retriever.store
        ids = [row.id - back for back in range(1, LOOK_BACK + 1) if row.id - back >= 0]
        before = store.sentences(ids)
        text = store.texts({row.doc_id})[row.doc_id]
        same_article = [(i, r) for i, r in before.items() if r.doc_id == row.doc_id]
        self._know([(i, text[r.start : r.end]) for i, r in same_article])
        for i in ids:  # nearest first, in the same article only
            prev = before.get(i)
            if prev is None or prev.doc_id != row.doc_id:
                return None
            span = antecedent(question, text[prev.start : prev.end], self.tagger, label)
            if span is not None:
                start, end = prev.start + span[0], prev.start + span[1]
                return prev.start, (start, end), text[prev.start : row.end]
        return None


def _bound(s: Scored, find: Finder | None) -> tuple[int, Span, str] | None:
    """For "Who is the chairman of X?" and the other kinds of qa.bound, answered by a
    sentence that binds the answer to X: the quote's start, the answer (article offsets)
    and the quote; None when `find` finds nothing there."""
    found = find(s.text) if find is not None else None
    if found is None:
        return None
    start = s.sentence.start
    return start, (start + found[0], start + found[1]), s.text


def _with_context(question: str, history: Sequence[Turn]) -> str:
    """The question plus the key terms of the last two turns, for retrieval."""
    terms: list[str] = []
    for turn in history[-2:]:
        terms.extend(key_terms(turn.question))
    new = [t for t in dict.fromkeys(terms) if t not in key_terms(question)]
    return f"{question} {' '.join(new)}".strip()
