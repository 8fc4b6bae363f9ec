"""A query worker: a child process that evaluates requests on one build at a time.

pyoxigraph cannot interrupt a running query, and a thread cannot be killed, so queries run
in worker processes (``pool.py``) that the server kills when a query outlives its time
limit. A worker reads length-prefixed pickled requests on stdin and writes replies on
stdout; it keeps the builds it has opened (read-only) so consecutive queries do not reopen
the store. Writes are computed here too (an update may be as slow as a query) but only as a
new set of quads: the server commits them as a new build.

Requests are dicts with an ``op``; replies are ``{"ok": True, ...}`` or
``{"ok": False, "status": <HTTP status>, "message": <one line>}``.
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import signal
import struct
import sys
import traceback
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from paradiplo.formats import GRAPH_SYNTAXES
from paradiplo.server import guard
from paradiplo.server.answers import (
    Sink,
    rows_of,
    take_triples,
    term_size,
    write_graph,
    write_select,
)
from paradiplo.server.isolation import Endpoint, cap_memory, federate, isolate_network
from paradiplo.server.results import ask_bytes
from paradiplo.store import (
    STORE_SUBDIR,
    AskResult,
    GraphResult,
    QueryResult,
    SelectResult,
    term,
)

Request = dict[str, Any]
Reply = dict[str, Any]
HEADER = struct.Struct(">Q")
KEEP_OPEN = 2

RDF_FORMATS = {syntax.key: syntax.oxigraph for syntax in GRAPH_SYNTAXES}
DEFAULT = ox.DefaultGraph()
# The named graph that stores what is written to "the default graph" (docs/serve.md).
WRITABLE_DEFAULT = ox.NamedNode("https://w3id.org/paradiplo/id/graph/default")
DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)")
GUARD_CACHE = 2048
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


@dataclass
class Settings:
    """How this worker was started (``main``'s command line)."""

    guard: bool = True
    isolated: bool = False
    isolation_problem: str | None = None
    spool: str | None = None
    replies: IO[bytes] | None = None
    announced: bool = False
    confined: bool = False


SETTINGS = Settings()


class Failure(Exception):
    """A request that cannot be answered, with the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --- framing --------------------------------------------------------------------------


def write_frame(out: IO[bytes], message: object) -> None:
    """Pickle ``message`` behind its length."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(HEADER.pack(len(payload)) + payload)
    out.flush()


def read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: IO[bytes]) -> Any:
    (size,) = HEADER.unpack(read_exactly(stream, HEADER.size))
    return pickle.loads(read_exactly(stream, size))


# --- stores ---------------------------------------------------------------------------


class Stores:
    """The builds this worker has open, newest last; older ones are released."""

    def __init__(self) -> None:
        self._open: dict[str, ox.Store] = {}

    def get(self, build: str) -> ox.Store:
        store = self._open.pop(build, None)
        if store is None:
            try:
                store = ox.Store.read_only(str(Path(build) / STORE_SUBDIR))
            except OSError as exc:
                print(f"paradiplo worker: cannot open {build}: {exc}", file=sys.stderr)
                raise Failure(503, "the store cannot be opened (see the server log)") from exc
        self._open[build] = store
        while len(self._open) > KEEP_OPEN:
            del self._open[next(iter(self._open))]
        return store


# --- operations -----------------------------------------------------------------------


def _default(iris: list[str] | None) -> list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None:
    return None if iris is None else [ox.NamedNode(iri) for iri in iris]


def _named(iris: list[str] | None) -> list[ox.NamedNode | ox.BlankNode] | None:
    return None if iris is None else [ox.NamedNode(iri) for iri in iris]


