"""Static figures for papers (PNG and SVG): the map, the timelines and the rankings.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global state, no
display needed). SVGs keep text as text and carry no timestamp, so the same data gives
the same file.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from paradiplo.report.data import Figure as PublishedFigure
from paradiplo.report.data import local_name
from paradiplo.report.geo import continuous_ring
from paradiplo.report.maplayer import MapLayer
from paradiplo.report.network import PlaceMeasure, Rank
from paradiplo.report.timeline import Timeline
from paradiplo.report.topojson import Ring

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

LEVEL_COLORS = {
    "region": "#d95f02",
    "mixed": "#7570b3",
    "city": "#1b9e77",
    "unknown": "#999999",
}
PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")
TOTAL_COLOR = "#222222"
LAND, BORDER, SEA = "#e6e2d8", "#ffffff", "#dcebf5"
_RC: dict[RcKeyType, Any] = {"svg.fonttype": "none", "svg.hashsalt": "paradiplo", "font.size": 9}


@dataclass(frozen=True)
class Written:
    """The files of one figure."""

    name: str
    png: Path
    svg: Path


def save(figure: Figure, out_dir: Path, name: str) -> Written:
    """Write ``name``.png (150 dpi) and ``name``.svg, without timestamps."""
    FigureCanvasAgg(figure)
    png, svg = out_dir / f"{name}.png", out_dir / f"{name}.svg"
    with matplotlib.rc_context(_RC):
        figure.savefig(png, dpi=150, metadata={"Software": None})
        figure.savefig(svg, metadata={"Date": None})
    return Written(name, png, svg)


def series_colors(names: Sequence[str]) -> dict[str, str]:
    """Level colours for level series, the palette in order for anything else."""
    colors, i = {}, 0
    for name in names:
        if name in LEVEL_COLORS:
            colors[name] = LEVEL_COLORS[name]
        else:
            colors[name] = PALETTE[i % len(PALETTE)]
            i += 1
    return colors


# --- the map --------------------------------------------------------------------------


def draw_map(
    layer: MapLayer,
    countries: list[list[Ring]],
    labels: dict[str, str],
    degrees: dict[str, int],
    title: str,
) -> Figure:
    """Great-circle ties over country outlines, in plate carrée around the layer's centre."""
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(11, 6.5), layout="constrained")
        ax = figure.add_subplot()
        ax.set_facecolor(SEA)
        west, south, east, north = _extent(layer)
        _draw_countries(ax, countries, layer.center, (west, south, east, north))
        _draw_lines(ax, layer)
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        ax.set_aspect(1 / max(0.2, math.cos(math.radians((south + north) / 2))))
        _draw_points(ax, layer, labels, degrees)
        ax.set_title(title, loc="left", fontsize=11)
        ax.set_xlabel(f"longitude (central meridian {layer.center:.0f}°)")
        ax.set_ylabel("latitude")
        handles = [
            ax.plot([], [], color=c, lw=2, label=level)[0]
            for level, c in LEVEL_COLORS.items()
            if any(line.tie.level == level for line in layer.lines)
        ]
        if handles:
            ax.legend(handles=handles, title="tie level", loc="lower left", fontsize=8)
    return figure


def _shifted(lon: float, center: float) -> float:
    return lon - center


def _draw_countries(
    ax: Axes,
    countries: list[list[Ring]],
    center: float,
    extent: tuple[float, float, float, float],
) -> None:
    """Outer rings of the countries in (and around) the frame; others are left out."""
    west, south, east, north = extent
    rings = []
    for polygon in countries:
        outer = continuous_ring(polygon[0])
        for copy in (-360.0, 0.0, 360.0):
            ring = [(lon - center + copy, lat) for lon, lat in outer]
            xs, ys = [x for x, _ in ring], [y for _, y in ring]
            if max(xs) >= west and min(xs) <= east and max(ys) >= south and min(ys) <= north:
                rings.append(ring)
    ax.add_collection(
        PolyCollection(rings, facecolors=LAND, edgecolors=BORDER, linewidths=0.4, zorder=1)
    )


