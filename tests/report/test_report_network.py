"""Network measures on small hand-made graphs whose values are worked out by hand."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from paradiplo.report.data import Area, Place, ReportData, Tie
from paradiplo.report.network import (
    betweenness,
    build_graph,
    partner_countries,
    place_measures,
    region_ranking,
    write_gexf,
    write_graphml,
)
from paradiplo.report.scope import CN, RU, US, get_scope


def multigraph(edges: list[tuple[str, str]], **nodes: dict[str, str]) -> nx.MultiGraph:
    graph = nx.MultiGraph()
    for name, attrs in nodes.items():
        graph.add_node(name, **attrs)
    for i, (u, v) in enumerate(edges):
        graph.add_edge(u, v, key=f"tie-{i}")
    return graph


def test_path_graph_degree_and_betweenness() -> None:
    # a - b - c - d: b lies on the shortest paths a-c and a-d, c on a-d and b-d.
    # Normalised by (n-1)(n-2)/2 = 3 pairs: b = c = 2/3, the ends 0.
    graph = multigraph([("a", "b"), ("b", "c"), ("c", "d")])
    between = betweenness(graph)
    assert between.exact
    assert between.values == pytest.approx({"a": 0.0, "b": 2 / 3, "c": 2 / 3, "d": 0.0})
    measures = {m.iri: m for m in place_measures(graph, between)}
    assert {k: m.degree for k, m in measures.items()} == {"a": 1, "b": 2, "c": 2, "d": 1}


def test_star_graph() -> None:
    # Hub h with four leaves: all C(4,2) = 6 leaf pairs pass through h; 6 / 6 = 1.
    graph = multigraph([("h", x) for x in "pqrs"])
    between = betweenness(graph)
    assert between.values["h"] == pytest.approx(1.0)
    assert all(between.values[x] == 0.0 for x in "pqrs")
    ranked = place_measures(graph, between)
    assert (ranked[0].iri, ranked[0].degree) == ("h", 4)


def test_parallel_ties_raise_degree_but_not_betweenness() -> None:
    # Two ties join a and b: a has degree 2, and b is still on the only a-c path (1.0).
    graph = multigraph([("a", "b"), ("a", "b"), ("b", "c")])
    between = betweenness(graph)
    assert graph.degree("a") == 2
    assert between.values == pytest.approx({"a": 0.0, "b": 1.0, "c": 0.0})


def test_large_graphs_get_sampled_betweenness() -> None:
    # A path of 100 places (99 ties): exact needs 100 * 199 visits; a budget of 8,000
    # allows 40 sources (8000 // 199), and the same seed gives the same estimate.
    graph = multigraph([(str(i), str(i + 1)) for i in range(99)])
    assert betweenness(graph, budget=100 * 199).exact
    sampled = betweenness(graph, budget=8000, seed=3)
    assert not sampled.exact and sampled.sample == 40
    assert sampled.values == betweenness(graph, budget=8000, seed=3).values
    # The middle of a path is its most central place, even when estimated.
    assert max(sampled.values, key=sampled.values.__getitem__) in {str(i) for i in range(30, 70)}
    assert betweenness(graph, budget=10).sample == 32


def places_graph() -> nx.MultiGraph:
    """Chinese, Russian and US places with their first-level units, and seven ties."""
    nodes = {
        "harbin": {"country": "CN", "region": "CN-HL"},
        "heihe": {"country": "CN", "region": "CN-HL"},
        "hl": {"country": "CN", "region": "CN-HL", "type": "region"},
        "shanghai": {"country": "CN", "region": "CN-SH"},
        "moscow": {"country": "RU", "region": "RU-MOW"},
        "khabarovsk": {"country": "RU", "region": "RU-KHA"},
        "kha": {"country": "RU", "region": "RU-KHA", "type": "region"},
        "seattle": {"country": "US", "region": "US-WA"},
    }
    edges = [
        ("harbin", "khabarovsk"),
        ("harbin", "moscow"),
        ("heihe", "khabarovsk"),
        ("hl", "kha"),
        ("shanghai", "seattle"),
        ("shanghai", "moscow"),
        ("moscow", "seattle"),
    ]
    return multigraph(edges, **nodes)


def test_partner_countries_count_ties_with_the_home_country() -> None:
    # Russia: the five ties with a Chinese party; the US: Shanghai-Seattle only
    # (Moscow-Seattle has no Chinese party).
    names = {"RU": "Russia", "US": "United States"}
    ranked = partner_countries(places_graph(), "CN", names.__getitem__)
    assert [(r.key, r.label, r.ties) for r in ranked] == [
        ("RU", "Russia", 5),
        ("US", "United States", 1),
    ]


def test_city_ties_roll_up_to_their_province() -> None:
    # Heilongjiang: Harbin (2), Heihe (1) and its own region tie (1) = 4; Shanghai 2.
    ranked = region_ranking(places_graph(), "CN")
    assert [(r.key, r.ties) for r in ranked] == [("CN-HL", 4), ("CN-SH", 2)]
    # Russia: Khabarovsk Krai 3 (two city ties, one region tie), Moscow 3; equal counts
    # are ordered by label.
    ranked = region_ranking(places_graph(), "RU")
    assert [(r.key, r.ties) for r in ranked] == [("RU-KHA", 3), ("RU-MOW", 3)]


def test_a_tie_inside_one_unit_counts_once_and_unknown_units_are_ranked() -> None:
    graph = places_graph()
    graph.add_edge("harbin", "heihe", key="domestic")
    graph.add_node("somewhere", country="CN")
    graph.add_edge("somewhere", "moscow", key="t-x")
    ranked = {r.key: r for r in region_ranking(graph, "CN")}
    assert ranked["CN-HL"].ties == 5
    assert (ranked[""].label, ranked[""].ties) == ("(unknown)", 1)


ID = "https://w3id.org/paradiplo/id/"


def report_data() -> ReportData:
    """Hand-made report data: Harbin and Heilongjiang, Khabarovsk and its krai, three ties."""
    places = {
        ID + "city/cn-harbin": Place(
            ID + "city/cn-harbin", "Harbin", "city", CN, ID + "region/cn-hl", point=(126.65, 45.75)
        ),
        ID + "region/cn-hl": Place(ID + "region/cn-hl", "Heilongjiang", "region", CN),
        ID + "city/ru-khabarovsk": Place(
            ID + "city/ru-khabarovsk",
            "Khabarovsk",
            "city",
            RU,
            ID + "region/ru-kha",
            point=(135.08, 48.48),
        ),
        ID + "region/ru-kha": Place(ID + "region/ru-kha", "Khabarovsk Krai", "region", RU),
    }
    areas = {
        CN: Area(CN, "China", "CN", "Country"),
        RU: Area(RU, "Russia", "RU", "Country"),
        US: Area(US, "United States", "US", "Country"),
        ID + "region/cn-hl": Area(
            ID + "region/cn-hl", "Heilongjiang", "CN-HL", "SubnationalRegion"
        ),
        ID + "region/ru-kha": Area(
            ID + "region/ru-kha", "Khabarovsk Krai", "RU-KHA", "SubnationalRegion"
        ),
    }
    ties = [
        Tie(
            ID + "tie/a",
            ID + "city/cn-harbin",
            ID + "city/ru-khabarovsk",
            ("city",),
            ("sister",),
            ("1993-06-15",),
            ("s1", "s2"),
        ),
        Tie(
            ID + "tie/b",
            ID + "region/cn-hl",
            ID + "region/ru-kha",
            ("region",),
            ("sister", "partner"),
            ("1995-05-19", "1992"),
            ("s1",),
        ),
        Tie(ID + "tie/c", ID + "city/cn-harbin", ID + "region/ru-kha", ("mixed",), (), (), ("s3",)),
    ]
    return ReportData(get_scope("china-russia"), 3, ties, places, areas, [], {}, {}, {}, {})


def test_build_graph_carries_the_export_attributes() -> None:
    data = report_data()
    from paradiplo.report.data import locate_all

    data.located = locate_all(data)
    graph = build_graph(data)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (4, 3)
    harbin = graph.nodes[ID + "city/cn-harbin"]
    assert harbin["label"] == "Harbin" and harbin["country"] == "CN" and harbin["type"] == "city"
    assert (harbin["lat"], harbin["long"]) == (45.75, 126.65)
    assert harbin["region"] == "CN-HL"
    # A region is its own first-level unit; without cities it has no point.
    assert graph.nodes[ID + "region/cn-hl"]["region"] == "CN-HL"
    assert "lat" not in graph.nodes[ID + "region/cn-hl"]
    b = graph.edges[ID + "region/cn-hl", ID + "region/ru-kha", ID + "tie/b"]
    assert b == {
        "level": "region",
        "kind": "sister;partner",
        "source_count": 1,
        "established_disputed": True,
        "established": "1992",
    }
    assert (
        "established" not in graph.edges[ID + "city/cn-harbin", ID + "region/ru-kha", ID + "tie/c"]
    )
    assert [(r.key, r.ties) for r in region_ranking(graph, "CN")] == [("CN-HL", 3)]
    assert [(r.key, r.ties) for r in region_ranking(graph, "RU")] == [("RU-KHA", 3)]


def test_graphml_and_gexf_round_trip(tmp_path: Path) -> None:
    data = report_data()
    from paradiplo.report.data import locate_all

    data.located = locate_all(data)
    graph = build_graph(data)
    for path, read in (
        (write_graphml(graph, tmp_path / "t.graphml"), nx.read_graphml),
        (write_gexf(graph, tmp_path / "t.gexf"), nx.read_gexf),
    ):
        back = read(path)
        assert (back.number_of_nodes(), back.number_of_edges()) == (4, 3), path.name
        harbin = back.nodes[ID + "city/cn-harbin"]
        assert harbin["label"] == "Harbin" and harbin["lat"] == pytest.approx(45.75)
        assert harbin["country"] == "CN"
        edges = {attrs["id"]: attrs for _, _, attrs in back.edges(data=True)}
        assert set(edges) == {ID + "tie/a", ID + "tie/b", ID + "tie/c"}
        assert edges[ID + "tie/a"]["source_count"] == 2
        assert edges[ID + "tie/a"]["established"] == "1993-06-15"
        assert edges[ID + "tie/b"]["level"] == "region"
