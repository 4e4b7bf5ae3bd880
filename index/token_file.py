"""Token vectors in a file of their own, appended to; SQLite keeps where each sentence's are.

A question reads the token vectors of its best candidates and of the sentences either side
of them (index.token_vectors: about 11 kB a sentence). Kept as SQLite rows, each spilled
over three overflow pages chained one after another, and the pages of a row come before
its leaf in the file, so the kernel's read-ahead never helped: 30 reads of 4 kB, one
waiting for the other, to read 9 sentences. Here a sentence's vectors are one contiguous
span, and neighbours' spans are adjacent, so the same read is three.

The file is only ever appended to. A writer fsyncs what it appended before the SQLite
commit that records where it is, so every span a reader finds is on disk; bytes of a
transaction that never committed are cut off when the writer closes (or, after a crash,
left unreferenced). The spans of deleted sentences stay in the file until
`qa index --rebuild`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

TOKENS_NAME = "tokens.bin"
# A reader warns, naming `qa index --rebuild`, once this many bytes of the file, and at
# least this share of it, hold the vectors of sentences no longer in the index.
WASTE_BYTES = 128 * 2**20
WASTE_SHARE = 0.5
# Spans this close are read together: one read of the gap costs less than a second read.
_GAP = 16 * 1024

Span = tuple[int, int, int]  # sentence id, offset, length


class TokenAppender:
    """The writer's end: appends sentences' packed token vectors, syncs them, and cuts off
    what was appended since the last sync when the writer closes without committing.

    Unbuffered: what `append` returns from is with the OS, and a disk that refuses it
    fails the append itself. A buffer would fail later, at a flush, and again at close,
    and hold what it could not write."""

    def __init__(self, path: Path) -> None:
        self._file = open(path / TOKENS_NAME, "ab", buffering=0)  # noqa: SIM115 - held for the writer's life
        self._file.seek(0, os.SEEK_END)
        self._synced = self._file.tell()

    def append(self, ids: Sequence[int], blobs: Sequence[bytes]) -> list[Span]:
        """Write the blobs after everything else; where each one went."""
        spans = []
        offset = self._file.tell()
        for sid, blob in zip(ids, blobs, strict=True):
            spans.append((int(sid), offset, len(blob)))
            offset += len(blob)
        left = memoryview(b"".join(blobs))
        while left:  # a write may take part of what it is given
            left = left[self._file.write(left) or 0 :]
        return spans

    def sync(self) -> None:
        """Make everything appended durable; call it before the commit that records it."""
        os.fsync(self._file.fileno())
        self._synced = self._file.tell()

    def close(self) -> None:
        """Cut off what was appended and never synced for a commit, and close."""
        try:
            if os.fstat(self._file.fileno()).st_size > self._synced:
                os.ftruncate(self._file.fileno(), self._synced)
        finally:
            self._file.close()


class TokenReader:
    """The reader's end: reads spans by offset, adjacent ones in one read."""

    def __init__(self, path: Path) -> None:
        self._path = path / TOKENS_NAME
        self._lock = threading.Lock()
        # Opened now if it is there: a store reads the files of the index it opened, even
        # after `qa index --rebuild` swaps another in. The first write of an index makes it.
        try:
            self._fd: int | None = os.open(self._path, os.O_RDONLY)
        except FileNotFoundError:
            self._fd = None

    def read(self, spans: Iterable[Span]) -> dict[int, bytes]:
        """The bytes of each span, by sentence id; raises OSError when the file is missing
        or shorter than a span."""
        ordered = sorted(spans, key=lambda s: s[1])
        if not ordered:
            return {}
        fd = self._open()
        runs = [(group, group[0][1], group[-1][1] + group[-1][2]) for group in _runs(ordered)]
        if len(runs) > 1:
            # Ask the kernel for every run at once, so that the disk reads them side by
            # side rather than one after the other (a no-op for pages already cached).
            for _, start, end in runs:
                os.posix_fadvise(fd, start, end - start, os.POSIX_FADV_WILLNEED)
        found: dict[int, bytes] = {}
        for group, start, end in runs:
            data = os.pread(fd, end - start, start)
            if len(data) < end - start:
                raise OSError(f"{self._path.name} is shorter than the index says")
            for sid, offset, length in group:
                found[sid] = data[offset - start : offset - start + length]
        return found

    def _open(self) -> int:
        with self._lock:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDONLY)
            return self._fd

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def __del__(self) -> None:
        # A store dropped without close (the server's, once a rebuilt index replaced it)
        # must not keep the old file, and its disk space, for the life of the process.
        self.close()


def waste_warning(path: Path, live: int) -> list[str]:
    """A warning when most of the index's token file is the vectors of sentences deleted or
    replaced since (the file is only appended to); `live` is the bytes sentences use."""
    try:
        size = (path / TOKENS_NAME).stat().st_size
    except OSError:
        return []
    unused = size - live
    if unused < WASTE_BYTES or unused < WASTE_SHARE * size:
        return []
    return [
        f"{unused / 1e6:.0f} MB of the {size / 1e6:.0f} MB {TOKENS_NAME} in {path} hold token "
        "vectors of deleted or replaced articles' sentences; `qa index --rebuild` frees them"
    ]


def _runs(ordered: list[Span]) -> list[list[Span]]:
    """Spans in offset order, grouped where each begins within _GAP of the last's end."""
    runs: list[list[Span]] = [[ordered[0]]]
    for span in ordered[1:]:
        last = runs[-1][-1]
        if span[1] - (last[1] + last[2]) <= _GAP:
            runs[-1].append(span)
        else:
            runs.append([span])
    return runs
