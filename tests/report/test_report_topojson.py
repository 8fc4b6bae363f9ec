"""The TopoJSON decoder on a hand-made topology whose decoded coordinates are known."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paradiplo.report.topojson import TopoJSONError, Topology, load, polygons

# Two squares sharing the edge x=2 in quantized coordinates (0..4 by 0..4):
#   arc 0: (2,0) -> (2,4)                   the shared edge
#   arc 1: (2,4) -> (0,4) -> (0,0) -> (2,0) the rest of the left square
#   arc 2: (2,0) -> (4,0) -> (4,4) -> (2,4) the rest of the right square
# Arcs are delta-encoded; the transform maps x -> 0.5x + 10, y -> 0.25y + 20.
QUANTIZED = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [10, 20]},
    "arcs": [
        [[2, 0], [0, 4]],
        [[2, 4], [-2, 0], [0, -4], [2, 0]],
        [[2, 0], [2, 0], [0, 4], [-2, 0]],
    ],
    "objects": {
        "squares": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "id": "L", "properties": {"name": "left"}},
                {"type": "Polygon", "arcs": [[2, -1]], "id": "R", "properties": {"name": "right"}},
                {"type": "MultiPolygon", "arcs": [[[0, 1]], [[2, -1]]], "properties": {}},
                {"type": "LineString", "arcs": [-3]},
                {"type": "Point", "coordinates": [4, 8]},
                {"type": None},
            ],
        }
    },
}
LEFT = [[11.0, 20.0], [11.0, 21.0], [10.0, 21.0], [10.0, 20.0], [11.0, 20.0]]
RIGHT = [[11.0, 20.0], [12.0, 20.0], [12.0, 21.0], [11.0, 21.0], [11.0, 20.0]]


def test_arcs_are_delta_decoded_and_transformed() -> None:
    topology = Topology(QUANTIZED)
    assert topology.arcs[0] == [[11.0, 20.0], [11.0, 21.0]]
    assert topology.arcs[1] == [[11.0, 21.0], [10.0, 21.0], [10.0, 20.0], [11.0, 20.0]]


def test_polygons_join_arcs_and_reverse_negative_indexes() -> None:
    features = Topology(QUANTIZED).features("squares")["features"]
    left, right, both, line, point, empty = features
    assert left == {
        "type": "Feature",
        "id": "L",
        "properties": {"name": "left"},
        "geometry": {"type": "Polygon", "coordinates": [LEFT]},
    }
    assert right["geometry"]["coordinates"] == [RIGHT]
    assert both["geometry"] == {"type": "MultiPolygon", "coordinates": [[LEFT], [RIGHT]]}
    # ~2 is arc 2 reversed.
    assert line["geometry"]["coordinates"] == [
        [11.0, 21.0],
        [12.0, 21.0],
        [12.0, 20.0],
        [11.0, 20.0],
    ]
    # Points are quantized but not delta-encoded.
    assert point["geometry"] == {"type": "Point", "coordinates": [12.0, 22.0]}
    assert empty["geometry"] is None


def test_unquantized_topology_keeps_coordinates() -> None:
    topology = Topology(
        {
            "type": "Topology",
            "arcs": [[[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 0.5]]],
            "objects": {"t": {"type": "Polygon", "arcs": [[0]]}},
        }
    )
    geometry = topology.features("t")["features"][0]["geometry"]
    assert geometry["coordinates"] == [[[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 0.5]]]


def test_polygons_lists_every_polygon_with_holes() -> None:
    collection = Topology(QUANTIZED).features("squares")
    assert polygons(collection) == [[LEFT], [RIGHT], [LEFT], [RIGHT]]


def test_bad_topologies_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(TopoJSONError, match="not a TopoJSON Topology"):
        Topology({"type": "FeatureCollection", "features": []})
    broken = {**QUANTIZED, "objects": {"x": {"type": "Polygon", "arcs": [[7]]}}}
    with pytest.raises(TopoJSONError, match="arc index 7 out of range"):
        Topology(broken).features("x")
    with pytest.raises(TopoJSONError, match="no object 'nope'"):
        Topology(QUANTIZED).features("nope")
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "Topology",\n  "objects": }', encoding="utf-8")
    with pytest.raises(TopoJSONError, match=r"bad\.json:2:14: invalid JSON"):
        load(bad)


def test_load_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(QUANTIZED), encoding="utf-8")
    assert load(path).features("squares")["features"][0]["geometry"]["coordinates"] == [LEFT]
