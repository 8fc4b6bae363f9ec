from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import MINI, PREFIXES_TTL, write

from paradiplo.content import ContentFile, Kind, Syntax, discover
from paradiplo.load import LoadErrors, display_path, load_all, load_file
from paradiplo.namespaces import PDG


def data_file(path: Path, syntax: Syntax, graph: str | None = None) -> ContentFile:
    return ContentFile(path, path.name, Kind.DATA, syntax, graph)


def load_error(file: ContentFile) -> str:
    with pytest.raises(LoadErrors) as caught:
        load_file(file)
    (error,) = caught.value.errors
    assert str(error) == f"{display_path(file.path)}:{error.line}:{error.column}: {error.message}"
    return str(error)


def test_bad_turtle_reports_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.ttl", '@prefix ex: <http://ex.org/> .\nex:a ex:b ex:c .\nex:a ex:b "x\n'
    )
    message = load_error(data_file(path, Syntax.TURTLE, "http://g"))
    assert message.startswith(f"{display_path(path)}:3:11: ")
    assert "Parser error" not in message


def test_unknown_prefix_reports_its_position(tmp_path: Path) -> None:
    path = write(tmp_path / "pref.ttl", "@prefix ex: <http://ex.org/> .\n\nex:a ex:b   foo:c .\n")
    message = load_error(data_file(path, Syntax.TURTLE, "http://g"))
    assert message == f"{display_path(path)}:3:13: The prefix foo: has not been declared"


def test_bad_trig_reports_line_and_column(tmp_path: Path) -> None:
    text = (
        "@prefix ex: <http://ex.org/> .\nex:g {\n  ex:a ex:b ex:c .\n  ex:a ex:b ex:c ex:d .\n}\n"
    )
    path = write(tmp_path / "bad.trig", text)
    message = load_error(data_file(path, Syntax.TRIG))
    assert message.startswith(f"{display_path(path)}:4:18: ")


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    path = write(tmp_path / "u.ttl", '@prefix ex: <http://ex.org/> .\nex:a ex:b "ééé" , foo:x .\n')
    assert load_error(data_file(path, Syntax.TURTLE, "http://g")).startswith(
        f"{display_path(path)}:2:19: "
    )


def test_ill_typed_literals_are_load_errors_at_their_position(tmp_path: Path) -> None:
    text = PREFIXES_TTL + (
        "pda:x-001 {\n"
        '  tie:a pd:established "abc"^^xsd:gYear ;\n'
        '        pd:value "12"^^xsd:integer , "abc"^^xsd:integer .\n'
        '  tie:b pd:asOf "2004-13-40"^^xsd:date ; pd:flag "yes"^^xsd:boolean .\n'
        '  tie:c pd:value "abc"^^xsd:integer .\n'
        "}\n"
    )
    path = write(tmp_path / "lit.trig", text)
    with pytest.raises(LoadErrors) as caught:
        load_file(data_file(path, Syntax.TRIG))
    lines = text.splitlines()

    def at(line: int, needle: str) -> tuple[int, int]:
        return line, lines[line - 1].index(needle) + 1

    base = PREFIXES_TTL.count("\n")
    found = sorted(((e.line, e.column), e.message) for e in caught.value.errors)
    assert [position for position, _ in found] == [
        at(base + 2, '"abc"^^xsd:gYear'),
        at(base + 3, '"abc"^^xsd:integer'),
        at(base + 4, '"2004-13-40"'),
        at(base + 4, '"yes"'),
        at(base + 5, '"abc"'),
    ]
    messages = [message for _, message in found]
    assert messages[0] == 'ill-typed literal "abc": not a valid xsd:gYear'
    assert messages[2] == 'ill-typed literal "2004-13-40": not a valid xsd:date (month 13)'
    assert messages[3] == 'ill-typed literal "yes": not a valid xsd:boolean'
    assert messages[1] == messages[4] == 'ill-typed literal "abc": not a valid xsd:integer'


