"""The report page: one HTML file that works offline, with everything it needs inlined.

Leaflet, its CSS, the country outlines, the map data and the timeline SVGs are all in
the file; the PNG/SVG figures, GraphML and GEXF beside it are linked for download. No
element refers to anything on the network, so opening the page makes no request.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from paradiplo import __version__
from paradiplo.report import assets
from paradiplo.report.data import Figure, ReportData, Tie
from paradiplo.report.figures import LEVEL_COLORS
from paradiplo.report.maplayer import MapLayer
from paradiplo.report.network import Betweenness, PlaceMeasure, Rank
from paradiplo.report.timeline import Timeline
from paradiplo.reproduce import Report as Reproduction
from paradiplo.reproduce import summary as reproduction_summary
from paradiplo.verdict_report import counts_by_source, evidence_sources
from paradiplo.verdicts import VERDICTS, claim_in_words

MAX_LISTED = 500
"""Longest list of places or ties written into the page (the CSV and GraphML hold all)."""


@dataclass
class Ranking:
    """One ranking table with its figure files."""

    id: str
    title: str
    rows: list[Rank]
    figure: str


@dataclass
class Page:
    """Everything the page shows, computed by ``generate``."""

    data: ReportData
    layer: MapLayer
    assets: assets.Assets
    countries: dict[str, Any] | None
    map_svg: str
    timelines: list[tuple[str, str, Timeline, str]]
    overlay: list[Figure]
    listed: list[Figure]
    measures: list[PlaceMeasure]
    between: Betweenness
    summary: dict[str, str]
    rankings: list[Ranking]
    reproduction: Reproduction | None
    reproduction_note: str
    downloads: list[tuple[str, str]]
    queries: list[tuple[str, str]]
    build_info: str
    top_n: int = 20
    notes: list[str] = field(default_factory=list)


def esc(value: object) -> str:
    """Text escaped for HTML content and attribute values."""
    return escape(str(value), quote=True)


def _json_script(element_id: str, value: object) -> str:
    """JSON in a non-executed script element; ``</`` is escaped so it cannot end it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def _inline_script(text: str) -> str:
    return "<script>" + _script_text(text) + "</script>"


