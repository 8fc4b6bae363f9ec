"""The tie network: places as nodes, ties as edges, and the measures researchers cite.

A ``networkx.MultiGraph`` keyed by tie IRI, so every tie is one edge even where two ties
join the same pair of places, and a place's degree is its number of ties. Rankings
count ties, not places: a city tie counts for the province the city lies in (the
"roll-up" along ``pd:locatedIn``), a province tie for the province itself.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from paradiplo.report.data import ReportData

BETWEENNESS_BUDGET = 3_000_000
"""Work allowed for betweenness, in node and edge visits (one breadth-first search from
each source visits n + m): about ten seconds of networkx on one core. Exact betweenness
needs n searches; beyond the budget, as many sampled sources as it allows (at least 32)."""
MIN_SAMPLE = 32
NO_REGION = ""


@dataclass(frozen=True)
class Rank:
    """One row of a ranking: what is ranked, its label and its number of ties."""

    key: str
    label: str
    ties: int


@dataclass(frozen=True)
class PlaceMeasure:
    """Degree (number of ties) and betweenness of one place."""

    iri: str
    label: str
    country: str
    degree: int
    betweenness: float


@dataclass(frozen=True)
class Betweenness:
    """Betweenness of every place, and whether it is exact or sampled."""

    values: dict[str, float]
    exact: bool
    sample: int = 0


def build_graph(data: ReportData) -> nx.MultiGraph:
    """The scope's ties as a graph with the attributes GraphML/GEXF exports carry.

    Nodes: ``label``, ``country`` (ISO code), ``type`` (city, district, region...),
    ``region`` and ``region_label`` (the first-level unit, the place itself for a
    region), ``macroregion``, and ``lat``/``long``/``point`` (how the point was chosen)
    where the place has a point. Edges: ``level``, ``kind``, ``established`` (earliest
    date), ``established_disputed``, ``source_count``.
    """
    graph = nx.MultiGraph(scope=data.scope.name)
    for iri, place in sorted(data.places.items()):
        region = iri if place.kind == "region" else place.region
        attrs: dict[str, Any] = {
            "label": place.label,
            "country": data.code(place.country) if place.country else "",
            "type": place.kind,
            "region": data.code(region) if region else NO_REGION,
            "region_label": data.label(region) if region else "",
            "macroregion": data.label(place.macro) if place.macro else "",
        }
        located = data.located.get(iri)
        if located is not None:
            attrs.update(long=located.point[0], lat=located.point[1], point=located.method)
        graph.add_node(iri, **attrs)
    for tie in data.ties:
        for party in (tie.first, tie.second):
            if party not in graph:
                graph.add_node(party, label=data.label(party), country="", type="place")
        attrs = {
            "level": tie.level,
            "kind": ";".join(tie.kinds),
            "source_count": len(tie.sources),
            "established_disputed": tie.disputed,
        }
        if tie.earliest:
            attrs["established"] = tie.earliest
        graph.add_edge(tie.first, tie.second, key=tie.iri, **attrs)
    return graph


def betweenness(
    graph: nx.MultiGraph,
    budget: int = BETWEENNESS_BUDGET,
    seed: int = 1,
) -> Betweenness:
    """Normalised betweenness centrality on the simple graph of places.

    Parallel ties do not create extra shortest paths, so the multigraph is collapsed
    first. Exact (Brandes: one search per place) while n(n + m) fits in ``budget``;
    otherwise estimated from a sample of source places (Brandes and Pich), with a fixed
    seed so that a report is reproducible. At the scale of the world registries (~18k
    places, ~28k ties) that is about 65 sources: enough to rank the brokers, not to
    compare small values.
    """
    simple = nx.Graph(graph)
    n, m = simple.number_of_nodes(), simple.number_of_edges()
    per_source = max(1, n + m)
    if n * per_source <= budget:
        return Betweenness(dict(nx.betweenness_centrality(simple, normalized=True)), True)
    k = min(n, max(MIN_SAMPLE, budget // per_source))
    values = nx.betweenness_centrality(simple, k=k, normalized=True, seed=seed)
    return Betweenness(dict(values), False, k)


def place_measures(graph: nx.MultiGraph, between: Betweenness) -> list[PlaceMeasure]:
    """Every place with its degree and betweenness, most ties first."""
    rows = [
        PlaceMeasure(
            iri=node,
            label=str(attrs.get("label", node)),
            country=str(attrs.get("country", "")),
            degree=int(graph.degree(node)),
            betweenness=between.values.get(node, 0.0),
        )
        for node, attrs in graph.nodes(data=True)
    ]
    return sorted(rows, key=lambda r: (-r.degree, -r.betweenness, r.label, r.iri))


def partner_countries(
    graph: nx.MultiGraph, home: str, label: Callable[[str], str] = str
) -> list[Rank]:
    """Countries ranked by their number of ties with places of ``home`` (an ISO code)."""
    counts: Counter[str] = Counter()
    for u, v in graph.edges():
        cu, cv = graph.nodes[u].get("country", ""), graph.nodes[v].get("country", "")
        if cu == home and cv != home:
            counts[cv] += 1
        elif cv == home and cu != home:
            counts[cu] += 1
    return _ranked(counts, label)


def region_ranking(
    graph: nx.MultiGraph, country: str, label: Callable[[str], str] = str
) -> list[Rank]:
    """First-level units of ``country`` ranked by ties of their places (themselves included).

    Each tie counts once per unit it touches: a tie between two places of one unit counts
    once. Places of the country with no known unit are ranked as ``NO_REGION``.
    """
    counts: Counter[str] = Counter()
    for u, v in graph.edges():
        regions = {
            graph.nodes[x].get("region", NO_REGION)
            for x in (u, v)
            if graph.nodes[x].get("country") == country
        }
        counts.update(regions)
    return _ranked(counts, label)


def _ranked(counts: Counter[str], label: Callable[[str], str]) -> list[Rank]:
    rows = [Rank(key, label(key) if key else "(unknown)", n) for key, n in counts.items()]
    return sorted(rows, key=lambda r: (-r.ties, r.label, r.key))


def annotate(graph: nx.MultiGraph, between: Betweenness) -> None:
    """Store degree and betweenness on the nodes, for the exported files."""
    for node in graph.nodes:
        graph.nodes[node]["degree"] = int(graph.degree(node))
        graph.nodes[node]["betweenness"] = round(between.values.get(node, 0.0), 6)


def write_graphml(graph: nx.MultiGraph, path: Path) -> Path:
    """GraphML (yEd, Gephi, igraph, networkx read it); edge ids are the tie IRIs."""
    nx.write_graphml(_clean(graph), path, edge_id_from_attribute=None)
    return path


def write_gexf(graph: nx.MultiGraph, path: Path) -> Path:
    """GEXF 1.2 (Gephi's format); edge ids are the tie IRIs."""
    clean = _clean(graph)
    for u, v, key in clean.edges(keys=True):
        clean.edges[u, v, key]["id"] = key
    nx.write_gexf(clean, path)
    return path


def _clean(graph: nx.MultiGraph) -> nx.MultiGraph:
    """A copy the XML writers can encode: no ``None`` attributes, no characters XML forbids.

    XML 1.0 cannot carry NUL and most other C0 controls, not even as character
    references, and networkx writes them as they are, which makes the file ill-formed
    (a NUL in one imported name was enough). They become U+FFFD in ids, keys and values.
    """
    clean = nx.MultiGraph(**{k: _xml(v) for k, v in graph.graph.items() if v is not None})
    clean.add_nodes_from(
        (_xml(n), {k: _xml(v) for k, v in attrs.items() if v is not None})
        for n, attrs in graph.nodes(data=True)
    )
    clean.add_edges_from(
        (_xml(u), _xml(v), _xml(key), {k: _xml(val) for k, val in attrs.items() if val is not None})
        for u, v, key, attrs in graph.edges(keys=True, data=True)
    )
    return clean


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(value: Any) -> Any:
    """``value`` with the characters XML 1.0 forbids replaced by U+FFFD (strings only)."""
    return _NOT_XML.sub("\ufffd", value) if isinstance(value, str) else value
