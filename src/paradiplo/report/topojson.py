"""A small TopoJSON decoder: topology objects to GeoJSON, for the maps' country outlines.

TopoJSON (https://github.com/topojson/topojson-specification) stores each shared border
once as an *arc*; geometries list arc indexes (``~i``, i.e. ``-i - 1``, is arc ``i``
reversed). A *quantized* topology has a ``transform`` (scale, translate) and its arcs are
delta-encoded integers: each position is the offset from the previous one. The maps need
only this much, so the decoder is written here rather than pulled in as a dependency.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from paradiplo.errors import ParadiploError

Position = list[float]
Ring = list[Position]


class TopoJSONError(ParadiploError):
    """The file is not a TopoJSON topology this decoder understands."""


class Topology:
    """A decoded topology: absolute arc coordinates and the named objects."""

    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("type") != "Topology" or not isinstance(data.get("objects"), dict):
            raise TopoJSONError("not a TopoJSON Topology (needs type Topology and objects)")
        transform = data.get("transform")
        self.scale: tuple[float, float] = (1.0, 1.0)
        self.translate: tuple[float, float] = (0.0, 0.0)
        self.quantized = transform is not None
        if transform is not None:
            self.scale = (float(transform["scale"][0]), float(transform["scale"][1]))
            self.translate = (float(transform["translate"][0]), float(transform["translate"][1]))
        self.arcs = [self._decode_arc(arc) for arc in data.get("arcs", [])]
        self.objects: dict[str, Any] = data["objects"]

    def _decode_arc(self, arc: Sequence[Sequence[float]]) -> list[Position]:
        """Absolute positions of one arc: undo the delta encoding, then the quantization."""
        if not self.quantized:
            return [[float(p[0]), float(p[1])] for p in arc]
        x = y = 0.0
        out = []
        for point in arc:
            x += point[0]
            y += point[1]
            out.append(self._position(x, y))
        return out

    def _position(self, x: float, y: float) -> Position:
        return [x * self.scale[0] + self.translate[0], y * self.scale[1] + self.translate[1]]

    def point(self, coordinates: Sequence[float]) -> Position:
        """A point's position: quantized but, unlike arcs, not delta-encoded."""
        if not self.quantized:
            return [float(coordinates[0]), float(coordinates[1])]
        return self._position(float(coordinates[0]), float(coordinates[1]))

    def line(self, indexes: Sequence[int]) -> Ring:
        """Join arcs into one line; each arc after the first drops its shared first point."""
        coords: Ring = []
        for index in indexes:
            position = ~index if index < 0 else index
            if position >= len(self.arcs):
                raise TopoJSONError(f"arc index {index} out of range ({len(self.arcs)} arcs)")
            arc = self.arcs[position][::-1] if index < 0 else self.arcs[position]
            coords.extend(arc[1:] if coords else arc)
        return coords

    def ring(self, indexes: Sequence[int]) -> Ring:
        """A closed ring (first position repeated at the end, as GeoJSON requires)."""
        coords = self.line(indexes)
        if coords and coords[0] != coords[-1]:
            coords.append(list(coords[0]))
        return coords

    def geometry(self, obj: dict[str, Any]) -> dict[str, Any] | None:
        """A GeoJSON geometry for one TopoJSON geometry object (``None`` for a null type)."""
        kind = obj.get("type")
        if kind is None:
            return None
        if kind == "GeometryCollection":
            members = [self.geometry(g) for g in obj.get("geometries", [])]
            return {"type": kind, "geometries": [g for g in members if g is not None]}
        if kind == "Point":
            return {"type": kind, "coordinates": self.point(obj["coordinates"])}
        if kind == "MultiPoint":
            return {"type": kind, "coordinates": [self.point(p) for p in obj["coordinates"]]}
        arcs = obj.get("arcs")
        if arcs is None:
            raise TopoJSONError(f"{kind} geometry without arcs")
        if kind == "LineString":
            return {"type": kind, "coordinates": self.line(arcs)}
        if kind == "MultiLineString":
            return {"type": kind, "coordinates": [self.line(a) for a in arcs]}
        if kind == "Polygon":
            return {"type": kind, "coordinates": [self.ring(r) for r in arcs]}
        if kind == "MultiPolygon":
            return {"type": kind, "coordinates": [[self.ring(r) for r in p] for p in arcs]}
        raise TopoJSONError(f"unknown geometry type {kind!r}")

    def feature(self, obj: dict[str, Any]) -> dict[str, Any]:
        """A GeoJSON Feature with the object's id and properties."""
        feature: dict[str, Any] = {
            "type": "Feature",
            "properties": dict(obj.get("properties") or {}),
            "geometry": self.geometry(obj),
        }
        if "id" in obj:
            feature["id"] = obj["id"]
        return feature

    def features(self, name: str) -> dict[str, Any]:
        """The object ``name`` as a FeatureCollection (one feature per member geometry)."""
        if name not in self.objects:
            raise TopoJSONError(f"no object {name!r} (objects: {', '.join(sorted(self.objects))})")
        obj = self.objects[name]
        members = obj.get("geometries", []) if obj.get("type") == "GeometryCollection" else [obj]
        return {"type": "FeatureCollection", "features": [self.feature(g) for g in members]}


def load(path: Path) -> Topology:
    """Read and decode a TopoJSON file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TopoJSONError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise TopoJSONError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    try:
        return Topology(data)
    except (KeyError, TypeError, IndexError, ValueError) as exc:
        raise TopoJSONError(f"{path}: malformed topology: {exc}") from exc


def polygons(collection: dict[str, Any]) -> list[list[Ring]]:
    """Every polygon (outer ring first, then holes) of a FeatureCollection, for drawing."""
    out: list[list[Ring]] = []

    def visit(geometry: dict[str, Any] | None) -> None:
        if geometry is None:
            return
        kind = geometry["type"]
        if kind == "Polygon":
            out.append(geometry["coordinates"])
        elif kind == "MultiPolygon":
            out.extend(geometry["coordinates"])
        elif kind == "GeometryCollection":
            for member in geometry["geometries"]:
                visit(member)

    for feature in collection["features"]:
        visit(feature["geometry"])
    return out
