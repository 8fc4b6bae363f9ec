"""Reading registry files: bad rows are rejected with their place and reason, good rows kept.

These run the importers up to the registry graph (no store): a twin-cities CSV and a
Wikidata GEXF written by hand, each mixing good and broken records.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.namespace import PROV

from paradiplo.importers.registry_import import RegistryFileError
from paradiplo.importers.twin_cities import import_csv
from paradiplo.importers.wikidata_gexf import import_gexf
from paradiplo.namespaces import ID, PD, instance

from .conftest import HEADER, REPO, write_csv

GOOD = "Harbin,China,45.75,126.65,Khabarovsk,Russia,48.48,135.08"
ROWS: list[str | bytes] = [
    GOOD,  # 1
    "Harbin,China,45.75,126.65,Vladivostok,Russia,43.11",  # 2: a column missing
    "Heihe,China,abc,127.5,Blagoveshchensk,Russia,50.27,127.54",  # 3: lat not a number
    ",China,45.75,126.65,Chita,Russia,52.03,113.5",  # 4: empty name
    b"Qingdao,China,36.07,120.38,Perm\xff,Russia,58.0,56.2",  # 5: not UTF-8
    "Harbin,Atlantis,45.75,126.65,Chita,Russia,52.03,113.5",  # 6: unknown country
    "Khabarovsk,Russia,48.48,135.08,Harbin,China,45.75,126.65",  # 7: row 1 from the other side
    "Harbin,China,45.75,126.65,Dalian,China,38.91,121.6",  # 8: one country
    "Harbin,China,45.75,126.65,Harbin,China,45.75,126.65",  # 9: one place
    "Heilongjiang,China,47.0,128.0,Amur Oblast,Russia,52.0,128.0",  # 10: two regions
    "Harbin,China,95,126.65,Chita,Russia,52.03,113.5",  # 11: latitude out of range
    '"Hailar (Hulunbuir)",China,49.2347,119.8245,Chita,Russia,52.0334,113.5009',  # 12
    "Hulunbuir \u2013 Hailar,China,49.1646,119.7672,Chita,Russia,52.0334,113.5009",  # 13: =12
]
EXPECTED_REJECTIONS = {
    2: ("bad-row", "7 fields, expected 8"),
    3: ("bad-row", "column lat1 'abc' is not a number"),
    4: ("bad-row", "column city1 is empty"),
    5: ("bad-row", "not UTF-8 (byte 0xff)"),
    6: ("unknown-country", "unknown country 'Atlantis'"),
    8: ("same-country", "both parties lie in CN"),
    9: ("same-place", "both parties are the same place (city:cn-harbin)"),
    11: ("bad-row", "column lat1 '95' is outside -90..90"),
}


def _write(path: Path, rows: list[str | bytes]) -> Path:
    data = HEADER.encode() + b"".join(
        (r if isinstance(r, bytes) else r.encode("utf-8")) + b"\n" for r in rows
    )
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("csv") / "twin_cities.csv", ROWS)


def test_bad_rows_are_rejected_with_line_and_reason(corpus: Path) -> None:
    report = import_csv(corpus, REPO).report
    got = {r.row: (r.reason, r.message) for r in report.rejected}
    assert set(got) == set(EXPECTED_REJECTIONS)
    for row, (reason, text) in EXPECTED_REJECTIONS.items():
        assert got[row][0] == reason
        assert text in got[row][1], got[row][1]
    # Every message says where: file, line (row n is line n + 1) and row.
    assert got[2][1].startswith("twin_cities.csv:3: row 2: ")
    assert got[5][1].startswith("twin_cities.csv:6:32: row 5: ")  # byte 32 is the 0xff
    assert report.rows_read == len(ROWS)


def test_good_rows_are_imported_whatever_the_bad_ones(corpus: Path) -> None:
    imported = import_csv(corpus, REPO)
    report = imported.report
    # Rows 1, 10 and 12 make ties; 7 repeats 1 from the other side, 13 repeats 12.
    assert report.ties_created == 3
    assert [(d.row, d.first_row) for d in report.duplicates] == [(7, 1), (13, 12)]
    assert report.consistent
    assert report.ties_created + len(report.duplicates) + len(report.rejected) == len(ROWS)
    triples = {(q.subject.value, q.predicate.value, str(q.object)) for q in imported.quads}
    harbin = str(ID["tie/cn-harbin--ru-khabarovsk"])
    derived = {o for s, p, o in triples if s == harbin and p == str(PROV.wasDerivedFrom)}
    assert derived == {
        f"<{instance('record', 'wikipedia-twin-cities-1')}>",
        f"<{instance('record', 'wikipedia-twin-cities-7')}>",
    }
    regions = str(ID["tie/cn-hl--ru-amu"])
    assert (regions, str(PD.level), f"<{PD.RegionLevel}>") in triples
    hailar = str(ID["tie/cn-hailar--ru-chita"])  # the curated registry's tie IRI
    assert (hailar, str(PD.firstParty), f"<{instance('city', 'cn-hailar')}>") in triples


def test_records_carry_registry_and_number(corpus: Path) -> None:
    quads = import_csv(corpus, REPO).quads
    record = ox.NamedNode(str(instance("record", "wikipedia-twin-cities-7")))
    props = {q.predicate.value: q.object for q in quads if q.subject == record}
    assert props[str(PD.inRegistry)] == ox.NamedNode(
        "https://w3id.org/paradiplo/source/wikipedia-twin-cities"
    )
    assert props[str(PD.recordNumber)] == ox.Literal(
        "7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    )
    assert {q.graph_name.value for q in quads} == {  # type: ignore[union-attr]
        "https://w3id.org/paradiplo/id/graph/registry-wikipedia-twin-cities"
    }


def test_report_lists_unmatched_names_and_methods(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "t.csv",
        [
            "Chaoyang (Beijing),China,39.92,116.44,Moscow,Russia,55.75,37.62",
            "Chaoyang (Beijing),China,39.92,116.44,Kazan,Russia,55.79,49.12",
            "Heilongjiang,China,47.0,128.0,Moscow,Russia,55.75,37.62",
        ],
    )
    report = import_csv(path, REPO).report
    assert report.unmatched() == [("Chaoyang (Beijing)", "CN", 2)]
    data = report.to_json()
    assert data["places_by_method"]["geonames"] == {"names": 2, "mentions": 3, "places": 2}
    assert data["places_by_method"]["region"] == {"names": 1, "mentions": 1, "places": 1}
    assert data["unmatched_names"] == [{"name": "Chaoyang (Beijing)", "country": "CN", "count": 2}]
    assert data["ties_by_country_pair"] == {"CN-RU": 3, "CN-US": 0, "RU-US": 0}


def test_raw_file_without_coordinates(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "raw.csv",
        ["Harbin,China,Khabarovsk,Russia", "Blagoveshchensk,Russia,Heihe,China"],
        header="city1,country1,city2,country2\n",
    )
    report = import_csv(path, REPO).report
    assert (report.ties_created, report.rejected) == (2, [])
    # Without coordinates the two Blagoveshchensks cannot be told apart.
    assert report.unmatched() == [("Blagoveshchensk", "RU", 1)]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("city1,country1,city2\n", "missing column(s) country2"),
        ("", "empty file"),
    ],
)
def test_a_file_without_the_columns_is_refused(tmp_path: Path, header: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(header + ("Harbin,China,Chita\n" if header else ""), encoding="utf-8")
    with pytest.raises(RegistryFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_csv(path, REPO)


# --- GEXF ---------------------------------------------------------------------------------

GEXF_HEAD = """<?xml version='1.0' encoding='utf-8'?>
<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">
  <meta lastmodifieddate="2022-01-09"><creator>hand</creator></meta>
  <graph defaultedgetype="undirected" mode="static">
    <attributes mode="static" class="node">
      <attribute id="1" title="lon" type="double" />
      <attribute id="2" title="lat" type="double" />
      <attribute id="4" title="country" type="string" />
    </attributes>
    <nodes>
