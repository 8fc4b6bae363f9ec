"""A pool of query worker processes with a hard time limit per request.

Why processes: pyoxigraph gives no way to cancel a query, and a Python thread cannot be
stopped, so a query that runs away in a thread would hold a core until it finished. Each
worker (``worker.py``) is a child process; a request that outlives its deadline gets its
worker killed and replaced, and the client gets an error at once. The other workers keep
answering meanwhile. Calls are blocking and thread-safe: the ASGI handlers run them in
threads, so no asyncio state is shared and the event loop never waits on a query.
"""

from __future__ import annotations

import os
import pickle
import queue
import select
import subprocess
import sys
import threading
import time
from typing import IO

from paradiplo.errors import ParadiploError
from paradiplo.server.worker import HEADER, Reply, Request, write_frame


class PoolError(ParadiploError):
    """A request could not be answered by a worker."""


class QueryTimeout(PoolError):
    """The request ran past its time limit; its worker was killed."""


class PoolBusy(PoolError):
    """No worker became free before the request's time limit."""


class WorkerCrashed(PoolError):
    """The worker died while answering (e.g. out of memory)."""


class Worker:
    """One child process running ``paradiplo.server.worker``."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "paradiplo.server.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )

    def call(self, request: Request, deadline: float) -> Reply:
        """Send ``request`` and wait for the reply until ``deadline`` (monotonic seconds)."""
        stdin = self.process.stdin
        assert stdin is not None
        write_frame(stdin, request)
        (size,) = HEADER.unpack(self._read(HEADER.size, deadline))
        reply: Reply = pickle.loads(self._read(size, deadline))
        return reply

    def _read(self, size: int, deadline: float) -> bytes:
        stdout: IO[bytes] | None = self.process.stdout
        assert stdout is not None
        descriptor = stdout.fileno()
        data = bytearray()
        while len(data) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            readable, _, _ = select.select([descriptor], [], [], remaining)
            if not readable:
                raise TimeoutError
            chunk = os.read(descriptor, min(size - len(data), 1 << 20))
            if not chunk:
                raise EOFError("worker exited")
            data += chunk
        return bytes(data)

    def kill(self) -> None:
        """Stop the process now; a query in flight dies with it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class WorkerPool:
    """``size`` workers; each request takes an idle one, or waits for one until its deadline."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._workers: set[Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False

    def start(self, timeout: float = 30.0) -> None:
        """Spawn the workers and wait until each answers, so the first query is not slow."""
        with self._lock:
            if self._started:
                return
            self._started = True
            workers = [self._spawn() for _ in range(self.size)]
        deadline = time.monotonic() + timeout
        for worker in workers:
            try:
                worker.call({"op": "ping"}, deadline)
            except (TimeoutError, EOFError, OSError) as exc:
                raise PoolError(f"query worker failed to start: {exc}") from exc
            self._idle.put(worker)

    def _spawn(self) -> Worker:
        worker = Worker()
        self._workers.add(worker)
        return worker

    def call(self, request: Request, timeout: float) -> Reply:
        """Answer ``request`` within ``timeout`` seconds or raise a ``PoolError``."""
        if not self._started:
            self.start()
        if self._closed:
            raise PoolError("the server is shutting down")
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=max(timeout, 0.001))
        except queue.Empty as exc:
            raise PoolBusy(f"all {self.size} query workers stayed busy for {timeout:g} s") from exc
        try:
            reply = worker.call(request, deadline)
        except TimeoutError as exc:
            self._replace(worker)
            raise QueryTimeout(f"stopped after the time limit of {timeout:g} s") from exc
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            self._replace(worker)
            raise WorkerCrashed("the query worker died while answering") from exc
        self._idle.put(worker)
        return reply

    def _replace(self, worker: Worker) -> None:
        worker.kill()
        with self._lock:
            self._workers.discard(worker)
            if self._closed:
                return
            replacement = self._spawn()
        self._idle.put(replacement)

    def close(self) -> None:
        """Kill every worker, busy or not."""
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.kill()

    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and logs)."""
        with self._lock:
            return [w.process.pid for w in self._workers]
