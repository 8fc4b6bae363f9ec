"""Reproduce the sources' findings: run the query packs and compare with expected results.

A pack is ``queries/<pack>/manifest.ttl`` in the style of the W3C SPARQL test manifests:
each entry names a query (``mf:action [ qt:query <NNN-slug.rq> ]``) and the answer the
graph must give (``mf:result``). Answers are compared as the W3C SPARQL tests do: SELECT
results as unordered multisets of rows (blank nodes up to renaming, numeric literals by
value), ASK results as booleans and CONSTRUCT/DESCRIBE results as isomorphic graphs.
``queries/checks/*-violation.rq`` are data checks: every row they return is a data error.
The format is documented in ``queries/README.md``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlparse

from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, RDF, RDFS, Namespace
from rdflib.query import Result
from rdflib.term import Node, Variable
from rich.markup import escape
from rich.table import Table

from paradiplo.errors import ParadiploError
from paradiplo.namespaces import PD, PREFIXES, SRC
from paradiplo.query import run_query
from paradiplo.store import (
    XSD_STRING,
    AskResult,
    GraphResult,
    QueryResult,
    SelectResult,
    Store,
    Term,
)

if TYPE_CHECKING:
    from paradiplo.verdicts import Judgement

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
SRS = "http://www.w3.org/2005/sparql-results#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"

MANIFEST = "manifest.ttl"
CHECKS_DIR = "checks"
CHECK_SUFFIX = "-violation.rq"
CHECKS_PACK = "checks"

TIERS = ("Recomputed", "Stated")
Status = Literal["reproduced", "differs", "error", "skipped", "ok", "violation"]
FINDING_STATUSES: tuple[Status, ...] = ("reproduced", "differs", "error", "skipped")
CHECK_STATUSES: tuple[Status, ...] = ("ok", "violation", "error")
ReportFormat = Literal["table", "markdown", "json"]
REPORT_FORMATS: tuple[ReportFormat, ...] = ("table", "markdown", "json")

_INTEGER_NAMES = (
    "integer nonPositiveInteger negativeInteger long int short byte nonNegativeInteger "
    "unsignedLong unsignedInt unsignedShort unsignedByte positiveInteger"
)
_INTEGER_TYPES = {XSD + name for name in _INTEGER_NAMES.split()}
_DECIMAL_TYPES = {XSD + "decimal"}
_FLOAT_TYPES = {XSD + "float", XSD + "double"}
_MAX_SHOWN_ROWS = 3
_MAX_CELL = 60
_MAX_SHORT = 160


class ReproduceError(ParadiploError):
    """A manifest, query or expected-result file cannot be used."""


# --- manifests ------------------------------------------------------------------------


UNTESTABLE_KINDS = ("Opinion", "Recommendation", "Prediction")
COMPARISON_RULES = ("SameValue", "LowerBound")


@dataclass(frozen=True)
class VerdictSpec:
    """How a finding is judged against independent evidence (``verdicts.py`` does it).

    ``evidence_query`` returns the evidence rows; ``untestable`` names the kind of claim
    (opinion, recommendation, prediction) that no record could check; ``not_comparable``
    says what the evidence measures instead of the claim; ``settled_by`` names the record
    that would settle a checkable claim that no independent record in the graph bears on.
    """

    evidence_query: Path | None = None
    comparison: str = "SameValue"
    untestable: str | None = None
    not_comparable: str | None = None
    settled_by: str | None = None
    note: str | None = None
    unchecked_part: str | None = None


@dataclass(frozen=True)
class Finding:
    """One manifest entry: a finding of a source, its query and the expected answer.

    ``problems`` lists what is wrong with the entry itself (a missing tier, no query);
    such an entry is reported as ``error`` without running anything.
    """

    pack: str
    id: str
    name: str
    sources: tuple[str, ...]
    tier: str | None
    query: Path | None
    result: Path | None
    comment: str | None = None
    quotes: tuple[str, ...] = ()
    tier_reason: str | None = None
    difference_note: str | None = None
    problems: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    verdict: VerdictSpec = field(default_factory=lambda: VerdictSpec())


@dataclass(frozen=True)
class Pack:
    """The findings of one manifest (``queries/<name>/manifest.ttl``), in manifest order."""

    name: str
    directory: Path
    label: str
    sources: tuple[str, ...]
    findings: tuple[Finding, ...]
    problems: tuple[str, ...] = ()


def discover_packs(queries_dir: Path) -> list[Pack]:
    """Every ``<queries_dir>/*/manifest.ttl``, sorted by pack name."""
    if not queries_dir.is_dir():
        return []
    return [load_pack(path) for path in sorted(queries_dir.glob(f"*/{MANIFEST}"))]


def load_pack(manifest: Path) -> Pack:
    """Read one manifest; an unreadable manifest gives a pack whose ``problems`` say why."""
    directory = manifest.parent
    name = directory.name
    graph = Graph()
    try:
        graph.parse(manifest, format="turtle", publicID=manifest.resolve().as_uri())
    except Exception as exc:  # rdflib raises many kinds of parse errors
        problem = f"{name}/{MANIFEST}: cannot parse: {_one_line(str(exc))}"
        return Pack(name, directory, name, (), (), (problem,))
    nodes = list(graph.subjects(RDF.type, MF.Manifest))
    if len(nodes) != 1:
        problem = f"{name}/{MANIFEST}: needs exactly one mf:Manifest, found {len(nodes)}"
        return Pack(name, directory, name, (), (), (problem,))
    node = nodes[0]
    label = _text(graph, node, RDFS.label) or name
    sources = _sources(graph, node)
    listed = _entries(graph, node)
    requires = _required(graph, node)
    findings = [
        replace(f, requires=tuple(sorted({*requires, *f.requires})))
        for f in (_finding(graph, entry, name, sources) for entry in listed)
    ]
    problems = []
    for entry in sorted(
        set(graph.subjects(RDF.type, MF.QueryEvaluationTest)) - set(listed), key=str
    ):
        problems.append(f"{name}/{MANIFEST}: {_fragment(entry)} is not listed in mf:entries")
    return Pack(name, directory, label, sources, tuple(findings), tuple(problems))


