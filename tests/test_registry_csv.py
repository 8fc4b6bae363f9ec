"""Tests for the registry CSV importer and the committed China-Russia registry."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

ROOT = Path(__file__).resolve().parents[1]
try:
    from paradiplo.importers import registry_csv as rc
    from paradiplo.namespaces import PD
except ModuleNotFoundError:  # running from a checkout without an installed package
    sys.path.insert(0, str(ROOT / "src"))
    from paradiplo.importers import registry_csv as rc
    from paradiplo.namespaces import PD

CSV_PATH = ROOT / "data" / "registry" / "china-russia-ties.csv"
TRIG_PATH = ROOT / "data" / "registry" / "china-russia.trig"

GOOD_ROW = {
    "party_a": "city:cn-harbin",
    "party_a_name": "Harbin",
    "party_b": "city:ru-khabarovsk",
    "party_b_name": "Khabarovsk",
    "level": "city",
    "kind": "sister",
    "established": "1993-06-15",
    "source_url": "https://example.org/harbin-khabarovsk",
    "source_title": "Example page",
    "quote": "Harbin and Khabarovsk became sister cities on 15 June 1993.",
    "note": "",
}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=rc.COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def committed_rows() -> list[dict[str, str]]:
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------------------
# The committed registry
# --------------------------------------------------------------------------------------
@pytest.mark.repo_content
def test_committed_trig_matches_converter_output() -> None:
    assert TRIG_PATH.read_text(encoding="utf-8") == rc.convert(CSV_PATH)


@pytest.mark.repo_content
def test_check_mode_passes_on_committed_files() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "paradiplo.importers.registry_csv", str(CSV_PATH), "--out",
         str(TRIG_PATH), "--check"],
        capture_output=True, text=True, env=env, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_check_mode_fails_on_stale_output(tmp_path: Path) -> None:
    csv_path = write_csv(tmp_path / "x-ties.csv", [GOOD_ROW])
    stale = tmp_path / "x.trig"
    stale.write_text("# stale\n", encoding="utf-8")
    assert rc.main([str(csv_path), "--out", str(stale), "--check"]) == 1
    assert rc.main([str(csv_path), "--out", str(stale)]) == 0
    assert rc.main([str(csv_path), "--out", str(stale), "--check"]) == 0


@pytest.mark.repo_content
def test_every_row_has_source_and_quote() -> None:
    rows = committed_rows()
    assert rows
    for number, row in enumerate(rows, start=1):
        assert row["source_url"].startswith(("http://", "https://")), number
        assert row["source_title"].strip(), number
        assert len(row["quote"].strip()) >= rc.MIN_QUOTE, number
        assert len(row["quote"]) <= rc.MAX_QUOTE, number


@pytest.mark.repo_content
def test_parties_are_one_chinese_and_one_russian() -> None:
    for number, row in enumerate(committed_rows(), start=1):
        kind_a, slug_a = row["party_a"].split(":", 1)
        kind_b, slug_b = row["party_b"].split(":", 1)
        assert slug_a.startswith("cn-"), (number, row["party_a"])
        assert slug_b.startswith("ru-"), (number, row["party_b"])
        assert {kind_a, kind_b} <= {"city", "district", "region"}, number


@pytest.mark.repo_content
def test_rows_are_sorted_by_parties() -> None:
    keys = [(row["party_a"], row["party_b"]) for row in committed_rows()]
    assert keys == sorted(keys)


@pytest.mark.repo_content
def test_committed_trig_structure() -> None:
    dataset = Dataset(default_union=True)
    dataset.parse(TRIG_PATH, format="trig")
    rows = committed_rows()
    assertions = sorted(set(dataset.subjects(RDF.type, PD.Assertion)))
    assert len(assertions) == len(rows)
    for assertion in assertions:
        graph = dataset.graph(URIRef(str(assertion)))
        assert len(list(graph.objects(assertion, PROV.wasDerivedFrom))) == 1
        assert list(graph.objects(assertion, PD.quote))
        ties = list(graph.subjects(RDF.type, PD.TwinningTie))
        assert len(ties) == 1
        first = graph.value(ties[0], PD.firstParty)
        second = graph.value(ties[0], PD.secondParty)
        assert first is not None and second is not None
        assert str(ties[0]).rsplit("/", 1)[1] == (
            f"{str(first).rsplit('/', 1)[1]}--{str(second).rsplit('/', 1)[1]}"
        )
    urls = {row["source_url"] for row in rows}
    assert len(set(dataset.subjects(RDF.type, PD.WebSource))) == len(urls)


# --------------------------------------------------------------------------------------
# Conversion of small files
# --------------------------------------------------------------------------------------
def test_converts_a_good_row(tmp_path: Path) -> None:
    csv_path = write_csv(tmp_path / "china-russia-ties.csv", [GOOD_ROW])
    text = rc.convert(csv_path)
    assert text == rc.convert(csv_path)  # deterministic
    dataset = Dataset(default_union=True)
    dataset.parse(data=text, format="trig")
    tie = URIRef("https://w3id.org/paradiplo/id/tie/cn-harbin--ru-khabarovsk")
    assert (tie, PD.established, Literal("1993-06-15", datatype=XSD.date)) in dataset
    assert (tie, PD.level, PD.CityLevel) in dataset
    assert (tie, PD.tieKind, PD.SisterTie) in dataset
    assert "pda:registry-china-russia-001 {" in text


def test_a_byte_order_mark_as_spreadsheets_write_it_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "marked").mkdir()
    plain = write_csv(tmp_path / "plain" / "china-russia-ties.csv", [GOOD_ROW])
    marked = tmp_path / "marked" / "china-russia-ties.csv"
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    assert rc.convert(marked) == rc.convert(plain)


def test_a_file_that_is_not_utf8_is_refused_with_line_and_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "china-russia-ties.csv", [GOOD_ROW])
    data = path.read_bytes()
    path.write_bytes(data.replace(b"Harbin", "Harbin\xe9".encode("latin-1"), 1))
    with pytest.raises(rc.RegistryError) as caught:
        rc.read_registry(path)
    (message,) = caught.value.messages
    assert message == f"{path}:2: column 22: not UTF-8 (byte 0xe9); save the file as UTF-8"


@pytest.mark.parametrize(
    ("value", "datatype"),
    [("1993", XSD.gYear), ("1993-06", XSD.gYearMonth), ("1993-06-15", XSD.date)],
)
def test_date_precision(value: str, datatype: URIRef) -> None:
    literal, problem = rc.parse_date(value)
    assert not problem
    assert literal == Literal(value, datatype=datatype)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"established": "1993-13-01"}, "not a valid date"),
        ({"established": "15.06.1993"}, "is not YYYY, YYYY-MM or YYYY-MM-DD"),
        ({"level": "town"}, "unknown level 'town'"),
        ({"level": "region"}, "does not fit a city and a city"),
        ({"kind": "twin"}, "unknown kind 'twin'"),
        ({"source_url": ""}, "missing source_url"),
        ({"source_url": "example.org/page"}, "is not an http(s) URL"),
        ({"quote": ""}, "missing quote"),
        ({"quote": "x" * 301}, "more than 300"),
        ({"party_a": "city:ru-moscow", "party_a_name": "Moscow"}, "both parties lie in RU"),
        ({"party_a": "city:ru-moscow", "party_b": "city:cn-beijing"}, "party_a must be in CN"),
        ({"party_a": "region:cn-xx"}, "not a first-level ISO 3166-2 code"),
        ({"party_a": "town:cn-harbin"}, "is not 'city:<cc>-<name>'"),
    ],
)
def test_bad_row_is_reported_with_its_row_number(
    tmp_path: Path, change: dict[str, str], message: str
) -> None:
    other = {**GOOD_ROW, "quote": "Another verbatim span of the page."}
    csv_path = write_csv(tmp_path / "china-russia-ties.csv", [other, {**GOOD_ROW, **change}])
    with pytest.raises(rc.RegistryError) as caught:
        rc.convert(csv_path)
    text = str(caught.value)
    assert f"{csv_path}:3: row 2: " in text
    assert message in text
    assert "row 1:" not in text


def test_titles_must_agree_per_url(tmp_path: Path) -> None:
    rows = [GOOD_ROW, {**GOOD_ROW, "quote": "Another span.", "source_title": "Other title"}]
    csv_path = write_csv(tmp_path / "china-russia-ties.csv", rows)
    with pytest.raises(rc.RegistryError, match=r"row 2: source_title differs from row 1"):
        rc.convert(csv_path)


def test_cli_reports_bad_row_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_path = write_csv(tmp_path / "china-russia-ties.csv", [{**GOOD_ROW, "level": "planet"}])
    out = tmp_path / "out.trig"
    assert rc.main([str(csv_path), "--out", str(out)]) == 2
    assert f"{csv_path}:2: row 1: unknown level 'planet'" in capsys.readouterr().err
    assert not out.exists()


def test_source_slugs_are_stable_and_short() -> None:
    long_url = "https://example.org/" + "a-very-long-path-segment/" * 10
    assert rc.source_slug("https://www.example.org/page.html") == "web-example-org-page-html"
    slug = rc.source_slug(long_url)
    assert slug == rc.source_slug(long_url)
    assert len(slug) <= rc.MAX_SOURCE_SLUG + len("web-")
