"""Remote SPARQL servers answer as the embedded store does.

For each engine (Oxigraph; Virtuoso when installed) the repository's content is loaded with
``paradiplo build --store`` and compared with the embedded build of the same content: every
quad, a battery of queries (``queries/*.rq`` here) row for row, every finding and data
check of the query packs, the ``reproduce`` report, and the exports. Virtuoso answers
boolean expressions as ``1``/``0`` integers, which no client can undo (see
docs/remote-stores.md); its answers are compared after the embedded answers are mapped
the same way, so any other difference still fails.
"""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from paradiplo.query import run_query
from paradiplo.remote import UNION_GRAPH, Endpoints, RemoteStore
from paradiplo.reproduce import (
    CHECK_SUFFIX,
    CHECKS_DIR,
    compare_select,
    discover_packs,
    read_sparql,
    to_rdflib_graph,
)
from paradiplo.store import (
    AskResult,
    DataDir,
    EmbeddedStore,
    GraphResult,
    QueryResult,
    SelectResult,
    Store,
    Term,
)

from . import servers
from .conftest import MINI, Loaded, as_json, ok, paradiplo, quads_of
from .servers import Server, free_port

pytestmark = pytest.mark.remote

HERE = Path(__file__).resolve().parent
BATTERY = sorted((HERE / "queries").glob("*.rq"))
XSD = "http://www.w3.org/2001/XMLSchema#"
LAYOUTS = {"oxigraph": "default-graph", "virtuoso": "union-graph"}
# Virtuoso 7.2's known limits, each explained in docs/remote-stores.md. A query of the packs
# that fails on Virtuoso in a new way fails the tests: fix the query or record the limit.
UNRUNNABLE = {  # left out: the server errs or times out
    "virtuoso": (
        "checks/undescribed-instance-violation.rq",  # GRAPH ?t in NOT EXISTS: times out
        "checks/assertion-provenance-violation.rq",  # SQ156 internal compiler error
    )
}
KNOWN_DIFFERENT = {  # run, and known to answer otherwise
    "virtuoso": {
        "leffel-2010/007-establishment-approval-order.rq",  # OPTIONAL { ?a p+ ?b } drops rows
        "leffel-2010/009-activity-approval-order.rq",  # the same
        "leffel-2010/011-reporting-counts.rq",  # nested (NOT) EXISTS in an OPTIONAL filter
        # BIND(EXISTS {...} AS ?x) after a sub-select: 1 where nothing matches
        "cross-registry/005-cn-ru-ties-not-in-every-registry.rq",
        # a grouped sub-select's COUNT joined with the evidence records: a count that varies
        # between runs (2, 4 and 5, 9 seen) where Oxigraph gives 46; the verdict differs
        "china-daily-2004/005-pairs-66.evidence.rq",
    }
}


def remote(server: Server, **endpoints: str | None) -> RemoteStore:
    target = Endpoints.for_server(server.query, **endpoints) if endpoints else server.query
    return RemoteStore(target, user=server.user, password=server.password)


# --- comparing answers ------------------------------------------------------------------


def as_virtuoso(result: QueryResult) -> QueryResult:
    """Booleans as the integers 1 and 0, as Virtuoso computes them (stored ones too)."""
    if not isinstance(result, SelectResult):
        return result

    def cell(term: Term | None) -> Term | None:
        if term is not None and term.datatype == XSD + "boolean":
            return Term("literal", "1" if term.value == "true" else "0", XSD + "integer")
        return term

    return SelectResult(result.variables, tuple(tuple(map(cell, row)) for row in result.rows))


