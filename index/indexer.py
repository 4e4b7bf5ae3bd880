"""Index articles: ingest, skip what is unchanged or duplicate, chunk, embed, store.

Used by the CLI, the API and the library alike.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from index import analysis, token_vectors
from index.backend import WriteStore, as_location, open_writer
from index.chunk import Chunked, chunk
from index.document import Article, article_problem
from index.embed import Embedder, TokenEmbedder
from index.errors import IngestError, refused_writes
from index.ingest import JSON_SUFFIXES, Failure, format_of, iter_files, read_path, read_records

Progress = Callable[[int, int], None]
"""Called with (articles done, articles in total) as indexing goes."""

# Sentences embedded together. The encoder sorts what it is given by length, so that its
# batches carry little padding; the more sentences it sorts at once, the less padding is
# left. Side by side on 4,000 Reuters sentences in article order: 109 sentences/s in pools
# of 360 (64 articles), 119 in pools of 1,000, 126 in pools of 4,000.
POOL_SENTENCES = 4096
# The pool is embedded in slices of this many sentences, of similar length, so that the
# progress bar moves every few seconds.
SLICE_SENTENCES = 512


@dataclass
class IndexReport:
    """What one indexing run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # about the index, not this run

    @property
    def skipped(self) -> int:
        return self.unchanged + self.duplicates

    @property
    def rate(self) -> float:
        done = self.added + self.updated + self.skipped
        return done / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.skipped} skipped "
            f"({self.unchanged} unchanged, {self.duplicates} duplicate), {self.failed} failed "
            f"in {self.seconds:.1f}s ({self.rate:.1f} articles/s)"
        )


@dataclass
class _Prepared:
    article: Article
    chunked: Chunked
    update: bool


