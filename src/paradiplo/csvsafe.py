"""Spreadsheet-safe CSV cells (CSV injection, OWASP's rule).

A spreadsheet opening a CSV file evaluates a cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``), and some strip a leading
tab or carriage return first. Names in the graph come from imported registries that anyone
can edit, so every CSV the project writes for people to open (``paradiplo export`` tables,
the report's ``places.csv``, ``paradiplo query --format csv``) passes its cells through
``neutralise``: such a cell gets a leading single quote, which spreadsheets show as text.

A cell that is a plain decimal number (``-12.5``, ``+3``, ``1e-3``) is left alone: it cannot
be a formula, and quoting it would turn every negative coordinate into text. The SPARQL
endpoint's ``text/csv`` results are not changed: they follow the W3C SPARQL 1.1 CSV
format, for programs, and a quote would change the values (see SECURITY.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(cell: object) -> object:
    """``cell`` with a leading ``'`` if it is text a spreadsheet would run as a formula."""
    if not isinstance(cell, str) or not cell.startswith(FORMULA_STARTS):
        return cell
    if _NUMBER.fullmatch(cell):
        return cell
    return "'" + cell


def safe_row(row: Iterable[object]) -> list[object]:
    """Every cell of ``row`` through ``neutralise``."""
    return [neutralise(cell) for cell in row]