def _script_text(text: str) -> str:
    """What an inline script element holds: ``</script`` escaped, line ends as the HTML
    parser leaves them (LF), so that ``_script_hash`` matches what the browser hashes."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("</script", "<\\/script")


def _script_hash(text: str) -> str:
    digest = hashlib.sha256(_script_text(text).encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(scripts: list[str]) -> str:
    """The report's policy: only its own inline scripts (by hash) run, nothing is fetched.

    The report is one file opened from disk, so everything is inline: scripts are allowed
    by their SHA-256 (not ``'unsafe-inline'``), so a script injected through a name in the
    data would not run; styles need ``'unsafe-inline'`` (Leaflet's and the legend's style
    attributes); ``data:`` images are Leaflet's. Nothing may be fetched (``connect-src``
    and the rest fall back to ``default-src 'none'``), matching the "no request beyond
    the file itself" rule. ``frame-ancestors`` cannot be set from a meta element.
    """
    hashes = " ".join(_script_hash(s) for s in scripts)
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src {hashes}" if hashes else "script-src 'none'",
            "style-src 'unsafe-inline'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
            "object-src 'none'",
        )
    )


def _inline_style(text: str) -> str:
    return "<style>" + text.replace("</style", "<\\/style") + "</style>"


def inline_svg(svg: str, prefix: str) -> str:
    """An SVG document as an element to put in HTML, its ids prefixed to stay unique."""
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    ids = set(re.findall(r'\bid="([^"]+)"', body))
    if ids:
        pattern = re.compile(
            r'(\bid="|#)('
            + "|".join(map(re.escape, sorted(ids, key=len, reverse=True)))
            + r')(?=["\)])'
        )
        body = pattern.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", body)
    return body


def _table(
    head: Sequence[str],
    rows: Iterable[Sequence[object]],
    numeric: set[int] | None = None,
    cls: str = "",
) -> str:
    numeric = numeric or set()
    th = "".join(
        f'<th class="num">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
        for i, h in enumerate(head)
    )
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{esc(v)}</td>'
            if i in numeric
            else f"<td>{v if isinstance(v, Raw) else esc(v)}</td>"
            for i, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class Raw(str):
    """Markup that ``_table`` must not escape (already built from escaped parts)."""


# --- map data -------------------------------------------------------------------------


def tie_popup(tie: Tie, data: ReportData) -> str:
    """Parties, level, kinds, dates (with their sources where they disagree) and sources."""
    parts = [f"<b>{esc(data.label(tie.first))} \N{EN DASH} {esc(data.label(tie.second))}</b>"]
    parts.append(
        f"level: {esc(tie.level)}" + (f"; kind: {esc(', '.join(tie.kinds))}" if tie.kinds else "")
    )
    if tie.dates:
        dated = data.date_sources.get(tie.iri)
        if dated and tie.disputed:
            by = "; ".join(f"{esc(d)} ({esc(data.label(s))})" for d, s in dated)
            parts.append(f"established: <b>dates disputed</b>: {by}")
        else:
            parts.append(f"established: {esc(' / '.join(tie.dates))}")
    else:
        parts.append("established: no date stated")
    sources = [esc(data.label(s)) for s in tie.sources[:5]]
    more = f" and {len(tie.sources) - 5} more" if len(tie.sources) > 5 else ""
    parts.append(f"sources ({len(tie.sources)}): " + "; ".join(sources) + more)
    parts.append(f'<span class="note">{esc(tie.iri)}</span>')
    return "<br>".join(parts)


def _place_popup(iri: str, data: ReportData, degree: int) -> str:
    place = data.places.get(iri)
    located = data.located.get(iri)
    parts = [f"<b>{esc(data.label(iri))}</b>"]
    if place is not None:
        where = ", ".join(
            esc(data.label(x)) for x in (place.region, place.country) if x and x != iri
        )
        parts.append(f"{esc(place.kind)}" + (f" in {where}" if where else ""))
    parts.append(f"ties in this report: {degree}")
    if located is not None:
        parts.append(f"point: {esc(located.method)}")
    return "<br>".join(parts)


def map_data(page: Page, degrees: dict[str, int]) -> dict[str, Any]:
    """The JSON the page's script draws: lines, points, colours, legend and bounds."""
    layer, data = page.layer, page.data
    lines = [
        {
            "c": [[round(lat, 3), round(lon, 3)] for lon, lat in line.coords],
            "l": line.tie.level,
            "p": tie_popup(line.tie, data),
        }
        for line in layer.lines
    ]
    points = [
        {
            "lat": round(lat, 4),
            "lon": round(lon, 4),
            "n": data.label(iri),
            "d": degrees.get(iri, 0),
            "p": _place_popup(iri, data, degrees.get(iri, 0)),
        }
        for iri, (lon, lat) in sorted(layer.points.items())
    ]
    lats = [lat for line in layer.lines for _, lat in line.coords] or [0.0]
    lons = [lon for line in layer.lines for lon, _ in line.coords] or [0.0]
    legend: dict[str, int] = {}
    for line in layer.lines:
        legend[line.tie.level] = legend.get(line.tie.level, 0) + 1
    return {
        "lines": lines,
        "points": points,
        "colors": LEVEL_COLORS,
        "legend": {k: legend[k] for k in LEVEL_COLORS if k in legend},
        "bounds": [[min(lats), min(lons)], [max(lats), max(lons)]],
    }


def _rounded(collection: dict[str, Any]) -> dict[str, Any]:
    """Country outlines with coordinates rounded to 0.01 degree (the data's precision)."""

    def walk(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, 2)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": f["properties"].get("name", "")},
                "geometry": walk(f["geometry"]),
            }
            for f in collection["features"]
        ],
    }


# --- sections -------------------------------------------------------------------------