def used_prefixes(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes whose namespace some IRI of ``triples`` uses, one name per namespace."""
    namespaces: set[str] = set()
    for triple in triples:
        for node in (triple.subject, triple.predicate, triple.object):
            if isinstance(node, ox.NamedNode):
                namespaces.add(_namespace(node.value))
            elif isinstance(node, ox.Literal):
                namespaces.add(_namespace(node.datatype.value))
    chosen: dict[str, str] = {}
    for name, namespace in prefixes.items():
        if namespace in namespaces and namespace not in chosen.values():
            chosen[name] = namespace
    return chosen


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


class GuardCache:
    """The guard's decisions on recent request texts (parsing costs milliseconds)."""

    def __init__(self, size: int = GUARD_CACHE) -> None:
        self.size = size
        self._seen: OrderedDict[tuple[Any, ...], guard.Inspection | guard.QueryRefused] = (
            OrderedDict()
        )

    def check(self, text: str, update: bool, request: Request) -> guard.Inspection | None:
        """Refuse (``Failure`` 400) what the guard refuses; ``None`` when the guard is off."""
        if not SETTINGS.guard:
            return None
        allowed = frozenset(request.get("allowed") or ())
        key = (text, update, allowed, request.get("base"))
        found = self._seen.pop(key, None)
        if found is None:
            try:
                with parse_deadline(PARSE_BUDGET):
                    found = guard.check(
                        text,
                        update=update,
                        allowed=allowed,
                        prefixes=request.get("prefixes") or {},
                        base=request.get("base"),
                        limits=guard.Limits(**(request.get("limits") or {})),
                    )
            except guard.QueryRefused as exc:
                found = exc
        self._seen[key] = found
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)
        if isinstance(found, guard.QueryRefused):
            raise Failure(400, str(found))
        return found


GUARDS = GuardCache()
PARSE_BUDGET = 1.0


@contextmanager
def parse_deadline(seconds: float) -> Iterator[None]:
    """Refuse a request whose parse takes longer than ``seconds`` of CPU time.

    rdflib's parser spends about a millisecond per operator, so a 40 kB chain of
    ``1+1+...`` would hold a worker for 20 s before the depth bound refused it; real
    queries parse in milliseconds. The guard runs in the worker's main thread, where a
    profiling-timer signal can interrupt pure-Python parsing. CPU time, not wall clock,
    so a busy machine does not refuse what an idle one accepts.
    """

    def expired(signum: int, frame: object) -> None:
        raise guard.ComplexityError(f"the request took over {seconds:g} s to parse; simplify it")

    previous = signal.signal(signal.SIGPROF, expired)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


class Federate(Exception):
    """The request uses an allowed SERVICE; only a worker with network may evaluate it."""


def _admit(text: str, update: bool, request: Request) -> None:
    """The guard's check, and the hand-over of allowed federated queries.

    Once a request's first text is admitted the server is told (an ``admitted`` frame),
    so that its fast-lane budget counts evaluation only, not the parse.
    """
    found = GUARDS.check(text, update, request)
    if found is not None and found.remote and SETTINGS.isolated:
        raise Federate
    if SETTINGS.replies is not None and not SETTINGS.announced:
        SETTINGS.announced = True
        write_frame(SETTINGS.replies, {"admitted": True})


def _evaluate(store: ox.Store, request: Request) -> Any:
    _admit(request["query"], False, request)
    try:
        return store.query(
            request["query"],
            base_iri=request.get("base"),
            prefixes=request.get("prefixes") or None,
            default_graph=_default(request.get("default_graph")),
            named_graphs=_named(request.get("named_graphs")),
        )
    except SyntaxError as exc:
        raise Failure(400, f"query syntax error: {exc.msg or exc}") from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise _hidden(exc, 400, "query failed") from exc


def _hidden(exc: BaseException, status: int, what: str) -> Failure:
    """A failure whose cause goes to the server log only: it may name hosts and ports."""
    print(f"paradiplo worker: {what}: {exc}", file=sys.stderr)
    return Failure(status, f"{what} (details are in the server log)")


def _guarded(items: Iterable[Any]) -> Iterator[Any]:
    """Turn errors raised while results stream (e.g. a failing SERVICE) into a Failure."""
    try:
        yield from items
    except (OSError, ValueError, RuntimeError) as exc:
        raise _hidden(exc, 500, "query evaluation failed") from exc


