"""Import Wikipedia's lists of twin towns and sister cities (``twin_cities.csv``).

``paradiplo import twin-cities-csv PATH`` reads the CSV scraped from the 81 country pages
of Wikipedia's "List of twin towns and sister cities" (columns ``city1,country1,city2,
country2``, and in ``twin_cities.csv`` also ``lat1,lng1,lat2,lng2``), reconciles both
parties of every row (``paradiplo.importers.reconcile``) and builds the registry graph
``pdg:registry-wikipedia-twin-cities`` (``paradiplo.importers.registry_import``).

The file is read as CSV (RFC 4180): a quoted cell may hold commas, quotes and line
breaks, so one row may span several lines. Row ``n`` starts on line ``n + 1`` of the file
(``record:wikipedia-twin-cities-<n>`` points there; in the files as published every row is
one line, so row ``n`` is the ``n``-th line after the header). A row is left out, with its
line and the reason, when it is malformed (wrong number of fields, an empty name or
country, a coordinate that is not a number, bytes that are not UTF-8, a quote never
closed within ``MAX_ROW_LINES`` lines), names a country that cannot be identified,
names the same place twice, or joins two places of one country (the ontology's twinning
tie joins places of two countries). Good rows are imported whatever the bad ones are.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from paradiplo.importers.reconcile import CountryRef, Reconciler, resolve_country
from paradiplo.importers.registry_import import (
    ImportReport,
    Registry,
    RegistryFileError,
    RegistryGraph,
    RegistryImport,
    group_counts,
    sha256_of,
    tie_pairs,
)
from paradiplo.namespaces import PD
from paradiplo.progress import track

REGISTRY = Registry(
    id="wikipedia-twin-cities",
    title="Wikipedia: lists of twin towns and sister cities",
    creator="Wikipedia contributors",
    license="https://creativecommons.org/licenses/by-sa/4.0/",
    url="https://en.wikipedia.org/wiki/Lists_of_twin_towns_and_sister_cities",
    description=(
        "The 81 country pages of Wikipedia's 'List of twin towns and sister cities', as "
        "scraped in early 2026 by the public project Hekman/twincities into a CSV of city "
        "pairs with their countries (twin_cities_raw.csv) and, geocoded, coordinates "
        "(twin_cities.csv; some are wrong). The lists give no dates, mix levels (a city "
        "paired with an oblast) and may list a pair on both countries' pages. Content: "
        "Wikipedia contributors, CC BY-SA 4.0."
    ),
)
NAMES = ("city1", "country1", "city2", "country2")
COORDINATES = ("lat1", "lng1", "lat2", "lng2")


@dataclass(frozen=True)
class Party:
    """One side of a row as the file gives it."""

    name: str
    country: str
    lat: float | None
    lng: float | None


@dataclass(frozen=True)
class Row:
    """A well-formed row: its number, line and two parties."""

    number: int
    line: int
    first: Party
    second: Party

    @property
    def label(self) -> str:
        a, b = self.first, self.second
        return f"{a.name}, {a.country} \u2013 {b.name}, {b.country}"


@dataclass(frozen=True)
class BadRow:
    """A row that cannot be read, with the reason."""

    number: int
    line: int
    message: str


def read_header(path: Path, first_line: bytes) -> list[str]:
    """The column names; a file without the required ones cannot be imported."""
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegistryFileError(f"{path}:1:{exc.start + 1}: header is not UTF-8") from exc
    header = [h.strip() for h in next(csv.reader([text.rstrip("\r")]), [])]
    missing = [c for c in NAMES if c not in header]
    if missing:
        raise RegistryFileError(
            f"{path}:1: missing column(s) {', '.join(missing)}: expected a header with "
            f"{','.join(NAMES)} (and optionally {','.join(COORDINATES)}), got {','.join(header)}"
        )
    return header


MAX_ROW_LINES = 20  # a quoted cell spanning more lines is taken for a stray quote


def read_rows(path: Path) -> tuple[int, Iterator[Row | BadRow]]:
    """The number of rows and the rows of a twin-cities CSV, bad rows included.

    Bytes that are not UTF-8 spoil only the row holding them (they are decoded as lone
    surrogates and reported by ``_row``); a quote left open spoils only the row it opens:
    reading resumes on the next line.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegistryFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    first, _, _ = data.partition(b"\n")
    if not first.strip():
        raise RegistryFileError(f"{path}:1: empty file: expected a header {','.join(NAMES)}")
    header = read_header(path, first)
    parts = data.decode("utf-8", errors="surrogateescape").split("\n")
    lines = [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    records = list(_records(lines[1:], first_line=2))
    return len(records), (_row(path, header, *record) for record in records)


Record = tuple[int, "list[str] | str", list[str]]


def _records(lines: list[str], first_line: int) -> Iterator[Record]:
    """(line number, fields or the CSV error, physical lines) of each non-blank row."""
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        window = lines[i : i + MAX_ROW_LINES]
        reader = csv.reader(iter(window), strict=True)
        try:
            fields = next(reader)
        except csv.Error as exc:
            message = str(exc)
            if message == "unexpected end of data":
                message = (
                    "a quoted cell is not closed before the end of the file"
                    if i + len(window) >= len(lines)
                    else f"a quoted cell is not closed within {MAX_ROW_LINES} lines"
                )
            yield first_line + i, message, [lines[i]]
            i += 1
            continue
        used = reader.line_num
        yield first_line + i, fields, window[:used]
        i += used


def _row(path: Path, header: list[str], line_no: int, parsed: list[str] | str,
         raw: list[str]) -> Row | BadRow:  # fmt: skip
    number = line_no - 1
    for offset, text in enumerate(raw):
        bad = next((k for k, ch in enumerate(text) if "\udc80" <= ch <= "\udcff"), None)
        if bad is not None:
            at = len(text[:bad].encode("utf-8", errors="surrogateescape")) + 1
            byte = f"{ord(text[bad]) - 0xDC00:02x}"
            where = f"{path.name}:{line_no + offset}:{at}"
            return BadRow(number, line_no, f"{where}: row {number}: not UTF-8 (byte 0x{byte})")
    if isinstance(parsed, str):
        return BadRow(number, line_no, f"{path.name}:{line_no}: row {number}: {parsed}")
    fields = parsed
    if len(fields) != len(header):
        return BadRow(
            number,
            line_no,
            f"{path.name}:{line_no}: row {number}: {len(fields)} fields, expected "
            f"{len(header)} ({','.join(header)})",
        )
    cells = {name: value.strip() for name, value in zip(header, fields, strict=True)}
    problems = [f"column {c} is empty" for c in NAMES if not cells[c]]
    coordinates: dict[str, float | None] = {}
    for column in COORDINATES:
        value, problem = _coordinate(column, cells.get(column, ""))
        coordinates[column] = value
        if problem:
            problems.append(problem)
    if problems:
        return BadRow(
            number, line_no, f"{path.name}:{line_no}: row {number}: {'; '.join(problems)}"
        )
    first = Party(cells["city1"], cells["country1"], coordinates["lat1"], coordinates["lng1"])
    second = Party(cells["city2"], cells["country2"], coordinates["lat2"], coordinates["lng2"])
    return Row(number, line_no, first, second)


def _coordinate(column: str, text: str) -> tuple[float | None, str | None]:
    """A latitude or longitude (empty is allowed: no coordinates), or why it is bad."""
    if not text:
        return None, None
    try:
        value = float(text)
    except ValueError:
        return None, f"column {column} {text!r} is not a number"
    limit = 90.0 if column.startswith("lat") else 180.0
    if not math.isfinite(value) or abs(value) > limit:
        return None, f"column {column} {text!r} is outside -{limit:g}..{limit:g}"
    return value, None


def import_csv(path: Path, root: Path | None = None, *, progress: bool = False) -> RegistryImport:
    """Read, reconcile and turn a twin-cities CSV into the registry graph and its report."""
    start = time.perf_counter()
    total, rows = read_rows(path)
    report = ImportReport(REGISTRY.id, path.name, sha256_of(path))
    reconciler = Reconciler(root)
    graph = RegistryGraph(REGISTRY, reconciler, report)
    report.seconds["read"] = round(time.perf_counter() - start, 3)
    start = time.perf_counter()
    for row in track(rows, "reconcile rows", total=total, enabled=progress):
        report.rows_read += 1
        if isinstance(row, BadRow):
            report.reject(row.number, row.line, "bad-row", row.message)
            continue
        _add_row(row, path, reconciler, graph, report)
    report.flags = list(reconciler.flags)
    report.notes.update(reconciler.notes)
    report.extra["ties_by_country_pair"] = _focus_pairs(graph)
    note = f"Imported from {path.name} (SHA-256 {report.sha256})."
    quads = graph.quads([(PD.sourceNote, ox.Literal(note))])
    report.quads = len(quads)
    report.seconds["reconcile"] = round(time.perf_counter() - start, 3)
    return RegistryImport(REGISTRY, quads, report)


def _add_row(
    row: Row, path: Path, reconciler: Reconciler, graph: RegistryGraph, report: ImportReport
) -> None:
    refs: list[CountryRef] = []
    for column, party in (("country1", row.first), ("country2", row.second)):
        ref = resolve_country(party.country)
        if ref is None:
            message = (
                f"{path.name}:{row.line}: row {row.number}: column {column}: unknown country "
                f"{party.country!r} (neither a pycountry name nor in reconcile.COUNTRIES)"
            )
            report.reject(row.number, row.line, "unknown-country", message)
            return
        refs.append(ref)
    a = reconciler.resolve(row.first.name, refs[0], row.first.lat, row.first.lng)
    b = reconciler.resolve(row.second.name, refs[1], row.second.lat, row.second.lng)
    report.mention(row.first.name, refs[0].iso2, a)
    report.mention(row.second.name, refs[1].iso2, b)
    graph.add(row.number, row.line, row.label, a, b)


FOCUS = ("CN-RU", "CN-US", "RU-US")


def _focus_pairs(graph: RegistryGraph) -> dict[str, int]:
    """Ties between the project's three countries, by pair."""
    counts = group_counts(tie_pairs(graph))
    return {pair: counts.get(pair, 0) for pair in FOCUS}
