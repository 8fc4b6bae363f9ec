"""Read what the report shows from the store: ties, places, regions, figures, sources.

Everything comes through the ``Store`` protocol and the SPARQL in ``queries``; this
module only turns rows into small records and resolves each place to a point on the
map, saying how (own coordinates, capital, containing city, mean of cities).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from paradiplo.namespaces import PD
from paradiplo.query import run_query
from paradiplo.report import queries
from paradiplo.report.geo import LonLat
from paradiplo.report.scope import Scope
from paradiplo.store import SelectResult, Store, Term

LEVELS = {str(PD.CityLevel): "city", str(PD.RegionLevel): "region", str(PD.MixedLevel): "mixed"}
KINDS = {
    str(PD.SisterTie): "sister",
    str(PD.FriendshipTie): "friendship",
    str(PD.PartnerTie): "partner",
}
UNKNOWN_LEVEL = "unknown"
_YEAR = re.compile(r"^(-?\d{4,})")


@dataclass(frozen=True)
class Tie:
    """A twinning tie with everything its sources state about it, merged."""

    iri: str
    first: str
    second: str
    levels: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def level(self) -> str:
        """city, region or mixed; ``unknown`` when no source says, the first when they differ."""
        return self.levels[0] if self.levels else UNKNOWN_LEVEL

    @property
    def earliest(self) -> str | None:
        """The earliest stated date (``YYYY[-MM[-DD]]``), which the timeline uses."""
        return min(self.dates, key=_date_key) if self.dates else None

    @property
    def year(self) -> int | None:
        """Year of the earliest stated date."""
        return year_of(self.earliest) if self.earliest else None

    @property
    def disputed(self) -> bool:
        """True when sources give dates that contradict each other.

        Dates of different precision that agree ("1995-05" and "1995-05-16") are not a
        disagreement; "1990-08-12" against "1992-08-12" is.
        """
        return any(
            not (a.startswith(b) or b.startswith(a))
            for i, a in enumerate(self.dates)
            for b in self.dates[i + 1 :]
        )


def _date_key(date: str) -> tuple[str, int]:
    return (date, len(date))


def year_of(date: str) -> int | None:
    """The year of an xsd:date, gYearMonth or gYear lexical form."""
    match = _YEAR.match(date)
    return int(match.group(1)) if match else None


def decimal_year(date: str) -> float | None:
    """A date as a fractional year for plotting: 2004-10-26 -> 2004.82, a bare year -> mid-year."""
    parts = date.split("-")
    try:
        year = int(parts[0])
        if len(parts) == 1:
            return year + 0.5
        month = int(parts[1][:2])
        day = int(parts[2][:2]) if len(parts) > 2 else 15
    except (ValueError, IndexError):
        return None
    return year + ((month - 1) * 30.44 + day - 0.5) / 365.25


@dataclass(frozen=True)
class Place:
    """A party of a tie, with the candidates for its point on the map."""

    iri: str
    label: str
    kind: str
    country: str | None = None
    region: str | None = None
    macro: str | None = None
    point: LonLat | None = None
    city_point: tuple[LonLat, str] | None = None
    capital_point: tuple[LonLat, str] | None = None


@dataclass(frozen=True)
class Located:
    """Where a place is drawn and how that point was chosen."""

    point: LonLat
    method: str


@dataclass(frozen=True)
class Area:
    """A country, first-level unit or macro-region: its label and ISO code."""

    iri: str
    label: str
    code: str | None
    kind: str


@dataclass(frozen=True)
class Figure:
    """One value of a published tie or agreement count, as one source states it."""

    iri: str
    label: str
    measure: str
    value: float
    source: str
    quote: str | None
    as_of: str | None
    level: str | None
    region: str | None
    qualifier: str | None
    countries: frozenset[str]

    @property
    def x(self) -> float | None:
        """Where the figure sits on a time axis."""
        return decimal_year(self.as_of) if self.as_of else None


@dataclass
class ReportData:
    """Everything one report shows, read from the store in one go."""

    scope: Scope
    tie_count: int
    ties: list[Tie]
    places: dict[str, Place]
    areas: dict[str, Area]
    figures: list[Figure]
    sources: dict[str, str]
    date_sources: dict[str, list[tuple[str, str]]]
    region_centres: dict[str, tuple[LonLat, int]]
    region_capitals: dict[str, tuple[LonLat, str]]
    located: dict[str, Located] = field(default_factory=dict)

    def label(self, iri: str | None) -> str:
        """The label of a place, area or source; the IRI's last segment if it has none."""
        if iri is None:
            return ""
        if iri in self.places:
            return self.places[iri].label
        if iri in self.areas:
            return self.areas[iri].label
        if iri in self.sources:
            return self.sources[iri]
        return local_name(iri)

    def code(self, iri: str | None) -> str:
        """The ISO code of a country or region, else its label."""
        area = self.areas.get(iri or "")
        return area.code if area and area.code else self.label(iri)