def _sink(request: Request) -> Sink:
    return Sink(SETTINGS.spool, int(request.get("max_bytes") or DEFAULT_MAX_BYTES))


def op_sparql(stores: Stores, request: Request) -> Reply:
    """The SPARQL endpoint: evaluate and serialize in the negotiated format, within caps."""
    result = _evaluate(stores.get(request["build"]), request)
    limit = int(request["max_rows"])
    if isinstance(result, ox.QueryBoolean):
        key = _wanted(request, "results_format", "ASK results")
        body = ask_bytes(bool(result), key)
        return {"ok": True, "kind": "ask", "format": key, "body": body, "truncated": None}
    sink = _sink(request)
    try:
        if isinstance(result, ox.QueryTriples):
            key = _wanted(request, "graph_format", "CONSTRUCT/DESCRIBE results")
            triples, cut = take_triples(_guarded(result), limit, sink.limit)
            if write_graph(sink, triples, RDF_FORMATS[key], _used(triples, request, key)):
                cut = "bytes"
            kind = "graph"
        else:
            key = _wanted(request, "results_format", "SELECT results")
            variables = tuple(v.value for v in result.variables)
            cut = write_select(sink, key, variables, _guarded(rows_of(result, variables)), limit)
            kind = "select"
    except BaseException:
        sink.discard()
        raise
    return {"ok": True, "kind": kind, "format": key, "truncated": cut, **sink.reply()}


def _wanted(request: Request, field: str, what: str) -> str:
    key = request.get(field)
    if not key:
        raise Failure(
            406, f"no acceptable format for {what}; offered: {request['offered_' + field]}"
        )
    return str(key)


def _prefixes(request: Request, key: str) -> dict[str, str] | None:
    return request.get("prefixes") if key in ("turtle", "rdfxml", "jsonld") else None


def _used(triples: list[ox.Triple], request: Request, key: str) -> dict[str, str] | None:
    prefixes = _prefixes(request, key)
    return used_prefixes(triples, prefixes) if prefixes else None


def op_queries(stores: Stores, request: Request) -> Reply:
    """Several queries on one snapshot, answered as ``Store``-protocol results.

    Each answer keeps at most ``max_rows`` rows and about ``max_bytes`` of values;
    ``truncated`` says which answers were cut.
    """
    store = stores.get(request["build"])
    limit = int(request.get("max_rows") or 100_000)
    max_bytes = int(request.get("max_bytes") or DEFAULT_MAX_BYTES)
    answers: list[QueryResult] = []
    truncated: list[bool] = []
    for text in request["queries"]:
        result = _evaluate(store, {**request, "query": text})
        if isinstance(result, ox.QueryBoolean):
            answers.append(AskResult(bool(result)))
            truncated.append(False)
        elif isinstance(result, ox.QueryTriples):
            triples, cut = take_triples(_guarded(result), limit, max_bytes)
            answers.append(
                GraphResult(
                    tuple((term(t.subject), term(t.predicate), term(t.object)) for t in triples)
                )
            )
            truncated.append(cut is not None)
        else:
            variables = tuple(v.value for v in result.variables)
            rows, rows_cut = _take_rows(_guarded(rows_of(result, variables)), limit, max_bytes)
            answers.append(SelectResult(variables, rows))
            truncated.append(rows_cut)
    return {"ok": True, "results": answers, "truncated": truncated}


def _take_rows(
    rows: Iterator[tuple[Any, ...]], limit: int, max_bytes: int
) -> tuple[tuple[tuple[Any, ...], ...], bool]:
    kept: list[tuple[Any, ...]] = []
    size = 0
    for row in rows:
        size += sum(term_size(t) for t in row)
        if len(kept) >= limit or size > max_bytes:
            return tuple(kept), True
        kept.append(row)
    return tuple(kept), False


