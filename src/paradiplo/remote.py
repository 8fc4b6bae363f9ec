"""A SPARQL 1.1 server as a paradiplo store: the same queries give the same answers.

``RemoteStore`` implements the ``Store`` protocol over HTTP. Queries go through SPARQLWrapper
(SPARQL 1.1 Protocol); builds are written with the Graph Store HTTP Protocol (one PUT of
N-Triples per graph) or, on a server without a graph store, with SPARQL Update.

The default graph. Locally a query sees the deduplicated merge of the named graphs as its
default graph. The union default graphs that servers offer do not give that: Oxigraph's
``--union-default-graph`` and Virtuoso's default dataset count a triple once per graph
holding it (a tie stated by two sources is counted twice), and Virtuoso adds its system
graphs. So a build writes the merge itself, in one of two layouts:

``default-graph`` (Oxigraph, Fuseki: servers whose default graph is a graph of its own)
    The merge is the server's default graph and queries use the server's own dataset, so
    any SPARQL client sees what paradiplo sees. The server should hold nothing else.
``union-graph`` (Virtuoso, GraphDB/RDF4J, servers shared with other data)
    The merge is the named graph ``pdg:union`` and each query names its dataset in the
    protocol request: ``default-graph-uri`` = ``pdg:union`` and, when the query uses
    ``GRAPH``, one ``named-graph-uri`` per graph of the build. The graph ``pdg:build``
    lists those graphs with the build's metadata; it is removed first and written last,
    so a load that failed half way is never taken for a build.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import http.client
import json
import re
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any, Literal
from urllib.parse import urlencode, urlsplit, urlunsplit

import pyoxigraph as ox
from SPARQLWrapper import (
    JSON,
    POST,
    TURTLE,
    URLENCODED,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from paradiplo.namespaces import BASE, PDG
from paradiplo.query import _OPAQUE
from paradiplo.store import (
    XSD_STRING,
    AskResult,
    GraphResult,
    NoStoreError,
    QueryError,
    QueryResult,
    SelectResult,
    StoreError,
    Term,
    term,
)

STORE_ENV = "PARADIPLO_STORE"
LAYOUT_ENV = "PARADIPLO_STORE_LAYOUT"
UPDATE_ENV = "PARADIPLO_STORE_UPDATE"
GRAPH_STORE_ENV = "PARADIPLO_STORE_GRAPH_STORE"
USER_ENV = "PARADIPLO_STORE_USER"
PASSWORD_ENV = "PARADIPLO_STORE_PASSWORD"

Layout = Literal["default-graph", "union-graph"]
LAYOUTS: tuple[Layout, ...] = ("default-graph", "union-graph")
UNION_GRAPH = str(PDG["union"])
BUILD_GRAPH = str(PDG["build"])
RESERVED_GRAPHS = frozenset({UNION_GRAPH, BUILD_GRAPH})

RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
RDF_VALUE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"
DCT_HAS_PART = "http://purl.org/dc/terms/hasPart"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_BOOLEAN = XSD + "boolean"
XSD_INTEGER = XSD + "integer"
# Oxigraph stores these as xsd:integer; answers from other servers are made to match.
_INTEGER_SUBTYPES = frozenset(
    XSD + name
    for name in (
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "positiveInteger",
    )
)

DEFAULT_TIMEOUT = 120.0
DUMP_PAGE = 5000  # rows per request: under the 10000-row cap of Virtuoso's default settings
INSERT_CHUNK = 1000  # triples per INSERT DATA request
_GRAPH_CONTENT_TYPE = "text/turtle"  # N-Triples is Turtle, and every graph store reads Turtle
_BNODE_JUNK = re.compile(r"[^A-Za-z0-9_\-]")
# Keywords are looked for after query._OPAQUE blanks out strings, IRIs and comments.
_GRAPH = re.compile(r"(?<![\w:?$])GRAPH(?![\w:-])", re.IGNORECASE)
_FROM = re.compile(r"(?<![\w:?$])FROM(?![\w:-])", re.IGNORECASE)

# Virtuoso echoes each named-graph-uri of a request as a response header, and a build has
# hundreds of graphs; http.client refuses responses with more than 100 headers.
http.client._MAXHEADERS = max(http.client._MAXHEADERS, 100_000)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Endpoints:
    """Where a server answers queries, updates and graph-store requests."""

    query: str
    update: str | None = None
    graph_store: str | None = None

    @classmethod
    def for_server(
        cls, query: str, update: str | None = None, graph_store: str | None = None
    ) -> Endpoints:
        """The endpoints given; when no write endpoint is given, guessed from the query URL.

        Guesses follow the common layouts: ``.../query`` (Oxigraph: ``/update``, ``/store``),
        ``/sparql`` and ``/sparql-auth`` (Virtuoso: the same URL for updates,
        ``/sparql-graph-crud[-auth]``), ``.../repositories/<id>`` (GraphDB, RDF4J:
        ``/statements``, ``/rdf-graphs/service``). Other servers name theirs explicitly.
        """
        if update or graph_store:
            return cls(query, update or None, graph_store or None)
        guessed_update, guessed_store = _guess(query)
        return cls(query, guessed_update, guessed_store)


def _guess(query_url: str) -> tuple[str | None, str | None]:
    parts = urlsplit(query_url)
    path = parts.path.rstrip("/")

    def at(new_path: str) -> str:
        return urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))

    if path.endswith("/query"):
        base = path[: -len("query")]
        return at(base + "update"), at(base + "store")
    if path in ("/sparql", "/sparql-auth"):
        return query_url, at(path.replace("/sparql", "/sparql-graph-crud", 1))
    if re.fullmatch(r".*/repositories/[^/]+", path):
        return at(path + "/statements"), at(path + "/rdf-graphs/service")
    return None, None


class RemoteStore:
    """A SPARQL server holding a paradiplo build (see the module docstring).

    What the store learns from the server (its layout, the build's graphs) is read on first
    use and kept, so an open store keeps answering from the build it first saw, as an open
    ``EmbeddedStore`` does.
    """

    def __init__(
        self,
        endpoints: Endpoints | str,
        *,
        user: str | None = None,
        password: str | None = None,
        layout: Layout | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.endpoints = (
            Endpoints.for_server(endpoints) if isinstance(endpoints, str) else endpoints
        )
        self._timeout = timeout
        self._credentials = _Credentials(user, password or "", timeout) if user else None
        self._layout = layout
        self._product: str | None = None
        self._graphs: list[str] | None = None
        self._metadata: dict[str, Any] | None = None
        self._closed = False

    @property
    def url(self) -> str:
        return self.endpoints.query

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r})"

    # --- the server -------------------------------------------------------------------

    @property
    def product(self) -> str:
        """The server's ``Server`` header (``Virtuoso/07.20.3229 ...``, ``Oxigraph/0.5.13``)."""
        if self._product is None:
            separator = "&" if urlsplit(self.url).query else "?"
            probe = urllib.request.Request(self.url + separator + urlencode({"query": "ASK {}"}))
            try:
                with urllib.request.build_opener().open(probe, timeout=self._timeout) as answer:
                    self._product = answer.headers.get("Server", "")
            except urllib.error.HTTPError as exc:  # a 401 still names the server
                self._product = exc.headers.get("Server", "") if exc.headers else ""
            except (urllib.error.URLError, OSError) as exc:
                raise StoreError(f"cannot reach {self.url}: {getattr(exc, 'reason', exc)}") from exc
        return self._product

    @property
    def layout(self) -> Layout:
        """Where the merge lives: the server's default graph, or the graph ``pdg:union``.

        Unless given, ``default-graph`` for Oxigraph and Fuseki (whose default graph is a
        graph of its own), ``union-graph`` for Virtuoso, GraphDB/RDF4J and other servers.
        """
        if self._layout is None:
            product = self.product.lower()
            native = product.startswith("oxigraph") or "fuseki" in product
            self._layout = "default-graph" if native else "union-graph"
        return self._layout

    # --- the Store protocol -----------------------------------------------------------

    def query(self, sparql: str) -> QueryResult:
        graphs = self.named_graphs()  # also: NoStoreError before the first build
        code = _OPAQUE.sub(" ", sparql)
        if self.layout == "default-graph" or _FROM.search(code):
            return self._query(sparql, default=None, named=None)
        if not _GRAPH.search(code):
            return self._query(sparql, default=[UNION_GRAPH], named=None)
        return self._query(sparql, default=[UNION_GRAPH], named=graphs)

    def quad_count(self) -> int:
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(result, SelectResult)
        cell = result.rows[0][0] if result.rows else None
        return int(cell.value) if cell else 0

    def named_graphs(self) -> list[str]:
        if self._graphs is None:
            if self.layout == "union-graph":
                self._graphs, self._metadata = self._read_record()
            else:
                self._graphs = sorted(self._server_graphs())
                self._metadata = {}
                if not self._graphs:
                    raise self._no_build()
        return list(self._graphs)

    def dump(self, out: IO[bytes]) -> None:
        """All quads of the build's graphs, read a few graphs at a time and counted.

        Each request asks for at most ``DUMP_PAGE`` rows and without ``ORDER BY``: servers
        cap result sizes (Virtuoso: 10000 rows by default, and as many for sorted pages).
        """
        counts = self._graph_counts()
        default = [UNION_GRAPH] if self.layout == "union-graph" else None
        quads: list[ox.Quad] = []
        for batch in _batches(counts, DUMP_PAGE):
            expected = sum(counts[g] for g in batch)
            sparql = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
            result = self._query(sparql, default=default, named=batch)
            assert isinstance(result, SelectResult)
            if len(result.rows) != expected:
                raise StoreError(
                    f"{self.url} returned {len(result.rows)} of the {expected} quads of "
                    f"{len(batch)} graphs: does it cap result sizes?"
                )
            quads.extend(_quad(row, self.url) for row in result.rows)
        ox.serialize(quads, out, ox.RdfFormat.N_QUADS)

    def _graph_counts(self) -> dict[str, int]:
        sparql = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        result = self.query(sparql)
        assert isinstance(result, SelectResult)
        counts = dict.fromkeys(self.named_graphs(), 0)
        for g, n in result.rows:
            if g is not None and n is not None:
                counts[g.value] = int(n.value)
        return counts

    def close(self) -> None:
        self._closed = True

    @property
    def metadata(self) -> dict[str, Any]:
        """What the build recorded about itself (id, time, counts), as ``build.json`` holds.

        Empty in the ``default-graph`` layout, which has no room for a record that queries
        would not see.
        """
        self.named_graphs()
        return dict(self._metadata or {})

    # --- loading a build --------------------------------------------------------------

    def replace(self, quads: Iterable[ox.Quad], metadata: Mapping[str, Any]) -> None:
        """Make the server hold exactly these quads as the project's graphs.

        Graphs of an earlier build that this one does not have are removed; graphs outside
        the project (IRIs not under the project's base and not listed by the last build)
        are left alone.
        """
        graphs = _by_graph(quads)
        clash = sorted(RESERVED_GRAPHS & graphs.keys())
        if clash:
            raise StoreError(f"the content uses graph <{clash[0]}>, which the store reserves")
        writer = self._writer()
        union = self.layout == "union-graph"
        old = self._project_graphs()
        if union:
            writer.delete(BUILD_GRAPH)
        self._graphs = self._metadata = None
        merged = sorted({t for triples in graphs.values() for t in triples}, key=str)
        puts: list[tuple[str | None, Sequence[ox.Triple]]] = list(graphs.items())
        puts.append((UNION_GRAPH if union else None, merged))
        kept = RESERVED_GRAPHS if union else frozenset()  # rewritten, or leftovers of a switch
        stale = sorted(old - graphs.keys() - kept)
        # One request at a time: Virtuoso deadlocks on concurrent graph writes. A failure
        # stops here, before the build record is written.
        for graph, triples in puts:
            writer.put(graph, triples)
        for graph in stale:
            writer.delete(graph)
        if union:
            record = {"id": _new_build_id(), **metadata}
            writer.put(BUILD_GRAPH, _record_triples(sorted(graphs), record))
        else:
            self._check_default_graph(len(merged))

    def _check_default_graph(self, merged: int) -> None:
        """The default graph must be the merge we wrote, not a union the server computes."""
        result = self._query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default=None, named=None)
        assert isinstance(result, SelectResult)
        cell = result.rows[0][0] if result.rows else None
        seen = int(cell.value) if cell else 0
        if seen > merged or (merged and not seen):
            raise StoreError(
                f"{self.url}: the default graph holds {seen} triples, not the {merged} of the "
                "merge paradiplo wrote: start the server without a union default graph "
                "(oxigraph serve without --union-default-graph) or use --store-layout union-graph"
            )

    def _server_graphs(self, *, project_only: bool = False) -> set[str]:
        """The server's own named graphs (optionally only those under the project's base)."""
        only = f' FILTER(STRSTARTS(STR(?g), "{BASE}"))' if project_only else ""
        # GROUP BY, not DISTINCT: Virtuoso 7.2 times out on DISTINCT ?g over all graphs
        sparql = f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }}{only} }} GROUP BY ?g"
        result = self._query(sparql, default=None, named=None)
        assert isinstance(result, SelectResult)
        return {row[0].value for row in result.rows if row[0] is not None}

    def _project_graphs(self) -> set[str]:
        """Graphs the project wrote earlier: under its base IRI or listed by the last build."""
        found = self._server_graphs(project_only=True)
        if self.layout == "union-graph":
            with contextlib.suppress(NoStoreError):
                found.update(self._read_record()[0])
        return found

    def _writer(self) -> _Writer:
        if self.endpoints.graph_store:
            return _GraphStoreWriter(self.endpoints.graph_store, self._credentials, self._timeout)
        if self.endpoints.update:
            return _UpdateWriter(self)
        raise StoreError(
            f"cannot write to {self.url}: give its graph store (--store-graph-store) "
            "or update endpoint (--store-update)"
        )

    # --- the build record and hidden graphs (union-graph layout) ----------------------

    def _no_build(self) -> NoStoreError:
        return NoStoreError(
            f"no paradiplo build at {self.url}: run `paradiplo build --store {self.url}`"
        )

    def _read_record(self) -> tuple[list[str], dict[str, Any]]:
        sparql = (
            f"SELECT ?part ?record WHERE {{ {{ <{BUILD_GRAPH}> <{DCT_HAS_PART}> ?part }} "
            f"UNION {{ <{BUILD_GRAPH}> <{RDF_VALUE}> ?record }} }}"
        )
        result = self._query(sparql, default=[BUILD_GRAPH], named=None)
        assert isinstance(result, SelectResult)
        parts = sorted(r[0].value for r in result.rows if r[0] is not None)
        records = [r[1].value for r in result.rows if r[1] is not None]
        if not records:
            raise self._no_build()
        try:
            metadata = json.loads(records[0])
        except ValueError as exc:
            raise StoreError(f"{self.url}: unreadable build record <{BUILD_GRAPH}>") from exc
        return parts, metadata

    # --- the SPARQL protocol ----------------------------------------------------------

    def _query(
        self,
        sparql: str,
        *,
        default: Sequence[str] | None,
        named: Sequence[str] | None,
    ) -> QueryResult:
        """Run a query with the dataset given in the request (``None``: the server's own)."""
        if self._closed:
            raise StoreError("store is closed")
        wrapper = self._wrapper(self.url)
        wrapper.setQuery(sparql)
        if wrapper.isSparqlUpdateRequest():
            raise QueryError("not a query: `paradiplo query` does not run updates")
        graph_result = wrapper.queryType in ("CONSTRUCT", "DESCRIBE")
        wrapper.setReturnFormat(TURTLE if graph_result else JSON)
        for graph in default or ():
            wrapper.addDefaultGraph(graph)
        for graph in named or ():
            wrapper.addNamedGraph(graph)
        body, content_type = self._send(wrapper, self.url)
        if graph_result:
            return _graph_result(body, content_type, self.url)
        result = _solutions(body, self.url)
        if wrapper.queryType == "ASK" and isinstance(result, SelectResult):
            return _ask_from_row(result)
        return result

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update request on the update endpoint."""
        if self.endpoints.update is None:
            raise StoreError(f"no update endpoint known for {self.url}: give --store-update")
        wrapper = self._wrapper(self.endpoints.update)
        wrapper.updateEndpoint = self.endpoints.update
        wrapper.setQuery(sparql)
        self._send(wrapper, self.endpoints.update)

    def _wrapper(self, url: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.url)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setTimeout(max(1, round(self._timeout)))
        if self._credentials is not None:
            authorization = self._credentials.header(url, "POST")
            if authorization:
                wrapper.addCustomHttpHeader("Authorization", authorization)
        return wrapper

    def _send(self, wrapper: SPARQLWrapper, url: str) -> tuple[bytes, str]:
        try:
            response = wrapper.query().response
            return response.read(), response.headers.get("Content-Type", "")
        except QueryBadFormed as exc:
            raise QueryError(f"{url} rejected the request: {_message(exc)}") from exc
        except Unauthorized as exc:
            raise StoreError(
                f"{url}: not authorised (give --store-user and --store-password)"
            ) from exc
        except EndPointNotFound as exc:
            raise StoreError(f"{url}: no SPARQL endpoint there (HTTP 404)") from exc
        except URITooLong as exc:
            raise StoreError(f"{url}: request too long (HTTP 414)") from exc
        except EndPointInternalError as exc:
            raise QueryError(f"{url} failed: {_message(exc)}") from exc
        except SPARQLWrapperException as exc:
            raise StoreError(f"{url}: {_message(exc)}") from exc
        except urllib.error.HTTPError as exc:
            raise StoreError(f"{url}: HTTP {exc.code} {exc.reason}: {_body(exc)}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(f"cannot reach {url}: {reason}") from exc


class _Credentials:
    """Authorization headers computed before a request is sent, never in answer to a 401.

    A server that refuses a request closes the connection while a large body is still being
    sent (Virtuoso does), so the usual send-then-answer-the-challenge cycle breaks on big
    graphs. Instead a bodiless HEAD request fetches the challenge first: basic credentials are
    then sent with every request, digest ones are computed afresh for each (Virtuoso's
    ``/sparql-auth`` and ``/sparql-graph-crud-auth`` ask for digest).
    """

    def __init__(self, user: str, password: str, timeout: float) -> None:
        self.user = user
        self.password = password
        self.timeout = timeout
        self._basic: set[str] = set()

    def header(self, url: str, method: str) -> str | None:
        if url in self._basic:
            return self._basic_header()
        challenge = self._challenge(url)
        scheme, _, params = challenge.partition(" ")
        if scheme.lower() == "digest":
            return self._digest_header(url, method, params)
        self._basic.add(url)
        return self._basic_header()

    def _basic_header(self) -> str:
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"

    def _challenge(self, url: str) -> str:
        probe = urllib.request.Request(url, method="HEAD")
        try:
            with urllib.request.build_opener().open(probe, timeout=self.timeout):
                return ""
        except urllib.error.HTTPError as exc:
            return exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from exc

    def _digest_header(self, url: str, method: str, params: str) -> str | None:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, self.user, self.password)
        handler = urllib.request.HTTPDigestAuthHandler(passwords)
        items = [item for item in urllib.request.parse_http_list(params) if item]
        challenge = urllib.request.parse_keqv_list(items)
        request = urllib.request.Request(url, method=method)
        response: str | None = handler.get_authorization(request, challenge)
        return None if response is None else f"Digest {response}"


# --- writing graphs -------------------------------------------------------------------


class _Writer:
    """Replaces or drops one graph; ``None`` is the default graph."""

    def put(self, graph: str | None, triples: Sequence[ox.Triple]) -> None:
        raise NotImplementedError

    def delete(self, graph: str) -> None:
        raise NotImplementedError


class _GraphStoreWriter(_Writer):
    """SPARQL 1.1 Graph Store HTTP Protocol: PUT replaces a graph, DELETE drops it."""

    def __init__(self, url: str, credentials: _Credentials | None, timeout: float) -> None:
        self.url = url
        self.credentials = credentials
        self.timeout = timeout

    def _target(self, graph: str | None) -> str:
        separator = "&" if urlsplit(self.url).query else "?"
        return self.url + separator + ("default" if graph is None else urlencode({"graph": graph}))

    def put(self, graph: str | None, triples: Sequence[ox.Triple]) -> None:
        body = ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES) or b""
        request = urllib.request.Request(
            self._target(graph),
            data=body,
            method="PUT",
            headers={"Content-Type": _GRAPH_CONTENT_TYPE},
        )
        self._send(request, graph, allow_missing=False)

    def delete(self, graph: str) -> None:
        request = urllib.request.Request(self._target(graph), method="DELETE")
        self._send(request, graph, allow_missing=True)

    def _send(
        self, request: urllib.request.Request, graph: str | None, *, allow_missing: bool
    ) -> None:
        name = "the default graph" if graph is None else f"<{graph}>"
        action = f"{request.get_method()} {name} at {self.url}"
        if self.credentials is not None:
            authorization = self.credentials.header(request.full_url, request.get_method())
            if authorization:
                request.add_header("Authorization", authorization)
        try:
            with urllib.request.build_opener().open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            if allow_missing and exc.code == 404:
                return
            hint = " (give --store-user and --store-password)" if exc.code in (401, 403) else ""
            raise StoreError(f"{action}: HTTP {exc.code} {exc.reason}{hint}: {_body(exc)}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(f"{action}: {getattr(exc, 'reason', exc)}") from exc


class _UpdateWriter(_Writer):
    """SPARQL Update: DROP, then INSERT DATA in chunks.

    Triples with blank nodes go in one ``INSERT { GRAPH ... } WHERE {}`` per graph, because
    a blank node must keep its identity across the triples that share it, and Virtuoso
    refuses blank nodes in INSERT DATA.
    """

    def __init__(self, store: RemoteStore) -> None:
        self.store = store

    def put(self, graph: str | None, triples: Sequence[ox.Triple]) -> None:
        if graph is None:
            self.store.update("CLEAR SILENT DEFAULT")
        else:
            self.delete(graph)
        ground = [t for t in triples if not _has_bnode(t)]
        with_bnodes = [t for t in triples if _has_bnode(t)]
        for start in range(0, len(ground), INSERT_CHUNK):
            block = _in_graph(graph, _triples_text(ground[start : start + INSERT_CHUNK]))
            self.store.update(f"INSERT DATA {{ {block} }}")
        if with_bnodes:
            block = _in_graph(graph, _triples_text(with_bnodes))
            self.store.update(f"INSERT {{ {block} }} WHERE {{}}")

    def delete(self, graph: str) -> None:
        # CLEAR empties the graph on every server (Virtuoso's DROP SILENT skips graphs it
        # did not see created); DROP then removes the empty graph where graphs are kept.
        self.store.update(f"CLEAR SILENT GRAPH <{graph}> ; DROP SILENT GRAPH <{graph}>")


def _in_graph(graph: str | None, block: str) -> str:
    return block if graph is None else f"GRAPH <{graph}> {{\n{block}}}"


def _batches(counts: Mapping[str, int], size: int) -> Iterator[list[str]]:
    """Graphs in groups holding at most ``size`` quads (a larger graph is a group alone)."""
    batch: list[str] = []
    total = 0
    for graph in sorted(counts):
        if batch and total + counts[graph] > size:
            yield batch
            batch, total = [], 0
        batch.append(graph)
        total += counts[graph]
    if batch:
        yield batch


def _quad(row: Sequence[Term | None], url: str) -> ox.Quad:
    g, s, p, o = row
    if g is None or s is None or p is None or o is None:
        raise StoreError(f"{url}: a quad with an unbound term")
    subject = to_ox(s)
    if isinstance(subject, ox.Literal):
        raise StoreError(f"{url}: a literal subject {s.n3()}")
    return ox.Quad(subject, ox.NamedNode(p.value), to_ox(o), ox.NamedNode(g.value))


def _has_bnode(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _triples_text(triples: Sequence[ox.Triple]) -> str:
    return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples)


def _by_graph(quads: Iterable[ox.Quad]) -> dict[str, list[ox.Triple]]:
    graphs: dict[str, set[ox.Triple]] = defaultdict(set)
    for quad in quads:
        if not isinstance(quad.graph_name, ox.NamedNode):
            raise StoreError(f"a build quad outside any named graph: {quad}")
        graphs[quad.graph_name.value].add(ox.Triple(quad.subject, quad.predicate, quad.object))
    return {name: sorted(graphs[name], key=str) for name in sorted(graphs)}


def _record_triples(graphs: Sequence[str], record: Mapping[str, Any]) -> list[ox.Triple]:
    subject = ox.NamedNode(BUILD_GRAPH)
    text = json.dumps(record, sort_keys=True, ensure_ascii=False)
    value = ox.Literal(text, datatype=ox.NamedNode(RDF_JSON))
    triples = [ox.Triple(subject, ox.NamedNode(RDF_VALUE), value)]
    triples += [ox.Triple(subject, ox.NamedNode(DCT_HAS_PART), ox.NamedNode(g)) for g in graphs]
    return triples


def _new_build_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"


# --- reading answers ------------------------------------------------------------------


def _solutions(body: bytes, url: str) -> SelectResult | AskResult:
    try:
        document = json.loads(body)
        if "boolean" in document:
            return AskResult(bool(document["boolean"]))
        variables = tuple(document["head"]["vars"])
        rows = tuple(
            tuple(json_term(b[v]) if v in b else None for v in variables)
            for b in document["results"]["bindings"]
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{url}: unreadable SPARQL JSON results: {exc}") from exc
    return SelectResult(variables, rows)


def _ask_from_row(result: SelectResult) -> AskResult:
    """Virtuoso answers ASK as a one-row SELECT of ``__ASK_RETVAL`` (1 or 0)."""
    cell = result.rows[0][0] if result.rows and result.rows[0] else None
    return AskResult(cell is not None and cell.value in ("1", "true"))


def _graph_result(body: bytes, content_type: str, url: str) -> GraphResult:
    media_type = content_type.split(";")[0].strip() or "text/turtle"
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format is None:
        raise StoreError(f"{url}: cannot read a graph result of type {media_type!r}")
    try:
        triples = [
            (term(q.subject), term(q.predicate), term(q.object)) for q in ox.parse(body, rdf_format)
        ]
    except SyntaxError as exc:
        raise StoreError(f"{url}: unreadable graph result: {exc}") from exc
    return GraphResult(tuple(triples))


def json_term(encoded: Mapping[str, Any]) -> Term:
    """A ``Term`` from SPARQL JSON, normalised to what the embedded store returns.

    Virtuoso's ``typed-literal`` is a literal; its ``nodeID://`` blank node labels lose the
    scheme; plain literals get ``xsd:string``, language tags are lowercased and the integer
    subtypes (``xsd:positiveInteger``...) become ``xsd:integer``, as Oxigraph does;
    Virtuoso's ``"1"``/``"0"`` booleans become ``true``/``false``.
    """
    kind = encoded["type"]
    value = encoded["value"]
    if kind == "uri":
        return Term("uri", value)
    if kind == "bnode":
        return Term("bnode", bnode_label(value))
    if kind in ("literal", "typed-literal"):
        lang = encoded.get("xml:lang")
        if lang:
            return Term("literal", value, RDF_LANGSTRING, lang.lower())
        return _literal(value, encoded.get("datatype") or XSD_STRING)
    if kind == "triple":
        parts = (json_term(value[k]) for k in ("subject", "predicate", "object"))
        return Term("triple", " ".join(str(to_ox(p)) for p in parts))
    raise StoreError(f"unknown term type {kind!r} in SPARQL JSON results")


def _literal(value: str, datatype: str) -> Term:
    if datatype in _INTEGER_SUBTYPES:
        try:
            return Term("literal", str(int(value)), XSD_INTEGER)
        except ValueError:
            return Term("literal", value, datatype)
    if datatype == XSD_BOOLEAN and value in ("1", "0"):
        return Term("literal", "true" if value == "1" else "false", datatype)
    return Term("literal", value, datatype)


def bnode_label(label: str) -> str:
    """A blank node label valid in N-Triples (Virtuoso says ``nodeID://b10006``)."""
    label = label.removeprefix("nodeID://").removeprefix("_:")
    return _BNODE_JUNK.sub("_", label) or "b"


def to_ox(value: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term of a ``Term`` (not for quoted triples)."""
    if value.kind == "uri":
        return ox.NamedNode(value.value)
    if value.kind == "bnode":
        return ox.BlankNode(value.value)
    if value.kind == "literal":
        if value.lang:
            return ox.Literal(value.value, language=value.lang)
        return ox.Literal(value.value, datatype=ox.NamedNode(value.datatype or XSD_STRING))
    raise StoreError(f"cannot store a quoted triple {value.value}")


def _message(exc: SPARQLWrapperException) -> str:
    """The server's own words from a SPARQLWrapper error, without the query it echoes."""
    text = str(exc)
    head, found, raw = text.partition("Response:\n")
    if found:
        try:
            body = ast.literal_eval(raw.strip())
            text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        except (ValueError, SyntaxError):
            text = raw
    else:
        text = head
    text = text.split("SPARQL query:")[0]
    return " ".join(text.split())[:300] or type(exc).__name__


def _body(exc: urllib.error.HTTPError) -> str:
    try:
        return " ".join(exc.read().decode("utf-8", "replace").split())[:300]
    except OSError:
        return ""