def assert_same(expected: QueryResult, got: QueryResult, *, ordered: bool, what: str) -> None:
    """Same answer: rows equal term for term (blank nodes up to renaming), graphs isomorphic."""
    assert type(got) is type(expected), what
    if isinstance(expected, AskResult):
        assert got == expected, what
    elif isinstance(expected, GraphResult):
        assert isinstance(got, GraphResult)
        # a graph is a set: the embedded store may yield a triple once per solution
        assert len(set(got.triples)) == len(set(expected.triples)), what
        assert isomorphic(to_rdflib_graph(expected), to_rdflib_graph(got)), what
    else:
        assert isinstance(got, SelectResult)
        assert got.variables == expected.variables, what
        blank = any(t is not None and t.kind == "bnode" for r in expected.rows for t in r)
        if blank:
            comparison = compare_select(expected, got)
            assert comparison.equal, f"{what}: {comparison.detail}"
        elif ordered:
            assert got.rows == expected.rows, what
        else:
            missing = Counter(expected.rows) - Counter(got.rows)
            extra = Counter(got.rows) - Counter(expected.rows)
            assert not missing and not extra, f"{what}: missing {missing}, unexpected {extra}"


_EMBEDDED: dict[str, QueryResult] = {}  # the embedded answers, shared by the engines


def answers(embedded: Store, store: RemoteStore, server: Server, sparql: str, what: str) -> None:
    if sparql not in _EMBEDDED:
        _EMBEDDED[sparql] = run_query(embedded, sparql)
    expected, got = _EMBEDDED[sparql], run_query(store, sparql)
    if server.name == "virtuoso":
        expected, got = as_virtuoso(expected), as_virtuoso(got)
    assert_same(expected, got, ordered="ORDER BY" in sparql.upper(), what=what)


def assert_same_quads(expected: list[ox.Quad], got: list[ox.Quad]) -> None:
    """The same quads: ground ones exactly, graphs with blank nodes up to renaming."""
    assert len(got) == len(expected)

    def split(quads: list[ox.Quad]) -> tuple[set[str], dict[str, list[ox.Quad]]]:
        ground: set[str] = set()
        blank: dict[str, list[ox.Quad]] = defaultdict(list)
        for q in quads:
            if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
                blank[str(q.graph_name)].append(q)
            else:
                ground.add(str(q))
        return ground, blank

    expected_ground, expected_blank = split(expected)
    got_ground, got_blank = split(got)
    assert got_ground == expected_ground
    assert got_blank.keys() == expected_blank.keys()
    for name, quads in expected_blank.items():
        assert isomorphic(_graph(quads), _graph(got_blank[name])), name


def _graph(quads: list[ox.Quad]) -> Graph:
    triples = ox.serialize(
        [ox.Triple(q.subject, q.predicate, q.object) for q in quads], None, ox.RdfFormat.N_TRIPLES
    )
    return Graph().parse(data=triples, format="nt")


# --- the tests ------------------------------------------------------------------------


def test_build_loads_every_quad(
    loaded: Server, embedded: EmbeddedStore, embedded_quads: list[ox.Quad]
) -> None:
    with remote(loaded) as store:
        assert store.layout == LAYOUTS[loaded.name]
        assert store.named_graphs() == embedded.named_graphs()
        assert store.quad_count() == embedded.quad_count()
        assert_same_quads(embedded_quads, quads_of(store))


@pytest.mark.parametrize("path", BATTERY, ids=[p.stem for p in BATTERY])
def test_queries_answer_row_for_row(loaded: Server, embedded: EmbeddedStore, path: Path) -> None:
    with remote(loaded) as store:
        answers(embedded, store, loaded, path.read_text(encoding="utf-8"), path.name)


def runnable_queries(content: Path, server: Server, into: Path) -> Path:
    """The content's query packs, less the queries ``server`` cannot answer at all."""
    shutil.copytree(content / "queries", into)
    for name in UNRUNNABLE.get(server.name, ()):
        (into / name).unlink(missing_ok=True)
    return into


