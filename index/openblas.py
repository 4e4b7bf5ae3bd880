"""FAISS imported with its OpenBLAS on kernels for this CPU.

The faiss-cpu wheel bundles an OpenBLAS of its own (0.3.15 in faiss-cpu 1.15.1), older than
numpy's. That OpenBLAS picks its kernels by the CPU's model number, and it takes a model it
does not know for an old one: on this machine's Xeon (Sapphire Rapids, with AVX-512) it
chose Prescott, SSE3 only (OpenBLAS issue #4267), where numpy's OpenBLAS chose SkylakeX.
FAISS multiplies matrices through it when a reader builds the approximate copy of a large
index (index.approximate: k-means training, then each vector's list): on Reuters, opening
the store took 6.5 s with Prescott and 4.2-4.6 s with SkylakeX.

OpenBLAS reads `OPENBLAS_CORETYPE` once, as it loads. So FAISS is imported here, before any
module of this package imports it, with that variable naming the best kernels the CPU's
features allow (as numpy reports them), and the variable is then put back as it was. A
value the user set is kept; so is OpenBLAS's own choice where the CPU has no AVX2, or
where FAISS was imported before this package.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping

VARIABLE = "OPENBLAS_CORETYPE"

# Kernels OpenBLAS 0.3.15 knows, best first, and the CPU features (numpy's names) they use.
# SkylakeX also serves later Intel CPUs with AVX-512 and AMD's Zen 4; Haswell serves any
# CPU with AVX2 and FMA, AMD's included.
_KERNELS = (
    ("SkylakeX", ("AVX512F", "AVX512CD", "AVX512_SKX")),
    ("Haswell", ("AVX2", "FMA3")),
)


def kernels_for(features: Mapping[str, bool]) -> str | None:
    """The OpenBLAS kernels for a CPU with these features, or None to let OpenBLAS choose."""
    for name, needs in _KERNELS:
        if all(features.get(need, False) for need in needs):
            return name
    return None


def cpu_features() -> dict[str, bool]:
    """The CPU's features as numpy detected them at import; empty if it does not say."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:  # numpy < 2 keeps them elsewhere; OpenBLAS then chooses alone
        return {}
    return dict(__cpu_features__)


def import_faiss() -> None:
    """Import FAISS (once per process), its OpenBLAS on this CPU's kernels."""
    if "faiss" in sys.modules:
        return
    chosen = None if os.environ.get(VARIABLE) else kernels_for(cpu_features())
    if chosen is not None:
        os.environ[VARIABLE] = chosen
    try:
        importlib.import_module("faiss")
    finally:
        if chosen is not None:
            os.environ.pop(VARIABLE, None)