def _draw_lines(ax: Axes, layer: MapLayer) -> None:
    segments, colors = [], []
    for line in layer.lines:
        xy = [(lon - layer.center, lat) for lon, lat in line.coords]
        copies = [0.0]
        if min(x for x, _ in xy) < -180:
            copies.append(360.0)
        if max(x for x, _ in xy) > 180:
            copies.append(-360.0)
        for copy in copies:
            segments.append([(x + copy, y) for x, y in xy])
            colors.append(LEVEL_COLORS.get(line.tie.level, LEVEL_COLORS["unknown"]))
    alpha = 0.8 if len(segments) < 300 else 0.35 if len(segments) < 1000 else 0.2
    ax.add_collection(
        LineCollection(segments, colors=colors, linewidths=0.9, alpha=alpha, zorder=2)
    )


def _draw_points(
    ax: Axes, layer: MapLayer, labels: dict[str, str], degrees: dict[str, int]
) -> None:
    if not layer.points:
        return
    items = sorted(layer.points.items())
    xs = [_wrap180(lon - layer.center) for _, (lon, _) in items]
    ys = [lat for _, (_, lat) in items]
    sizes = [6 + 4 * math.sqrt(degrees.get(iri, 1)) ** 2 / 2 for iri, _ in items]
    ax.scatter(xs, ys, s=sizes, c=TOTAL_COLOR, alpha=0.7, linewidths=0, zorder=3)
    ranked = sorted(items, key=lambda kv: (-degrees.get(kv[0], 0), labels.get(kv[0], kv[0])))
    for iri, (lon, lat) in ranked[:12]:
        ax.annotate(
            labels.get(iri, local_name(iri)),
            (_wrap180(lon - layer.center), lat),
            xytext=(3, 3),
            textcoords="offset points",
            fontsize=7,
            zorder=4,
            annotation_clip=True,
            clip_on=True,
        )


def _wrap180(x: float) -> float:
    return (x + 180.0) % 360.0 - 180.0


def _extent(layer: MapLayer) -> tuple[float, float, float, float]:
    xs = [lon - layer.center for line in layer.lines for lon, _ in line.coords]
    ys = [lat for line in layer.lines for _, lat in line.coords]
    if not xs:
        return (-180.0, -60.0, 180.0, 85.0)
    margin = 4.0
    west, east = max(-180.0, min(xs) - margin), min(180.0, max(xs) + margin)
    south, north = max(-85.0, min(ys) - margin), min(85.0, max(ys) + margin)
    if east - west < 30:
        mid = (east + west) / 2
        west, east = mid - 15, mid + 15
    if north - south < 15:
        mid = (north + south) / 2
        south, north = mid - 7.5, mid + 7.5
    return (west, south, east, north)


# --- timelines ------------------------------------------------------------------------


def draw_timeline(
    timeline: Timeline,
    figures: Sequence[PublishedFigure],
    title: str,
    figure_color: Callable[[PublishedFigure], str | None],
    source_name: Callable[[str], str],
) -> Figure:
    """Ties per year (stacked by series, disputed dates hatched) and cumulative totals.

    Published figures are drawn on the cumulative panel as points with their value and
    source; ``figure_color`` gives each its colour, or ``None`` to leave it out.
    """
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(11, 7.5), layout="constrained")
        top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(1, 1.2))
        colors = series_colors(timeline.series)
        years = timeline.years
        base = [0] * len(years)
        for name in timeline.series:
            counts = timeline.per_year(name)
            if not any(counts):
                continue
            disputed = timeline.disputed_per_year(name)
            clean = [c - d for c, d in zip(counts, disputed, strict=True)]
            x = [y + 0.5 for y in years]
            top.bar(x, clean, 0.8, bottom=base, color=colors[name], label=name)
            base = [b + c for b, c in zip(base, clean, strict=True)]
            if any(disputed):
                top.bar(
                    x,
                    disputed,
                    0.8,
                    bottom=base,
                    color=colors[name],
                    hatch="////",
                    edgecolor="white",
                    linewidth=0,
                )
                base = [b + d for b, d in zip(base, disputed, strict=True)]
        if any(base):
            top.set_ylim(0, max(base) * 1.35 + 0.5)  # headroom for the legend
        top.set_ylabel("ties established per year")
        top.set_title(title, loc="left", fontsize=11)
        if years:
            handles, _ = top.get_legend_handles_labels()
            if timeline.disputed_total:
                handles.append(
                    Patch(
                        facecolor="#999999", hatch="////", edgecolor="white", label="date disputed"
                    )
                )
            top.legend(handles=handles, loc="upper left", fontsize=8, ncols=2)
        _cumulative(bottom, timeline, colors)
        shown = _overlay(bottom, figures, figure_color, source_name)
        bottom.set_ylabel("cumulative ties (end of year)")
        bottom.set_xlabel("year (earliest stated date of each tie)\n" + _timeline_note(timeline))
        xs = [f.x for f in shown if f.x is not None] + [float(y) for y in years]
        if xs:
            bottom.set_xlim(math.floor(min(xs)) - 1, math.ceil(max(xs)) + 2)
        if years or shown:
            bottom.legend(loc="upper left", fontsize=8)
    return figure