def local_name(iri: str) -> str:
    """The last path segment or fragment of an IRI."""
    return re.split(r"[/#]", iri.rstrip("/"))[-1]


def _select(store: Store, sparql: str) -> SelectResult:
    result = run_query(store, sparql)
    if not isinstance(result, SelectResult):
        raise TypeError("report queries are SELECT queries")
    return result


def _rows(result: SelectResult) -> list[dict[str, Term | None]]:
    return [dict(zip(result.variables, row, strict=True)) for row in result.rows]


def _text(cell: Term | None) -> str | None:
    return cell.value if cell is not None and cell.value != "" else None


def _words(cell: Term | None) -> tuple[str, ...]:
    return tuple(sorted(set(cell.value.split()))) if cell is not None and cell.value else ()


def _point(cell: Term | None) -> LonLat | None:
    """A "lat long" pair (as the queries concatenate them) as (lon, lat)."""
    text = _text(cell)
    if text is None:
        return None
    try:
        lat, lon = (float(v) for v in text.split()[:2])
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 360):
        return None
    return (lon, lat)


def _named_point(cell: Term | None) -> tuple[LonLat, str] | None:
    text = _text(cell)
    point = _point(cell)
    if text is None or point is None:
        return None
    parts = text.split()
    return (point, parts[2] if len(parts) > 2 else "")


def load(store: Store, scope: Scope) -> ReportData:
    """Run the report's queries for ``scope`` and resolve every place to a point."""
    count = _select(store, queries.tie_count(scope))
    cell = count.rows[0][0] if count.rows else None
    data = ReportData(
        scope=scope,
        tie_count=int(cell.value) if cell else 0,
        ties=_ties(store, scope),
        places=_places(store, scope),
        areas=_areas(store),
        figures=_figures(store),
        sources=_sources(store),
        date_sources=_date_sources(store, scope),
        region_centres=_centres(store),
        region_capitals=_capitals(store),
    )
    data.located = locate_all(data)
    return data


def _ties(store: Store, scope: Scope) -> list[Tie]:
    ties = []
    for row in _rows(_select(store, queries.ties(scope))):
        tie = row["tie"]
        first, second = _text(row["first"]), _text(row["second"])
        if tie is None or first is None or second is None:
            continue
        levels = tuple(LEVELS.get(v, local_name(v)) for v in _words(row["levels"]))
        kinds = tuple(KINDS.get(v, local_name(v)) for v in _words(row["kinds"]))
        ties.append(
            Tie(
                tie.value,
                first,
                second,
                levels,
                kinds,
                _words(row["dates"]),
                _words(row["sources"]),
            )
        )
    return sorted(ties, key=lambda t: t.iri)


def _places(store: Store, scope: Scope) -> dict[str, Place]:
    places = {}
    for row in _rows(_select(store, queries.places(scope))):
        iri = row["place"]
        if iri is None:
            continue
        label = _text(row["labelEn"]) or _text(row["label"]) or local_name(iri.value)
        places[iri.value] = Place(
            iri=iri.value,
            label=label,
            kind=_text(row["kind"]) or "place",
            country=_text(row["countryIri"]),
            region=_text(row["regionIri"]),
            macro=_text(row["macroIri"]),
            point=_point(row["point"]),
            city_point=_named_point(row["cityPoint"]),
            capital_point=_named_point(row["capitalPoint"]),
        )
    return places


def _areas(store: Store) -> dict[str, Area]:
    areas = {}
    for row in _rows(_select(store, queries.REGIONS)):
        iri = row["region"]
        if iri is None:
            continue
        label = _text(row["labelEn"]) or _text(row["label"]) or local_name(iri.value)
        kind = local_name(_text(row["class"]) or "")
        areas[iri.value] = Area(iri.value, label, _text(row["iso"]), kind)
    return areas


def _figures(store: Store) -> list[Figure]:
    figures = []
    for row in _rows(_select(store, queries.FIGURES)):
        iri, value, source = row["figure"], _text(row["value"]), _text(row["source"])
        if iri is None or value is None or source is None:
            continue
        try:
            number = float(value)
        except ValueError:
            continue
        level = _text(row["level"])
        figures.append(
            Figure(
                iri=iri.value,
                label=_text(row["label"]) or local_name(iri.value),
                measure=local_name(_text(row["measure"]) or ""),
                value=number,
                source=source,
                quote=_text(row["quote"]),
                as_of=_text(row["asOf"]),
                level=LEVELS.get(level, local_name(level)) if level else None,
                region=_text(row["region"]),
                qualifier=local_name(q) if (q := _text(row["qualifier"])) else None,
                countries=frozenset(_words(row["countries"])),
            )
        )
    return sorted(figures, key=lambda f: (f.x or 0.0, f.iri, f.source))


