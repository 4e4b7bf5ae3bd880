"""A bounded, thread-safe memo that drops the least recently used entry first."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Memo(Generic[K, V]):
    """Up to `size` entries (0 keeps none); safe to share between threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def lookup(self, keys: Iterable[K]) -> tuple[dict[K, V], list[K]]:
        """The values of those `keys` that are here, and the keys that are not (each once,
        in order), under one hold of the lock."""
        found: dict[K, V] = {}
        missing: list[K] = []
        with self._lock:
            for key in dict.fromkeys(keys):
                value = self._entries.get(key)
                if value is None:
                    missing.append(key)
                else:
                    self._entries.move_to_end(key)
                    found[key] = value
        return found, missing

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