def render(page: Page, degrees: dict[str, int]) -> str:
    """The whole page."""
    data = page.data
    title = f"Twinning ties: {data.scope.title}"
    leaflet = page.assets.leaflet()
    scripts = []
    if leaflet is not None:
        scripts = [leaflet[1].read_text(encoding="utf-8"), assets.own("report.js")]
    head = [
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="'
        + esc(content_security_policy(scripts))
        + '">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)} — paradiplo report</title>",
        _inline_style(assets.own("report.css")),
    ]
    if leaflet is not None:
        head.append(_inline_style(leaflet[0].read_text(encoding="utf-8")))
        head.append(_inline_script(scripts[0]))
    body = [
        _header(page, title),
        _map_section(page, leaflet is not None),
        _timeline_section(page),
        _network_section(page),
        _reproduction_section(page),
        _queries_section(page),
        _footer(page),
    ]
    if leaflet is not None:
        body.append(
            _json_script(
                "pd-countries",
                _rounded(page.countries)
                if page.countries
                else {"type": "FeatureCollection", "features": []},
            )
        )
        body.append(_json_script("pd-map-data", map_data(page, degrees)))
        body.append(_inline_script(scripts[1]))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n'
        + "\n".join(head)
        + "\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _header(page: Page, title: str) -> str:
    data = page.data
    dated = sum(1 for t in data.ties if t.dates)
    facts = (
        f"{data.tie_count} ties between {len(data.places)} places; {dated} with a stated date; "
        f"{len(page.listed)} published tie/agreement counts for this scope."
    )
    nav = "".join(
        f'<a href="#{i}">{esc(t)}</a>'
        for i, t in (
            ("map", "Map"),
            ("timeline", "Timeline"),
            ("network", "Network"),
            ("reproduction", "Reproduction"),
            ("queries", "Queries"),
        )
    )
    notes = "".join(f'<p class="warning">{esc(n)}</p>' for n in page.notes)
    return (
        f"<header><h1>{esc(title)}</h1>"
        f'<p class="meta">{esc(facts)}<br>{esc(page.build_info)}</p>'
        f"<nav>{nav}</nav>{notes}</header>"
    )


def _map_section(page: Page, interactive: bool) -> str:
    layer, data = page.layer, page.data
    parts = ['<section id="map"><h2>Map of ties</h2>']
    if interactive:
        parts.append('<div id="pd-map" class="map" role="region" aria-label="map of ties"></div>')
        if page.countries is None:
            parts.append(
                '<p class="warning">The country outlines (npm package world-atlas) are not '
                "installed with this copy of paradiplo, so the map has no coastlines.</p>"
            )
    else:
        missing = ", ".join(page.assets.missing())
        parts.append(
            f'<p class="warning">Interactive map unavailable: {esc(missing)} not found in '
            f"{esc(page.assets.vendor_dir)} (installed from npm when the package is built). "
            "Showing the static map instead.</p>"
        )
        parts.append(f'<figure id="map-static">{page.map_svg}</figure>')
    drawn = len(layer.lines)
    note = f"{drawn} of {layer.ties_total} ties drawn as great-circle lines"
    if layer.sampled:
        note += (
            f" (at most {layer.max_lines}: a uniform sample chosen by a hash of the tie IRI, "
            "the same on every run; all ties are in the tables, GraphML and GEXF)"
        )
    if layer.unlocated:
        note += f"; {len(layer.unlocated)} not drawn because a party has no point (listed below)"
    parts.append(
        f'<p class="note">{esc(note)}. Colour = level; click a line for its parties, level, '
        "dates and sources.</p>"
    )
    representative = sorted(
        (data.label(iri), loc.method)
        for iri, loc in data.located.items()
        if loc.method != "own coordinates"
    )
    if representative:
        shown = representative[:MAX_LISTED]
        more = len(representative) - len(shown)
        parts.append(
            f"<details><summary>{len(representative)} places drawn at a representative point "
            "(regions and districts have no coordinates of their own)</summary>"
            '<p class="note">Rule: the place\'s own geo:lat/geo:long; else the capital city '
            "(pd:capitalOf) if the data names one; else, for a district, the city containing "
            "it; else, for a region, the mean position of its cities in the data (a rough "
            "centre, not a centroid of the territory); else the point of its first-level unit.</p>"
            + _table(("place", "point"), shown)
            + (f'<p class="note">… and {more} more (see places.csv).</p>' if more else "")
            + "</details>"
        )
    if layer.unlocated:
        rows = [(data.label(t.first), data.label(t.second), t.level) for t in layer.unlocated]
        unplaced = sorted(
            {
                data.label(p)
                for t in layer.unlocated
                for p in (t.first, t.second)
                if p not in data.located
            }
        )
        parts.append(
            f"<details><summary>{len(rows)} ties not drawn: no point for "
            f"{esc(', '.join(unplaced[:12]))}{' …' if len(unplaced) > 12 else ''}</summary>"
            + _table(("party", "party", "level"), rows[:MAX_LISTED])
            + "</details>"
        )
    parts.append(f'<p class="note">Static figure for papers: {_links("map")}.</p></section>')
    return "".join(parts)


def _links(name: str) -> str:
    return ", ".join(f'<a href="{esc(name)}.{ext}">{esc(name)}.{ext}</a>' for ext in ("png", "svg"))


