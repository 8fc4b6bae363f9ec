"""What ``paradiplo serve`` can be told: limits, CORS, the write token, allowed services."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from paradiplo.vendor import DEFAULT_TARGET

DEFAULT_QUERY_TIMEOUT = 30.0
DEFAULT_MAX_ROWS = 50_000
DEFAULT_MAX_BODY = 1_048_576
DEFAULT_WORKERS = 2


@dataclass(frozen=True)
class ServerConfig:
    """Settings of one server; immutable so request handlers can share it freely.

    ``write_token`` ``None`` makes the server read-only. ``allow_services`` lists the exact
    endpoint IRIs that ``SERVICE`` (and ``LOAD``) may reach; everything else is refused.
    ``queries_dir`` holds the query packs offered as examples in the UI.
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

    @property
    def writable(self) -> bool:
        return bool(self.write_token)