def op_graph_get(stores: Stores, request: Request) -> Reply:
    """Graph Store GET: one named graph, or the default graph (the union), within caps."""
    store = stores.get(request["build"])
    graph = DEFAULT if request.get("graph") is None else ox.NamedNode(request["graph"])
    if isinstance(graph, ox.NamedNode) and not store.contains_named_graph(graph):
        raise Failure(404, f"no graph <{graph.value}> in the store")
    key = request["format"]
    found = (
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, graph)
    )
    sink = _sink(request)
    try:
        triples, cut = take_triples(found, int(request["max_rows"]), sink.limit)
        if write_graph(sink, triples, RDF_FORMATS[key], _used(triples, request, key)):
            cut = "bytes"
    except BaseException:
        sink.discard()
        raise
    return {"ok": True, "truncated": cut, **sink.reply()}


def _named_quads(store: ox.Store) -> set[ox.Quad]:
    """The quads of the named graphs (not the merged default graph a build also holds)."""
    return {q for g in store.named_graphs() for q in store.quads_for_pattern(None, None, None, g)}


def _merged(named: set[ox.Quad]) -> set[ox.Quad]:
    """The default graph a build derives from its named graphs: their deduplicated merge."""
    return {ox.Quad(q.subject, q.predicate, q.object) for q in named}


def _changes(before: set[ox.Quad], after: set[ox.Quad]) -> Reply:
    if after == before:
        return {"ok": True, "changed": False}
    body = ox.serialize(after, format=ox.RdfFormat.N_QUADS)
    return {"ok": True, "changed": True, "nquads": body, "quads": len(after)}


def op_update(stores: Stores, request: Request) -> Reply:
    """SPARQL Update on a copy of the build; reply with the resulting named-graph quads.

    Reads see the union of the named graphs as the default graph, and the update runs on
    a copy whose default graph holds that union. What the update did to the default graph
    is then applied to ``WRITABLE_DEFAULT``, the named graph that stores the default
    graph's own triples: an inserted triple goes there, a deleted one leaves it (and stays
    visible if another named graph holds it, since the union is recomputed at commit).
    ``CLEAR ALL`` and ``DROP ALL`` empty every graph, so the union is empty too.
    """
    _admit(request["update"], True, request)
    before = _named_quads(stores.get(request["build"]))
    default = _merged(before)
    copy = ox.Store()
    copy.extend(before)
    copy.extend(default)
    try:
        copy.update(
            request["update"],
            base_iri=request.get("base"),
            prefixes=request.get("prefixes") or None,
        )
    except SyntaxError as exc:
        raise Failure(400, f"update syntax error: {exc.msg or exc}") from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise _hidden(exc, 400, "update failed") from exc
    now = set(copy.quads_for_pattern(None, None, None, DEFAULT))
    added, removed = now - default, default - now
    after = {q for q in _named_quads(copy) if q.graph_name != WRITABLE_DEFAULT}
    own = {
        ox.Quad(q.subject, q.predicate, q.object)
        for q in copy.quads_for_pattern(None, None, None, WRITABLE_DEFAULT)
    }
    after |= {
        ox.Quad(q.subject, q.predicate, q.object, WRITABLE_DEFAULT) for q in (own - removed) | added
    }
    return _changes(before, after)


def op_graph_write(stores: Stores, request: Request) -> Reply:
    """Graph Store PUT (replace), POST (merge) or DELETE of one named graph.

    ``graph`` ``None`` is the default graph: its writes go to ``WRITABLE_DEFAULT``.
    A body may come in several parts (``multipart/form-data``), each in its own format.
    """
    store = stores.get(request["build"])
    graph = WRITABLE_DEFAULT if request.get("graph") is None else ox.NamedNode(request["graph"])
    existed = store.contains_named_graph(graph)
    method = request["method"]
    if method == "DELETE" and not existed:
        raise Failure(404, f"no graph <{graph.value}> in the store")
    triples: list[ox.Triple] = []
    if method != "DELETE":
        for fmt, body in request["parts"]:
            triples += _parse_body(fmt, body, graph)
    before = _named_quads(store)
    kept = before if method == "POST" else {q for q in before if q.graph_name != graph}
    after = kept | {ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples}
    reply = _changes(before, after)
    reply["created"] = not existed and method != "DELETE"
    return reply