def _cumulative(ax: Axes, timeline: Timeline, colors: dict[str, str]) -> None:
    years = timeline.years
    if not years:
        ax.text(
            0.5, 0.5, "no tie in this scope has a stated date", transform=ax.transAxes, ha="center"
        )
        ax.set_xticks([])
        return
    xs = [*years, years[-1] + 1]
    for name in timeline.series:
        values = timeline.cumulative(name)
        if values[-1]:
            ax.step(xs, [*values, values[-1]], where="post", color=colors[name], label=name)
    total = timeline.cumulative()
    ax.step(xs, [*total, total[-1]], where="post", color=TOTAL_COLOR, lw=2, label="all dated ties")


def _overlay(
    ax: Axes,
    figures: Sequence[PublishedFigure],
    color_of: Callable[[PublishedFigure], str | None],
    source_name: Callable[[str], str],
) -> list[PublishedFigure]:
    shown = []
    for f in figures:
        color = color_of(f)
        if f.x is None or color is None:
            continue
        shown.append(f)
        marker = "s" if f.measure == "AgreementCount" else "o"
        ax.scatter([f.x], [f.value], s=55, marker=marker, color=color, edgecolors="black", zorder=5)
        what = "agreements" if f.measure == "AgreementCount" else "ties"
        scope = f" {f.level}" if f.level else ""
        ax.annotate(
            f"{f.value:g}{scope} {what} ({source_name(f.source)})",
            (f.x, f.value),
            xytext=(-6, 6),
            textcoords="offset points",
            ha="right",
            fontsize=7,
        )
    if any(f.measure == "AgreementCount" for f in shown):
        ax.scatter(
            [], [], marker="s", color="white", edgecolors="black", label="published: agreements"
        )
    if any(f.measure != "AgreementCount" for f in shown):
        ax.scatter([], [], marker="o", color="white", edgecolors="black", label="published: ties")
    return shown


def _timeline_note(timeline: Timeline) -> str:
    undated = sum(timeline.undated.values())
    parts = [f"{timeline.dated} ties with a stated date are shown; {undated} undated ties are not."]
    if timeline.disputed_total:
        parts.append(
            f"Hatched: {timeline.disputed_total} ties whose sources give contradicting dates "
            "(counted at the earliest)."
        )
    return " ".join(parts)


# --- rankings -------------------------------------------------------------------------


def draw_ranking(rows: Sequence[Rank], title: str, xlabel: str = "ties") -> Figure:
    """Horizontal bars, the largest on top."""
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(7, 0.9 + 0.28 * max(1, len(rows))), layout="constrained")
        ax = figure.add_subplot()
        labels = [r.label for r in rows][::-1]
        values = [r.ties for r in rows][::-1]
        ax.barh(range(len(rows)), values, color=PALETTE[0])
        ax.set_yticks(range(len(rows)), labels)
        for i, v in enumerate(values):
            ax.text(v, i, f" {v}", va="center", fontsize=8)
        ax.set_xlabel(xlabel)
        ax.set_title(title, loc="left", fontsize=10)
        if not rows:
            ax.text(0.5, 0.5, "nothing to rank", transform=ax.transAxes, ha="center")
    return figure


def place_rows(measures: Sequence[PlaceMeasure], n: int) -> list[Rank]:
    """Top places by degree, as ranking rows labelled with their country."""
    return [
        Rank(m.iri, f"{m.label} ({m.country})" if m.country else m.label, m.degree)
        for m in measures[:n]
    ]