def test_every_finding_and_check_answers_row_for_row(
    loaded: Server, embedded: EmbeddedStore, content: Path, tmp_path: Path
) -> None:
    queries = runnable_queries(content, loaded, tmp_path / "queries")
    paths = [f.query for pack in discover_packs(queries) for f in pack.findings if f.query]
    paths += sorted((queries / CHECKS_DIR).glob(f"*{CHECK_SUFFIX}"))
    assert paths, "the content has no query packs to compare"
    differing = set()
    with remote(loaded) as store:
        for path in paths:
            name = path.relative_to(queries).as_posix()
            try:
                answers(embedded, store, loaded, read_sparql(path), name)
            except AssertionError as difference:
                if name not in KNOWN_DIFFERENT.get(loaded.name, set()):
                    raise AssertionError(f"{loaded.name} answers {name} otherwise") from difference
                differing.add(name)
    # Whether Virtuoso trips over a known limit depends on its query plan, which changes
    # with what it has loaded before: these may or may not differ, others may not.
    assert differing <= KNOWN_DIFFERENT.get(loaded.name, set())


def test_reproduce_report_is_the_embedded_one(
    loaded: Server, embedded: EmbeddedStore, embedded_dir: Path, content: Path, tmp_path: Path
) -> None:
    queries = runnable_queries(content, loaded, tmp_path / "queries")
    # one source's findings (the data checks are compared row for row above)
    common = ["reproduce", "--queries", queries, "--source", "china-daily-2004"]
    common += ["--format", "json", "--allow-differences"]
    expected = as_json(paradiplo("--data-dir", embedded_dir, "--root", content, *common))
    got = as_json(paradiplo(*loaded.cli_args(), "--root", content, *common))
    assert isinstance(expected, list) and isinstance(got, list)
    assert [o["id"] for o in got] == [o["id"] for o in expected]
    if loaded.name == "oxigraph":
        assert got == expected
        return
    # Virtuoso: a finding may differ only where its answer projects a boolean, or where a
    # known limit makes it answer otherwise.
    packs = {f.id: f for pack in discover_packs(queries) for f in pack.findings}
    for mine, theirs in zip(got, expected, strict=True):
        if mine != theirs:
            finding = packs[mine["id"]]
            assert finding.query is not None
            if finding.query.relative_to(queries).as_posix() in KNOWN_DIFFERENT[loaded.name]:
                continue
            evidence = finding.verdict.evidence_query
            known = KNOWN_DIFFERENT[loaded.name]
            if evidence is not None and evidence.relative_to(queries).as_posix() in known:
                # the regression agrees; only the verdict's evidence is answered otherwise
                assert (mine["status"], mine["got"]) == (theirs["status"], theirs["got"])
                continue
            answer = run_query(embedded, read_sparql(finding.query))
            assert isinstance(answer, SelectResult)
            types = {t.datatype for row in answer.rows for t in row if t is not None}
            assert XSD + "boolean" in types, f"{mine['id']} differs without a boolean: {mine}"


def test_query_command_reads_the_server(loaded: Server, embedded_dir: Path) -> None:
    sparql = "SELECT (COUNT(DISTINCT ?t) AS ?ties) WHERE { ?t a pd:TwinningTie }"
    expected = ok(paradiplo("--data-dir", embedded_dir, "query", "--format", "csv", sparql))
    got = ok(paradiplo(*loaded.cli_args(), "query", "--format", "csv", sparql))
    assert got.stdout == expected.stdout
    assert int(got.stdout.split()[1]) > 0


def test_export_from_the_server_matches_the_embedded_export(
    loaded: Server, embedded_dir: Path, tmp_path: Path
) -> None:
    mine, theirs = tmp_path / "remote", tmp_path / "embedded"
    ok(paradiplo(*loaded.cli_args(), "export", "--format", "csv", "--out", mine))
    ok(paradiplo("--data-dir", embedded_dir, "export", "--format", "csv", "--out", theirs))
    for table in ("ties.csv", "places.csv", "figures.csv"):
        assert (mine / table).read_bytes() == (theirs / table).read_bytes(), table


