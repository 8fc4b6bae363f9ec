"""SPARQL results as bytes in the four protocol formats: JSON, XML, CSV and TSV.

SELECT results reuse the serializers of ``paradiplo query`` (``query.to_json`` ...), so the
command line and the endpoint write the same documents. The W3C defines no CSV/TSV form
for ASK; like Jena, a one-column ``_askResult`` table is written.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape, quoteattr

from paradiplo.query import to_csv, to_json, to_tsv
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
    lines += [f"    <variable name={quoteattr(name)}/>" for name in result.variables]
    lines += ["  </head>", "  <results>"]
    for row in result.rows:
        lines.append("    <result>")
        for name, term in zip(result.variables, row, strict=True):
            if term is not None:
                lines.append(f"      <binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
        lines.append("    </result>")
    lines += ["  </results>", "</sparql>"]
    return "\n".join(lines) + "\n"


def _xml_term(term: Term) -> str:
    if term.kind == "uri":
        return f"<uri>{escape(term.value)}</uri>"
    if term.kind == "bnode":
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.kind == "triple":
        return f"<literal>{escape(term.value)}</literal>"
    if term.lang:
        return f"<literal xml:lang={quoteattr(term.lang)}>{escape(term.value)}</literal>"
    if term.datatype and term.datatype != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"
