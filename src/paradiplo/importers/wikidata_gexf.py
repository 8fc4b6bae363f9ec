"""Import Wikidata's "twinned administrative body" (P190) graph (``sister_cities.gexf``).

``paradiplo import wikidata-gexf PATH`` reads the GEXF file that NetworkX wrote from a
Wikidata query (cities, Q515, over 10,000 inhabitants, run in January 2022): each node is
a Wikidata item (``id`` = Q-number, ``label``, attributes ``lat``, ``lon``, ``pop``,
``country``), each undirected edge one P190 statement. Every item is reconciled with
``Reconciler.resolve_item``: the GeoNames city of that name nearest to the item's
coordinates (``city:...``, the IRI the Wikipedia import and ``places.ttl`` use), else a
place of its own (``place:<iso2>-<slug>``); either way it gets ``pd:wikidataId`` and
``skos:exactMatch wd:Q...``. Edge ``n`` (the ``n``-th edge of the file) becomes
``record:wikidata-p190-<n>`` in ``pdg:registry-wikidata-p190``.

An edge is left out when an endpoint is not a node of the file or is a malformed node
(no Q-number, label, country or coordinates), when an endpoint's country cannot be
identified, or when both endpoints are one place or lie in one country.
"""

from __future__ import annotations

import math
import re
import time
import xml.parsers.expat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, XSD

from paradiplo.importers.reconcile import CountryRef, Reconciler, Resolution, resolve_country
from paradiplo.importers.registry_import import (
    ImportReport,
    Registry,
    RegistryFileError,
    RegistryGraph,
    RegistryImport,
    group_counts,
    sha256_of,
    tie_pairs,
)
from paradiplo.namespaces import PD
from paradiplo.progress import track

REGISTRY = Registry(
    id="wikidata-p190",
    title="Wikidata: twinned administrative body (P190) between cities",
    creator="Wikidata contributors",
    license="https://creativecommons.org/publicdomain/zero/1.0/",
    url="https://www.wikidata.org/wiki/Property:P190",
    description=(
        "P190 ('twinned administrative body') statements between Wikidata items that are "
        "instances of city (Q515) with more than 10,000 inhabitants, with their "
        "coordinates, population and country, from a Wikidata query run in January 2022 "
        "and saved by NetworkX as a GEXF graph (sister_cities.gexf): a node per item, an "
        "undirected edge per pair of items linked by P190. No start dates; far from "
        "complete. Content: Wikidata contributors, CC0."
    ),
)
_QID = re.compile(r"^Q[1-9][0-9]*$")
_REQUIRED = ("lat", "lon", "country")
FOCUS = ("CN-RU", "CN-US", "RU-US")


@dataclass
class Node:
    """A GEXF node: the Wikidata item, its label and attributes, and where it is."""

    id: str
    label: str
    line: int
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Edge:
    """A GEXF edge, numbered from 1 in file order."""

    number: int
    line: int
    source: str
    target: str


@dataclass
class Gexf:
    """What the importer needs from a GEXF file."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    modified: str | None = None
    duplicate_nodes: list[tuple[int, str]] = field(default_factory=list)


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1].rsplit(" ", 1)[-1]


def read_gexf(path: Path) -> Gexf:
    """Parse a GEXF file (1.1-1.3); malformed XML is a ``RegistryFileError`` with its place."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegistryFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    gexf = Gexf()
    titles: dict[str, str] = {}
    node_attributes = False
    current: Node | None = None
    parser = xml.parsers.expat.ParserCreate()

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal current, node_attributes
        tag, line = _local(name), parser.CurrentLineNumber
        if tag == "meta":
            gexf.modified = attrs.get("lastmodifieddate")
        elif tag == "attributes":
            node_attributes = attrs.get("class") == "node"
        elif tag == "attribute" and node_attributes:
            titles[attrs.get("id", "")] = attrs.get("title", "")
        elif tag == "node":
            current = Node(attrs.get("id", ""), attrs.get("label", ""), line)
        elif tag == "attvalue" and current is not None:
            key = attrs.get("for", attrs.get("id", ""))
            current.attributes[titles.get(key, key)] = attrs.get("value", "")
        elif tag == "edge":
            number = len(gexf.edges) + 1
            gexf.edges.append(Edge(number, line, attrs.get("source", ""), attrs.get("target", "")))

    def end(name: str) -> None:
        nonlocal current
        if _local(name) == "node" and current is not None:
            if current.id in gexf.nodes:
                gexf.duplicate_nodes.append((current.line, current.id))
            else:
                gexf.nodes[current.id] = current
            current = None

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        where = f"{path}:{exc.lineno}:{exc.offset + 1}"
        message = xml.parsers.expat.errors.messages.get(exc.code, str(exc))
        raise RegistryFileError(f"{where}: not well-formed XML: {message}") from exc
    if not gexf.nodes and not gexf.edges:
        raise RegistryFileError(f"{path}: no GEXF nodes or edges found")
    return gexf


def node_problem(node: Node) -> str | None:
    """Why a node cannot be reconciled, or None."""
    if not _QID.match(node.id):
        return f"node id {node.id!r} is not a Wikidata Q-number"
    if not node.label.strip():
        return f"node {node.id}: empty label"
    missing = [a for a in _REQUIRED if not node.attributes.get(a, "").strip()]
    if missing:
        return f"node {node.id}: missing attribute(s) {', '.join(missing)}"
    for name, limit in (("lat", 90.0), ("lon", 180.0)):
        text = node.attributes[name]
        try:
            value = float(text)
        except ValueError:
            return f"node {node.id}: {name} {text!r} is not a number"
        if not math.isfinite(value) or abs(value) > limit:
            return f"node {node.id}: {name} {text!r} is outside -{limit:g}..{limit:g}"
    return None


