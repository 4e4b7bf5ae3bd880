"""numpy's BLAS at one thread while questions are answered.

The answerer embeds a question on a helper thread while spaCy parses it on the asking one
(`Retriever.prepare`). spaCy's matrix products go through numpy's OpenBLAS, whose second
thread, once woken, spins for the core the model is running on. With it held to one
thread, side by side on Reuters (2 cores, questions alternated in one process): ask p50
10.42 ms against 11.81 without the helper thread, where with two BLAS threads the helper
thread gained 0.25 ms. Over HTTP, new questions at 8 connections: 137.7 and 138.1
questions/s (p99 78 and 84 ms) against 108.8 and 109.6 (p99 103 and 116) with two.
With two server processes on two cores, each process's spinning thread took the core
from the other's work: 10.6 new questions/s on Reuters at 8 connections, against 69 with
one BLAS thread each. What it costs: spaCy analyses 4-8% fewer sentences a second when
indexing in a process that holds it.
"""

from __future__ import annotations

from threadpoolctl import threadpool_limits


def one_blas_thread() -> threadpool_limits:
    """Hold numpy's BLAS to one thread from now on, for the whole process; used as a
    `with` block, only until the block ends. Call it on the main thread: OpenBLAS (0.3.31
    here) ignores a change made on another thread once the main thread has set a count."""
    return threadpool_limits(1, user_api="blas")
