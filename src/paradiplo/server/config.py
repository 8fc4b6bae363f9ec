"""What ``paradiplo serve`` can be told: limits, CORS, the write token, allowed services."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from paradiplo.vendor import DEFAULT_TARGET

DEFAULT_QUERY_TIMEOUT = 30.0
DEFAULT_MAX_ROWS = 50_000
DEFAULT_MAX_BODY = 1_048_576
DEFAULT_WORKERS = 2
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_SLOW_WORKERS = 1
DEFAULT_FAST_BUDGET = 2.0
DEFAULT_PER_CLIENT = 2
DEFAULT_WORKER_MEMORY = 2 * 1024**3
DEFAULT_HEADER_TIMEOUT = 10.0
DEFAULT_MAX_CONNECTIONS = 256
DEFAULT_MAX_QUERY_LENGTH = 65_536
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class ServerConfig:
    """Settings of one server; immutable so request handlers can share it freely.

    ``write_token`` ``None`` makes the server read-only. ``allow_services`` lists the exact
    endpoint IRIs that ``SERVICE`` (and ``LOAD``) may reach; everything else is refused.
    ``queries_dir`` holds the query packs offered as examples in the UI.

    Resource bounds (``SECURITY.md``): ``max_bytes`` per answer, ``workers`` fast-lane and
    ``slow_workers`` slow-lane processes, ``fast_budget`` seconds in the fast lane,
    ``per_client`` requests in flight per client address, ``worker_memory`` bytes of heap
    per worker, ``header_timeout`` seconds to send a request's head, ``max_connections``
    open at once, ``max_query_length`` characters per query or update. ``isolation``
    (``require``, ``auto``, ``off``) says whether workers must run without a network;
    ``guard`` off is for tests of the other layers only. ``cache_bytes`` bounds the answers
    kept for reuse until the next build (``cache.py``; 0 keeps none).
    """

    data_dir: Path
    query_timeout: float = DEFAULT_QUERY_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    max_body: int = DEFAULT_MAX_BODY
    cors_origins: tuple[str, ...] = ()
    write_token: str | None = None
    allow_services: frozenset[str] = field(default_factory=frozenset)
    workers: int = DEFAULT_WORKERS
    queries_dir: Path | None = None
    vendor_dir: Path = DEFAULT_TARGET
    max_bytes: int = DEFAULT_MAX_BYTES
    slow_workers: int = DEFAULT_SLOW_WORKERS
    fast_budget: float = DEFAULT_FAST_BUDGET
    per_client: int = DEFAULT_PER_CLIENT
    worker_memory: int = DEFAULT_WORKER_MEMORY
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_query_length: int = DEFAULT_MAX_QUERY_LENGTH
    isolation: str = "auto"
    guard: bool = True
    cache_bytes: int = DEFAULT_CACHE_BYTES

    @property
    def writable(self) -> bool:
        return bool(self.write_token)
