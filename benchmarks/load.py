"""Load test of ``paradiplo serve``: N concurrent clients replaying the query packs.

    python benchmarks/load.py                      # start a server on ./.paradiplo
    python benchmarks/load.py --data-dir /tmp/w2   # ... on another data directory
    python benchmarks/load.py --url http://127.0.0.1:8000/sparql --clients 32 --duration 60

Each client keeps one HTTP connection open and sends the queries of ``queries/*/*.rq`` in
a shuffled cycle (``POST application/sparql-query``, JSON results) until the time is up or
the run has sent ``--max-requests``; ``--exclude GLOB`` leaves queries out (e.g.
``'checks/*'``). A request counts as an error unless it gets a 200 with a body. The report
gives requests, errors, throughput, p50/p99/max latency overall and per query, as
Markdown; ``--append FILE --label NAME`` appends it under a heading to FILE.

``--mix`` replaces the replay by a mixed load: each request is a simple lookup (one
resource's statements), a heavy query (a pack query) or a runaway (an unconstrained cross
product that only the time limit stops), drawn 70/25/5 by default (``--mix 70,25,5``);
the report then gives the figures per class. With ``--mix`` each client sends from its own
loopback address (127.0.0.10, .11, ...), as distinct users would, so that the server's
per-client shares apply to each client separately.

Traffic goes to loopback addresses only: a ``--url`` whose host is not ``localhost``,
127.0.0.0/8 or ``::1`` is refused, and the run is bounded in time and request count.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import fnmatch
import http.client
import ipaddress
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
QUERY_TYPE = "application/sparql-query"
RESULTS_JSON = "application/sparql-results+json"
DEFAULT_TIMEOUT = 30.0


class LoadTestError(Exception):
    """The run cannot start (bad URL, no queries, server did not come up)."""


# --- where to send requests ------------------------------------------------------------


def loopback_url(url: str) -> tuple[str, int, str]:
    """``(host, port, path)`` of an http URL on this machine; anything else is refused."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise LoadTestError(f"{url}: give an http://host:port/path URL")
    host = parts.hostname
    if host != "localhost":
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise LoadTestError(
                f"{url}: refusing a non-loopback host; load tests target 127.0.0.0/8, ::1 "
                "or localhost only"
            )
    return host, parts.port or 80, parts.path or "/sparql"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(host: str, port: int, path: str) -> bool:
    try:
        connection = http.client.HTTPConnection(host, port, timeout=5)
        connection.request("GET", f"{path}?query=ASK%7B%7D", headers={"Accept": RESULTS_JSON})
        ok = connection.getresponse().status == 200
        connection.close()
        return ok
    except OSError:
        return False


def _die_with_parent() -> None:
    """In the server process: get SIGTERM if this script dies (even by SIGKILL); Linux."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@contextmanager
def local_server(data_dir: Path, extra: Sequence[str], log: Path) -> Iterator[str]:
    """Run ``paradiplo serve`` on a free loopback port for the duration of the block."""
    port = free_port()
    command = [sys.executable, "-m", "paradiplo", "--data-dir", str(data_dir), "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port), *extra]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    try:
        deadline = time.monotonic() + 120
        while not _answers("127.0.0.1", port, "/sparql"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise LoadTestError(f"the server did not come up; see {log}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/sparql"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# --- the workload ----------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    name: str
    text: bytes


def query_pack(queries_dir: Path, exclude: Sequence[str] = ()) -> list[Query]:
    """Every ``<pack>/<name>.rq`` under ``queries_dir``, named ``pack/name``, but those
    whose name matches one of the ``exclude`` glob patterns."""
    found = [
        Query(f"{path.parent.name}/{path.stem}", path.read_bytes())
        for path in sorted(queries_dir.glob("*/*.rq"))
    ]
    found = [q for q in found if not any(fnmatch.fnmatchcase(q.name, p) for p in exclude)]
    if not found:
        raise LoadTestError(f"no queries in {queries_dir}/*/*.rq (after --exclude)")
    return found


@dataclass
class Tally:
    """What the clients saw; each client appends under the lock."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: int = 0
    cache: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def cached(self, state: str | None) -> None:
        """Note the ``Paradiplo-Cache`` header of an answer (``hit``/``miss``) if any."""
        if state:
            with self.lock:
                self.cache[state] += 1

    def claim(self, limit: int) -> bool:
        """Reserve one request of the run's budget."""
        with self.lock:
            if self.sent >= limit:
                return False
            self.sent += 1
            return True

    def record(self, query: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[query].append(seconds)
            if error is not None:
                self.errors[query].append(error)


def _send(
    connection: http.client.HTTPConnection, path: str, query: Query, tally: Tally | None = None
) -> str | None:
    """One request; the reason it failed, or ``None``. Counts the server's cache hits."""
    headers = {"Content-Type": QUERY_TYPE, "Accept": RESULTS_JSON}
    connection.request("POST", path, body=query.text, headers=headers)
    response = connection.getresponse()
    body = response.read()
    if tally is not None:
        tally.cached(response.getheader("Paradiplo-Cache"))
    if response.status != 200:
        return f"HTTP {response.status}: {body[:200].decode('utf-8', 'replace').strip()}"
    return None if body else "empty body"


RUNAWAYS = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "SELECT ?a ?d ?g WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i",
    "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?c . ?g ?h ?i }",
]