def _timeline_section(page: Page) -> str:
    data = page.data
    parts = ['<section id="timeline"><h2>Timeline</h2>']
    parts.append(
        '<p class="note">Each tie is counted in the year of its earliest stated date; where '
        "sources contradict each other on the date it is still counted there, hatched, and "
        "listed below. Cumulative counts are through the end of each year and include only "
        "dated ties, so they are lower bounds. Published figures are drawn as points with their "
        "source; they count what their source counts (agreements, sister-city pairs), not "
        "necessarily what the graph records.</p>"
    )
    for element_id, caption, timeline, svg in page.timelines:
        parts.append(
            f'<figure id="{esc(element_id)}">{svg}<figcaption>{esc(caption)} — {_links(element_id)}'
            "</figcaption></figure>"
        )
        parts.append(_per_year_table(timeline, element_id))
    parts.append("<h3>Published figures</h3>")
    if page.listed:
        rows = [
            (
                f.label,
                f"{f.value:g}",
                _measure(f),
                f.level or "all levels",
                data.label(f.region) if f.region else "",
                f.as_of or "",
                data.label(f.source),
                f.quote or "",
                "yes" if f in page.overlay else "no",
            )
            for f in page.listed
        ]
        parts.append(
            _table(
                (
                    "figure",
                    "value",
                    "measure",
                    "level",
                    "region",
                    "as of",
                    "source",
                    "quote",
                    "drawn",
                ),
                rows,
                {1},
            )
        )
        if not data.scope.countries:
            parts.append(
                '<p class="note">Published counts refer to particular pairs of countries, so '
                "none is drawn on the all-ties timeline; see the china-russia and china-us "
                "reports.</p>"
            )
    else:
        parts.append('<p class="note">No published tie or agreement count for this scope.</p>')
    parts.append(_disputes(page))
    parts.append("</section>")
    return "".join(parts)


def _measure(f: Figure) -> str:
    return {"AgreementCount": "agreements", "TieCount": "ties"}.get(f.measure, f.measure)


def _per_year_table(timeline: Timeline, element_id: str) -> str:
    if not timeline.years:
        return ""
    head = ["year", *timeline.series, "disputed", "all", "cumulative"]
    per = {s: timeline.per_year(s) for s in timeline.series}
    disputed = [
        sum(col)
        for col in zip(*(timeline.disputed_per_year(s) for s in timeline.series), strict=True)
    ]
    cumulative = timeline.cumulative()
    rows = []
    for i, year in enumerate(timeline.years):
        counts = [per[s][i] for s in timeline.series]
        rows.append((year, *counts, disputed[i], sum(counts), cumulative[i]))
    undated = ", ".join(f"{s}: {n}" for s, n in timeline.undated.items())
    numeric = set(range(1, len(head)))
    return (
        f'<details id="{esc(element_id)}-table"><summary>Ties per year (table)</summary>'
        + _table(head, rows, numeric)
        + (f'<p class="note">Undated ties — {esc(undated)}.</p>' if undated else "")
        + "</details>"
    )


def _disputes(page: Page) -> str:
    data = page.data
    disputed = [t for t in data.ties if t.disputed]
    if not disputed:
        return '<h3>Dates the sources disagree on</h3><p class="note">None in this scope.</p>'
    rows = []
    for tie in disputed:
        stated = data.date_sources.get(tie.iri, [(d, "") for d in tie.dates])
        by = "; ".join(f"{d} ({data.label(s)})" if s else d for d, s in stated)
        rows.append((data.label(tie.first), data.label(tie.second), tie.earliest or "", by))
    return f"<h3>Dates the sources disagree on ({len(disputed)})</h3>" + _table(
        ("party", "party", "used (earliest)", "stated dates and sources"), rows
    )