class Indexer:
    """Adds, replaces and deletes articles in an index directory."""

    def __init__(
        self,
        index_dir: Path | str,
        embedder: Embedder,
        batch_articles: int = 64,
        commit_every: int = 2000,
        pool_sentences: int = POOL_SENTENCES,
        analyses: bool = True,
        analyser: analysis.Analyser | None = None,
    ) -> None:
        """`analyses`: keep each sentence's spaCy analysis (index.analysis), made by
        `analyser`; None starts one for each run, with a worker process per core for large
        batches."""
        if batch_articles < 1 or commit_every < 1 or pool_sentences < 1:
            raise ValueError(
                f"batch_articles, commit_every and pool_sentences must be > 0, "
                f"got {batch_articles}, {commit_every} and {pool_sentences}"
            )
        self.index_dir = as_location(index_dir)  # a directory, or a PostgreSQL URL
        self.embedder = embedder
        self.batch_articles = batch_articles
        self.commit_every = commit_every
        self.pool_sentences = pool_sentences
        self.analyses = analyses
        self.analyser = analyser

    def index_paths(
        self, paths: Sequence[Path | str] | Path | str, progress: Progress | None = None
    ) -> IndexReport:
        """Index every supported file under the given files and folders (or one of them).

        The files are read one after another as indexing goes, so that a folder of any size
        is never all in memory; those that can hold many articles (JSON) are also read once
        before, to count them for `progress`."""
        if isinstance(paths, str | PathLike):  # not a sequence of one-letter paths ("/")
            paths = [paths]
        missing: list[Article | Failure] = []
        files: list[tuple[Path, Path]] = []
        for path in map(Path, paths):
            if path.exists():
                files.extend(iter_files([path]))
            else:
                missing.append(Failure(str(path), "no such file or folder"))
        total = len(missing) + sum(_articles_in(file, root) for file, root in files)
        read = itertools.chain.from_iterable(read_path(file, root) for file, root in files)
        return self._run(itertools.chain(missing, read), total, progress)

    def index_articles(
        self, articles: Iterable[Article | Mapping[str, Any]], progress: Progress | None = None
    ) -> IndexReport:
        """Index articles, each an Article or a dict as a JSON feed gives one (`text`
        required; `id`, `title`, `url`, `published`, `source`, and other keys as metadata).
        A dict that is not a usable article is reported as a failure, like a bad line of a
        file."""
        if isinstance(articles, str | bytes | Mapping):
            raise IngestError(
                f"articles must be a list of Articles or dicts, not one {type(articles).__name__}"
            )
        return self.index_items(read_records(articles, source="library"), progress)

    def index_items(
        self, items: Sequence[Article | Failure], progress: Progress | None = None
    ) -> IndexReport:
        return self._run(items, len(items), progress)

    def _run(
        self, items: Iterable[Article | Failure], total: int, progress: Progress | None
    ) -> IndexReport:
        """Index `items`, `total` of them, reporting progress; a disk that refuses a write
        is an IndexWriteError that says how much was committed."""
        report = IndexReport()
        started = time.perf_counter()
        committed = [0]  # articles of this run made durable so far
        with refused_writes(lambda why: _write_failed(self.index_dir, why, committed[0])):
            self._index_items(items, total, progress, report, committed)
        report.seconds = time.perf_counter() - started
        return report

    def _index_items(
        self,
        items: Iterable[Article | Failure],
        total: int,
        progress: Progress | None,
        report: IndexReport,
        committed: list[int],
    ) -> None:
        with (
            open_writer(self.index_dir, self.embedder.name, self.embedder.dim) as writer,
            contextlib.ExitStack() as stack,
        ):
            analyse = None
            if self.analyses and writer.keeps_analyses:
                analyse = self.analyser or stack.enter_context(analysis.Analyser())
            seen: dict[str, str] = {}  # content hash -> doc id, within this run
            pool = _Pool()
            for batch in _batches(items, self.batch_articles):
                for item in batch:
                    prepared = self._prepare(item, writer, seen, report)
                    pool.add(prepared)
                # A pool ends where a commit is due, so commits still fall every
                # `commit_every` articles.
                if (
                    pool.sentences >= self.pool_sentences
                    or writer.pending + len(pool.prepared) >= self.commit_every
                ):
                    self._write(pool, writer, analyse, report, progress, total)
                    pool = _Pool(done=pool.items)
                    if writer.pending >= self.commit_every:
                        writer.commit()
                        committed[0] = len(report.doc_ids)
                elif not pool.prepared:  # only skipped articles so far: nothing to wait for
                    pool = _Pool(done=pool.items)
                    if progress:
                        progress(pool.done, total)
            self._write(pool, writer, analyse, report, progress, total)
            if writer.pending:
                writer.commit()
            committed[0] = len(report.doc_ids)
            report.warnings = list(writer.warnings)

    def delete(self, doc_id: str) -> bool:
        """Remove one article by id; False when there was no such article."""
        return delete_article(self.index_dir, self.embedder.name, self.embedder.dim, doc_id)

    def _prepare(
        self,
        item: Article | Failure,
        writer: WriteStore,
        seen: dict[str, str],
        report: IndexReport,
    ) -> _Prepared | None:
        if isinstance(item, Failure):
            report.failed += 1
            report.failures.append(str(item))
            return None
        problem = article_problem(item)
        if problem is not None:
            report.failed += 1
            report.failures.append(problem)
            return None
        digest = item.content_hash
        old_hash = writer.content_hash(item.doc_id)
        if old_hash == digest:
            report.unchanged += 1
            return None
        twin = seen.get(digest) or writer.doc_with_hash(digest)
        if twin is not None and twin != item.doc_id:
            report.duplicates += 1
            return None
        chunked = chunk(item.text, item.title)
        if not chunked.sentences:
            report.failed += 1
            report.failures.append(
                f"{item.doc_id}: no story text left after removing boilerplate and headings"
            )
            return None
        seen[digest] = item.doc_id
        return _Prepared(item, chunked, update=old_hash is not None)

    def _write(
        self,
        pool: _Pool,
        writer: WriteStore,
        analyser: analysis.Analyser | None,
        report: IndexReport,
        progress: Progress | None,
        total: int,
    ) -> None:
        """Embed and analyse the pool's sentences and store its articles; progress as the
        embedding's slices go."""
        texts = [p.article.text[s:e] for p in pool.prepared for s, e in p.chunked.sentences]
        # Begun first: in worker processes, the analyses are made while the model embeds.
        pending = analyser.start(texts) if analyser is not None and texts else None
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.zeros((len(texts), self.embedder.dim), dtype=np.float32)
        # The model run that gives the vectors gives the token vectors too: kept, they spare
        # the answerer a model run per candidate sentence (index.token_vectors).
        tokens_from = (
            self.embedder
            if writer.keeps_tokens and isinstance(self.embedder, TokenEmbedder)
            else None
        )
        packed: list[token_vectors.Packed] = [b""] * len(texts)
        for start in range(0, len(order), SLICE_SENTENCES):
            rows = order[start : start + SLICE_SENTENCES]
            batch = [texts[i] for i in rows]
            if tokens_from is not None:
                vectors[rows], tokens = tokens_from.embed_with_tokens(batch)
                for i, t in zip(rows, tokens, strict=True):
                    packed[i] = token_vectors.pack(t)
            else:
                vectors[rows] = self.embedder.embed(batch)
            if progress and start + len(rows) < len(order):
                share = (start + len(rows)) / len(order)
                progress(pool.done + int(share * pool.read), total)
        analyses = pending() if pending is not None else None
        offset = 0
        for p in pool.prepared:
            n = len(p.chunked.sentences)
            writer.put(
                p.article,
                p.chunked,
                np.ascontiguousarray(vectors[offset : offset + n]),
                packed[offset : offset + n] if tokens_from is not None else None,
                analyses[offset : offset + n] if analyses is not None else None,
            )
            offset += n
            report.doc_ids.append(p.article.doc_id)
            if p.update:
                report.updated += 1
            else:
                report.added += 1
        if progress and pool.read:
            progress(pool.items, total)


