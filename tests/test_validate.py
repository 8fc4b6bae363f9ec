from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from conftest import MINI, PREFIXES_TTL, write
from rdflib import Graph
from rdflib.namespace import SH

from paradiplo.content import Kind, discover
from paradiplo.load import LoadedFile, display_path, load_all
from paradiplo.reason import infer
from paradiplo.validate import ValidationReport, origins_of, validate


def parse(text: str, graph: str = "urn:g") -> list[ox.Quad]:
    triples = ox.parse(PREFIXES_TTL + text, ox.RdfFormat.TURTLE)
    return [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(graph)) for q in triples]


def validate_root(root: Path) -> tuple[ValidationReport, list[LoadedFile]]:
    loaded = load_all(discover(root).files)
    by_kind = {k: [q for f in loaded if f.file.kind is k for q in f.quads] for k in Kind}
    inferred = infer(by_kind[Kind.ONTOLOGY], by_kind[Kind.DATA])
    report = validate(
        [*by_kind[Kind.DATA], *inferred],
        shapes=by_kind[Kind.SHAPES],
        ontology=by_kind[Kind.ONTOLOGY],
        origins=origins_of(loaded),
    )
    return report, loaded


def test_mini_content_conforms() -> None:
    report, _ = validate_root(MINI)
    assert report.conforms
    assert report.results == ()
    assert report.summary() == "SHACL: conforms"


def test_a_violation_names_focus_path_file_and_assertion_graph(mini_root: Path) -> None:
    trig = mini_root / "data" / "sources" / "test-source.trig"
    trig.write_text(trig.read_text().replace("pd:secondParty region:ru-amu", 'pd:note "none"'))
    report, _ = validate_root(mini_root)
    assert not report.conforms
    (result,) = report.violations
    assert result.focus == "tie:cn-hl--ru-amu"
    assert result.path == "pd:secondParty"
    assert result.severity == "Violation"
    assert result.files == (display_path(trig),)
    assert result.graphs == ("pda:test-source-002",)
    assert result.source_shape == "pd:TieShape property pd:secondParty"
    assert "MinCount" in result.constraint
    text = report.render_text()
    assert text.startswith("SHACL: 1 violation")
    assert display_path(trig) in text


def test_warnings_are_reported_but_do_not_fail(mini_root: Path) -> None:
    places = mini_root / "data" / "reference" / "places.ttl"
    places.write_text(places.read_text().replace('skos:prefLabel "Amur Oblast"@en ;', ""))
    report, _ = validate_root(mini_root)
    assert report.conforms
    (warning,) = report.results
    assert warning.severity == "Warning"
    assert warning.focus == "region:ru-amu"
    assert warning.message == "a place should have a preferred label"
    assert report.summary() == "SHACL: 1 warning"


def test_inferred_triples_are_validated(mini_root: Path) -> None:
    # pd:party has domain pd:TwinningTie: a stray pd:firstParty makes a tie by inference,
    # which then lacks its second party.
    write(
        mini_root / "data" / "stray.ttl",
        PREFIXES_TTL + "tie:stray pd:firstParty city:cn-harbin .\n",
    )
    report, _ = validate_root(mini_root)
    assert [(r.focus, r.path) for r in report.violations] == [("tie:stray", "pd:secondParty")]


def test_plain_literals_satisfy_xsd_string_datatype() -> None:
    shapes = parse(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "pd:S a sh:NodeShape ; sh:targetClass pd:Assertion ;\n"
        "  sh:property [ sh:path pd:quote ; sh:datatype xsd:string ] .\n"
    )
    data = parse('pda:a a pd:Assertion ; pd:quote "plain" .\n')
    assert validate(data, shapes=shapes).conforms


def test_ontology_individuals_have_their_types_during_validation() -> None:
    ontology = parse("pd:TieCount a pd:Measure .\n")
    shapes = parse(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "pd:S a sh:NodeShape ; sh:targetSubjectsOf pd:measure ;\n"
        "  sh:property [ sh:path pd:measure ; sh:class pd:Measure ] .\n"
    )
    data = parse("pda:f pd:measure pd:TieCount .\n")
    assert validate(data, shapes=shapes, ontology=ontology).conforms
    assert not validate(data, shapes=shapes).conforms


def test_sparql_constraints_are_evaluated_per_focus_node() -> None:
    shapes = parse(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "pd:S a sh:NodeShape ; sh:targetClass pd:TwinningTie ;\n"
        '  sh:sparql [ sh:message "tie without a party" ; sh:select """\n'
        "    PREFIX pd: <https://w3id.org/paradiplo/ontology#>\n"
        "    SELECT $this WHERE { FILTER NOT EXISTS { $this pd:firstParty ?p } }\n"
        '  """ ] .\n'
    )
    data = parse(
        "tie:a a pd:TwinningTie ; pd:firstParty city:x .\n"
        "tie:b a pd:TwinningTie .\n"
        "tie:c a pd:TwinningTie ; pd:firstParty city:y .\n"
        "tie:d a pd:TwinningTie .\n"
    )
    report = validate(data, shapes=shapes)
    assert sorted(r.focus for r in report.violations) == ["tie:b", "tie:d"]
    assert {r.message for r in report.violations} == {"tie without a party"}


def test_report_graph_is_turtle(mini_root: Path) -> None:
    trig = mini_root / "data" / "sources" / "test-source.trig"
    trig.write_text(trig.read_text().replace('"1993"^^xsd:gYear', '"1993"^^xsd:string'))
    report, _ = validate_root(mini_root)
    graph = Graph().parse(data=report.turtle, format="turtle")
    assert len(list(graph.subjects(None, SH.ValidationReport))) == 1
    assert [r.value for r in report.violations] == ['"1993"']


def test_no_shapes_means_nothing_to_violate() -> None:
    report = validate(parse("tie:a a pd:TwinningTie .\n"), shapes=[])
    assert report.conforms
    assert "ValidationReport" not in report.turtle
