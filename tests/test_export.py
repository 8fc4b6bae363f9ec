"""``paradiplo export``: dumps that parse back to the store, honest metadata, CSV tables.

One build of a copy of the repository's content is exported once for the module; each
test checks one promise of the dump against the store itself (its quads, SPARQL counts).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner, Result
from conftest import REPO

from paradiplo.cli import cli
from paradiplo.export import (
    ALL_NAMES,
    FILE_NAMES,
    FORMATS,
    ExportError,
    issued_date,
    parse_formats,
)
from paradiplo.query import run_query
from paradiplo.store import DataDir, EmbeddedStore, SelectResult

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
CC_BY = rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
ENV = {"PARADIPLO_STORE": None, "PARADIPLO_DATA_DIR": None}


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=ENV)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("export-content")
    for name in ("ontology", "shapes", "data"):
        shutil.copytree(REPO / name, root / name)
    data_dir = root / "store"
    result = run("--data-dir", data_dir, "--root", root, "build", "--allow-violations")
    assert result.exit_code == 0, result.output
    return data_dir


@pytest.fixture(scope="module")
def store(built: Path) -> EmbeddedStore:
    return DataDir(built).open()


@pytest.fixture(scope="module")
def exported(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "dump"
    result = run("--data-dir", built, "export", "--format", "all", "--out", out)
    assert result.exit_code == 0, result.output
    assert "quads in" in result.stderr
    return out


def count(store: EmbeddedStore, sparql: str) -> int:
    result = run_query(store, sparql)
    assert isinstance(result, SelectResult)
    cell = result.rows[0][0]
    assert cell is not None
    return int(cell.value)


@pytest.fixture(scope="module")
def store_quads(store: EmbeddedStore) -> list[ox.Quad]:
    buffer = io.BytesIO()
    store.dump(buffer)
    return list(ox.parse(buffer.getvalue(), ox.RdfFormat.N_QUADS))


# --- every format parses back ---------------------------------------------------------


@pytest.mark.parametrize("fmt", ["nq", "trig"])
def test_dataset_formats_hold_every_quad(
    fmt: str, exported: Path, store: EmbeddedStore, store_quads: list[ox.Quad]
) -> None:
    parsed = {str(q) for q in ox.parse(path=exported / FILE_NAMES[fmt])}
    assert len(parsed) == store.quad_count()
    assert parsed == {str(q) for q in store_quads}
    graph_names = {q.graph_name for q in ox.parse(path=exported / FILE_NAMES[fmt])}
    assert len(graph_names) == len(store.named_graphs())


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "rdfxml"])
def test_graph_formats_hold_the_merged_graph(
    fmt: str, exported: Path, store: EmbeddedStore, store_quads: list[ox.Quad]
) -> None:
    parsed = {str(t) for t in ox.parse(path=exported / FILE_NAMES[fmt])}
    distinct = count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert len(parsed) == distinct
    assert parsed == {str(ox.Triple(q.subject, q.predicate, q.object)) for q in store_quads}


@pytest.mark.parametrize(("fmt", "syntax"), [("jsonld", "json-ld"), ("rdfxml", "xml")])
def test_a_second_parser_agrees(
    fmt: str, syntax: str, exported: Path, store: EmbeddedStore
) -> None:
    graph = rdflib.Graph().parse(exported / FILE_NAMES[fmt], format=syntax)
    assert len(graph) == count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")


def test_trig_keeps_graphs_for_rdflib(exported: Path, store: EmbeddedStore) -> None:
    dataset = rdflib.Dataset().parse(exported / "paradiplo.trig", format="trig")
    assert len(list(dataset.quads((None, None, None, None)))) == store.quad_count()


def test_jsonld_uses_the_context(exported: Path) -> None:
    document = json.loads((exported / "paradiplo.jsonld").read_text(encoding="utf-8"))
    context = json.loads((exported / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert document["@context"] == context
    assert context["pd"] == "https://w3id.org/paradiplo/ontology#"
    assert context["twinnedWith"] == {"@id": "pd:twinnedWith", "@type": "@id"}
    assert context["population"] == {"@id": "pd:population", "@type": "xsd:integer"}
    assert context["label"] == {"@id": "rdfs:label", "@container": "@language"}
    # pd:question would shadow the question: prefix, so it is written as a compact IRI
    assert context["question"] == "https://w3id.org/paradiplo/id/question/"
    nodes = {node["@id"]: node for node in document["@graph"]}
    harbin = nodes["city:cn-harbin"]
    assert harbin["label"]["zh"] == "哈尔滨"
    assert "pd:City" in harbin["@type"]


# --- metadata -------------------------------------------------------------------------


def void_graph(exported: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(exported / "void.ttl", format="turtle", publicID=_base(exported))


def _base(exported: Path) -> str:
    return exported.resolve().as_uri() + "/void.ttl"


def test_void_checksums_and_sizes_match_the_files(exported: Path) -> None:
    graph = void_graph(exported)
    described = set()
    for distribution in graph.subjects(rdflib.RDF.type, DCAT.Distribution):
        url = graph.value(distribution, DCAT.downloadURL)
        assert url is not None and str(url).startswith(exported.resolve().as_uri())
        path = exported / str(url).rsplit("/", 1)[1]
        data = path.read_bytes()
        checksum = graph.value(distribution, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        assert int(graph.value(distribution, DCAT.byteSize)) == len(data)
        assert graph.value(distribution, DCT.license) == CC_BY
        described.add(path.name)
    written = {n for n in ALL_NAMES if (exported / n).exists()}
    assert described == written - {"void.ttl", "SHA256SUMS", "context.jsonld"}


def test_void_counts_say_which_file_is_which(exported: Path, store: EmbeddedStore) -> None:
    graph = void_graph(exported)
    base = _base(exported)
    dataset, merged = rdflib.URIRef(base + "#paradiplo"), rdflib.URIRef(base + "#merged")
    assert int(graph.value(dataset, VOID.triples)) == store.quad_count()
    distinct = count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(graph.value(merged, VOID.triples)) == distinct

    def files(owner: rdflib.URIRef) -> set[str]:
        return {
            str(graph.value(d, DCAT.downloadURL)).rsplit("/", 1)[1]
            for d in graph.objects(owner, DCAT.distribution)
        }

    assert files(dataset) == {"paradiplo.nq", "paradiplo.trig"}
    assert files(merged) == {"paradiplo.ttl", "paradiplo.nt", "paradiplo.jsonld", "paradiplo.rdf"}
    for owner in (dataset, merged):
        assert graph.value(owner, DCT.license) == CC_BY
        issued = graph.value(owner, DCT.issued)
        assert issued is not None and issued.toPython() == issued_date(store.metadata)
    per_graph = {
        str(graph.value(part, SD.name)): int(graph.value(part, VOID.triples))
        for part in graph.objects(dataset, VOID.subset)
    }
    expected = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(expected, SelectResult)
    assert per_graph == {g.value: int(n.value) for g, n in expected.rows if g and n}


def test_sha256sums_lists_every_file_written(exported: Path) -> None:
    lines = (exported / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = {line.split("  ")[1] for line in lines}
    written = {p.name for p in exported.iterdir() if p.is_file()}
    assert listed == written - {"SHA256SUMS"}  # void.ttl and context.jsonld included
    assert len(lines) == 11
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((exported / name).read_bytes()).hexdigest() == digest


# --- CSV tables -----------------------------------------------------------------------


def read_table(exported: Path, name: str) -> list[dict[str, str]]:
    with (exported / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_row_counts_match_sparql(exported: Path, store: EmbeddedStore) -> None:
    ties = read_table(exported, "ties.csv")
    places = read_table(exported, "places.csv")
    figures = read_table(exported, "figures.csv")
    assert len(ties) == count(
        store, "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a pd:TwinningTie }"
    )
    assert len(places) == count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a pd:Place }")
    stated = (
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?f ?g ?v WHERE "
        "{ GRAPH ?g { ?f pd:value ?v } ?f a pd:PublishedFigure } }"
    )
    assert len(figures) == count(store, stated)
    assert len({row["tie"] for row in ties}) == len(ties)
    assert len({row["place"] for row in places}) == len(places)


def test_csv_cells_carry_labels_countries_and_sources(exported: Path) -> None:
    ties = {row["tie"]: row for row in read_table(exported, "ties.csv")}
    tie = ties["https://w3id.org/paradiplo/id/tie/cn-harbin--ru-khabarovsk"]
    assert tie["first_party"] == "https://w3id.org/paradiplo/id/city/cn-harbin"
    assert (tie["first_party_label"], tie["first_party_country"]) == ("Harbin", "CN")
    assert (tie["second_party_label"], tie["second_party_country"]) == ("Khabarovsk", "RU")
    assert tie["level"] == "CityLevel"
    assert "https://w3id.org/paradiplo/source/" in tie["sources"]
    places = {row["place"]: row for row in read_table(exported, "places.csv")}
    harbin = places["https://w3id.org/paradiplo/id/city/cn-harbin"]
    assert (harbin["label_en"], harbin["label_zh"], harbin["type"]) == ("Harbin", "哈尔滨", "City")
    assert harbin["region"] == "https://w3id.org/paradiplo/id/region/cn-hl"
    assert harbin["country"] == "CN"
    assert float(harbin["lat"]) == pytest.approx(45.75)
    figures = read_table(exported, "figures.csv")
    assert all(row["source"] and row["quote"] and row["value"] for row in figures)


# --- determinism, selection, errors ---------------------------------------------------


def test_export_is_deterministic(built: Path, exported: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert run("--data-dir", built, "export", "--out", again).exit_code == 0
    for name in ALL_NAMES:
        assert (again / name).read_bytes() == (exported / name).read_bytes(), name


def test_chosen_formats_only_and_stale_files_removed(
    built: Path, store: EmbeddedStore, tmp_path: Path
) -> None:
    out = tmp_path / "dump"
    assert run("--data-dir", built, "export", "--format", "ttl", "--out", out).exit_code == 0
    assert (out / "paradiplo.ttl").exists()
    result = run("--data-dir", built, "export", "--format", "csv", "--out", out)
    assert result.exit_code == 0
    assert not (out / "paradiplo.ttl").exists()
    names = [line.split("  ")[1] for line in (out / "SHA256SUMS").read_text().splitlines()]
    assert names == ["ties.csv", "places.csv", "figures.csv", "void.ttl"]
    # without RDF files the counts come from queries; they must be the same numbers
    graph = void_graph(out)
    dataset = rdflib.URIRef(_base(out) + "#paradiplo")
    assert int(graph.value(dataset, VOID.triples)) == store.quad_count()
    assert len(list(graph.objects(dataset, VOID.subset))) == len(store.named_graphs())


def test_unknown_format_is_a_clean_error(built: Path, tmp_path: Path) -> None:
    result = run("--data-dir", built, "export", "--format", "xml", "--out", tmp_path)
    assert result.exit_code == 1
    assert "unknown format 'xml'" in result.stderr


def test_parse_formats() -> None:
    assert parse_formats([]) == FORMATS
    assert parse_formats(["all"]) == FORMATS
    assert parse_formats(["csv", "ttl,nq"]) == ("nq", "ttl", "csv")
    with pytest.raises(ExportError):
        parse_formats(["turtle"])


def test_issued_date(monkeypatch: pytest.MonkeyPatch) -> None:
    assert issued_date({"created": "2026-01-02T03:04:05+00:00"}) == date(2026, 1, 2)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert issued_date({}) == date(1970, 1, 2)


def test_export_without_a_build_is_a_clean_error(tmp_path: Path) -> None:
    result = run("--data-dir", tmp_path / "none", "export", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "run `paradiplo build`" in result.stderr