def _entries(graph: Graph, manifest: Node) -> list[Node]:
    head = graph.value(manifest, MF.entries)
    return [] if head is None else list(Collection(graph, head))


def _finding(graph: Graph, entry: Node, pack: str, pack_sources: tuple[str, ...]) -> Finding:
    problems: list[str] = []
    name = _text(graph, entry, MF.name)
    if name is None:
        problems.append("no mf:name")
    tier_node = graph.value(entry, PD.tier)
    tier = str(tier_node)[len(str(PD)) :] if tier_node is not None else None
    if tier not in TIERS:
        problems.append(f"pd:tier must be pd:Recomputed or pd:Stated, not {tier or 'missing'}")
        tier = None
    tier_reason = _text(graph, entry, PD.tierReason)
    if tier == "Stated" and not tier_reason:
        problems.append("a pd:Stated finding needs a pd:tierReason")
    action = graph.value(entry, MF.action)
    query_node = graph.value(action, QT.query) if action is not None else None
    if _file(query_node) is None:
        problems.append("no mf:action [ qt:query <file.rq> ] naming a local file")
    result_node = graph.value(entry, MF.result)
    if _file(result_node) is None:
        problems.append("no mf:result naming a local file")
    quotes = tuple(sorted(str(q) for q in graph.objects(entry, PD.quote)))
    verdict = _verdict_spec(graph, entry, problems)
    return Finding(
        pack=pack,
        id=_fragment(entry),
        name=name or _fragment(entry),
        sources=_sources(graph, entry) or pack_sources,
        tier=tier,
        query=_file(query_node),
        result=_file(result_node),
        comment=_text(graph, entry, RDFS.comment),
        quotes=quotes,
        tier_reason=tier_reason,
        difference_note=_text(graph, entry, PD.differenceNote),
        problems=tuple(problems),
        requires=_required(graph, entry),
        verdict=verdict,
    )


def _verdict_spec(graph: Graph, entry: Node, problems: list[str]) -> VerdictSpec:
    """The entry's verdict terms; an entry that cannot be judged at all is a problem."""
    evidence = _file(graph.value(entry, PD.evidenceQuery))
    rule_node = graph.value(entry, PD.comparisonRule)
    rule = str(rule_node)[len(str(PD)) :] if rule_node is not None else "SameValue"
    if rule not in COMPARISON_RULES:
        problems.append(f"pd:comparisonRule must be one of {', '.join(COMPARISON_RULES)}")
    kind_node = graph.value(entry, PD.untestable)
    kind = str(kind_node)[len(str(PD)) :] if kind_node is not None else None
    if kind is not None and kind not in UNTESTABLE_KINDS:
        problems.append(f"pd:untestable must be one of {', '.join(UNTESTABLE_KINDS)}")
    # An entry without verdict terms is judged unchecked with no record named; the
    # repository's packs must name one (tests/test_verdicts.py checks every entry).
    return VerdictSpec(
        evidence_query=evidence,
        comparison=rule,
        untestable=kind,
        not_comparable=_text(graph, entry, PD.notComparable),
        settled_by=_text(graph, entry, PD.settledBy),
        note=_text(graph, entry, PD.verdictNote),
        unchecked_part=_text(graph, entry, PD.uncheckedPart),
    )


def _required(graph: Graph, node: Node) -> tuple[str, ...]:
    """Source ids named by ``pd:requires``: data that is not part of every build."""
    return tuple(sorted(_source_id(str(s)) for s in graph.objects(node, PD.requires)))


def _text(graph: Graph, node: Node, predicate: URIRef) -> str | None:
    value = graph.value(node, predicate)
    return None if value is None else _one_line(str(value))


def _sources(graph: Graph, node: Node) -> tuple[str, ...]:
    ids = (_source_id(str(s)) for s in graph.objects(node, DCTERMS.source))
    return tuple(sorted(ids))


def _source_id(iri: str) -> str:
    return iri[len(str(SRC)) :] if iri.startswith(str(SRC)) else iri


def _fragment(node: Node) -> str:
    text = str(node)
    return text.rsplit("#", 1)[1] if "#" in text else text.rsplit("/", 1)[-1]


def _file(node: Node | None) -> Path | None:
    """The local path of a ``file:`` IRI (relative IRIs resolve against the manifest)."""
    if not isinstance(node, URIRef):
        return None
    parsed = urlparse(str(node))
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else None


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- expected results -----------------------------------------------------------------


@dataclass(frozen=True)
class CsvTable:
    """A SPARQL CSV result: header names and rows of plain strings."""

    variables: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Expected = SelectResult | AskResult | CsvTable | Graph