@dataclass
class _Pool:
    """Articles waiting to be embedded together: `done` items were handled before them,
    `read` items were read into the pool, kept or skipped."""

    done: int = 0
    read: int = 0
    sentences: int = 0
    prepared: list[_Prepared] = field(default_factory=list)

    @property
    def items(self) -> int:
        """Items handled once this pool is written."""
        return self.done + self.read

    def add(self, prepared: _Prepared | None) -> None:
        self.read += 1
        if prepared is not None:
            self.prepared.append(prepared)
            self.sentences += len(prepared.chunked.sentences)


def delete_article(index_dir: Path | str, model: str, dim: int, doc_id: str) -> bool:
    """Remove one article and its passages; needs the index's model name, not the model."""
    with (
        refused_writes(
            lambda why: (
                f"could not write the index at {index_dir}: {why}; {doc_id!r} is still indexed"
            )
        ),
        open_writer(index_dir, model, dim) as writer,
    ):
        deleted = writer.delete(doc_id)
        if deleted:
            writer.commit()
    return deleted


def _write_failed(location: object, why: str, committed: int) -> str:
    """What a user is told when the disk refused a write part way through a run."""
    if committed == 0:
        kept = "none of these articles was written, and the index is as it was"
    elif committed == 1:
        kept = "the first article was committed before that and is kept"
    else:
        kept = f"the first {committed} articles were committed before that and are kept"
    return (
        f"could not write the index at {location}: {why}; {kept}. Once there is room, "
        "index the articles again: those already indexed are skipped as unchanged"
    )


def _batches(
    items: Iterable[Article | Failure], size: int
) -> Iterator[Sequence[Article | Failure]]:
    read = iter(items)
    while batch := list(itertools.islice(read, size)):
        yield batch


def _articles_in(file: Path, root: Path) -> int:
    """How many items (articles, or failures) read_path gives for the file: one for a kind
    that holds one article, or when the file cannot be read; for JSON, a reading to count."""
    if format_of(file) in JSON_SUFFIXES:
        return sum(1 for _ in read_path(file, root))
    return 1