@dataclass(frozen=True)
class Mix:
    """Weights of the simple, heavy and runaway classes, and the lookups' subjects."""

    weights: tuple[int, int, int]
    subjects: tuple[str, ...]

    def draw(self, rng: random.Random, heavy: list[Query]) -> Query:
        kind = rng.choices(("simple", "heavy", "runaway"), weights=self.weights)[0]
        if kind == "heavy":
            query = rng.choice(heavy)
            return Query(f"heavy:{query.name}", query.text)
        if kind == "runaway":
            return Query("runaway", rng.choice(RUNAWAYS).encode())
        subject = rng.choice(self.subjects)
        text = f"SELECT ?p ?o WHERE {{ <{subject}> ?p ?o }} LIMIT 100"
        return Query("simple:lookup", text.encode())


def subjects(host: str, port: int, path: str) -> tuple[str, ...]:
    """Up to 500 subjects of the store, for the lookups of the mixed load."""
    query = "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) } LIMIT 500"
    connection = http.client.HTTPConnection(host, port, timeout=DEFAULT_TIMEOUT)
    try:
        headers = {"Content-Type": QUERY_TYPE, "Accept": RESULTS_JSON}
        connection.request("POST", path, body=query.encode(), headers=headers)
        answer = json.loads(connection.getresponse().read())
    finally:
        connection.close()
    found = tuple(row["s"]["value"] for row in answer["results"]["bindings"])
    if not found:
        raise LoadTestError("the store has no subjects to look up")
    return found


def _connect(host: str, port: int, source: str | None) -> http.client.HTTPConnection:
    address = (source, 0) if source else None
    return http.client.HTTPConnection(host, port, timeout=DEFAULT_TIMEOUT, source_address=address)


