"""Geometry for the maps: great-circle lines and a map frame that does not cut them.

Coordinates are (longitude, latitude) in degrees, as in GeoJSON. A line's longitudes are
*unwrapped* (continuous, possibly beyond ±180) so that a tie across the Pacific is one
line, not two halves; the map is then drawn around a central meridian chosen so that no
line crosses the frame's edge when that is possible.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any

LonLat = tuple[float, float]
EARTH_RADIUS_KM = 6371.0088
_STEP_DEGREES = 2.0
_MAX_POINTS = 64


def _vector(point: LonLat) -> tuple[float, float, float]:
    lon, lat = map(math.radians, point)
    return (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))


def central_angle(a: LonLat, b: LonLat) -> float:
    """Angle between two points seen from the Earth's centre, in radians (haversine)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * math.asin(min(1.0, math.sqrt(h)))


def distance_km(a: LonLat, b: LonLat) -> float:
    """Great-circle distance on a spherical Earth."""
    return central_angle(a, b) * EARTH_RADIUS_KM


def great_circle(a: LonLat, b: LonLat, step: float = _STEP_DEGREES) -> list[LonLat]:
    """Points along the shorter great-circle arc from ``a`` to ``b``, longitudes unwrapped.

    About one point per ``step`` degrees of arc (at least the two ends, at most 64), by
    spherical linear interpolation between the two unit vectors.
    """
    omega = central_angle(a, b)
    n = max(1, min(_MAX_POINTS - 1, math.ceil(math.degrees(omega) / step)))
    if omega < 1e-12:
        return [a, (a[0] + _wrap(b[0] - a[0]), b[1])]
    va, vb = _vector(a), _vector(b)
    sin_omega = math.sin(omega)
    points: list[LonLat] = []
    for i in range(n + 1):
        t = i / n
        if abs(sin_omega) < 1e-12:  # antipodal: any great circle will do; keep it simple
            f1, f2 = 1 - t, t
        else:
            f1, f2 = math.sin((1 - t) * omega) / sin_omega, math.sin(t * omega) / sin_omega
        x, y, z = (f1 * p + f2 * q for p, q in zip(va, vb, strict=True))
        lat = math.degrees(math.atan2(z, math.hypot(x, y)))
        lon = math.degrees(math.atan2(y, x))
        points.append((lon, lat))
    points[0], points[-1] = a, b
    return unwrap(points)


def _wrap(delta: float) -> float:
    """A longitude difference brought into [-180, 180)."""
    return (delta + 180.0) % 360.0 - 180.0


def unwrap(points: Sequence[LonLat]) -> list[LonLat]:
    """Make longitudes continuous: each differs from the previous by less than 180 degrees."""
    if not points:
        return []
    out = [points[0]]
    for lon, lat in points[1:]:
        previous = out[-1][0]
        out.append((previous + _wrap(lon - previous), lat))
    return out


def shift_into(line: Sequence[LonLat], center: float) -> list[LonLat]:
    """Move a whole unwrapped line by a multiple of 360 so its midpoint is within 180 of center."""
    if not line:
        return []
    mid = (min(p[0] for p in line) + max(p[0] for p in line)) / 2
    offset = 360.0 * round((center - mid) / 360.0)
    return [(lon + offset, lat) for lon, lat in line]


def central_meridian(lines: Iterable[Sequence[LonLat]]) -> float:
    """A central longitude whose antimeridian crosses as few lines as possible.

    Each unwrapped line covers an interval of longitude; the frame's edge is put in the
    middle of the widest stretch that no line covers (ties between Chinese and Russian
    places leave the Americas empty, so the edge goes there). Where every longitude is
    covered (a world of ties), the conventional Greenwich-centred frame is kept.
    """
    intervals = []
    for line in lines:
        if not line:
            continue
        lo, hi = min(p[0] for p in line), max(p[0] for p in line)
        if hi - lo >= 360:
            return 0.0
        intervals.append((lo % 360.0, (lo % 360.0) + (hi - lo)))
    if not intervals:
        return 0.0
    covered = _merge([*intervals, *((lo + 360, hi + 360) for lo, hi in intervals)])
    gap_start, gap_width = 0.0, -1.0
    for (_, end), (start, _) in itertools.pairwise(covered):
        if start - end > gap_width:
            gap_start, gap_width = end, start - end
    if gap_width <= 0:
        return 0.0
    edge = gap_start + gap_width / 2
    return _wrap(edge + 180.0)


def _merge(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def continuous_ring(ring: Sequence[Sequence[float]]) -> list[LonLat]:
    """A polygon ring with continuous longitudes, drawable on a flat map.

    Natural Earth rings cross the antimeridian (Russia's Chukotka, Fiji) with a jump from
    +180 to -180 that a flat renderer draws as a line across the whole world; unwrapped,
    the ring simply continues past 180. A ring that goes once around a pole (Antarctica)
    ends 360 degrees from where it began, so it is closed along the pole instead.
    """
    out = unwrap([(float(p[0]), float(p[1])) for p in ring])
    if out and abs(out[-1][0] - out[0][0]) > 180:
        pole = -90.0 if sum(lat for _, lat in out) < 0 else 90.0
        out += [(out[-1][0], pole), (out[0][0], pole), out[0]]
    return out


def continuous_collection(collection: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of (multi)polygons with every ring made continuous."""

    def fix(geometry: dict[str, Any] | None) -> dict[str, Any] | None:
        if geometry is None:
            return None
        kind = geometry["type"]
        if kind == "Polygon":
            rings = [_listed(continuous_ring(r)) for r in geometry["coordinates"]]
            return {"type": kind, "coordinates": rings}
        if kind == "MultiPolygon":
            polys = [[_listed(continuous_ring(r)) for r in p] for p in geometry["coordinates"]]
            return {"type": kind, "coordinates": polys}
        if kind == "GeometryCollection":
            return {"type": kind, "geometries": [fix(g) for g in geometry["geometries"]]}
        return geometry

    features = [{**f, "geometry": fix(f.get("geometry"))} for f in collection["features"]]
    return {**collection, "features": features}


def _listed(ring: list[LonLat]) -> list[list[float]]:
    return [[lon, lat] for lon, lat in ring]