def test_triples_outside_named_graphs_in_trig_data_are_errors(tmp_path: Path) -> None:
    text = PREFIXES_TTL + (
        "pda:x-001 { tie:a a pd:TwinningTie . }\n"
        "GRAPH pda:x-002 { tie:b a pd:TwinningTie }\n"
        "\n"
        "   tie:c a pd:TwinningTie .\n"
    )
    path = write(tmp_path / "default.trig", text)
    message = load_error(data_file(path, Syntax.TRIG))
    line = PREFIXES_TTL.count("\n") + 4
    assert message.startswith(f"{display_path(path)}:{line}:4: triples outside a named graph")


def test_a_bare_block_in_trig_data_is_a_default_graph_error(tmp_path: Path) -> None:
    text = PREFIXES_TTL + "pda:x-001 { tie:a a pd:TwinningTie . }\n  { tie:b a pd:TwinningTie }\n"
    path = write(tmp_path / "bare.trig", text)
    line = PREFIXES_TTL.count("\n") + 2
    assert load_error(data_file(path, Syntax.TRIG)).startswith(f"{display_path(path)}:{line}:3: ")


def test_triples_without_graph_in_nquads_data_are_errors(tmp_path: Path) -> None:
    text = (
        "<http://a> <http://b> <http://c> <http://g> .\n"
        "# note\n"
        " <http://a> <http://b> <http://d> .\n"
    )
    path = write(tmp_path / "d.nq", text)
    assert load_error(data_file(path, Syntax.NQUADS)).startswith(f"{display_path(path)}:3:2: ")


def test_ontology_trig_rules_do_not_apply_to_turtle_graph_files(tmp_path: Path) -> None:
    path = write(tmp_path / "t.ttl", PREFIXES_TTL + "tie:a a pd:TwinningTie .\n")
    loaded = load_file(data_file(path, Syntax.TURTLE, str(PDG["t"])))
    assert [q.graph_name for q in loaded.quads] == [ox.NamedNode(str(PDG["t"]))]


def test_trig_quads_keep_their_graphs() -> None:
    content = discover(MINI)
    (trig,) = [f for f in content.files if f.syntax is Syntax.TRIG]
    graphs = {q.graph_name.value for q in load_file(trig).quads}  # type: ignore[union-attr]
    assert graphs == {
        f"https://w3id.org/paradiplo/id/assertion/test-source-00{i}" for i in (1, 2, 3)
    }


def test_blank_nodes_of_different_files_stay_distinct(tmp_path: Path) -> None:
    a = write(tmp_path / "a.ttl", "_:b <http://p> <http://x> .\n")
    b = write(tmp_path / "b.ttl", "_:b <http://p> <http://y> .\n")
    loaded = load_all(
        [data_file(a, Syntax.TURTLE, "http://g/a"), data_file(b, Syntax.TURTLE, "http://g/b")]
    )
    subjects = {q.subject for f in loaded for q in f.quads}
    assert len(subjects) == 2


def test_load_all_reports_every_broken_file(tmp_path: Path) -> None:
    good = write(tmp_path / "good.ttl", "<http://a> <http://b> <http://c> .\n")
    bad1 = write(tmp_path / "bad1.ttl", "<http://a> <http://b> .\n")
    bad2 = write(tmp_path / "bad2.ttl", "<http://a> <http://b> <http://c>\n")
    files = [data_file(p, Syntax.TURTLE, f"http://g/{p.stem}") for p in (bad1, good, bad2)]
    with pytest.raises(LoadErrors) as caught:
        load_all(files)
    assert [e.path for e in caught.value.errors] == [display_path(bad1), display_path(bad2)]
    assert len(str(caught.value).splitlines()) == 2


def test_unreadable_file_is_a_load_error(tmp_path: Path) -> None:
    message = load_error(data_file(tmp_path / "missing.ttl", Syntax.TURTLE, "http://g"))
    assert ":1:1: cannot read" in message


def test_display_path_is_relative_inside_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert display_path(tmp_path / "data" / "x.ttl") == "data/x.ttl"
    outside = Path("/") / "elsewhere" / "x.ttl"
    assert display_path(outside) == str(outside)
