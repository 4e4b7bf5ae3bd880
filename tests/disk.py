"""A disk that refuses writes, for the tests of what a full disk does to the index.

The kernel's file size limit (RLIMIT_FSIZE) makes any write past `limit` bytes of a file
fail with EFBIG, as writes fail with ENOSPC once a disk fills: in the middle of a file, in
whichever file grows first. SIGXFSZ, which the kernel also sends, is ignored so that the
write fails instead of killing the process.
"""

from __future__ import annotations

import resource
import signal
from collections.abc import Iterator
from contextlib import contextmanager


def refuse_writes_past(limit: int) -> None:
    """From now on in this process (and what it execs), writes past `limit` bytes fail."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))


@contextmanager
def writes_refused_past(limit: int) -> Iterator[None]:
    """refuse_writes_past(limit) for the block only."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.getsignal(signal.SIGXFSZ)
    refuse_writes_past(limit)
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