@dataclass(frozen=True)
class _Item:
    """A node reconciled, or the reason (``bad-row``, ``unknown-country``) it could not be."""

    resolution: Resolution | None
    country: CountryRef | None
    reason: str = ""
    message: str = ""


class _Items:
    """Reconciles each node once, remembering why a node could not be."""

    def __init__(self, gexf: Gexf, reconciler: Reconciler, path: Path) -> None:
        self.gexf = gexf
        self.reconciler = reconciler
        self.path = path
        self.done: dict[str, _Item] = {}

    def get(self, qid: str) -> _Item:
        """The node's resolution and country, or why there is none."""
        if qid not in self.done:
            self.done[qid] = self._resolve(qid)
        return self.done[qid]

    def _resolve(self, qid: str) -> _Item:
        node = self.gexf.nodes.get(qid)
        if node is None:
            return _Item(None, None, "bad-row", f"{qid!r} is not a node of the file")
        where = f"{self.path.name}:{node.line}"
        problem = node_problem(node)
        if problem is not None:
            return _Item(None, None, "bad-row", f"{where}: {problem}")
        country = resolve_country(node.attributes["country"])
        if country is None:
            text = node.attributes["country"]
            message = f"{where}: node {qid}: unknown country {text!r}"
            return _Item(None, None, "unknown-country", message)
        lat, lng = float(node.attributes["lat"]), float(node.attributes["lon"])
        return _Item(
            self.reconciler.resolve_item(qid, node.label.strip(), country, lat, lng), country
        )

    def rejected(self) -> list[str]:
        """Why nodes of the file could not be reconciled, in file order."""
        bad = [
            (self.gexf.nodes[qid].line, item.message)
            for qid, item in self.done.items()
            if item.resolution is None and qid in self.gexf.nodes
        ]
        return [message for _, message in sorted(bad)]


def import_gexf(path: Path, root: Path | None = None, *, progress: bool = False) -> RegistryImport:
    """Read, reconcile and turn a P190 GEXF graph into the registry graph and its report."""
    start = time.perf_counter()
    gexf = read_gexf(path)
    report = ImportReport(REGISTRY.id, path.name, sha256_of(path))
    reconciler = Reconciler(root)
    graph = RegistryGraph(REGISTRY, reconciler, report)
    items = _Items(gexf, reconciler, path)
    report.seconds["read"] = round(time.perf_counter() - start, 3)
    start = time.perf_counter()
    for edge in track(gexf.edges, "reconcile edges", enabled=progress):
        report.rows_read += 1
        _add_edge(edge, gexf, items, graph, report)
    report.flags = list(reconciler.flags)
    report.notes.update(reconciler.notes)
    repeated = [
        f"{path.name}:{line}: node {qid} repeats an earlier node"
        for line, qid in gexf.duplicate_nodes
    ]
    report.extra.update(
        {
            "nodes_read": len(gexf.nodes) + len(gexf.duplicate_nodes),
            "nodes_rejected": items.rejected() + repeated,
            "ties_by_country_pair": _focus_pairs(graph),
        }
    )
    description: list[tuple[Any, ox.NamedNode | ox.Literal]] = [
        (PD.sourceNote, ox.Literal(f"Imported from {path.name} (SHA-256 {report.sha256}).")),
    ]
    modified = _date(gexf.modified)
    if modified is not None:
        description.append((DCTERMS.modified, ox.Literal(modified, datatype=_xsd_date())))
    quads = graph.quads(description)
    report.quads = len(quads)
    report.seconds["reconcile"] = round(time.perf_counter() - start, 3)
    return RegistryImport(REGISTRY, quads, report)


def _xsd_date() -> ox.NamedNode:
    return ox.NamedNode(str(XSD.date))


def _date(text: str | None) -> str | None:
    """The GEXF meta date if it is a valid ISO date."""
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _add_edge(
    edge: Edge, gexf: Gexf, items: _Items, graph: RegistryGraph, report: ImportReport
) -> None:
    ends: list[tuple[Resolution, CountryRef]] = []
    for qid in (edge.source, edge.target):
        item = items.get(qid)
        if item.resolution is None or item.country is None:
            where = f"{items.path.name}:{edge.line}: edge {edge.number}"
            report.reject(edge.number, edge.line, item.reason, f"{where}: {item.message}")
            return
        ends.append((item.resolution, item.country))
    (a, country_a), (b, country_b) = ends
    node_a, node_b = gexf.nodes[edge.source], gexf.nodes[edge.target]
    report.mention(node_a.label, country_a.iso2, a)
    report.mention(node_b.label, country_b.iso2, b)
    label = (
        f"{node_a.label} ({node_a.id}), {node_a.attributes['country']} \u2013 "
        f"{node_b.label} ({node_b.id}), {node_b.attributes['country']}"
    )
    graph.add(edge.number, edge.line, label, a, b)


def _focus_pairs(graph: RegistryGraph) -> dict[str, int]:
    counts = group_counts(tie_pairs(graph))
    return {pair: counts.get(pair, 0) for pair in FOCUS}
