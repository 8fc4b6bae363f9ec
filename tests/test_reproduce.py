"""The reproduction engine: result comparison, the fixture pack end to end, the real packs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES, MINI, REPO, write
from rdflib import Graph

from paradiplo.build import build
from paradiplo.cli import cli
from paradiplo.errors import ParadiploError
from paradiplo.reproduce import (
    CsvTable,
    Finding,
    Outcome,
    Pack,
    compare,
    compare_ask,
    compare_csv,
    compare_graph,
    compare_select,
    discover_packs,
    load_pack,
    parse_csv,
    parse_srj,
    parse_srx,
    parse_tsv,
    render_markdown,
    reproduce,
    run_check,
    run_finding,
    short,
)
from paradiplo.store import AskResult, DataDir, GraphResult, SelectResult, Term

XSD = "http://www.w3.org/2001/XMLSchema#"
PD = "https://w3id.org/paradiplo/ontology#"
CITY = "https://w3id.org/paradiplo/id/city/"
QUERIES = FIXTURES / "reproduce" / "queries"
REPORT = REPO / "docs" / "reproduction.md"


def uri(local: str) -> Term:
    return Term("uri", CITY + local)


def num(value: str, datatype: str = "integer") -> Term:
    return Term("literal", value, XSD + datatype)


def select(variables: str, *rows: tuple[Term | None, ...]) -> SelectResult:
    return SelectResult(tuple(variables.split()), tuple(rows))


# --- comparison -----------------------------------------------------------------------


def test_same_rows_in_another_order_are_equal() -> None:
    expected = select("a b", (uri("x"), num("1")), (uri("y"), num("2")))
    got = select("a b", (uri("y"), num("2")), (uri("x"), num("1")))
    assert compare_select(expected, got).equal


def test_a_duplicated_row_is_not_equal() -> None:
    expected = select("a", (uri("x"),), (uri("y"),))
    got = select("a", (uri("x"),), (uri("x"),), (uri("y"),))
    comparison = compare_select(expected, got)
    assert not comparison.equal
    assert "expected 2 rows, got 3" in comparison.detail
    assert "unexpected: city:x" in comparison.detail
    assert not compare_select(got, expected).equal


def test_variables_are_matched_by_name_not_position() -> None:
    expected = select("a b", (uri("x"), num("1")))
    assert compare_select(expected, select("b a", (num("1"), uri("x")))).equal
    renamed = compare_select(expected, select("a c", (uri("x"), num("1"))))
    assert not renamed.equal
    assert "variables differ" in renamed.detail


@pytest.mark.parametrize(
    ("other", "equal"),
    [
        (num("66"), True),
        (num("066"), True),
        (num("+66"), True),
        (num("66.0", "decimal"), True),
        (num("6.6E1", "double"), True),
        (num("66", "int"), True),
        (num("67"), False),
        (Term("literal", "66"), False),  # a string is not a number
        (Term("literal", "66", XSD + "gYear"), False),
    ],
)
def test_numeric_literals_are_compared_by_value(other: Term, equal: bool) -> None:
    expected = select("n", (num("66"),))
    assert compare_select(expected, select("n", (other,))).equal is equal


def test_other_literals_are_compared_as_terms() -> None:
    plain = select("s", (Term("literal", "Harbin"),))
    assert compare_select(plain, select("s", (Term("literal", "Harbin", XSD + "string"),))).equal
    assert not compare_select(plain, select("s", (Term("literal", "Harbin", lang="en"),))).equal
    english = select("s", (Term("literal", "Harbin", lang="en"),))
    assert compare_select(english, select("s", (Term("literal", "Harbin", lang="EN"),))).equal
    assert not compare_select(select("s", (None,)), plain).equal
    assert not compare_select(plain, select("s", (uri("Harbin"),))).equal


def test_blank_nodes_match_up_to_a_consistent_renaming() -> None:
    a, b = Term("bnode", "a"), Term("bnode", "b")
    x, y = Term("bnode", "x"), Term("bnode", "y")
    expected = select("s o", (a, uri("1")), (a, uri("2")), (b, uri("3")))
    assert compare_select(
        expected, select("s o", (y, uri("3")), (x, uri("1")), (x, uri("2")))
    ).equal
    # the same label must map to the same node, and two labels to two nodes
    inconsistent = select("s o", (x, uri("1")), (y, uri("2")), (y, uri("3")))
    comparison = compare_select(expected, inconsistent)
    assert not comparison.equal
    assert "no renaming" in comparison.detail
    merged = select("s o", (x, uri("1")), (x, uri("2")), (x, uri("3")))
    assert not compare_select(expected, merged).equal


def test_ask_compares_booleans() -> None:
    assert compare_ask(AskResult(True), AskResult(True)).equal
    comparison = compare_ask(AskResult(True), AskResult(False))
    assert not comparison.equal
    assert comparison.detail == "expected true, got false"


def test_result_kinds_must_agree() -> None:
    comparison = compare(AskResult(True), select("a", (uri("x"),)))
    assert not comparison.equal
    assert "expected a boolean (ASK), got rows (SELECT)" in comparison.detail
    assert not compare(select("a"), AskResult(True)).equal
    assert not compare(Graph(), AskResult(True)).equal


def graph(turtle: str) -> Graph:
    return Graph().parse(data=f"@prefix pd: <{PD}> . @prefix city: <{CITY}> .\n{turtle}")


def triples(*spo: tuple[Term, Term, Term]) -> GraphResult:
    return GraphResult(tuple(spo))


def test_construct_results_are_compared_as_isomorphic_graphs() -> None:
    expected = graph(
        '[] pd:party city:a ; pd:label "A"^^<http://www.w3.org/2001/XMLSchema#string> .'
    )
    node, party, label = Term("bnode", "n1"), Term("uri", PD + "party"), Term("uri", PD + "label")
    got = triples((node, party, uri("a")), (node, label, Term("literal", "A")))
    assert compare_graph(expected, got).equal
    other = triples((node, party, uri("b")), (node, label, Term("literal", "A")))
    comparison = compare_graph(expected, other)
    assert not comparison.equal
    assert "missing: [] pd:party city:a" in comparison.detail
    assert "unexpected: [] pd:party city:b" in comparison.detail
    two_nodes = triples((node, party, uri("a")), (Term("bnode", "n2"), label, Term("literal", "A")))
    assert not compare(expected, two_nodes).equal


def test_csv_values_are_compared_as_strings_with_lexical_forms() -> None:
    expected = parse_csv("city,n,label\r\nhttp://x/a,66,\r\n_:b1,7,B\r\n")
    assert expected == CsvTable(
        ("city", "n", "label"), (("http://x/a", "66", ""), ("_:b1", "7", "B"))
    )
    got = select(
        "label n city",
        (None, num("66"), Term("uri", "http://x/a")),
        (Term("literal", "B"), Term("literal", "7"), Term("bnode", "zz")),
    )
    assert compare_csv(expected, got).equal
    lexical = select(
        "label n city",
        (None, num("066"), Term("uri", "http://x/a")),
        (Term("literal", "B"), num("7"), Term("bnode", "zz")),
    )
    assert not compare_csv(expected, lexical).equal  # CSV compares lexical forms


# --- parsing expected results ---------------------------------------------------------


def test_parse_srj_select_and_ask() -> None:
    document = {
        "head": {"vars": ["a", "b"]},
        "results": {
            "bindings": [
                {
                    "a": {"type": "uri", "value": CITY + "x"},
                    "b": {"type": "literal", "value": "x", "xml:lang": "en"},
                },
                {"a": {"type": "bnode", "value": "n"}},
                {"b": {"type": "typed-literal", "value": "1", "datatype": XSD + "integer"}},
            ]
        },
    }
    parsed = parse_srj(json.dumps(document))
    assert parsed == select(
        "a b",
        (uri("x"), Term("literal", "x", lang="en")),
        (Term("bnode", "n"), None),
        (None, num("1")),
    )
    assert parse_srj('{"head": {}, "boolean": false}') == AskResult(False)


def test_parse_srx_select_and_ask() -> None:
    xml = f"""<?xml version="1.0"?>