def read_expected(path: Path) -> Expected:
    """Parse an expected result by suffix: .srj, .srx, .csv, .tsv, or .ttl/.nt (a graph)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".srj":
            return parse_srj(path.read_text(encoding="utf-8"))
        if suffix == ".srx":
            return parse_srx(path.read_bytes())
        if suffix == ".csv":
            return parse_csv(path.read_text(encoding="utf-8-sig"))
        if suffix == ".tsv":
            return parse_tsv(path.read_text(encoding="utf-8-sig"))
        if suffix in (".ttl", ".nt"):
            graph = Graph()
            graph.parse(data=path.read_text(encoding="utf-8"), format=_GRAPH_FORMATS[suffix])
            return graph
    except ReproduceError:
        raise
    except OSError as exc:
        raise ReproduceError(f"{path.name}: cannot read: {exc.strerror or exc}") from exc
    except Exception as exc:  # json, xml, csv and rdflib parse errors
        raise ReproduceError(f"{path.name}: cannot parse: {_one_line(str(exc))}") from exc
    raise ReproduceError(f"{path.name}: unknown result format (use .srj .srx .csv .tsv .ttl)")


_GRAPH_FORMATS = {".ttl": "turtle", ".nt": "nt"}


def parse_srj(text: str) -> SelectResult | AskResult:
    """SPARQL 1.1 Query Results JSON."""
    document = json.loads(text)
    if not isinstance(document, dict):
        raise ReproduceError("SPARQL JSON results must be an object")
    if "boolean" in document:
        return AskResult(_boolean(document["boolean"]))
    variables = tuple(document.get("head", {}).get("vars", []))
    bindings = document.get("results", {}).get("bindings", [])
    rows = tuple(tuple(_json_term(b[v]) if v in b else None for v in variables) for b in bindings)
    return SelectResult(variables, rows)


def _boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ReproduceError(f"not a boolean: {value!r}")


def _json_term(encoded: Mapping[str, Any]) -> Term:
    kind = encoded.get("type")
    value = str(encoded.get("value", ""))
    if kind == "uri":
        return Term("uri", value)
    if kind == "bnode":
        return Term("bnode", value)
    if kind in ("literal", "typed-literal"):
        return _literal(value, encoded.get("datatype"), encoded.get("xml:lang"))
    raise ReproduceError(f"unsupported term type {kind!r}")


def _literal(value: str, datatype: str | None, lang: str | None) -> Term:
    if lang:
        return Term("literal", value, None, lang)
    return Term("literal", value, datatype or XSD_STRING)


def parse_srx(data: bytes) -> SelectResult | AskResult:
    """SPARQL Query Results XML."""
    root = ET.fromstring(data)
    boolean = root.find(f"{{{SRS}}}boolean")
    if boolean is not None:
        return AskResult(_boolean((boolean.text or "").strip()))
    variables = tuple(v.get("name", "") for v in root.iterfind(f"{{{SRS}}}head/{{{SRS}}}variable"))
    rows = []
    for result in root.iterfind(f"{{{SRS}}}results/{{{SRS}}}result"):
        cells: dict[str, Term] = {}
        for binding in result.iterfind(f"{{{SRS}}}binding"):
            cells[binding.get("name", "")] = _xml_term(binding)
        rows.append(tuple(cells.get(v) for v in variables))
    return SelectResult(variables, tuple(rows))


def _xml_term(binding: ET.Element) -> Term:
    for element in binding:
        tag = element.tag.removeprefix(f"{{{SRS}}}")
        text = element.text or ""
        if tag == "uri":
            return Term("uri", text.strip())
        if tag == "bnode":
            return Term("bnode", text.strip())
        if tag == "literal":
            return _literal(text, element.get("datatype"), element.get(XML_LANG))
    raise ReproduceError(f"binding {binding.get('name')!r} has no uri, bnode or literal")


def parse_csv(text: str) -> CsvTable:
    """SPARQL 1.1 CSV results: a header of variable names, then plain values."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ReproduceError("empty CSV: the header row is required")
    variables = tuple(name.strip().lstrip("?") for name in rows[0])
    body = tuple(tuple(row) for row in rows[1:] if row)
    for row in body:
        if len(row) != len(variables):
            raise ReproduceError(f"CSV row {list(row)} does not have {len(variables)} values")
    return CsvTable(variables, body)


def parse_tsv(text: str) -> SelectResult:
    """SPARQL 1.1 TSV results: terms in Turtle/N-Triples syntax."""
    parsed = Result.parse(io.StringIO(text), format="tsv")
    variables = tuple(str(v) for v in parsed.vars or ())
    rows = tuple(
        tuple(
            _from_rdflib(value) if (value := binding.get(Variable(v))) is not None else None
            for v in variables
        )
        for binding in parsed.bindings
    )
    return SelectResult(variables, rows)


def _from_rdflib(node: Node) -> Term:
    if isinstance(node, URIRef):
        return Term("uri", str(node))
    if isinstance(node, BNode):
        return Term("bnode", str(node))
    if isinstance(node, RdfLiteral):
        datatype = str(node.datatype) if node.datatype is not None else None
        return _literal(str(node), datatype, node.language)
    raise ReproduceError(f"unsupported term {node!r}")


# --- comparison -----------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Whether an answer matches the expected one, and if not, why."""

    equal: bool
    detail: str = ""


_EQUAL = Comparison(True)


def compare(expected: Expected, got: QueryResult) -> Comparison:
    """Compare an answer with an expected result of any supported kind."""
    if isinstance(expected, Graph):
        if not isinstance(got, GraphResult):
            return Comparison(False, f"expected a graph (CONSTRUCT), got {_kind(got)}")
        return compare_graph(expected, got)
    if isinstance(expected, AskResult):
        if not isinstance(got, AskResult):
            return Comparison(False, f"expected a boolean (ASK), got {_kind(got)}")
        return compare_ask(expected, got)
    if not isinstance(got, SelectResult):
        return Comparison(False, f"expected rows (SELECT), got {_kind(got)}")
    if isinstance(expected, CsvTable):
        return compare_csv(expected, got)
    return compare_select(expected, got)


def _kind(result: QueryResult) -> str:
    if isinstance(result, AskResult):
        return "a boolean (ASK)"
    if isinstance(result, GraphResult):
        return "a graph (CONSTRUCT/DESCRIBE)"
    return "rows (SELECT)"


