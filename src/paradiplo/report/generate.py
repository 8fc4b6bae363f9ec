"""Build a report: query the store, measure the network, draw, write the files.

Reads only from the store (``Store`` protocol, SPARQL). Writes into ``out_dir``:
``index.html`` (self-contained, offline), ``map``/``timeline-level``/
``timeline-macroregion``/``rank-*`` as PNG and SVG, ``ties.graphml``, ``ties.gexf``,
``places.csv`` and ``reproduction.md``.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from paradiplo import reproduce
from paradiplo.csvsafe import safe_row
from paradiplo.errors import ParadiploError
from paradiplo.progress import Steps
from paradiplo.report import assets, figures, html, network, queries, timeline, topojson
from paradiplo.report.data import Figure, ReportData, Tie, load
from paradiplo.report.geo import continuous_collection
from paradiplo.report.maplayer import DEFAULT_MAX_LINES, build_layer
from paradiplo.report.scope import Scope
from paradiplo.store import EmbeddedStore, Store

STEPS = (
    "query the store",
    "network measures",
    "map",
    "timelines",
    "rankings",
    "reproduction",
    "write HTML",
)
HTML_NAME = "index.html"
DEFAULT_TOP = 20


class ReportError(ParadiploError):
    """The report cannot be written."""


@dataclass
class ReportResult:
    """What was written, and the figures the command prints."""

    out_dir: Path
    html: Path
    files: list[Path]
    ties: int
    places: int
    lines_drawn: int
    interactive: bool
    seconds: dict[str, float] = field(default_factory=dict)


def generate(
    store: Store,
    out_dir: Path,
    scope: Scope,
    *,
    queries_dir: Path | None = None,
    vendor_dir: Path | None = None,
    max_lines: int = DEFAULT_MAX_LINES,
    top_n: int = DEFAULT_TOP,
    progress: Steps | None = None,
) -> ReportResult:
    """Write the report for ``scope`` into ``out_dir`` (created if needed)."""
    clock = _Clock(progress)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"{out_dir}: cannot create report directory: {exc.strerror}") from exc
    written: list[Path] = []
    found = assets.find(vendor_dir)

    clock.step(STEPS[0])
    data = load(store, scope)

    clock.step(STEPS[1])
    graph = network.build_graph(data)
    between = network.betweenness(graph)
    network.annotate(graph, between)
    measures = network.place_measures(graph, between)
    written += [
        network.write_graphml(graph, out_dir / "ties.graphml"),
        network.write_gexf(graph, out_dir / "ties.gexf"),
        _write_places_csv(measures, graph, out_dir / "places.csv"),
    ]
    degrees = {m.iri: m.degree for m in measures}

    clock.step(STEPS[2])
    layer = build_layer(data, max_lines)
    countries = _countries(found)
    labels = {iri: p.label for iri, p in data.places.items()}
    polygons = topojson.polygons(countries) if countries else []
    map_figure = figures.draw_map(layer, polygons, labels, degrees, f"Twinning ties: {scope.title}")
    saved = figures.save(map_figure, out_dir, "map")
    written += [saved.png, saved.svg]

    clock.step(STEPS[3])
    overlay = [f for f in data.figures if scope.countries and set(scope.countries) <= f.countries]
    listed = overlay if scope.countries else list(data.figures)
    timelines = _timelines(data, overlay, out_dir, written)

    clock.step(STEPS[4])
    rankings = _rankings(data, graph, measures, top_n, out_dir, written)

    clock.step(STEPS[5])
    reproduction, note = _reproduce(store, queries_dir, out_dir, written)

    clock.step(STEPS[6])
    page = html.Page(
        data=data,
        layer=layer,
        assets=found,
        countries=countries,
        map_svg=html.inline_svg(saved.svg.read_text(encoding="utf-8"), "map")
        if not found.interactive
        else "",
        timelines=timelines,
        overlay=overlay,
        listed=listed,
        measures=measures,
        between=between,
        summary=_summary(graph),
        rankings=rankings,
        reproduction=reproduction,
        reproduction_note=note,
        downloads=[
            ("ties.graphml", "ties.graphml"),
            ("ties.gexf", "ties.gexf"),
            ("places.csv", "places.csv"),
        ],
        queries=_queries(scope),
        build_info=_build_info(store),
        top_n=top_n,
        notes=_notes(found),
    )
    target = out_dir / HTML_NAME
    target.write_text(html.render(page, degrees), encoding="utf-8")
    written.append(target)
    clock.stop()
    return ReportResult(
        out_dir=out_dir,
        html=target,
        files=written,
        ties=data.tie_count,
        places=graph.number_of_nodes(),
        lines_drawn=len(layer.lines),
        interactive=found.interactive,
        seconds=clock.seconds,
    )


class _Clock:
    """Seconds per step, and the progress bar told about each step."""

    def __init__(self, progress: Steps | None) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self._current: str | None = None
        self._start = time.perf_counter()

    def step(self, name: str) -> None:
        self.stop()
        self._current, self._start = name, time.perf_counter()
        if self.progress is not None:
            self.progress.step(name)

    def stop(self) -> None:
        if self._current is not None:
            self.seconds[self._current] = round(time.perf_counter() - self._start, 3)
            self._current = None


def _countries(found: assets.Assets) -> dict[str, object] | None:
    if found.countries is None:
        return None
    return continuous_collection(topojson.load(found.countries).features("countries"))


def _notes(found: assets.Assets) -> list[str]:
    if found.interactive and found.countries is not None:
        return []
    return [
        "Some map assets were not found ("
        + ", ".join(found.missing())
        + f" under {found.vendor_dir}); they are installed from npm when paradiplo is built. "
        "The static map is shown instead of the interactive one"
        + ("" if found.countries is not None else ", without country outlines")
        + "."
    ]


def _macro_series(data: ReportData) -> Callable[[Tie], str]:
    home = data.scope.home
    home_label = data.label(home)

    def series(tie: Tie) -> str:
        for party in (tie.first, tie.second):
            place = data.places.get(party)
            if place is not None and place.country == home:
                return data.label(place.macro) if place.macro else f"{home_label}: no macro-region"
        return f"no {home_label} party"

    return series


def _timelines(
    data: ReportData, overlay: list[Figure], out_dir: Path, written: list[Path]
) -> list[tuple[str, str, timeline.Timeline, str]]:
    source = data.label
    scope = data.scope.title

    def short(iri: str) -> str:
        name = source(iri)
        return name if len(name) <= 40 else name[:39] + "…"

    by_level = timeline.by_level(data.ties)

    def level_color(f: Figure) -> str | None:
        if f.region:
            return None
        return (
            figures.LEVEL_COLORS.get(f.level or "", figures.TOTAL_COLOR)
            if f.level
            else figures.TOTAL_COLOR
        )

    by_macro = timeline.build(data.ties, _macro_series(data))
    macro_colors = figures.series_colors(by_macro.series)

    def macro_color(f: Figure) -> str | None:
        if f.level:
            return None
        if f.region:
            return macro_colors.get(source(f.region))
        return figures.TOTAL_COLOR

    out = []
    for name, caption, line, color in (
        (
            "timeline-level",
            f"{scope}: ties established per year and cumulative, by level",
            by_level,
            level_color,
        ),
        (
            "timeline-macroregion",
            f"{scope}: by macro-region of the party in {data.label(data.scope.home)}",
            by_macro,
            macro_color,
        ),
    ):
        figure = figures.draw_timeline(line, overlay, caption, color, short)
        saved = figures.save(figure, out_dir, name)
        written += [saved.png, saved.svg]
        out.append(
            (name, caption, line, html.inline_svg(saved.svg.read_text(encoding="utf-8"), name))
        )
    return out


def _rankings(
    data: ReportData,
    graph: nx.MultiGraph,
    measures: list[network.PlaceMeasure],
    top_n: int,
    out_dir: Path,
    written: list[Path],
) -> list[html.Ranking]:
    by_code = {a.code: a.label for a in data.areas.values() if a.code}

    def label(code: str) -> str:
        return by_code.get(code, code)

    home = data.code(data.scope.home)
    rankings = [
        html.Ranking(
            "rank-partner-countries",
            f"{label(home)}'s partner countries",
            network.partner_countries(graph, home, label),
            "rank-partner-countries",
        ),
        html.Ranking(
            f"rank-regions-{home.lower()}",
            f"{label(home)}: first-level units by ties",
            network.region_ranking(graph, home, label),
            f"rank-regions-{home.lower()}",
        ),
    ]
    for partner in data.scope.partners:
        code = data.code(partner)
        rankings.append(
            html.Ranking(
                f"rank-regions-{code.lower()}",
                f"{label(code)}: first-level units by ties",
                network.region_ranking(graph, code, label),
                f"rank-regions-{code.lower()}",
            )
        )
    saved = figures.save(
        figures.draw_ranking(
            figures.place_rows(measures, top_n), f"Places by number of ties (top {top_n})"
        ),
        out_dir,
        "rank-places",
    )
    written += [saved.png, saved.svg]
    for ranking in rankings:
        figure = figures.draw_ranking(ranking.rows[:top_n], ranking.title)
        saved = figures.save(figure, out_dir, ranking.figure)
        written += [saved.png, saved.svg]
    return rankings


def _reproduce(
    store: Store, queries_dir: Path | None, out_dir: Path, written: list[Path]
) -> tuple[reproduce.Report | None, str]:
    if queries_dir is None or not queries_dir.is_dir():
        return None, "No query packs found (queries/ of the content root), so nothing to reproduce."
    report = reproduce.reproduce(store, queries_dir)
    path = out_dir / "reproduction.md"
    path.write_text(reproduce.render_markdown(report), encoding="utf-8")
    written.append(path)
    if not report.outcomes:
        return report, f"No findings in the query packs under {queries_dir} yet."
    return report, "Same as `paradiplo reproduce`; also written as reproduction.md."


def _summary(graph: nx.MultiGraph) -> dict[str, str]:
    simple = nx.Graph(graph)
    components = nx.number_connected_components(simple) if simple.number_of_nodes() else 0
    largest = max((len(c) for c in nx.connected_components(simple)), default=0)
    return {
        "places (nodes)": str(graph.number_of_nodes()),
        "ties (edges)": str(graph.number_of_edges()),
        "connected components": str(components),
        "largest component": f"{largest} places",
        "density": f"{nx.density(simple):.4f}" if simple.number_of_nodes() > 1 else "n/a",
    }


def _write_places_csv(
    measures: list[network.PlaceMeasure], graph: nx.MultiGraph, path: Path
) -> Path:
    columns = (
        "iri",
        "label",
        "country",
        "type",
        "region",
        "lat",
        "long",
        "point",
        "degree",
        "betweenness",
    )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for m in measures:
            attrs = graph.nodes[m.iri]
            writer.writerow(  # names come from registries anyone can edit: no formulas
                safe_row(
                    (
                        m.iri,
                        m.label,
                        m.country,
                        attrs.get("type", ""),
                        attrs.get("region", ""),
                        attrs.get("lat", ""),
                        attrs.get("long", ""),
                        attrs.get("point", ""),
                        m.degree,
                        f"{m.betweenness:.6f}",
                    )
                )
            )
    return path


def _queries(scope: Scope) -> list[tuple[str, str]]:
    return [
        ("Tie count of the scope", queries.tie_count(scope)),
        ("Ties (one row per tie)", queries.ties(scope)),
        ("Places (parties of the ties)", queries.places(scope)),
        ("Countries, regions and macro-regions", queries.REGIONS),
        ("Mean city position per first-level unit", queries.REGION_CENTRES),
        ("Capitals of first-level units", queries.REGION_CAPITALS),
        ("Dates per source, where sources differ", queries.date_sources(scope)),
        ("Published tie and agreement counts", queries.FIGURES),
        ("Source titles", queries.SOURCES),
    ]


def _build_info(store: Store) -> str:
    if isinstance(store, EmbeddedStore):
        meta = store.metadata
        return (
            f"Store: build {store.build_dir.name}, created {meta.get('created', '?')} by "
            f"paradiplo {meta.get('paradiplo', '?')}; SHACL conforms: {meta.get('conforms', '?')}."
        )
    return "Store: a SPARQL endpoint."
