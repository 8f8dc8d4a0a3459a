"""A small map kept in each process for values that never change under their key.

The what-if's and the review page's basis of a draft, a stored price-book version's book and a
drawn report are each fixed once their key exists (a draft's id and creation time, a version's,
a digest of the inputs), so a process may keep them for as long as it likes: nothing is ever
stale, there is nothing to invalidate, and the only question is memory — hence a bound, with
the oldest entry out first (drafts are worked on in turn).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ProcessCache(Generic[K, V]):
    """At most `max_entries` values by key; safe to share between a process's threads."""

    def __init__(self, max_entries: int) -> None:
        self._max = max_entries
        self._entries: dict[K, V] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        with self._lock:
            if key not in self._entries and len(self._entries) >= self._max:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = value

    def remember(self, key: K, build: Callable[[], V]) -> V:
        """The value under `key`, built (outside the lock) and kept the first time. Two
        threads may both build it; they build the same value, and one is kept."""
        value = self.get(key)
        if value is None:
            value = build()
            self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