def compare_ask(expected: AskResult, got: AskResult) -> Comparison:
    """ASK answers are equal when the booleans are."""
    if expected.value == got.value:
        return _EQUAL
    return Comparison(False, f"expected {_bool(expected.value)}, got {_bool(got.value)}")


def compare_select(expected: SelectResult, got: SelectResult) -> Comparison:
    """Unordered multisets of rows, variables matched by name.

    Literals are equal as terms, except numeric literals, which are equal by value
    (``"066"^^xsd:integer`` = ``"66.0"^^xsd:decimal``); language tags ignore case; blank
    nodes are equal up to a consistent renaming across the whole result.
    """
    mismatch = _variables_mismatch(expected.variables, got.variables)
    if mismatch:
        return Comparison(False, mismatch)
    order = sorted(got.variables)
    expected_rows = _reorder(expected.variables, expected.rows, order)
    got_rows = _reorder(got.variables, got.rows, order)
    return _compare_rows(
        [tuple(term_key(t) for t in row) for row in expected_rows],
        [tuple(term_key(t) for t in row) for row in got_rows],
        [_render_row(r) for r in expected_rows],
        [_render_row(r) for r in got_rows],
    )


def compare_csv(expected: CsvTable, got: SelectResult) -> Comparison:
    """CSV values compared as strings with the lexical forms of the answer's terms.

    An unbound cell is the empty string and a blank node is ``_:label``, matched up to
    renaming; CSV carries no datatypes, so ``66`` equals the integer 66 and the string "66".
    """
    mismatch = _variables_mismatch(expected.variables, got.variables)
    if mismatch:
        return Comparison(False, mismatch)
    order = sorted(got.variables)
    index = [expected.variables.index(v) for v in order]
    expected_rows = [tuple(row[i] for i in index) for row in expected.rows]
    got_rows = [
        tuple(_csv_value(t) for t in row) for row in _reorder(got.variables, got.rows, order)
    ]
    return _compare_rows(
        [tuple(_csv_key(v) for v in row) for row in expected_rows],
        [tuple(_csv_key(v) for v in row) for row in got_rows],
        [_render_csv_row(r) for r in expected_rows],
        [_render_csv_row(r) for r in got_rows],
    )


def compare_graph(expected: Graph, got: GraphResult) -> Comparison:
    """CONSTRUCT/DESCRIBE answers are equal when the graphs are isomorphic."""
    want = _normalized(expected)
    have = _normalized(to_rdflib_graph(got))
    if isomorphic(want, have):
        return _EQUAL
    _, only_expected, only_got = graph_diff(to_isomorphic(want), to_isomorphic(have))
    parts = [f"expected {len(want)} triples, got {len(have)}"]
    if len(only_expected):
        parts.append("missing: " + _render_triples(only_expected))
    if len(only_got):
        parts.append("unexpected: " + _render_triples(only_got))
    return Comparison(False, "; ".join(parts))


def to_rdflib_graph(result: GraphResult) -> Graph:
    """The triples of a CONSTRUCT/DESCRIBE answer as an rdflib graph."""
    graph = Graph()
    for s, p, o in result.triples:
        graph.add((_to_rdflib(s), _to_rdflib(p), _to_rdflib(o)))
    return graph


def _to_rdflib(term: Term) -> URIRef | BNode | RdfLiteral:
    if term.kind == "uri":
        return URIRef(term.value)
    if term.kind == "bnode":
        return BNode(term.value)
    if term.kind == "triple":
        raise ReproduceError("RDF-star triple terms are not supported in graph results")
    if term.lang:
        return RdfLiteral(term.value, lang=term.lang)
    datatype = None if term.datatype in (None, XSD_STRING) else URIRef(term.datatype or "")
    return RdfLiteral(term.value, datatype=datatype)


