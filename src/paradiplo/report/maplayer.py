"""What both maps (static figure and interactive page) draw: lines, points and a frame.

At world scale (~30k ties) drawing every line makes an unreadable figure and a page of
tens of megabytes, so at most ``max_lines`` lines are drawn: a uniform sample chosen by
a hash of the tie IRI, the same on every run, and the report says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from paradiplo.report.data import ReportData, Tie
from paradiplo.report.geo import LonLat, central_meridian, great_circle, shift_into

DEFAULT_MAX_LINES = 2000


@dataclass(frozen=True)
class MapLine:
    """One tie's great-circle line, longitudes unwrapped around the map's centre."""

    tie: Tie
    coords: list[LonLat]


@dataclass
class MapLayer:
    """The drawn lines and points, the central meridian, and what was left out."""

    center: float
    lines: list[MapLine]
    points: dict[str, LonLat]
    ties_total: int
    located_total: int
    unlocated: list[Tie] = field(default_factory=list)
    max_lines: int = DEFAULT_MAX_LINES

    @property
    def sampled(self) -> bool:
        """True when fewer lines are drawn than there are ties with two points."""
        return len(self.lines) < self.located_total


def _hash(iri: str) -> str:
    return hashlib.sha1(iri.encode("utf-8")).hexdigest()


def build_layer(data: ReportData, max_lines: int = DEFAULT_MAX_LINES) -> MapLayer:
    """Great circles for the scope's ties whose two parties have points (sampled if many)."""
    located: list[Tie] = []
    unlocated: list[Tie] = []
    for tie in data.ties:
        drawable = tie.first in data.located and tie.second in data.located
        (located if drawable else unlocated).append(tie)
    chosen = located
    if len(located) > max_lines:
        chosen = sorted(
            sorted(located, key=lambda t: _hash(t.iri))[:max_lines], key=lambda t: t.iri
        )
    arcs = [
        (t, great_circle(data.located[t.first].point, data.located[t.second].point)) for t in chosen
    ]
    center = central_meridian(line for _, line in arcs)
    lines = [MapLine(t, shift_into(line, center)) for t, line in arcs]
    points: dict[str, LonLat] = {}
    for line in lines:
        points[line.tie.first] = line.coords[0]
        points[line.tie.second] = line.coords[-1]
    return MapLayer(center, lines, points, len(data.ties), len(located), unlocated, max_lines)
