"""Put an index's files in the operating system's page cache, or take them out of it.

`ask` reads a few dozen SQLite pages at random: the candidate sentences, their token
vectors and analyses, the articles' texts. Whether those pages are in memory decides a
good part of its time, and a server's index is rarely all in memory: its pages are read
once and left, and this machine's host pages out file cache that has not been touched for
60 seconds (DAMON, `pageout` for unmapped file pages; Reuters' 1.5 GB store went from 1.2 GB
cached to 4 MB in 90 idle seconds). The benches set the state instead of finding it.
"""

from __future__ import annotations

import os
from pathlib import Path

_CHUNK = 1 << 20


def drop(index_dir: Path) -> None:
    """Take the index's files out of the page cache (written out first, so that they can go)."""
    for path in _files(index_dir):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def load(index_dir: Path) -> None:
    """Read the index's files through, so that every page is in the page cache."""
    for path in _files(index_dir):
        with open(path, "rb", buffering=0) as f:
            while f.read(_CHUNK):
                pass


def _files(index_dir: Path) -> list[Path]:
    return sorted(p for p in Path(index_dir).iterdir() if p.is_file() and p.suffix != ".lock")