def _normalized(graph: Graph) -> Graph:
    """``xsd:string`` literals as simple literals and language tags in lower case."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, RdfLiteral):
            if o.language:
                o = RdfLiteral(str(o), lang=o.language.lower())
            elif o.datatype is not None and str(o.datatype) == XSD_STRING:
                o = RdfLiteral(str(o))
        out.add((s, p, o))
    return out


def _variables_mismatch(expected: Sequence[str], got: Sequence[str]) -> str:
    if set(expected) == set(got):
        return ""
    return (
        f"variables differ: expected {' '.join('?' + v for v in sorted(expected))}, "
        f"got {' '.join('?' + v for v in sorted(got))}"
    )


def _reorder(
    variables: Sequence[str], rows: Iterable[tuple[Term | None, ...]], order: Sequence[str]
) -> list[tuple[Term | None, ...]]:
    index = [list(variables).index(v) for v in order]
    return [tuple(row[i] for i in index) for row in rows]


Key = Hashable


def term_key(term: Term | None) -> Key:
    """What decides equality of two result cells (numbers by value, see compare_select)."""
    if term is None:
        return ("unbound",)
    if term.kind == "bnode":
        return ("bnode", term.value)
    if term.kind != "literal":
        return (term.kind, term.value)
    if term.lang:
        return ("literal", term.value, "@" + term.lang.lower())
    datatype = term.datatype or XSD_STRING
    number = numeric_value(term.value, datatype)
    if number is not None:
        return ("number", number)
    return ("literal", term.value, datatype)


def numeric_value(lexical: str, datatype: str) -> Decimal | str | None:
    """The value of a numeric literal (NaN as a string), or ``None`` if not numeric."""
    text = lexical.strip()
    try:
        if datatype in _INTEGER_TYPES:
            return Decimal(int(text))
        if datatype in _DECIMAL_TYPES:
            value = Decimal(text)
            return value if value.is_finite() else None
        if datatype in _FLOAT_TYPES:
            number = float({"INF": "inf", "-INF": "-inf", "+INF": "inf"}.get(text, text))
            return "NaN" if math.isnan(number) else Decimal(repr(number))
    except (ValueError, InvalidOperation):
        return None
    return None


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if term.kind == "bnode" else term.value


def _csv_key(value: str) -> Key:
    return ("bnode", value[2:]) if value.startswith("_:") else ("string", value)


def _is_bnode(key: Key) -> bool:
    return isinstance(key, tuple) and len(key) == 2 and key[0] == "bnode"


def _compare_rows(
    expected: list[tuple[Key, ...]],
    got: list[tuple[Key, ...]],
    expected_shown: list[str],
    got_shown: list[str],
) -> Comparison:
    """Multiset equality of rows with blank nodes matched up to a consistent renaming."""
    ground_expected = Counter(r for r in expected if not any(map(_is_bnode, r)))
    ground_got = Counter(r for r in got if not any(map(_is_bnode, r)))
    with_bnodes_expected = [r for r in expected if any(map(_is_bnode, r))]
    with_bnodes_got = [r for r in got if any(map(_is_bnode, r))]
    if (
        len(expected) == len(got)
        and ground_expected == ground_got
        and len(with_bnodes_expected) == len(with_bnodes_got)
        and _renaming(with_bnodes_expected, with_bnodes_got, {}, {}, [False] * len(with_bnodes_got))
    ):
        return _EQUAL
    parts = (
        [f"expected {_rows(len(expected))}, got {len(got)}"] if len(expected) != len(got) else []
    )
    shown_expected = dict(zip(expected, expected_shown, strict=True))
    shown_got = dict(zip(got, got_shown, strict=True))
    missing = ground_expected - ground_got
    unexpected = ground_got - ground_expected
    if missing:
        parts.append("missing: " + _list(sorted(shown_expected[r] for r in missing.elements())))
    if unexpected:
        parts.append("unexpected: " + _list(sorted(shown_got[r] for r in unexpected.elements())))
    if not missing and not unexpected:
        parts.append("rows with blank nodes match under no renaming")
    return Comparison(False, "; ".join(parts))


def _renaming(
    expected: list[tuple[Key, ...]],
    got: list[tuple[Key, ...]],
    forward: dict[Key, Key],
    backward: dict[Key, Key],
    taken: list[bool],
) -> bool:
    """Backtracking search for a blank-node bijection mapping ``expected`` onto ``got``."""
    if not expected:
        return True
    first, rest = expected[0], expected[1:]
    tried: set[tuple[Key, ...]] = set()
    for i, candidate in enumerate(got):
        if taken[i] or candidate in tried:
            continue
        tried.add(candidate)
        extended = _unify(first, candidate, forward, backward)
        if extended is None:
            continue
        taken[i] = True
        if _renaming(rest, got, *extended, taken):
            return True
        taken[i] = False
    return False


def _unify(
    row: tuple[Key, ...],
    candidate: tuple[Key, ...],
    forward: dict[Key, Key],
    backward: dict[Key, Key],
) -> tuple[dict[Key, Key], dict[Key, Key]] | None:
    forward, backward = dict(forward), dict(backward)
    for mine, theirs in zip(row, candidate, strict=True):
        if _is_bnode(mine) != _is_bnode(theirs):
            return None
        if not _is_bnode(mine):
            if mine != theirs:
                return None
            continue
        if forward.setdefault(mine, theirs) != theirs or backward.setdefault(theirs, mine) != mine:
            return None
    return forward, backward


# --- short renderings -----------------------------------------------------------------


def short(result: Expected | QueryResult, order: Sequence[str] | None = None) -> str:
    """A one-line rendering of a result for reports: the value, or a few sorted rows.

    ``order`` puts the columns in that order (variables it does not name are dropped), so
    the expected rows read like the answer's.
    """
    if isinstance(result, AskResult):
        return _bool(result.value)
    if isinstance(result, Graph):
        return _triples(len(result))
    if isinstance(result, GraphResult):
        return _triples(len(set(result.triples)))
    columns = [v for v in order or result.variables if v in result.variables]
    index = [result.variables.index(v) for v in columns]
    if isinstance(result, CsvTable):
        rendered = sorted(_render_csv_row([r[i] for i in index]) for r in result.rows)
    else:
        rendered = sorted(_render_row([r[i] for i in index]) for r in result.rows)
    if not rendered:
        return "no rows"
    if len(rendered) == 1:
        return _clip(rendered[0], _MAX_SHORT)
    shown = rendered[:_MAX_SHOWN_ROWS]
    more = f"; … (+{len(rendered) - len(shown)})" if len(rendered) > len(shown) else ""
    return _clip(f"{len(rendered)} rows: {'; '.join(shown)}{more}", _MAX_SHORT)


def render_term(term: Term | None) -> str:
    """A cell for humans: prefixed IRIs, bare literal values, blank nodes as ``[]``."""
    if term is None:
        return "UNDEF"
    if term.kind == "bnode":
        return "[]"
    if term.kind == "literal":
        return _clip(f"{term.value}@{term.lang}" if term.lang else term.value, _MAX_CELL)
    return term.n3(PREFIXES)


def _render_row(row: Sequence[Term | None]) -> str:
    cells = [render_term(t) for t in row]
    return cells[0] if len(cells) == 1 else "(" + ", ".join(cells) + ")"


def _render_csv_row(row: Sequence[str]) -> str:
    cells = [_render_csv_value(v) for v in row]
    return cells[0] if len(cells) == 1 else "(" + ", ".join(cells) + ")"


def _render_csv_value(value: str) -> str:
    """Like ``render_term``; a value that is an IRI in a known namespace is shortened."""
    if value.startswith("_:"):
        return "[]"
    if "://" in value:
        shortened = Term("uri", value).n3(PREFIXES)
        if not shortened.startswith("<"):
            return shortened
    return _clip(value, _MAX_CELL) if value else "UNDEF"


def _render_triples(graph: Graph) -> str:
    def node(n: Node) -> str:
        return render_term(_from_rdflib(n))

    return _list(sorted(f"{node(s)} {node(p)} {node(o)}" for s, p, o in graph))


def _list(items: Sequence[str]) -> str:
    shown = list(items[:_MAX_SHOWN_ROWS])
    if len(items) > len(shown):
        shown.append(f"… (+{len(items) - len(shown)})")
    return "; ".join(shown)


def _clip(text: str, limit: int) -> str:
    text = _one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _rows(n: int) -> str:
    return f"{n} row{'s' if n != 1 else ''}"


def _triples(n: int) -> str:
    return f"{n} triple{'s' if n != 1 else ''}"


# --- running --------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One row of the reproduction report: a finding (or a data check) and its status."""

    pack: str
    id: str
    finding: str
    sources: tuple[str, ...]
    query: str
    expected: str
    got: str
    tier: str | None
    status: Status
    detail: str = ""
    comment: str | None = None
    quotes: tuple[str, ...] = ()
    tier_reason: str | None = None
    difference_note: str | None = None

    @property
    def is_check(self) -> bool:
        return self.pack == CHECKS_PACK

    @property
    def source(self) -> str:
        """The source ids, comma-separated."""
        return ", ".join(self.sources)

    def to_json(self) -> dict[str, Any]:
        """The report row as a JSON object."""
        return {
            "pack": self.pack,
            "id": self.id,
            "finding": self.finding,
            "source": self.source,
            "sources": list(self.sources),
            "query": self.query,
            "expected": self.expected,
            "got": self.got,
            "tier": self.tier,
            "status": self.status,
            "detail": self.detail,
            "comment": self.comment,
            "quotes": list(self.quotes),
            "tier_reason": self.tier_reason,
            "difference_note": self.difference_note,
        }


