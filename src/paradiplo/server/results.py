"""SPARQL results as bytes in the four protocol formats: JSON, XML, CSV and TSV.

Standard library only: worker processes import this, and a worker replaced after a timeout
should be ready in a fraction of a second, without loading rdflib. The W3C defines no
CSV/TSV form for ASK; like Jena, a one-column ``_askResult`` table is written.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from html import escape

from paradiplo.store import XSD_STRING, SelectResult, Term

SRX = "http://www.w3.org/2005/sparql-results#"


def select_bytes(result: SelectResult, key: str) -> bytes:
    """A SELECT result in the format ``key`` (json, xml, csv, tsv)."""
    writer = SelectWriter(key, result.variables)
    return writer.head() + b"".join(writer.row(row) for row in result.rows) + writer.tail()


class SelectWriter:
    """A SELECT result written piece by piece: ``head``, one ``row`` at a time, ``tail``.

    The worker streams answers to a file row by row and stops at the byte cap, so each
    piece is a complete unit of the format and the document stays well-formed wherever the
    rows stop.
    """

    def __init__(self, key: str, variables: tuple[str, ...]) -> None:
        self.key = key
        self.variables = variables
        self._first = True

    def head(self) -> bytes:
        if self.key == "json":
            vars_ = json.dumps(list(self.variables), ensure_ascii=False)
            return ('{"head": {"vars": ' + vars_ + '}, "results": {"bindings": [').encode()
        if self.key == "csv":
            return _csv_line(self.variables).encode()
        if self.key == "tsv":
            return ("\t".join(f"?{v}" for v in self.variables) + "\n").encode()
        lines = ['<?xml version="1.0"?>', f'<sparql xmlns="{SRX}">', "  <head>"]
        lines += [f"    <variable name={_attribute(name)}/>" for name in self.variables]
        lines += ["  </head>", "  <results>"]
        return ("\n".join(lines) + "\n").encode()

    def row(self, row: tuple[Term | None, ...]) -> bytes:
        pairs = list(zip(self.variables, row, strict=True))
        if self.key == "json":
            binding = {name: term.to_json() for name, term in pairs if term}
            text = json.dumps(binding, ensure_ascii=False)
            if not self._first:
                text = ", " + text
            self._first = False
            return text.encode()
        if self.key == "csv":
            return _csv_line([_plain(term) for term in row]).encode()
        if self.key == "tsv":
            return ("\t".join("" if t is None else t.n3() for t in row) + "\n").encode()
        lines = ["    <result>"]
        for name, term in pairs:
            if term is not None:
                lines.append(f"      <binding name={_attribute(name)}>{_xml_term(term)}</binding>")
        lines.append("    </result>")
        return ("\n".join(lines) + "\n").encode()

    def tail(self) -> bytes:
        if self.key == "json":
            return b"]}}\n"
        if self.key in ("csv", "tsv"):
            return b""
        return b"  </results>\n</sparql>\n"


def _csv_line(values: Iterable[str]) -> str:
    """One SPARQL 1.1 CSV record (CRLF line end)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(values)
    return out.getvalue()


def _plain(term: Term | None) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if term.kind == "bnode" else term.value


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
