"""Query worker processes in lanes, with a hard time limit and fair shares per client.

Why processes: pyoxigraph gives no way to cancel a query, and a Python thread cannot be
stopped, so a query that runs away in a thread would hold a core until it finished. Each
worker (``worker.py``) is a child process; a request that outlives its deadline gets its
worker killed and replaced (in the background), and the client gets an error at once.

Why lanes: a public endpoint gets a mix of 1 ms lookups and queries that scan for seconds.
Every read starts in the *fast* lane, where it may run ``fast_budget`` seconds. One that
runs longer is stopped there, remembered as slow, and finished in the *slow* lane with what
is left of its time limit; later requests with the same text go to the slow lane at once.
So runaway queries, however many, queue behind each other in the slow lane and never
hold the fast one for more than ``fast_budget``. A query that then ran for at least half
the time limit in the slow lane and was stopped is *doomed* for that build: the store does
not change between builds, so the same text is answered 503 at once until the next build
instead of holding a worker again. A third lane, *federation*, exists only
with ``--allow-service``: its worker reaches the allowed endpoints (and nothing else, through
the server's relay: ``isolation.federate``) and gets only the requests whose parse tree
holds an allowed ``SERVICE``; every other worker runs without a network.

Why per-client shares: one client (one address) may have at most ``per_client`` requests
in flight; the rest of its requests wait their turn, so many parallel requests from one
address cannot take every worker from the others.

Calls are blocking and thread-safe: the ASGI handlers run them in threads, so no asyncio
state is shared and the event loop never waits on a query.
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import select
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import IO

from paradiplo.errors import ParadiploError
from paradiplo.server.worker import HEADER, Reply, Request, write_frame

log = logging.getLogger("paradiplo.server")
SLOW_MEMORY = 4096
WRITES = frozenset({"update", "graph-write"})
SLOW_NICE = 10


class PoolError(ParadiploError):
    """A request could not be answered by a worker."""


class QueryTimeout(PoolError):
    """The request ran past its time limit; its worker was killed after ``ran`` seconds."""

    def __init__(self, message: str, ran: float = 0.0) -> None:
        super().__init__(message)
        self.ran = ran


class PoolBusy(PoolError):
    """No worker became free before the request's time limit."""


class WorkerCrashed(PoolError):
    """The worker died while answering (e.g. past its memory cap)."""


@dataclass(frozen=True)
class PoolSettings:
    """Lanes and limits. ``isolation``: ``require``, ``auto`` or ``off`` (``isolation.py``)."""

    workers: int = 2
    slow_workers: int = 1
    fast_budget: float = 2.0
    per_client: int = 2
    isolation: str = "auto"
    memory: int = 0
    guard: bool = True
    federation: tuple[str, ...] = ()
    relay: str | None = None
    spool: str | None = None