@dataclass(frozen=True)
class Report:
    """The outcomes of a run, packs in name order, findings in manifest order, checks last."""

    packs: tuple[Pack, ...]
    outcomes: tuple[Outcome, ...]
    judgements: tuple[Judgement, ...] = ()

    @property
    def findings(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if not o.is_check)

    @property
    def checks(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.is_check)

    def counts(self) -> dict[str, int]:
        """Findings per status, every status listed."""
        counts: dict[str, int] = dict.fromkeys(FINDING_STATUSES, 0)
        counts.update(Counter(o.status for o in self.findings))
        return counts

    def failed(self, allow_differences: bool = False) -> bool:
        """Errors always fail (a failing evidence query too); differences and data-check
        violations unless allowed."""
        bad: set[str] = {"error"} if allow_differences else {"error", "differs", "violation"}
        if any(j.error for j in self.judgements):
            return True
        return any(o.status in bad for o in self.outcomes)

    def judgement(self, outcome: Outcome) -> Judgement | None:
        """The verdict on the finding of an outcome, if it was judged."""
        for j in self.judgements:
            if (j.finding.pack, j.finding.id) == (outcome.pack, outcome.id):
                return j
        return None


def run_finding(store: Store, finding: Finding, queries_dir: Path | None = None) -> Outcome:
    """Run one finding's query and compare the answer with its expected result."""
    base = queries_dir
    if base is None and finding.query is not None:
        base = finding.query.parent.parent
    outcome = Outcome(
        pack=finding.pack,
        id=finding.id,
        finding=finding.name,
        sources=finding.sources,
        query=_relative(finding.query, base),
        expected="",
        got="",
        tier=finding.tier,
        status="error",
        comment=finding.comment,
        quotes=finding.quotes,
        tier_reason=finding.tier_reason,
        difference_note=finding.difference_note,
    )
    if finding.problems:
        return _with(outcome, detail="; ".join(finding.problems))
    assert finding.query is not None and finding.result is not None
    try:
        expected = read_expected(_existing(finding.result, base))
    except ReproduceError as exc:
        return _with(outcome, detail=str(exc))
    outcome = _with(outcome, expected=short(expected))
    missing = [s for s in finding.requires if not source_present(store, s)]
    if missing:
        names = ", ".join(f"src:{s}" for s in missing)
        return _with(outcome, status="skipped", detail=f"requires {names}, not in the store")
    try:
        got = run_query(store, read_sparql(_existing(finding.query, base)))
    except ParadiploError as exc:
        return _with(outcome, detail=_one_line(str(exc)))
    comparison = compare(expected, got)
    status: Status = "reproduced" if comparison.equal else "differs"
    if isinstance(got, SelectResult):
        outcome = _with(outcome, expected=short(expected, got.variables))
    return _with(outcome, got=short(got), status=status, detail=comparison.detail)


def source_present(store: Store, source_id: str) -> bool:
    """Whether the store holds data from a source: a record or assertion derived from it.

    Registries imported with ``paradiplo import`` are present only in stores they were
    imported into; findings that compare them declare ``pd:requires`` and are skipped
    elsewhere.
    """
    iri = f"<{SRC}{source_id}>"
    sparql = (
        f"ASK {{ {{ ?record <{PD.inRegistry}> {iri} }} "
        f"UNION {{ ?assertion <{PROV_DERIVED}> {iri} }} }}"
    )
    result = store.query(sparql)
    return isinstance(result, AskResult) and result.value


