"""SPARQL results as bytes in the four protocol formats: JSON, XML, CSV and TSV.

Standard library only: worker processes import this, and a worker replaced after a timeout
should be ready in a fraction of a second, without loading rdflib. The W3C defines no
CSV/TSV form for ASK; like Jena, a one-column ``_askResult`` table is written.
"""

from __future__ import annotations

import csv
import io
import json
from html import escape

from paradiplo.store import XSD_STRING, SelectResult, Term

SRX = "http://www.w3.org/2005/sparql-results#"


def select_bytes(result: SelectResult, key: str) -> bytes:
    """A SELECT result in the format ``key`` (json, xml, csv, tsv)."""
    if key == "json":
        return to_json(result).encode()
    if key == "csv":
        return to_csv(result).encode()
    if key == "tsv":
        return to_tsv(result).encode()
    return to_xml(result).encode()


def to_json(result: SelectResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    bindings = [
        {name: term.to_json() for name, term in zip(result.variables, row, strict=True) if term}
        for row in result.rows
    ]
    document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False) + "\n"


def to_csv(result: SelectResult) -> str:
    """SPARQL 1.1 CSV: plain values, blank nodes as ``_:label``, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(_plain(term) for term in row)
    return out.getvalue()


def _plain(term: Term | None) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if term.kind == "bnode" else term.value


def to_tsv(result: SelectResult) -> str:
    """SPARQL 1.1 TSV: terms in N-Triples syntax."""
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join("" if t is None else t.n3() for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def ask_bytes(value: bool, key: str) -> bytes:
    """An ASK result in the format ``key``."""
    word = "true" if value else "false"
    if key == "json":
        return (json.dumps({"head": {}, "boolean": value}) + "\n").encode()
    if key == "csv":
        return f"_askResult\r\n{word}\r\n".encode()
    if key == "tsv":
        return f"?_askResult\n{word}\n".encode()
    return (
        f'<?xml version="1.0"?>\n<sparql xmlns="{SRX}">\n  <head/>\n'
        f"  <boolean>{word}</boolean>\n</sparql>\n"
    ).encode()


def to_xml(result: SelectResult) -> str:
    """SPARQL Query Results XML Format."""
    lines = ['<?xml version="1.0"?>', f'<sparql xmlns="{SRX}">', "  <head>"]
    lines += [f"    <variable name={_attribute(name)}/>" for name in result.variables]
    lines += ["  </head>", "  <results>"]
    for row in result.rows:
        lines.append("    <result>")
        for name, term in zip(result.variables, row, strict=True):
            if term is not None:
                lines.append(f"      <binding name={_attribute(name)}>{_xml_term(term)}</binding>")
        lines.append("    </result>")
    lines += ["  </results>", "</sparql>"]
    return "\n".join(lines) + "\n"


def _attribute(value: str) -> str:
    return '"' + escape(value, quote=True) + '"'


def _xml_term(term: Term) -> str:
    text = escape(term.value, quote=False)
    if term.kind == "uri":
        return f"<uri>{text}</uri>"
    if term.kind == "bnode":
        return f"<bnode>{text}</bnode>"
    if term.kind != "triple" and term.lang:
        return f"<literal xml:lang={_attribute(term.lang)}>{text}</literal>"
    if term.kind != "triple" and term.datatype and term.datatype != XSD_STRING:
        return f"<literal datatype={_attribute(term.datatype)}>{text}</literal>"
    return f"<literal>{text}</literal>"
