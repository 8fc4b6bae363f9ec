"""Answers reused until the store changes: an LRU cache bounded in bytes.

A build never changes once committed (writes through the endpoint commit a new build), so
an answer computed for one build, query text, dataset, format and caps is the answer for
as long as that build is current. Keys carry the build's name, so a new build (from
``paradiplo build`` or a write) starts a new generation and old entries simply age out.
Only small answers are kept (those that travel in the worker's reply, not spool files).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

CACHEABLE = frozenset({"sparql", "queries", "graph-get"})
# request fields that decide the answer (besides the build); everything else is routing
KEY_FIELDS = (
    "op",
    "query",
    "queries",
    "graph",
    "format",
    "default_graph",
    "named_graphs",
    "results_format",
    "graph_format",
    "max_rows",
    "max_bytes",
    "base",
    "allowed",
)


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    entries: int = 0
    bytes: int = 0


class AnswerCache:
    """At most ``capacity`` bytes of worker replies, least recently used dropped first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, tuple[dict[str, Any], int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.stats = CacheStats()

    @staticmethod
    def key(request: dict[str, Any]) -> Hashable | None:
        """The cache key of a read request, or ``None`` for what must not be cached."""
        if request.get("op") not in CACHEABLE:
            return None
        return (request["build"], *(_frozen(request.get(name)) for name in KEY_FIELDS))

    def get(self, key: Hashable) -> dict[str, Any] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.stats.misses += 1
                return None
            self._entries.move_to_end(key)
            self.stats.hits += 1
            return dict(found[0])

    def put(self, key: Hashable, reply: dict[str, Any], size: int) -> None:
        """Keep ``reply`` (``size`` bytes) unless it is a spooled answer or too large."""
        if "path" in reply or size > self.capacity // 8:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= old[1]
            self._entries[key] = (dict(reply), size)
            self._size += size
            while self._size > self.capacity and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._size -= dropped
            self.stats.entries = len(self._entries)
            self.stats.bytes = self._size


def _frozen(value: Any) -> Hashable:
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value  # type: ignore[no-any-return]
