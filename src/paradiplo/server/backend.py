"""The server's side of the data directory: which build to read, and how writes commit.

Every request reads ``CURRENT`` and sends its work, with that build's path, to a worker,
so a request sees one build from start to end, and a ``paradiplo build`` run while the
server is up is picked up by the next request. Writes (SPARQL Update, Graph Store PUT,
POST, DELETE) are computed by a worker on a copy of the current build and committed as a
new build through ``DataDir.write``/``commit``, the same atomic pointer swap a build uses:
concurrent readers see the old build or the new one, never a mix.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio.to_thread
import pyoxigraph as ox

from paradiplo import __version__
from paradiplo.locking import DataDirBusyError, data_dir_lock
from paradiplo.namespaces import PREFIXES
from paradiplo.server.cache import AnswerCache
from paradiplo.server.config import ServerConfig
from paradiplo.server.errors import HttpError
from paradiplo.server.isolation import Endpoint, Relay
from paradiplo.server.pool import (
    PoolBusy,
    PoolError,
    PoolSettings,
    QueryTimeout,
    WorkerCrashed,
    WorkerPool,
)
from paradiplo.server.worker import Reply, Request
from paradiplo.store import DataDir, QueryResult, StoreError


@dataclass(frozen=True)
class WriteOutcome:
    """What a write did: whether anything changed, whether a graph was created, the build."""

    changed: bool
    created: bool
    build: Path | None


log = logging.getLogger("paradiplo.server")
WRITE_LOCK_WAIT = 10.0


class Backend:
    """Runs requests on the current build through the worker pool."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.data = DataDir(config.data_dir)
        self.spool = tempfile.mkdtemp(prefix="paradiplo-answers-")
        self.relay: Relay | None = None
        if config.allow_services:  # before any worker can start (the pool starts lazily too)
            endpoints = [Endpoint.parse(iri) for iri in sorted(config.allow_services)]
            self.relay = Relay(endpoints, str(Path(self.spool) / "relay.sock"))
        self.answers = AnswerCache(config.cache_bytes)
        self.pool = WorkerPool(
            PoolSettings(
                workers=config.workers,
                slow_workers=config.slow_workers,
                fast_budget=config.fast_budget,
                per_client=config.per_client,
                isolation=config.isolation,
                memory=config.worker_memory,
                guard=config.guard,
                federation=tuple(sorted(config.allow_services)),
                relay=str(Path(self.spool) / "relay.sock"),
                spool=self.spool,
            )
        )
        self._write_lock = threading.Lock()
        self._cache: dict[tuple[str, str], Any] = {}
        self._cache_lock = threading.Lock()

    def start(self) -> None:
        self.pool.start()

    def close(self) -> None:
        self.pool.close()
        if self.relay is not None:
            self.relay.close()
        shutil.rmtree(self.spool, ignore_errors=True)

    def build(self) -> Path:
        """The committed build requests should read."""
        try:
            current = self.data.current()
        except StoreError as exc:
            log.error("%s", exc)
            raise HttpError(503, "the store cannot be opened (see the server log)") from exc
        if current is None:
            raise HttpError(503, "no store has been built yet: run `paradiplo build`")
        return current

    def call(self, request: Request, build: Path | None = None, client: str | None = None) -> Reply:
        """Run ``request`` on ``build`` (default: the current one) within the time limit.

        ``client`` (the peer's address) gets its fair share of the workers.
        """
        config = self.config
        request = {
            "max_rows": config.max_rows,
            "max_bytes": config.max_bytes,
            **request,
            "build": str(build or self.build()),
            "prefixes": PREFIXES,
            "allowed": sorted(config.allow_services),
            "limits": {"max_length": config.max_query_length},
        }
        key = AnswerCache.key(request)
        if key is not None and (cached := self.answers.get(key)) is not None:
            cached["cache"] = "hit"
            return cached
        timeout = config.query_timeout
        try:
            reply = self.pool.call(request, timeout, client)
        except QueryTimeout as exc:
            raise HttpError(503, f"query {exc}; simplify it or add a LIMIT") from exc
        except PoolBusy as exc:
            raise HttpError(503, f"server busy: {exc}", {"Retry-After": "5"}) from exc
        except WorkerCrashed as exc:
            raise HttpError(503, f"{exc}; simplify the query") from exc
        except PoolError as exc:
            raise HttpError(500, str(exc)) from exc
        if not reply["ok"]:
            raise HttpError(int(reply["status"]), str(reply["message"]))
        if key is not None:
            self.answers.put(key, reply, int(reply.get("frame_bytes", 0)))
            reply["cache"] = "miss"
        return reply

    async def run(
        self, request: Request, build: Path | None = None, client: str | None = None
    ) -> Reply:
        """``call`` from async code, in a thread so the event loop keeps serving."""
        return await anyio.to_thread.run_sync(self.call, request, build, client)

    async def queries(
        self,
        queries: list[str],
        build: Path | None = None,
        max_rows: int | None = None,
        client: str | None = None,
    ) -> list[QueryResult]:
        """Several queries answered on one snapshot, as ``Store``-protocol results."""
        reply = await self.queries_reply(queries, build, max_rows, client)
        results: list[QueryResult] = reply["results"]
        return results

    async def queries_reply(
        self,
        queries: list[str],
        build: Path | None = None,
        max_rows: int | None = None,
        client: str | None = None,
    ) -> Reply:
        """``queries`` with the whole reply (``truncated`` says which answers were cut)."""
        request = {
            "op": "queries",
            "queries": queries,
            "max_rows": max_rows or self.config.max_rows,
        }
        return await self.run(request, build, client)

    async def write(self, request: Request, origin: str) -> WriteOutcome:
        """Compute a write in a worker and commit it as a new build."""
        return await anyio.to_thread.run_sync(self._write, request, origin)

    def _write(self, request: Request, origin: str) -> WriteOutcome:
        with self._write_lock:
            base = self.build()
            reply = self.call(request, build=base)
            created = bool(reply.get("created", False))
            if not reply["changed"]:
                return WriteOutcome(False, created, None)
            quads = ox.parse(reply["nquads"], format=ox.RdfFormat.N_QUADS)
            metadata = self._metadata(base, origin, int(reply["quads"]))
            try:
                # the data directory's lock, as `paradiplo build` and `import` take it: a
                # build cannot commit between the check below and this write's commit
                with data_dir_lock(self.config.data_dir, wait=WRITE_LOCK_WAIT):
                    build = self.data.write(quads, metadata)
                    if not self.data.is_current(base):
                        self.data.discard(build)
                        raise HttpError(409, "the store changed while the write ran; retry it")
                    self.data.commit(build)
            except DataDirBusyError as exc:
                raise HttpError(
                    503,
                    "a build or import is running on this store; retry later",
                    {"Retry-After": "10"},
                ) from exc
            return WriteOutcome(True, created, build)

    def _metadata(self, base: Path, origin: str, quads: int) -> dict[str, Any]:
        return {
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "paradiplo": __version__,
            "parent": base.name,
            "origin": origin,
            "quads_total": quads,
        }

    def cache_get(self, build: Path, key: str) -> Any:
        """A value derived from ``build`` (VoID counts, ontology docs), or ``None``."""
        with self._cache_lock:
            return self._cache.get((build.name, key))

    def cache_put(self, build: Path, key: str, value: Any) -> None:
        """Remember ``value`` for ``build``; values of other builds are dropped."""
        with self._cache_lock:
            for slot in [slot for slot in self._cache if slot[0] != build.name]:
                del self._cache[slot]
            self._cache[(build.name, key)] = value