"""


def _node(qid: str, label: str, lon: str | None, lat: str, country: str) -> str:
    lon_value = f'<attvalue for="1" value="{lon}" />' if lon is not None else ""
    return (
        f'<node id="{qid}" label="{label}"><attvalues>{lon_value}'
        f'<attvalue for="2" value="{lat}" /><attvalue for="4" value="{country}" />'
        "</attvalues></node>\n"
    )


def _gexf(nodes: list[str], edges: list[tuple[str, str]]) -> str:
    body = "".join(nodes) + "    </nodes>\n    <edges>\n"
    body += "".join(
        f'<edge source="{a}" target="{b}" id="{i}" />\n' for i, (a, b) in enumerate(edges)
    )
    return GEXF_HEAD + body + "    </edges>\n  </graph>\n</gexf>\n"


def test_gexf_bad_nodes_and_edges_are_rejected(tmp_path: Path) -> None:
    nodes = [
        _node("Q956", "Beijing", "116.4074", "39.9042", "People's Republic of China"),
        _node("Q649", "Moscow", "37.6173", "55.7558", "Russia"),
        _node("Q1", "Nowhere", None, "10.0", "Russia"),  # no longitude
        _node("Q2", "Atlantis City", "0.0", "0.0", "Atlantis"),  # unknown country
        _node("X5", "Not an item", "0.0", "0.0", "Russia"),  # not a Q-number
        _node("Q62", "San Francisco", "-122.4164", "37.7775", "United States of America"),
    ]
    edges = [("Q956", "Q649"), ("Q956", "Q1"), ("Q956", "Q404"), ("Q649", "Q2"),
             ("X5", "Q649"), ("Q62", "Q956"), ("Q649", "Q956")]  # fmt: skip
    path = tmp_path / "sister_cities.gexf"
    path.write_text(_gexf(nodes, edges), encoding="utf-8")
    imported = import_gexf(path, REPO)
    report = imported.report
    got = {r.row: (r.reason, r.message) for r in report.rejected}
    assert {row: reason for row, (reason, _) in got.items()} == {
        2: "bad-row", 3: "bad-row", 4: "unknown-country", 5: "bad-row"
    }  # fmt: skip
    assert "node Q1: missing attribute(s) lon" in got[2][1]
    assert "'Q404' is not a node of the file" in got[3][1]
    assert "unknown country 'Atlantis'" in got[4][1]
    assert "node id 'X5' is not a Wikidata Q-number" in got[5][1]
    assert got[2][1].startswith("sister_cities.gexf:")
    assert (report.ties_created, [d.row for d in report.duplicates]) == (2, [7])
    assert report.consistent and report.rows_read == 7
    triples = {(q.subject.value, q.predicate.value, str(q.object)) for q in imported.quads}
    beijing = str(instance("city", "cn-beijing"))
    assert (beijing, str(PD.wikidataId), '"Q956"') in triples
    assert (beijing, "http://www.w3.org/2004/02/skos/core#exactMatch",
            "<http://www.wikidata.org/entity/Q956>") in triples  # fmt: skip
    assert str(ID["tie/cn-beijing--ru-moscow"]) in {s for s, _, _ in triples}


def test_malformed_gexf_is_refused_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.gexf"
    path.write_text(GEXF_HEAD + "<node id='Q1' label='x'>\n</nodes>\n", encoding="utf-8")
    with pytest.raises(RegistryFileError, match=r"broken\.gexf:\d+:\d+: not well-formed XML"):
        import_gexf(path, REPO)


def test_a_quoted_line_break_does_not_mint_a_tie_from_its_continuation(tmp_path: Path) -> None:
    """Issue 12, break 9: the importer read line by line, so the second line of a quoted
    cell (here a whole valid-looking row) became a tie of its own."""
    continuation = "Moscow,Russia,55.75,37.62,Beijing,China,39.90,116.40"
    rows: list[str | bytes] = [
        GOOD,  # row 1, line 2
        f'"Heihe\n{continuation}\n",China,50.24,127.49,Blagoveshchensk,Russia,50.27,127.54',
        "Heihe,China,50.24,127.49,Blagoveshchensk,Russia,50.27,127.54",  # row 5, line 6
    ]
    imported = import_csv(_write(tmp_path / "twin_cities.csv", rows), REPO)
    report = imported.report
    assert report.rows_read == 3
    records = {r.row for r in report.rejected} | {d.row for d in report.duplicates}
    subjects = {q.subject.value for q in imported.quads}
    numbers = {
        int(q.object.value) for q in imported.quads if q.predicate.value == str(PD.recordNumber)
    }
    assert numbers | records == {1, 2, 5}
    assert str(ID["tie/cn-beijing--ru-moscow"]) not in subjects
    parties = {q.object for q in imported.quads if q.predicate.value.endswith("Party")}
    assert ox.NamedNode(str(instance("city", "ru-moscow"))) not in parties
    assert ox.NamedNode(str(instance("city", "cn-beijing"))) not in parties


def test_a_quote_left_open_spoils_only_its_own_row(tmp_path: Path) -> None:
    rows: list[str | bytes] = ['"Harbin,China,45.75,126.65,Chita,Russia,52.03,113.5']
    rows += [GOOD] * 25
    report = import_csv(_write(tmp_path / "twin_cities.csv", rows), REPO).report
    assert report.rows_read == 26
    (rejected,) = report.rejected
    assert rejected.row == 1 and "quoted cell is not closed within 20 lines" in rejected.message
    assert report.ties_created == 1 and len(report.duplicates) == 24