<sparql xmlns="http://www.w3.org/2005/sparql-results#">
  <head><variable name="a"/><variable name="b"/></head>
  <results>
    <result>
      <binding name="a"><uri>{CITY}x</uri></binding>
      <binding name="b"><literal xml:lang="en">x</literal></binding>
    </result>
    <result><binding name="b"><literal datatype="{XSD}integer">1</literal></binding></result>
    <result><binding name="a"><bnode>n</bnode></binding></result>
  </results>
</sparql>"""
    assert parse_srx(xml.encode()) == select(
        "a b",
        (uri("x"), Term("literal", "x", lang="en")),
        (None, num("1")),
        (Term("bnode", "n"), None),
    )
    ask = b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><boolean>true</boolean></sparql>'
    assert parse_srx(ask) == AskResult(True)


def test_parse_tsv_reads_terms() -> None:
    parsed = parse_tsv(f'?a\t?n\n<{CITY}x>\t66\n_:b\t"2"^^<{XSD}decimal>\n\t"s"@en\n')
    assert parsed.variables == ("a", "n")
    assert compare_select(
        select(
            "a n",
            (uri("x"), num("66")),
            (Term("bnode", "q"), num("2", "decimal")),
            (None, Term("literal", "s", lang="en")),
        ),
        parsed,
    ).equal


def test_short_renderings() -> None:
    assert short(select("n", (num("66"),))) == "66"
    assert short(select("n")) == "no rows"
    assert short(AskResult(False)) == "false"
    rows = select("c", *[(uri(name),) for name in "edcba"])
    assert short(rows) == "5 rows: city:a; city:b; city:c; … (+2)"
    assert short(select("a b", (uri("x"), Term("bnode", "q")))) == "(city:x, [])"
    assert short(select("a b", (uri("x"), num("1"))), ["b", "a"]) == "(1, city:x)"


# --- the fixture pack, end to end -----------------------------------------------------


def run(*args: str | Path) -> Result:
    # wide enough that rich does not fold the table's cells
    return CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": "300"})


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the mini content, shared by the read-only tests."""
    data_dir = tmp_path_factory.mktemp("reproduce") / "store"
    build(data_dir, MINI)
    return data_dir