def test_union_graph_is_not_a_named_graph(loaded: Server) -> None:
    with remote(loaded) as store:
        assert UNION_GRAPH not in store.named_graphs()
        ask = store.query(f"ASK {{ GRAPH <{UNION_GRAPH}> {{ ?s ?p ?o }} }}")
        assert ask == AskResult(False)
        own = f"ASK FROM NAMED <{UNION_GRAPH}> {{ GRAPH <{UNION_GRAPH}> {{ ?s ?p ?o }} }}"
        # the merge is a graph of its own only in the union-graph layout
        assert store.query(own) == AskResult(store.layout == "union-graph")


def test_failed_build_writes_nothing(loaded: Server, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(MINI, broken)
    trig = broken / "data" / "sources" / "test-source.trig"
    trig.write_text(trig.read_text().replace("pd:secondParty region:ru-amu", ""))
    with remote(loaded) as before:
        state = (before.metadata, before.named_graphs(), before.quad_count())
    refused = paradiplo(*loaded.cli_args(), "--root", broken, "build")
    assert refused.exit_code == 1
    assert "build refused" in refused.stderr
    with remote(loaded) as after:
        assert (after.metadata, after.named_graphs(), after.quad_count()) == state


def test_update_loader_wrote_a_whole_build(loaded: Loaded, mini_dir: Path) -> None:
    """Before the content, the mini content went in through SPARQL Update alone."""
    with DataDir(mini_dir).open() as mini:
        assert list(loaded.mini_graphs) == mini.named_graphs()
        assert_same_quads(quads_of(mini), list(loaded.mini_quads))


def test_rebuild_replaced_only_the_project_graphs(loaded: Loaded, embedded: EmbeddedStore) -> None:
    content_graphs = set(embedded.named_graphs())
    mini_only = set(loaded.mini_graphs) - content_graphs
    assert mini_only, "the mini build should have graphs the content lacks"
    assert set(loaded.mini_left) == set(loaded.mini_graphs) & content_graphs
    assert loaded.foreign_kept


def test_errors_are_one_clean_line(loaded: Server, tmp_path: Path) -> None:
    syntax = paradiplo(*loaded.cli_args(), "query", "SELECT ?x WHERE { ?x")
    assert syntax.exit_code == 1
    assert syntax.stderr.startswith("Error: ")
    assert len(syntax.stderr) < 600 and "Traceback" not in syntax.stderr
    if loaded.user:
        bad = [*loaded.cli_args()[:2], "--store-user", loaded.user, "--store-password", "wrong"]
        denied = paradiplo(*bad, "query", "ASK {}")
        assert denied.exit_code == 1
        assert "not authorised" in denied.stderr


def test_unreachable_server_is_a_clean_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    result = paradiplo("--store", url, "query", "ASK {}")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot reach {url}")


def test_empty_server_says_build_first(tmp_path: Path) -> None:
    with servers.oxigraph(tmp_path, persistent=False) as empty:
        result = paradiplo(*empty.cli_args(), "query", "ASK {}")
    assert result.exit_code == 1
    assert "no paradiplo build at" in result.stderr
    assert "paradiplo build --store" in result.stderr


def test_build_record(loaded: Server, embedded: EmbeddedStore) -> None:
    with remote(loaded) as store:
        record = store.metadata
        if store.layout == "default-graph":
            assert record == {}  # no room for a record that queries would not see
            return
    for key in ("conforms", "files", "quads"):
        assert record[key] == embedded.metadata[key], key
    assert record["id"] and record["created"]


def test_a_union_default_graph_is_refused(tmp_path: Path) -> None:
    """Oxigraph's --union-default-graph counts shared triples twice: the build says so."""
    with servers.oxigraph(tmp_path, persistent=False, union_default_graph=True) as union:
        result = paradiplo(*union.cli_args(), "--root", MINI, "build")
    assert result.exit_code == 1
    assert "without a union default graph" in result.stderr
