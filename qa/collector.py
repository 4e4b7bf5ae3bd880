"""Python's cycle collector and what a process loads once.

A full collection walks every object the collector tracks. After loading (spaCy's
vocabulary and pipelines, the model, the index) that is about 250,000 objects: a full
collection took 125-170 ms on Reuters-21578 (2026-12-04), and one came every few hundred
questions. `freeze_loaded` sets them aside for good (`gc.freeze`): they live as long as
the process does. The answerer's own caches hold tuples of strings and numbers, which
the collector stops tracking (qa.terms, qa.span, qa.mismatch), so what it walks stays
small.
"""

from __future__ import annotations

import gc


def freeze_loaded() -> None:
    """Collect once, then set aside everything the process holds now from later
    collections. Call it after loading the answerer, as the server does; the objects
    are still freed when nothing refers to them."""
    gc.collect()
    gc.freeze()