@pytest.fixture
def queries(tmp_path: Path) -> Path:
    """A copy of the fixture packs that a test may break."""
    copy = tmp_path / "queries"
    shutil.copytree(QUERIES, copy)
    return copy


def reproduce_json(built: Path, queries: Path, *args: str) -> tuple[int, list[dict[str, object]]]:
    result = run("--data-dir", built, "reproduce", "--queries", queries, "--format", "json", *args)
    assert "Traceback" not in result.output, result.output
    return result.exit_code, json.loads(result.stdout)


def by_id(rows: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {f"{row['pack']}/{row['id']}": row for row in rows}


def test_fixture_packs_reproduce(built: Path) -> None:
    with DataDir(built).open() as store:
        report = reproduce(store, QUERIES)
    assert [p.name for p in report.packs] == ["cross-source", "test-source"]
    assert len(report.findings) == 8
    assert {o.status for o in report.findings} == {"reproduced"}, report.findings
    assert [(o.id, o.status) for o in report.checks] == [("tie-without-parties", "ok")]
    assert not report.failed()
    count = next(o for o in report.findings if o.id == "tie-count")
    assert (count.expected, count.got, count.tier) == ("2", "2", "Recomputed")
    assert count.query == "test-source/001-tie-count.rq"
    assert count.sources == ("test-source",)
    assert len(count.quotes) == 2
    assert count.difference_note


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_cli_formats_exit_0_when_everything_reproduces(built: Path, fmt: str) -> None:
    result = run("--data-dir", built, "reproduce", "--queries", QUERIES, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "Number of twinning ties" in result.stdout
    assert "reproduced" in result.stdout


def test_markdown_report_has_summary_sections_quotes_and_notes(built: Path) -> None:
    result = run("--data-dir", built, "reproduce", "--queries", QUERIES, "--format", "markdown")
    text = result.stdout
    assert "8 findings: 8 reproduced, 0 differs, 0 error" in text
    assert "| Recomputed | 6 | 6 | 0 | 0 |" in text
    assert "| Stated | 2 | 2 | 0 | 0 |" in text
    assert (
        text.index("(`cross-source`)")
        < text.index("(`test-source`)")
        < text.index("## Data checks")
    )
    assert "   > Heilongjiang and Amur Oblast signed a partnership agreement." in text
    assert "*Difference:* The source states no total" in text
    assert "*Why Stated:* The source gives no record" in text
    assert "| tie-without-parties | no rows | ok |" in text
    again = run("--data-dir", built, "reproduce", "--queries", QUERIES, "--format", "markdown")
    assert again.stdout == text


def test_a_broken_expected_file_differs_and_the_cli_exits_1(built: Path, queries: Path) -> None:
    srj = queries / "test-source" / "001-tie-count.srj"
    srj.write_text(srj.read_text().replace('"value": "2"', '"value": "3"'))
    code, rows = reproduce_json(built, queries)
    assert code == 1
    row = by_id(rows)["test-source/tie-count"]
    assert (row["status"], row["expected"], row["got"]) == ("differs", "3", "2")
    assert row["detail"] == "missing: 3; unexpected: 2"
    assert {r["status"] for r in rows if r["id"] != "tie-count"} <= {"reproduced", "ok"}
    code, _ = reproduce_json(built, queries, "--allow-differences")
    assert code == 0
    markdown = run("--data-dir", built, "reproduce", "--queries", queries, "--format", "markdown")
    assert markdown.exit_code == 1
    assert "*Differs:* missing: 3; unexpected: 2" in markdown.stdout


def test_a_missing_query_file_is_an_error(built: Path, queries: Path) -> None:
    (queries / "test-source" / "003-harbin-twinned.rq").unlink()
    code, rows = reproduce_json(built, queries, "--allow-differences")
    assert code == 1  # errors fail even when differences are allowed
    row = by_id(rows)["test-source/harbin-twinned"]
    assert row["status"] == "error"
    assert row["detail"] == "test-source/003-harbin-twinned.rq: file missing"


def test_a_failing_query_and_a_broken_result_file_are_errors(built: Path, queries: Path) -> None:
    write(queries / "test-source" / "001-tie-count.rq", "SELEC ?x")
    write(queries / "test-source" / "003-harbin-twinned.srx", "<sparql")
    _, rows = reproduce_json(built, queries)
    count, ask = by_id(rows)["test-source/tie-count"], by_id(rows)["test-source/harbin-twinned"]
    assert count["status"] == "error" and "syntax error" in str(count["detail"])
    assert ask["status"] == "error" and "003-harbin-twinned.srx: cannot parse" in str(ask["detail"])


def test_a_violation_check_returning_rows_is_reported(built: Path, queries: Path) -> None:
    write(
        queries / "checks" / "regional-tie-violation.rq",
        "# Regional ties are flagged, for the test.\n"
        "SELECT ?tie WHERE { ?tie pd:firstParty region:cn-hl }\n",
    )
    write(queries / "checks" / "not-a-check.rq", "SELECT ?x WHERE { ?x ?p ?o }")
    code, rows = reproduce_json(built, queries)
    assert code == 1
    checks = [r for r in rows if r["pack"] == "checks"]
    assert [r["id"] for r in checks] == ["regional-tie", "tie-without-parties"]
    flagged = checks[0]
    assert flagged["status"] == "violation"
    assert flagged["got"] == "tie:cn-hl--ru-amu"
    assert flagged["detail"] == "1 violation(s)"
    assert flagged["comment"] == "Regional ties are flagged, for the test."
    assert checks[1]["status"] == "ok"
    with DataDir(built).open() as store:
        outcome = run_check(store, queries / "checks" / "regional-tie-violation.rq")
    assert outcome.status == "violation"


def test_manifest_problems_are_errors(built: Path, queries: Path) -> None:
    manifest = queries / "test-source" / "manifest.ttl"
    text = manifest.read_text()
    text = text.replace('pd:tierReason "The source gives no record', 'rdfs:seeAlso "The source')
    text = text.replace("<#restriction> <#restriction-graph> )", "<#restriction> )")
    text = text.replace(
        'mf:name "The ties and their parties" ;\n    pd:tier pd:Recomputed',
        'mf:name "The ties and their parties"',
    )
    manifest.write_text(text)
    write(queries / "broken" / "manifest.ttl", "<> a <x> ;")
    _, rows = reproduce_json(built, queries)
    found = by_id(rows)
    assert found["test-source/quote"]["detail"] == "a pd:Stated finding needs a pd:tierReason"
    assert "pd:tier must be pd:Recomputed or pd:Stated" in str(found["test-source/ties"]["detail"])
    assert "restriction-graph is not listed in mf:entries" in str(
        found["test-source/manifest.ttl"]["detail"]
    )
    assert "cannot parse" in str(found["broken/manifest.ttl"]["detail"])
    assert all(found[key]["status"] == "error" for key in found if "manifest" in key)


def test_source_filter(built: Path, queries: Path) -> None:
    code, rows = reproduce_json(built, queries, "--source", "test-source")
    assert code == 0
    assert {r["pack"] for r in rows} == {"test-source", "cross-source"}  # no data checks
    _, rows = reproduce_json(built, queries, "--source", "cross-source")
    assert [r["id"] for r in rows] == ["founding-years"]
    unknown = run("--data-dir", built, "reproduce", "--queries", queries, "--source", "nope")
    assert unknown.exit_code == 1
    assert "no pack or finding cites source 'nope'" in unknown.stderr


def test_out_writes_the_report_to_a_file(built: Path, tmp_path: Path) -> None:
    for fmt in ("markdown", "table"):
        out = tmp_path / f"report.{fmt}"
        result = run(
            "--data-dir", built, "reproduce", "--queries", QUERIES, "--format", fmt, "--out", out
        )
        assert result.exit_code == 0
        assert result.stdout == ""
        assert "report written to" in result.stderr
        assert "Number of twinning ties" in out.read_text()


def test_default_queries_directory_is_the_content_roots(built: Path, tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    shutil.rmtree(root / "queries")
    shutil.copytree(QUERIES, root / "queries")
    result = run("--root", root, "--data-dir", built, "reproduce", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 9


def test_no_packs_is_an_empty_report(built: Path, tmp_path: Path) -> None:
    with DataDir(built).open() as store:
        report = reproduce(store, tmp_path / "nothing-here")
    assert report.outcomes == ()
    assert "0 findings: 0 reproduced, 0 differs, 0 error" in render_markdown(report)


def test_reproduce_without_store_is_a_clean_error(tmp_path: Path) -> None:
    result = run("--data-dir", tmp_path / "none", "reproduce", "--queries", QUERIES)
    assert result.exit_code == 1
    assert "no store yet" in result.stderr


# --- the repository's own packs -------------------------------------------------------

REPO_QUERIES = REPO / "queries"


def _repo_cases() -> list[object]:
    """One case per manifest entry and per manifest problem of the real packs."""
    cases: list[object] = []
    for pack in discover_packs(REPO_QUERIES):
        for problem in pack.problems:
            cases.append(pytest.param(pack, None, problem, id=f"{pack.name}/manifest"))
        for finding in pack.findings:
            cases.append(pytest.param(pack, finding, None, id=f"{pack.name}/{finding.id}"))
    return cases


def _repo_checks() -> list[Path]:
    return sorted((REPO_QUERIES / "checks").glob("*-violation.rq"))


REPO_CASES = _repo_cases()
REPO_CHECKS = _repo_checks()


@pytest.fixture(scope="module")
def repo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's content built into a store; skipped only if that cannot be done.

    SHACL violations do not stop it: they are the validation tests' business, and the
    findings can be checked on a graph that has them.
    """
    data_dir = tmp_path_factory.mktemp("repo") / "store"
    try:
        build(data_dir, REPO, allow_violations=True)
    except ParadiploError as exc:
        pytest.skip(f"the repository's store cannot be built: {exc}")
    return data_dir


def _explain(outcome: Outcome) -> str:
    return (
        f"{outcome.pack}/{outcome.id} ({outcome.query}): {outcome.status}; "
        f"expected {outcome.expected!r}, got {outcome.got!r}; {outcome.detail}"
    )


if REPO_CASES:  # with no packs yet, collect nothing rather than one skipped case

    @pytest.mark.repo_content
    @pytest.mark.parametrize(("pack", "finding", "problem"), REPO_CASES)
    def test_repository_finding_reproduces(
        repo_store: Path, pack: Pack, finding: Finding | None, problem: str | None
    ) -> None:
        assert finding is not None, problem
        with DataDir(repo_store).open() as store:
            outcome = run_finding(store, finding, REPO_QUERIES)
        if outcome.status == "skipped":  # needs an imported registry: tests/importers/
            pytest.skip(outcome.detail)
        assert outcome.status == "reproduced", _explain(outcome)


if REPO_CHECKS:

    @pytest.mark.repo_content
    @pytest.mark.parametrize("check", REPO_CHECKS, ids=lambda p: p.name)
    def test_repository_data_check_passes(repo_store: Path, check: Path) -> None:
        with DataDir(repo_store).open() as store:
            outcome = run_check(store, check, REPO_QUERIES)
        assert outcome.status == "ok", _explain(outcome)


@pytest.mark.repo_content
def test_committed_report_is_current(repo_store: Path, tmp_path: Path) -> None:
    """docs/reproduction.md is what `paradiplo reproduce --format markdown` writes now.

    Regenerate it with:
        paradiplo build && paradiplo reproduce --format markdown --out docs/reproduction.md
    """
    out = tmp_path / "reproduction.md"
    result = run(
        "--root", REPO, "--data-dir", repo_store,
        "reproduce", "--format", "markdown", "--allow-differences", "--out", out,
    )  # fmt: skip
    assert out.exists(), result.output
    assert REPORT.exists(), "docs/reproduction.md is missing: regenerate it (see docstring)"
    assert out.read_text(encoding="utf-8") == REPORT.read_text(encoding="utf-8"), (
        "docs/reproduction.md is stale: paradiplo build && "
        "paradiplo reproduce --format markdown --out docs/reproduction.md"
    )


def test_load_pack_of_the_fixture() -> None:
    pack = load_pack(QUERIES / "test-source" / "manifest.ttl")
    assert (pack.name, pack.label, pack.sources, pack.problems) == (
        "test-source",
        "Test source: findings",
        ("test-source",),
        (),
    )
    assert [f.id for f in pack.findings][:3] == ["tie-count", "ties", "harbin-twinned"]
    quote = pack.findings[4]
    assert (quote.tier, quote.tier_reason) == ("Stated", quote.tier_reason)
    assert quote.query == (QUERIES / "test-source" / "005-quote.rq").resolve()
    cross = load_pack(QUERIES / "cross-source" / "manifest.ttl")
    assert cross.sources == () and cross.findings[0].sources == ("test-source",)