def _sources(store: Store) -> dict[str, str]:
    rows = _rows(_select(store, queries.SOURCES))
    return {
        s.value: _text(r["name"]) or _text(r["fullTitle"]) or local_name(s.value)
        for r in rows
        if (s := r["source"])
    }


def _date_sources(store: Store, scope: Scope) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in _rows(_select(store, queries.date_sources(scope))):
        tie, date, source = _text(row["tie"]), _text(row["established"]), _text(row["source"])
        if tie and date and source:
            out[tie].append((date, source))
    return dict(out)


def _centres(store: Store) -> dict[str, tuple[LonLat, int]]:
    """Mean city position per first-level unit, with the antimeridian handled.

    SPARQL has no trigonometry, so the query returns both the plain mean longitude and
    the mean taken on 0..360; when the unit's cities span more than 180 degrees of
    longitude (Chukotka) the second is the right one.
    """
    out = {}
    for row in _rows(_select(store, queries.REGION_CENTRES)):
        region = _text(row["region"])
        values = [
            _float(row[k]) for k in ("meanLat", "meanLong", "meanLong360", "westmost", "eastmost")
        ]
        n = int(_text(row["cities"]) or 0)
        if region is None or n == 0 or any(v is None for v in values):
            continue
        lat, lon, lon360, west, east = (v for v in values if v is not None)
        out[region] = (region_centre(lat, lon, lon360, west, east), n)
    return out


def region_centre(lat: float, lon: float, lon360: float, west: float, east: float) -> LonLat:
    """The mean point of a unit's cities from the query's means and extremes.

    ``lon`` is the plain mean longitude, ``lon360`` the mean taken on 0..360; when the
    cities span more than 180 degrees of longitude (Chukotka), the unit straddles the
    antimeridian and the second is right, brought back into -180..180.
    """
    if east - west > 180:
        lon = lon360 - 360 if lon360 > 180 else lon360
    return (lon, lat)


def _float(cell: Term | None) -> float | None:
    text = _text(cell)
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _capitals(store: Store) -> dict[str, tuple[LonLat, str]]:
    out = {}
    for row in _rows(_select(store, queries.REGION_CAPITALS)):
        region, point = _text(row["region"]), _named_point(row["point"])
        if region and point:
            out[region] = point
    return out


def locate_all(data: ReportData) -> dict[str, Located]:
    """A point for every place that can have one (see ``locate``)."""
    located = {}
    for iri, place in data.places.items():
        found = locate(place, data.region_capitals, data.region_centres, data.label)
        if found is not None:
            located[iri] = found
    return located


def locate(
    place: Place,
    capitals: Mapping[str, tuple[LonLat, str]],
    centres: Mapping[str, tuple[LonLat, int]],
    label: Callable[[str], str] = local_name,
) -> Located | None:
    """Where to draw a place, first rule that applies:

    1. its own ``geo:lat``/``geo:long``;
    2. a region's capital (a city that is ``pd:capitalOf`` it) with coordinates;
    3. a district's containing city with coordinates;
    4. a region: the mean position of its cities in the data;
    5. otherwise the point of its first-level unit (capital, else mean of cities).
    """
    name = label
    if place.point is not None:
        return Located(place.point, "own coordinates")
    if place.capital_point is not None:
        point, city = place.capital_point
        return Located(point, f"capital ({name(city)})")
    if place.kind == "region" and place.iri in capitals:
        point, city = capitals[place.iri]
        return Located(point, f"capital ({name(city)})")
    if place.city_point is not None:
        point, city = place.city_point
        return Located(point, f"containing city ({name(city)})")
    if place.kind == "region" and place.iri in centres:
        point, n = centres[place.iri]
        return Located(point, f"mean of {_cities(n)} in the data")
    if place.region is not None and place.region in capitals:
        point, city = capitals[place.region]
        return Located(point, f"capital of {name(place.region)} ({name(city)})")
    if place.region is not None and place.region in centres:
        point, n = centres[place.region]
        return Located(point, f"mean of {_cities(n)} of {name(place.region)}")
    return None


def _cities(n: int) -> str:
    return f"{n} city" if n == 1 else f"{n} cities"