def client(
    url: tuple[str, int, str], queries: list[Query], tally: Tally, stop_at: float, limit: int,
    seed: int, mix: Mix | None = None,
) -> None:  # fmt: skip
    """Send queries (a shuffled cycle, or drawn from ``mix``) until told to stop."""
    host, port, path = url
    rng = random.Random(seed)
    source = f"127.0.0.{10 + seed % 240}" if mix and host.startswith("127.") else None
    connection = _connect(host, port, source)
    try:
        for query in _stream(rng, queries, mix):
            if time.monotonic() >= stop_at or not tally.claim(limit):
                return
            start = time.perf_counter()
            try:
                error = _send(connection, path, query, tally)
            except (OSError, http.client.HTTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"
                connection.close()
                connection = _connect(host, port, source)
            tally.record(query.name, time.perf_counter() - start, error)
    finally:
        connection.close()


def _stream(rng: random.Random, queries: list[Query], mix: Mix | None) -> Iterator[Query]:
    order = list(queries)
    while True:
        if mix is not None:
            yield mix.draw(rng, queries)
            continue
        rng.shuffle(order)
        yield from order


def run(
    url: str,
    queries: list[Query],
    clients: int,
    duration: float,
    limit: int,
    mix: Mix | None = None,
) -> Tally:
    target = loopback_url(url)
    tally = Tally()
    stop_at = time.monotonic() + duration
    threads = [
        threading.Thread(target=client, args=(target, queries, tally, stop_at, limit, seed, mix))
        for seed in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


# --- the report ------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def report(tally: Tally, label: str, clients: int, seconds: float, workload: str) -> str:
    """The run as Markdown: a summary line, the overall figures, and one row per query."""
    every = [s for values in tally.latencies.values() for s in values]
    errors = sum(len(e) for e in tally.errors.values())
    lines = [
        f"### {label}",
        "",
        f"{workload}; {clients} clients for {seconds:.0f} s on loopback." + _hit_rate(tally),
        "",
        "| requests | errors | req/s | p50 ms | p99 ms | max ms |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {len(every)} | {errors} | {len(every) / seconds:.1f} | {_ms(percentile(every, 50))} "
        f"| {_ms(percentile(every, 99))} | {_ms(max(every, default=0.0))} |",
        "",
        "<details><summary>per query</summary>",
        "",
        "| query | requests | errors | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in sorted(tally.latencies):
        values = tally.latencies[name]
        lines.append(
            f"| {name} | {len(values)} | {len(tally.errors.get(name, []))} "
            f"| {_ms(percentile(values, 50))} | {_ms(percentile(values, 99))} "
            f"| {_ms(max(values))} |"
        )
    classes = _by_class(tally)
    if len(classes) > 1:
        lines[8:8] = [
            "",
            "| class | requests | errors | p50 ms | p99 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|",
            *(
                f"| {kind} | {len(values)} | {errors_} | {_ms(percentile(values, 50))} "
                f"| {_ms(percentile(values, 99))} | {_ms(max(values, default=0.0))} |"
                for kind, (values, errors_) in sorted(classes.items())
            ),
        ]
    samples = [f"- {name}: {msgs[0]}" for name, msgs in sorted(tally.errors.items()) if msgs]
    if samples:
        lines += ["", "First error per query:", "", *samples]
    lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _hit_rate(tally: Tally) -> str:
    answered = tally.cache.get("hit", 0) + tally.cache.get("miss", 0)
    if not answered:
        return ""
    return f" Answer cache: {tally.cache.get('hit', 0) / answered:.0%} hits of {answered}."


def _by_class(tally: Tally) -> dict[str, tuple[list[float], int]]:
    """Latencies and error counts per class (the part of a query name before ``:``)."""
    classes: dict[str, tuple[list[float], int]] = {}
    for name, values in tally.latencies.items():
        kind = name.split(":", 1)[0] if ":" in name or name == "runaway" else "replay"
        found, errors = classes.get(kind, ([], 0))
        classes[kind] = (found + values, errors + len(tally.errors.get(name, [])))
    return classes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="SPARQL endpoint to load (loopback only); default: start one")
    parser.add_argument("--data-dir", type=Path, default=Path(".paradiplo"),
                        help="data directory for the server this script starts")  # fmt: skip
    parser.add_argument("--serve-arg", action="append", default=[], metavar="ARG",
                        help="extra argument for `paradiplo serve` (repeatable)")  # fmt: skip
    parser.add_argument("--queries", type=Path, default=REPO / "queries", help="query packs")
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="leave out queries named like GLOB, e.g. 'checks/*' (repeatable)",
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--max-requests", type=int, default=200_000, help="hard request cap")
    parser.add_argument("--label", default="Load test", help="heading of the report")
    parser.add_argument("--workload", default="", help="what the store holds, for the report")
    parser.add_argument("--append", type=Path, help="append the report to this Markdown file")
    parser.add_argument(
        "--mix",
        metavar="SIMPLE,HEAVY,RUNAWAY",
        help="a mixed load with these weights (e.g. 70,25,5) instead of the replay",
    )
    args = parser.parse_args(argv)
    if args.clients < 1 or args.duration <= 0 or args.max_requests < 1:
        parser.error("--clients, --duration and --max-requests must be positive")
    try:
        queries = query_pack(args.queries, args.exclude)
        workload = args.workload or "the store"
        workload += f"; {len(queries)} queries of {args.queries.name}/*/*.rq"
        if args.exclude:
            workload += " (excluded: " + ", ".join(f"`{g}`" for g in args.exclude) + ")"
        if args.url:
            loopback_url(args.url)
            tally, seconds = _timed(args.url, queries, args)
        else:
            log = Path(os.environ.get("TMPDIR", "/tmp")) / f"paradiplo-load-{os.getpid()}.log"
            with local_server(args.data_dir, args.serve_arg, log) as url:
                tally, seconds = _timed(url, queries, args)
    except LoadTestError as exc:
        print(f"load.py: {exc}", file=sys.stderr)
        return 2
    text = report(tally, args.label, args.clients, seconds, workload)
    print(text)
    if args.append:
        with args.append.open("a", encoding="utf-8") as out:
            out.write("\n" + text)
    if args.mix:  # runaway queries are meant to fail; the others must not
        return 1 if any(e for n, e in tally.errors.items() if n != "runaway") else 0
    return 1 if any(tally.errors.values()) else 0


def _timed(url: str, queries: list[Query], args: argparse.Namespace) -> tuple[Tally, float]:
    mix = None
    if args.mix:
        weights = tuple(int(w) for w in args.mix.split(","))
        if len(weights) != 3:
            raise LoadTestError("--mix takes three weights: SIMPLE,HEAVY,RUNAWAY")
        mix = Mix((weights[0], weights[1], weights[2]), subjects(*loopback_url(url)))
    start = time.monotonic()
    tally = run(url, queries, args.clients, args.duration, args.max_requests, mix)
    return tally, time.monotonic() - start


if __name__ == "__main__":
    sys.exit(main())
