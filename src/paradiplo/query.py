"""Run SPARQL against a store and render the answer as a table, CSV, TSV or SPARQL JSON.

Queries may use the project's prefixes (``pd:``, ``id:``, ...) without declaring them:
the missing ``PREFIX`` lines are added, so saved queries and one-liners stay short.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal as TypingLiteral

from rdflib import BNode, Graph, Literal, URIRef
from rich.table import Table

from paradiplo.csvsafe import safe_row
from paradiplo.errors import ParadiploError
from paradiplo.namespaces import PREFIXES
from paradiplo.store import (
    XSD_STRING,
    AskResult,
    GraphResult,
    QueryResult,
    SelectResult,
    Store,
    Term,
)

Format = TypingLiteral["table", "csv", "tsv", "json"]
FORMATS: tuple[Format, ...] = ("table", "csv", "tsv", "json")

_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|\#[^\n]*",
    re.DOTALL,
)
_PREFIXED = re.compile(r"(?<![\w$?:.\-])([A-Za-z](?:[\w.\-]*[\w\-])?)?:")
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z](?:[\w.\-]*[\w\-])?)?\s*:", re.IGNORECASE)


def read_query(text: str | None, file: Path | None) -> str:
    """The query from the command line or from a file (exactly one of them)."""
    if (text is None) == (file is None):
        raise ParadiploError("give a query or --file, not both and not neither")
    if file is not None:
        try:
            return file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ParadiploError(f"{file}: cannot read query: {exc.strerror}") from exc
    assert text is not None
    return text


def used_prefixes(sparql: str) -> set[str]:
    """Prefix names used in prefixed names, ignoring strings, IRIs and comments."""
    code = _OPAQUE.sub(" ", sparql)
    return {m.group(1) or "" for m in _PREFIXED.finditer(code)}


def add_missing_prefixes(sparql: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """Prepend ``PREFIX`` lines for known prefixes the query uses but does not declare."""
    declared = {m.group(1) or "" for m in _DECLARED.finditer(_OPAQUE.sub(" ", sparql))}
    missing = sorted((used_prefixes(sparql) - declared) & set(prefixes))
    header = "".join(f"PREFIX {p}: <{prefixes[p]}>\n" for p in missing)
    return header + sparql


def run_query(store: Store, sparql: str) -> QueryResult:
    """Evaluate ``sparql`` (project prefixes added) on ``store``."""
    return store.query(add_missing_prefixes(sparql))


def render(result: QueryResult, fmt: Format) -> str | Table:
    """The result in ``fmt``; ASK gives true/false and CONSTRUCT/DESCRIBE give Turtle."""
    if isinstance(result, GraphResult):
        return to_turtle(result)
    if isinstance(result, AskResult):
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.value}) + "\n"
        return "true\n" if result.value else "false\n"
    if fmt == "table":
        return to_table(result)
    if fmt == "csv":
        return to_csv(result)
    return to_tsv(result) if fmt == "tsv" else to_json(result)


def to_table(result: SelectResult) -> Table:
    """A rich table with IRIs shortened by the project's prefixes."""
    table = Table(caption=f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}")
    for name in result.variables:
        table.add_column(name, overflow="fold")
    for row in result.rows:
        table.add_row(*(_cell(term) for term in row))
    return table


def _cell(term: Term | None) -> str:
    if term is None:
        return ""
    if term.kind == "literal":
        return f"{term.value}@{term.lang}" if term.lang else term.value
    return term.n3(PREFIXES)


def to_csv(result: SelectResult) -> str:
    """SPARQL 1.1 CSV results: plain values, blank nodes as ``_:label``.

    Meant for people's spreadsheets, so cells that would run as formulas are neutralised
    (``paradiplo.csvsafe``); the endpoint's CSV (``server.results``) keeps the W3C values.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(safe_row(result.variables))
    for row in result.rows:
        writer.writerow(safe_row(_csv_value(term) for term in row))
    return out.getvalue()


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if term.kind == "bnode" else term.value


def to_tsv(result: SelectResult) -> str:
    """SPARQL 1.1 TSV results: terms in N-Triples syntax."""
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join("" if t is None else t.n3() for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def to_json(result: SelectResult) -> str:
    """SPARQL 1.1 JSON results."""
    bindings = [
        {name: term.to_json() for name, term in zip(result.variables, row, strict=True) if term}
        for row in result.rows
    ]
    document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def to_turtle(result: GraphResult) -> str:
    """Turtle with the project's prefixes."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for s, p, o in result.triples:
        graph.add((_rdflib(s), _rdflib(p), _rdflib(o)))
    return graph.serialize(format="turtle")


def _rdflib(term: Term) -> URIRef | BNode | Literal:
    if term.kind == "uri":
        return URIRef(term.value)
    if term.kind == "bnode":
        return BNode(term.value)
    if term.lang:
        return Literal(term.value, lang=term.lang)
    datatype = None if term.datatype in (None, XSD_STRING) else URIRef(term.datatype or "")
    return Literal(term.value, datatype=datatype, normalize=False)