def _network_section(page: Page) -> str:
    parts = ['<section id="network"><h2>Network measures</h2>']
    facts = "; ".join(f"{k}: {v}" for k, v in page.summary.items())
    parts.append(f'<p class="note">{esc(facts)}.</p>')
    how = (
        "exact (Brandes)"
        if page.between.exact
        else f"estimated from {page.between.sample} sampled source places (fixed seed)"
    )
    parts.append(
        f'<p class="note">Places are nodes and ties are edges. Degree = number of ties; '
        f"betweenness = normalised betweenness centrality on the graph of places, {esc(how)}. "
        "Rankings count ties: a city's ties roll up to the first-level unit it lies in "
        "(pd:locatedIn), a region's own ties count for itself.</p>"
    )
    rows = [
        (m.label, m.country, m.degree, f"{m.betweenness:.4f}") for m in page.measures[: page.top_n]
    ]
    parts.append(f"<h3>Places by number of ties (top {page.top_n})</h3>")
    parts.append(_table(("place", "country", "degree", "betweenness"), rows, {2, 3}))
    parts.append(f'<p class="note">Figure: {_links("rank-places")}.</p>')
    parts.append('<div class="grid">')
    for ranking in page.rankings:
        parts.append(
            f'<div id="{esc(ranking.id)}"><h3>{esc(ranking.title)}</h3>'
            + _table(("", "ties"), [(r.label, r.ties) for r in ranking.rows[: page.top_n]], {1})
            + (
                f'<p class="note">{len(ranking.rows)} in all; figure: {_links(ranking.figure)}.</p>'
                if ranking.rows
                else '<p class="note">Nothing to rank in this scope.</p>'
            )
            + "</div>"
        )
    parts.append("</div>")
    downloads = ", ".join(
        f'<a href="{esc(path)}">{esc(label)}</a>' for label, path in page.downloads
    )
    parts.append(
        f"<p>Downloads: {downloads}. Node attributes: label, country, type, region, "
        "region_label, macroregion, lat, long, point, degree, betweenness; edge attributes "
        "(edge id = tie IRI): level, kind, established, established_disputed, source_count.</p>"
    )
    parts.append("</section>")
    return "".join(parts)


_STATUS_CLASS = re.compile(r"[^a-z]")


def _reproduction_section(page: Page) -> str:
    """Verdicts per source, then each finding: claim, both values, verdict, evidence, why."""
    parts = ['<section id="reproduction"><h2>The sources\' findings: verdicts</h2>']
    report = page.reproduction
    if report is None or not report.outcomes:
        parts.append(f'<p class="note">{esc(page.reproduction_note)}</p></section>')
        return "".join(parts)
    parts.append(
        f'<p class="note">{esc(reproduction_summary(report))}. {esc(page.reproduction_note)} '
        "A verdict rests only on records independent of the claiming source (by provenance); "
        "the regression column says whether the finding's query still gives its saved "
        "answer.</p>"
    )
    counts = counts_by_source(report.judgements)
    parts.append(
        _table(
            ("source", "findings", *VERDICTS),
            [
                (source, str(sum(c.values())), *(str(c[v]) for v in VERDICTS))
                for source, c in counts.items()
            ],
            cls="verdict-counts",
        )
    )
    rows = []
    for j in report.judgements:
        verdict = _STATUS_CLASS.sub("", j.verdict)
        rows.append(
            (
                j.finding.pack,
                j.finding.name,
                claim_in_words(j.finding.comment),
                j.stated,
                j.evidence,
                Raw(f'<span class="verdict-{verdict}">{esc(j.verdict)}</span>'),
                evidence_sources(j),
                j.explanation,
                j.regression or "",
            )
        )
    parts.append(
        _table(
            (
                "source",
                "finding",
                "claim",
                "source says",
                "evidence says",
                "verdict",
                "evidence from",
                "why",
                "regression",
            ),
            rows,
            cls="reproduction",
        )
    )
    failing = [o for o in report.outcomes if o.status in ("differs", "error", "violation")]
    if failing:
        parts.append(
            _table(
                ("pack", "finding", "status", "detail"),
                [(o.pack, o.finding, o.status, o.detail or o.got) for o in failing],
                cls="reproduction-failures",
            )
        )
    parts.append("</section>")
    return "".join(parts)


def _queries_section(page: Page) -> str:
    parts = [
        '<section id="queries"><h2>Queries</h2>',
        '<p class="note">Everything above comes from these SPARQL queries on the store; rerun '
        "any of them with <code>paradiplo query --file</code>.</p>",
    ]
    for title, sparql in page.queries:
        parts.append(f"<details><summary>{esc(title)}</summary><pre>{esc(sparql)}</pre></details>")
    parts.append("</section>")
    return "".join(parts)


def _footer(page: Page) -> str:
    return (
        '<footer><p class="note">Generated by paradiplo '
        f"{esc(__version__)}. Map: Leaflet (BSD-2-Clause); country outlines: Natural Earth "
        "1:110m via the world-atlas package (public domain / ISC). Scope "
        f"<code>{esc(page.data.scope.name)}</code>; data graph licensed CC BY 4.0, third-party "
        f"facts and quotations keep their sources' terms.</p></footer>"
    )
