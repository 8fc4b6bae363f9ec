"""Property tests of the registry importer: random rows are imported or rejected, never a crash.

Rows mix plausible cells (so that many are accepted) with arbitrary text (quotes, commas,
newlines, control characters, other scripts). For every generated file the importer must
either accept all rows, and then write TriG that paradiplo loads without an error, or name
each bad row with its line, its row number and a reason; a row that is rejected on its own
must be rejected, under its own number, in any file that contains it.
"""

from __future__ import annotations

import csv
import re
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape as _escape

import hypothesis.strategies as st
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, event, given, settings

from paradiplo.content import ContentFile, Kind, Syntax
from paradiplo.importers import registry_csv as rc
from paradiplo.importers import twin_cities, wikidata_gexf
from paradiplo.importers.registry_import import RegistryFileError
from paradiplo.literals import check_literal
from paradiplo.load import load_file

from .support import REPO, tried

pytestmark = pytest.mark.slow

PARTIES_CN = ["city:cn-harbin", "city:cn-beijing", "region:cn-hl", "district:cn-nangang"]
PARTIES_RU = ["city:ru-khabarovsk", "city:ru-moscow", "region:ru-amu", "district:ru-khasansky"]
SOURCES = {"https://example.org/a": "Example page", "http://example.org/b?x=1&y=2": "Пример"}
QUOTES = ["The two cities were twinned in 1993.", 'He said "yes, twinned".', "友好城市, 1993"]
GARBAGE = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]),  # no lone surrogates: not encodable
    max_size=40,
)
BAD = {
    "party_a": ["city:CN-x", "region:cn-zz", "city:xq-a", "ru-moscow", ""],
    "party_b": ["city:cn-harbin", "city:ru-", "region:ru-xx"],
    "level": ["town", "CITY", ""],
    "kind": ["twin", ""],
    "established": ["93", "1993-02-30", "2004-13-40", "1993-6-1"],
    "source_url": ["ftp://x", "javascript:alert(1)", "https://exa mple.org", ""],
    "quote": ["", "ok", "x" * 301],
}


def _level(a: str, b: str) -> str:
    kinds = {a.split(":")[0] == "region", b.split(":")[0] == "region"}
    return "region" if kinds == {True} else "city" if kinds == {False} else "mixed"