def _parse_body(fmt: str, body: bytes, graph: ox.NamedNode) -> list[ox.Triple]:
    if fmt == "rdfxml" and DECLARATION.search(body):
        # the RDF/XML parser expands internal entities: 500 bytes can become 10 MB
        raise Failure(400, "request body: RDF/XML with DOCTYPE or ENTITY declarations is refused")
    try:
        quads = ox.parse(body, format=RDF_FORMATS[fmt], base_iri=graph.value)
        return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    except SyntaxError as exc:
        where = f"line {exc.lineno}, column {exc.offset}: " if exc.lineno else ""
        raise Failure(400, f"request body: {where}{exc.msg or exc}") from exc
    except ValueError as exc:
        raise Failure(400, f"request body: {exc}") from exc


def op_ping(stores: Stores, request: Request) -> Reply:
    """Ready, and whether this worker has a network (or only the allowed endpoints)."""
    return {
        "ok": True,
        "isolated": SETTINGS.isolated or SETTINGS.confined,
        "problem": SETTINGS.isolation_problem,
    }


OPS: dict[str, Callable[[Stores, Request], Reply]] = {
    "sparql": op_sparql,
    "queries": op_queries,
    "graph-get": op_graph_get,
    "update": op_update,
    "graph-write": op_graph_write,
    "ping": op_ping,
}


def handle(stores: Stores, request: Request) -> Reply:
    """Answer one request; expected failures become error replies, never tracebacks."""
    SETTINGS.announced = False
    try:
        return OPS[request["op"]](stores, request)
    except Failure as failure:
        return {"ok": False, "status": failure.status, "message": failure.message}
    except Federate:
        return {"ok": False, "federate": True, "status": 503, "message": "needs a network"}
    except Exception:  # a bug: log it for the operator, tell the client only that it failed
        traceback.print_exc(file=sys.stderr)
        return {"ok": False, "status": 500, "message": "internal error (see the server log)"}


def configure(argv: list[str] | None = None) -> None:
    """Apply the command line: memory cap, network isolation, guard, spool directory."""
    parser = argparse.ArgumentParser(prog="paradiplo.server.worker")
    parser.add_argument(
        "--isolation", choices=("require", "auto", "off", "federate"), default="auto"
    )
    parser.add_argument("--relay", help="the server's relay socket (federation worker)")
    parser.add_argument("--allow", action="append", default=[], help="an allowed endpoint")
    parser.add_argument("--memory", type=int, default=0, help="RLIMIT_DATA in bytes (0: none)")
    parser.add_argument("--no-guard", action="store_true", help="tests of the other layers only")
    parser.add_argument("--nice", type=int, default=0, help="lower CPU priority (slow lane)")
    parser.add_argument("--spool", default=None)
    args = parser.parse_args(argv)
    cap_memory(args.memory)
    if args.nice:
        os.nice(args.nice)
    if args.isolation == "federate":  # the network, but only the allowed endpoints
        endpoints = [Endpoint.parse(iri) for iri in args.allow]
        SETTINGS.isolation_problem = federate(endpoints, args.relay)
        SETTINGS.confined = SETTINGS.isolation_problem is None
    elif args.isolation != "off":
        SETTINGS.isolation_problem = isolate_network()
        SETTINGS.isolated = SETTINGS.isolation_problem is None
    SETTINGS.guard = not args.no_guard
    SETTINGS.spool = args.spool


def main(argv: list[str] | None = None) -> None:
    """Serve requests until stdin closes (the server exited or killed us)."""
    configure(argv)
    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt frames
    SETTINGS.replies = replies
    stores = Stores()
    while True:
        try:
            request = read_frame(requests)
        except EOFError:
            return
        write_frame(replies, handle(stores, request))


if __name__ == "__main__":
    main()