def run_check(store: Store, path: Path, queries_dir: Path | None = None) -> Outcome:
    """Run one data check: any row it returns (or ``true``, or any triple) is a violation."""
    base = queries_dir or path.parent.parent
    stem = path.name.removesuffix(CHECK_SUFFIX).removesuffix(".rq")
    outcome = Outcome(
        pack=CHECKS_PACK,
        id=stem,
        finding=stem,
        sources=(),
        query=_relative(path, base),
        expected="no rows",
        got="",
        tier=None,
        status="error",
    )
    try:
        sparql = read_sparql(path)
        outcome = _with(outcome, comment=_leading_comment(sparql))
        got = run_query(store, sparql)
    except ParadiploError as exc:
        return _with(outcome, detail=_one_line(str(exc)))
    if isinstance(got, AskResult):
        violations, shown = int(got.value), _bool(got.value)
    elif isinstance(got, GraphResult):
        violations, shown = len(got.triples), short(got)
    else:
        violations, shown = len(got.rows), short(got)
    if not violations:
        return _with(
            outcome, got="no rows" if isinstance(got, SelectResult) else shown, status="ok"
        )
    return _with(outcome, got=shown, status="violation", detail=f"{violations} violation(s)")


def run_checks(store: Store, queries_dir: Path) -> list[Outcome]:
    """Every ``<queries_dir>/checks/*-violation.rq``, sorted by name.

    This is the hook for ``paradiplo build``/``validate``: any outcome whose status is not
    ``ok`` is a data error.
    """
    directory = queries_dir / CHECKS_DIR
    if not directory.is_dir():
        return []
    paths = sorted(directory.glob(f"*{CHECK_SUFFIX}"))
    return [run_check(store, path, queries_dir) for path in paths]


def reproduce(
    store: Store, queries_dir: Path, source: str | None = None, *, checks: bool = True
) -> Report:
    """Run every pack under ``queries_dir`` (and the data checks) against ``store``.

    With ``source``, only the findings citing that source id (or in the pack of that name)
    run, and the data checks, which belong to no source, are left out.
    """
    packs = discover_packs(queries_dir)
    if source is not None:
        packs = [p for p in packs if p.name == source or _cites(p, source)]
        if not packs:
            raise ReproduceError(f"no pack or finding cites source {source!r}")
    outcomes: list[Outcome] = []
    for pack in packs:
        for problem in pack.problems:
            outcomes.append(_pack_problem(pack, problem, queries_dir))
        for finding in pack.findings:
            if source is None or pack.name == source or source in finding.sources:
                outcomes.append(run_finding(store, finding, queries_dir))
    judgements = _judge(store, packs, outcomes)
    if checks and source is None:
        outcomes.extend(run_checks(store, queries_dir))
    return Report(tuple(packs), tuple(outcomes), judgements)


def _judge(store: Store, packs: Sequence[Pack], outcomes: Sequence[Outcome]) -> tuple[Any, ...]:
    """The verdict on every finding whose regression ran (verdicts.py), in report order."""
    from paradiplo.verdicts import Judgement, Provenance, VerdictError, judge

    provenance = Provenance(store)
    findings = {(f.pack, f.id): f for p in packs for f in p.findings}
    out = []
    for o in outcomes:
        finding = findings.get((o.pack, o.id))
        if finding is None or finding.problems:
            continue
        try:
            out.append(judge(store, finding, provenance, o))
        except VerdictError as exc:
            text = f"evidence query failed: {exc}"
            out.append(Judgement(finding, "unchecked", text, regression=o.status, error=text))
    return tuple(out)


def _cites(pack: Pack, source: str) -> bool:
    return source in pack.sources or any(source in f.sources for f in pack.findings)


def _pack_problem(pack: Pack, problem: str, queries_dir: Path) -> Outcome:
    return Outcome(
        pack=pack.name,
        id=MANIFEST,
        finding=MANIFEST,
        sources=pack.sources,
        query=_relative(pack.directory / MANIFEST, queries_dir),
        expected="",
        got="",
        tier=None,
        status="error",
        detail=problem,
    )