@st.composite
def registry_rows(draw: st.DrawFn) -> dict[str, str]:
    """A valid row, then up to two cells replaced by a known-bad value or arbitrary text."""
    a, b = draw(st.sampled_from(PARTIES_CN)), draw(st.sampled_from(PARTIES_RU))
    url = draw(st.sampled_from(sorted(SOURCES)))
    row = {
        "party_a": a,
        "party_a_name": draw(st.sampled_from(["Harbin", "哈尔滨", "Nangang, Harbin"])),
        "party_b": b,
        "party_b_name": draw(st.sampled_from(["Khabarovsk", "Хабаровск"])),
        "level": _level(a, b),
        "kind": draw(st.sampled_from(sorted(rc.KINDS))),
        "established": draw(st.sampled_from(["", "1993", "1993-06", "1993-06-15"])),
        "source_url": url,
        "source_title": SOURCES[url],
        "quote": draw(st.sampled_from(QUOTES)),
        "note": draw(st.sampled_from(["", "checked", "line one\nline two", "a, b; c"])),
    }
    for column in draw(st.lists(st.sampled_from(rc.COLUMNS), max_size=2, unique=True)):
        bad = st.sampled_from(BAD[column]) if column in BAD else st.nothing()
        row[column] = draw(st.one_of(bad, GARBAGE))
    return row


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    """A well-formed CSV: CRLF line ends, so that a cell holding a lone CR is quoted too."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=rc.COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def rejected_rows(path: Path) -> dict[int, list[str]] | None:
    """Row number -> reasons, or ``None`` if the file was accepted; checks the message form."""
    try:
        rc.read_registry(path)
    except rc.RegistryError as error:
        reasons: dict[int, list[str]] = {}
        pattern = re.compile(rf"^{re.escape(str(path))}:(\d+): row (\d+): (\S.*)$")
        for message in error.messages:
            match = pattern.match(message)
            assert match, f"message without line, row and reason: {message!r}"
            reasons.setdefault(int(match[2]), []).append(match[3])
        return reasons
    return None


def loads_cleanly(trig: str, directory: Path) -> None:
    """The importer's TriG goes through paradiplo's own loader without an error."""
    path = directory / "registry.trig"
    path.write_text(trig, encoding="utf-8")
    loaded = load_file(ContentFile(path, "data/registry.trig", Kind.DATA, Syntax.TRIG, None))
    assert loaded.quads


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(registry_rows(), min_size=1, max_size=4))
def test_random_rows_are_imported_or_rejected_by_number(rows: list[dict[str, str]]) -> None:
    tried("hypothesis registry CSV", len(rows))
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        path = write_rows(directory / "random-ties.csv", rows)
        rejected = rejected_rows(path)
        event("accepted" if rejected is None else "rejected")
        if rejected is None:
            registry = rc.read_registry(path)
            assert [r.number for r in registry.records] == list(range(1, len(rows) + 1))
            loads_cleanly(rc.to_trig(registry), directory)
            return
        assert rejected, "a RegistryError must name at least one row"
        assert set(rejected) <= set(range(1, len(rows) + 1))
        for number, row in enumerate(rows, start=1):
            alone = rejected_rows(write_rows(directory / "alone-ties.csv", [row]))
            if alone is not None:
                assert number in rejected, f"row {number} fails alone but not in the file"


# --- the world-registry importers ------------------------------------------------------


def attr(text: str) -> str:
    """``text`` escaped for a double-quoted XML attribute."""
    return _escape(text, {'"': "&quot;"})


NAMES = ["Harbin", "Khabarovsk", "Moscow", "Beijing", "Hailar (Hulunbuir)", "Saint-Étienne", ""]
COUNTRIES = ["China", "Russia", "United States", "France", "People's Republic of China", "Atlantis"]
CELL = st.one_of(st.sampled_from(NAMES), st.sampled_from(COUNTRIES), GARBAGE)
NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(str), st.sampled_from(["", "abc", "1e3"])
)


@st.composite
def twin_city_lines(draw: st.DrawFn) -> str:
    """One raw line: usually four or eight cells, sometimes broken quoting or a cell too many."""
    cells = [
        draw(st.one_of(st.sampled_from(NAMES), GARBAGE)),
        draw(st.one_of(st.sampled_from(COUNTRIES), GARBAGE)),
        draw(st.one_of(st.sampled_from(NAMES), GARBAGE)),
        draw(st.one_of(st.sampled_from(COUNTRIES), GARBAGE)),
        *[draw(NUMBER) for _ in range(4)],
    ]
    cells += draw(st.lists(CELL, max_size=1))
    quote = draw(st.sampled_from(["plain", "csv", "open-quote"]))
    if quote == "csv":
        return ",".join('"' + c.replace('"', '""') + '"' for c in cells)
    text = ",".join(c.replace("\n", " ").replace("\r", " ") for c in cells)
    return '"' + text if quote == "open-quote" else text


def well_formed(quads: list[ox.Quad]) -> None:
    """What an import produces goes through N-Quads and has only well-typed literals."""
    again = list(ox.parse(ox.serialize(quads, format=ox.RdfFormat.N_QUADS), ox.RdfFormat.N_QUADS))
    assert len(again) == len(quads)
    for quad in quads:
        if isinstance(quad.object, ox.Literal):
            assert check_literal(quad.object.value, quad.object.datatype.value) is None, quad


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(twin_city_lines(), min_size=1, max_size=6))
def test_random_twin_city_rows_are_imported_or_rejected_by_number(lines: list[str]) -> None:
    tried("hypothesis twin-cities row", len(lines))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "twin_cities.csv"
        header = "city1,country1,city2,country2,lat1,lng1,lat2,lng2"
        path.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
        imported = twin_cities.import_csv(path, REPO)
    report = imported.report
    # A row is a CSV record: a quoted line break joins lines, so there are at most as
    # many rows as non-blank lines, and at least one.
    rows = sum(1 for line in "\n".join(lines).split("\n") if line.strip())
    assert 1 <= report.rows_read <= rows
    assert report.consistent, report.to_json()
    for rejection in report.rejected:
        assert 1 <= rejection.row <= rows and rejection.reason and rejection.message
    well_formed(imported.quads)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    attributes=st.lists(
        st.tuples(
            st.one_of(st.sampled_from(["Q42956", "Q1771", "Q649"]), GARBAGE),
            CELL,
            NUMBER,
            NUMBER,
            st.one_of(st.sampled_from(COUNTRIES), GARBAGE),
        ),
        min_size=1,
        max_size=4,
    ),
    edges=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=5),
)
def test_random_gexf_nodes_are_imported_or_rejected(
    attributes: list[tuple[str, str, str, str, str]], edges: list[tuple[int, int]]
) -> None:
    tried("hypothesis GEXF node", len(attributes))
    ids = [qid for qid, *_ in attributes]
    nodes = "".join(
        f'<node id="{attr(qid)}" label="{attr(label)}"><attvalues>'
        f'<attvalue for="1" value="{attr(lon)}"/>'
        f'<attvalue for="2" value="{attr(lat)}"/>'
        f'<attvalue for="4" value="{attr(country)}"/></attvalues></node>'
        for qid, label, lon, lat, country in attributes
    )
    links = "".join(
        f'<edge id="{i}" source="{attr(ids[a % len(ids)])}" target="{attr(ids[b % len(ids)])}"/>'
        for i, (a, b) in enumerate(edges)
    )
    text = (
        '<?xml version="1.0" encoding="utf-8"?><gexf xmlns="http://www.gexf.net/1.2draft">'
        '<graph><attributes class="node"><attribute id="1" title="lon"/>'
        '<attribute id="2" title="lat"/><attribute id="4" title="country"/></attributes>'
        f"<nodes>{nodes}</nodes><edges>{links}</edges></graph></gexf>"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sister_cities.gexf"
        path.write_text(text, encoding="utf-8")
        try:
            result = wikidata_gexf.import_gexf(path, REPO)
        except RegistryFileError as error:  # only for text XML cannot hold (control characters)
            assert "not well-formed XML" in str(error)
            return
    assert result.report.rows_read == len(edges)
    assert result.report.consistent, result.report.to_json()
    well_formed(result.quads)