class Worker:
    """One child process running ``paradiplo.server.worker``."""

    def __init__(self, args: list[str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "paradiplo.server.worker", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )

    def call(self, request: Request, deadline: float, budget: float | None = None) -> Reply:
        """Send ``request`` and wait for the reply until ``deadline`` (monotonic seconds).

        ``budget`` bounds the time from the worker's ``admitted`` frame (the guard passed
        the request) to the reply: evaluation, not parsing.
        """
        stdin = self.process.stdin
        assert stdin is not None
        write_frame(stdin, request)
        while True:
            reply = self._frame(deadline)
            if not reply.get("admitted"):
                return reply
            if budget is not None:
                deadline = min(deadline, time.monotonic() + budget)

    def _frame(self, deadline: float) -> Reply:
        (size,) = HEADER.unpack(self._read(HEADER.size, deadline))
        reply: Reply = pickle.loads(self._read(size, deadline))
        reply["frame_bytes"] = size  # what keeping the reply costs, for the answer cache
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


class Lane:
    """``size`` interchangeable workers started with the same arguments."""

    def __init__(self, name: str, size: int, args: list[str], isolation: str) -> None:
        self.name = name
        self.size = max(1, size)
        self.args = args
        self.isolation = isolation
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.workers: set[Worker] = set()
        self.spares: queue.Queue[Worker] = queue.Queue()
        self.lock = threading.Lock()
        self.closed = False

    def start(self, timeout: float) -> None:
        """Start the workers and one warm spare, and wait until each answers."""
        workers = [self._spawn() for _ in range(self.size + 1)]
        deadline = time.monotonic() + timeout
        for worker in workers:
            self._ready(worker, deadline)
        for worker in workers[:-1]:
            self.idle.put(worker)
        self.spares.put(workers[-1])

    def _spawn(self) -> Worker:
        worker = Worker(self.args)
        with self.lock:
            self.workers.add(worker)
        return worker

    def _ready(self, worker: Worker, deadline: float) -> None:
        """Wait for the worker's first answer and check it runs as required."""
        try:
            reply = worker.call({"op": "ping"}, deadline)
        except (TimeoutError, EOFError, OSError) as exc:
            raise PoolError(f"query worker failed to start: {exc}") from exc
        if self.isolation != "off" and not reply.get("isolated"):
            problem = reply.get("problem") or "unknown reason"
            if self.isolation == "require":
                worker.kill()
                raise PoolError(f"query workers cannot run without a network: {problem}")
            log.warning("query workers run WITH network access (%s); see SECURITY.md", problem)

    def take(self, deadline: float) -> Worker:
        try:
            return self.idle.get(timeout=max(deadline - time.monotonic(), 0.001))
        except queue.Empty as exc:
            raise PoolBusy(f"all {self.size} {self.name} workers stayed busy") from exc

    def give_back(self, worker: Worker) -> None:
        self.idle.put(worker)

    def replace(self, worker: Worker) -> None:
        """Kill ``worker``; the warm spare takes its place and a new spare starts.

        Starting a worker takes about a second (Python, pyoxigraph, the SPARQL grammar), so
        without a spare every killed runaway query would leave the lane one worker short
        for that long.
        """
        worker.kill()
        with self.lock:
            self.workers.discard(worker)
            if self.closed:
                return
        try:
            self.idle.put(self.spares.get_nowait())
            target = self.spares
        except queue.Empty:  # several kills at once: the spare is already in use
            target = self.idle
        thread = threading.Thread(
            target=self._respawn, args=(target,), name=f"respawn-{self.name}", daemon=True
        )
        thread.start()

    def _respawn(self, into: queue.Queue[Worker]) -> None:
        try:
            worker = self._spawn()
            self._ready(worker, time.monotonic() + 60.0)
        except PoolError as exc:
            log.error("%s", exc)
            return
        into.put(worker)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            workers = list(self.workers)
            self.workers.clear()
        for worker in workers:
            worker.kill()


class WorkerPool:
    """The lanes, the memory of slow requests, and the per-client shares."""

    def __init__(self, settings: PoolSettings | int) -> None:
        if isinstance(settings, int):
            settings = PoolSettings(workers=settings)
        self.settings = settings
        args = ["--isolation", settings.isolation, "--memory", str(settings.memory)]
        if settings.spool:
            args += ["--spool", settings.spool]
        if not settings.guard:
            args.append("--no-guard")
        self.fast = Lane("fast", settings.workers, args, settings.isolation)
        # slow-lane work yields the CPU to the fast lane: a runaway query in the slow lane
        # must not slow down the 1 ms lookups on a machine with few cores
        slow = [*args, "--nice", str(SLOW_NICE)]
        self.slow = Lane("slow", settings.slow_workers, slow, settings.isolation)
        self.federation: Lane | None = None
        if settings.federation:
            # the allowed endpoints only, through the server's relay (isolation.federate)
            network = [*args]
            network[1] = "federate" if settings.isolation != "off" else "off"
            network += ["--relay", str(settings.relay)]
            for iri in settings.federation:
                network += ["--allow", iri]
            self.federation = Lane("federation", 1, network, settings.isolation)
        self.size = settings.workers
        self._slow: OrderedDict[object, None] = OrderedDict()
        self._doomed: OrderedDict[object, None] = OrderedDict()
        self._clients: dict[str, int] = {}
        self._turns = threading.Condition()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False

    def lanes(self) -> list[Lane]:
        return [lane for lane in (self.fast, self.slow, self.federation) if lane is not None]

    def start(self, timeout: float = 60.0) -> None:
        """Spawn the workers and wait until each answers, so the first query is not slow."""
        with self._lock:
            if self._started:
                return
            self._started = True
        for lane in self.lanes():
            lane.start(timeout)

    def call(self, request: Request, timeout: float, client: str | None = None) -> Reply:
        """Answer ``request`` within ``timeout`` seconds or raise a ``PoolError``."""
        if not self._started:
            self.start()
        if self._closed:
            raise PoolError("the server is shutting down")
        deadline = time.monotonic() + timeout
        self._enter(client, deadline)
        try:
            return self._route(request, deadline, timeout)
        finally:
            self._leave(client)

    def _route(self, request: Request, deadline: float, timeout: float) -> Reply:
        key = _text_of(request)
        doomed = (request.get("build"), key)
        if doomed in self._doomed:
            raise QueryTimeout(f"already stopped at the time limit of {timeout:g} s on this build")
        if request.get("op") in WRITES or request.get("op") == "ping":
            reply = self._run(self.fast, request, deadline, timeout)
        elif key in self._slow:
            reply = self._slow_run(request, deadline, timeout, doomed)
        else:
            try:
                reply = self._run(self.fast, request, deadline, timeout, self.settings.fast_budget)
            except QueryTimeout:
                if time.monotonic() >= deadline:
                    raise
                self._remember(self._slow, key)
                reply = self._slow_run(request, deadline, timeout, doomed)
        if reply.get("federate") and self.federation is not None:
            reply = self._run(self.federation, request, deadline, timeout)
        return reply

    def _run(
        self,
        lane: Lane,
        request: Request,
        deadline: float,
        timeout: float,
        budget: float | None = None,
    ) -> Reply:
        """Run on a worker of ``lane``, for at most ``budget`` seconds once it starts."""
        worker = lane.take(deadline)
        if budget is not None and _text_of(request) in self._slow:
            # found slow by another request while this one waited: do not run it here
            lane.give_back(worker)
            raise QueryTimeout("known to be slow")
        started = time.monotonic()
        try:
            reply = worker.call(request, deadline, budget)
        except TimeoutError as exc:
            lane.replace(worker)
            ran = time.monotonic() - started
            raise QueryTimeout(f"stopped after the time limit of {timeout:g} s", ran) from exc
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            lane.replace(worker)
            raise WorkerCrashed(
                "the query worker died while answering (memory cap or engine crash)"
            ) from exc
        lane.give_back(worker)
        return reply

    def _slow_run(self, request: Request, deadline: float, timeout: float, doomed: object) -> Reply:
        try:
            return self._run(self.slow, request, deadline, timeout)
        except QueryTimeout as exc:
            if exc.ran >= timeout / 2:
                self._remember(self._doomed, doomed)
            raise

    def _remember(self, memory: OrderedDict[object, None], key: object) -> None:
        with self._lock:
            memory[key] = None
            while len(memory) > SLOW_MEMORY:
                memory.popitem(last=False)

    def _enter(self, client: str | None, deadline: float) -> None:
        if client is None:
            return
        with self._turns:
            while self._clients.get(client, 0) >= self.settings.per_client:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise PoolBusy(
                        f"this client already has {self.settings.per_client} requests running"
                    )
                self._turns.wait(remaining)
            self._clients[client] = self._clients.get(client, 0) + 1

    def _leave(self, client: str | None) -> None:
        if client is None:
            return
        with self._turns:
            left = self._clients.get(client, 1) - 1
            if left:
                self._clients[client] = left
            else:
                self._clients.pop(client, None)
            self._turns.notify_all()

    def close(self) -> None:
        """Kill every worker, busy or not."""
        with self._lock:
            self._closed = True
        for lane in self.lanes():
            lane.close()

    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and logs)."""
        found: list[int] = []
        for lane in self.lanes():
            with lane.lock:
                found += [w.process.pid for w in lane.workers]
        return found


def _text_of(request: Request) -> object:
    """What identifies a request's work for the memory of slow ones."""
    if "query" in request:
        return ("query", request["query"], str(request.get("default_graph")))
    if "queries" in request:
        return ("queries", tuple(request["queries"]))
    return (request.get("op"), request.get("graph"))