def read_sparql(path: Path) -> str:
    """The text of a query file; a missing file is a ``ReproduceError``."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReproduceError(f"{path.name}: cannot read: {exc.strerror or exc}") from exc


def _existing(path: Path, base: Path | None) -> Path:
    if not path.is_file():
        raise ReproduceError(f"{_relative(path, base)}: file missing")
    return path


def _relative(path: Path | None, base: Path | None) -> str:
    if path is None:
        return ""
    if base is not None:
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            pass
    return path.name


def _leading_comment(sparql: str) -> str | None:
    lines = []
    for line in sparql.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        lines.append(stripped.lstrip("#").strip())
    return " ".join(lines) or None


def _with(outcome: Outcome, **changes: Any) -> Outcome:
    return replace(outcome, **changes)


# --- reports --------------------------------------------------------------------------

_STYLE = {
    "skipped": "dim",
    "reproduced": "green",
    "ok": "green",
    "differs": "yellow",
    "violation": "yellow",
    "error": "red",
}


def render(report: Report, fmt: ReportFormat) -> str | Table:
    """The report as a rich table, a Markdown document or a JSON list."""
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "json":
        return render_json(report)
    return render_table(report)


def summary(report: Report) -> str:
    """One line: findings per status, and data checks per status if any ran."""
    parts = [f"{n} {status}" for status, n in report.counts().items()]
    n = len(report.findings)
    text = f"{n} finding{'s' if n != 1 else ''}: " + ", ".join(parts)
    if report.checks:
        counts = Counter(o.status for o in report.checks)
        text += "; data checks: " + ", ".join(f"{counts[s]} {s}" for s in CHECK_STATUSES)
    if report.judgements:
        from paradiplo.verdicts import VERDICTS

        verdicts = Counter(j.verdict for j in report.judgements)
        text += "; verdicts: " + ", ".join(f"{verdicts[v]} {v}" for v in VERDICTS)
    return text


def render_table(report: Report) -> Table:
    """One line per finding (verdict, both values, regression), then unhealthy checks."""
    from paradiplo import verdict_report

    table = verdict_report.table(report.judgements, caption=summary(report))
    judged = {(j.finding.pack, j.finding.id) for j in report.judgements}
    for o in report.outcomes:
        if (o.pack, o.id) in judged or (o.is_check and o.status == "ok"):
            continue
        style = _STYLE.get(o.status, "")
        name = f"{o.pack}: {o.finding}"
        table.add_row(escape(name), "", "", escape(o.detail or o.got), f"[{style}]{o.status}[/]")
    return table


def render_json(report: Report) -> str:
    """A JSON list of report rows: the regression fields, and the verdict for findings."""
    from paradiplo import verdict_report

    rows = []
    for o in report.outcomes:
        row = o.to_json()
        j = report.judgement(o)
        if j is not None:
            row.update(verdict_report.to_json(j))
        rows.append(row)
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def render_markdown(report: Report) -> str:
    """A deterministic Markdown report: verdicts per source, each finding in words, checks."""
    from paradiplo import verdict_report

    lines = [
        "# The sources' findings: verdicts and regression",
        "",
        "Each finding a source states has two results. Its **verdict** says what records "
        "independent of the claiming source (decided from provenance: a record derived from "
        "the source, or flagged as the encoder's reading of it, never counts) say about the "
        "claim: supported, partly supported, contradicted, not comparable, untestable "
        "(an opinion, recommendation or prediction) or unchecked (with the record that would "
        "settle it). Its **regression** result says only whether the finding's query still "
        "gives the answer saved beside it (`queries/<pack>/`, format in `queries/README.md`). "
        "Each build stores the verdicts in the graph `pdg:verdicts` (W3C EARL) and the "
        "disagreements between sources in `pdg:disagreements`. Generated by "
        "`paradiplo reproduce --format markdown`; do not edit by hand.",
        "",
        "## Verdicts per source",
        "",
        *verdict_report.counts_markdown(report.judgements),
        "",
        "## Regression",
        "",
        summary(report) + ".",
        "",
    ]
    lines += _summary_table(report)
    by_pack: dict[str, list[Outcome]] = {}
    for o in report.findings:
        by_pack.setdefault(o.pack, []).append(o)
    for pack in report.packs:
        lines += _pack_section(report, pack, by_pack.get(pack.name, []))
    if report.checks:
        lines += [
            "## Data checks",
            "",
            "`queries/checks/*-violation.rq`: any row is a data error.",
            "",
        ]
        lines += ["| check | got | status |", "|---|---|---|"]
        for o in report.checks:
            got = o.got if o.status != "error" else o.detail
            lines.append(f"| {_md(o.finding)} | {_md(got)} | {o.status} |")
        lines.append("")
        for o in report.checks:
            if o.comment:
                lines.append(f"- **{_md(o.finding)}**: {_md(o.comment)}")
        if any(o.comment for o in report.checks):
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _summary_table(report: Report) -> list[str]:
    tiers = [*TIERS, None]
    header = "| tier | findings | " + " | ".join(FINDING_STATUSES) + " |"
    lines = [header, "|---|---:|" + "---:|" * len(FINDING_STATUSES)]
    total: Counter[str] = Counter()
    for tier in tiers:
        rows = [o for o in report.findings if o.tier == tier]
        if tier is None and not rows:
            continue
        counts = Counter(o.status for o in rows)
        total.update(counts)
        cells = " | ".join(str(counts[s]) for s in FINDING_STATUSES)
        lines.append(f"| {tier or '(none)'} | {len(rows)} | {cells} |")
    cells = " | ".join(str(total[s]) for s in FINDING_STATUSES)
    lines.append(f"| **all** | {len(report.findings)} | {cells} |")
    return [*lines, ""]


def _pack_section(report: Report, pack: Pack, outcomes: list[Outcome]) -> list[str]:
    from paradiplo import verdict_report

    lines = [f"## {_md(pack.label)} (`{pack.name}`)", ""]
    if pack.sources:
        lines += ["Source: " + ", ".join(f"`src:{s}`" for s in pack.sources), ""]
    rows = [o for o in outcomes if o.id != MANIFEST]
    problems = [o for o in outcomes if o.id == MANIFEST]
    for o in problems:
        lines += [f"**Manifest error:** {_md(o.detail)}", ""]
    if not rows:
        return [*lines, "No findings yet.", ""] if not problems else lines
    judged = [j for o in rows if (j := report.judgement(o)) is not None]
    counts = Counter(j.verdict for j in judged)
    if counts:
        lines += ["Verdicts: " + ", ".join(f"{n} {v}" for v, n in counts.most_common()) + ".", ""]
    for i, o in enumerate(rows, 1):
        j = report.judgement(o)
        if j is not None:
            lines += verdict_report.finding_markdown(i, j)
        else:
            lines += [f"{i}. **{_md(o.finding)}**: {o.status}: {_md(o.detail)}", ""]
        if o.status == "differs":
            lines += [
                f"   *Differs:* {_md(o.detail)} (expected {_md(o.expected)}; got {_md(o.got)})",
                "",
            ]
        elif o.status == "error":
            lines += [f"   *Error:* {_md(o.detail)}", ""]
        elif o.status == "skipped":
            lines += [f"   Regression: skipped: {_md(o.detail)}", ""]
    return lines


def _md(text: str | None) -> str:
    """Text safe inside a Markdown table cell or list item."""
    return _one_line(text or "").replace("|", "\\|")
