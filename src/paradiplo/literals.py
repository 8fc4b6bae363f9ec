"""Lexical checks for typed literals, which RDF parsers accept without looking inside.

``"2004-13-40"^^xsd:date`` parses fine but is not a date; an OWL reasoner then flags the
whole graph inconsistent and SPARQL comparisons silently fail. Checking the lexical form at
load time turns that into an error that points at the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

XSD = "http://www.w3.org/2001/XMLSchema#"

_TZ = r"(Z|[+-]\d{2}:\d{2})?"
_YEAR = r"-?([1-9]\d{4,}|\d{4})"
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_DOUBLE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN")
_BOOLEAN = re.compile(r"true|false|1|0")
_DATE = re.compile(rf"(?P<y>{_YEAR})-(?P<m>\d{{2}})-(?P<d>\d{{2}})(?P<tz>{_TZ})")
_TIME = r"(?P<hh>\d{2}):(?P<mm>\d{2}):(?P<ss>\d{2}(\.\d+)?)"
_DATETIME = re.compile(
    rf"(?P<y>{_YEAR})-(?P<m>\d{{2}})-(?P<d>\d{{2}})T{_TIME}(?P<tz>{_TZ})",
)
_TIME_ONLY = re.compile(rf"{_TIME}(?P<tz>{_TZ})")
_GYEAR = re.compile(rf"(?P<y>{_YEAR})(?P<tz>{_TZ})")
_GYEARMONTH = re.compile(rf"(?P<y>{_YEAR})-(?P<m>\d{{2}})(?P<tz>{_TZ})")
_GMONTHDAY = re.compile(rf"--(?P<m>\d{{2}})-(?P<d>\d{{2}})(?P<tz>{_TZ})")
_GMONTH = re.compile(rf"--(?P<m>\d{{2}})(?P<tz>{_TZ})")
_GDAY = re.compile(rf"---(?P<d>\d{{2}})(?P<tz>{_TZ})")

# Value bounds of the built-in integer types derived from xsd:integer (None = unbounded).
_INTEGER_BOUNDS: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-(2**7), 2**7 - 1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 2**8 - 1),
}


def check_literal(lexical: str, datatype: str) -> str | None:
    """Why ``lexical`` is not a valid form of ``datatype``, or ``None`` if it is (or unchecked)."""
    if not datatype.startswith(XSD):
        return None
    local = datatype[len(XSD) :]
    checker = _CHECKERS.get(local)
    if checker is None:
        return None
    if lexical != lexical.strip():
        return f"not a valid xsd:{local} (leading or trailing whitespace)"
    reason = checker(lexical, local)
    return None if reason is None else f"not a valid xsd:{local}{reason}"


def checked_datatypes() -> frozenset[str]:
    """Full IRIs of the datatypes whose lexical forms are checked."""
    return frozenset(XSD + local for local in _CHECKERS)


def _integer(lexical: str, local: str) -> str | None:
    if not _INTEGER.fullmatch(lexical):
        return ""
    low, high = _INTEGER_BOUNDS[local]
    value = int(lexical)
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else str(low)
        hi = "inf" if high is None else str(high)
        return f" (out of range {lo}..{hi})"
    return None


def _pattern(regex: re.Pattern[str]) -> Callable[[str, str], str | None]:
    def check(lexical: str, _local: str) -> str | None:
        return None if regex.fullmatch(lexical) else ""

    return check


def _calendar(regex: re.Pattern[str]) -> Callable[[str, str], str | None]:
    """A checker for a date/time pattern that also checks field ranges (month 13 is no month)."""

    def check(lexical: str, _local: str) -> str | None:
        match = regex.fullmatch(lexical)
        if match is None:
            return ""
        return _fields_problem(match.groupdict())

    return check


def _fields_problem(fields: dict[str, str | None]) -> str | None:
    year = _int_field(fields, "y") or 2000  # without a year, a leap year admits --02-29
    month = _int_field(fields, "m")
    day = _int_field(fields, "d")
    if month is not None and not 1 <= month <= 12:
        return f" (month {month:02d})"
    if day is not None and not 1 <= day <= _days_in(year, month):
        return f" (day {day:02d})"
    time_problem = _time_problem(fields)
    if time_problem is not None:
        return time_problem
    return _tz_problem(fields.get("tz"))


def _int_field(fields: dict[str, str | None], name: str) -> int | None:
    value = fields.get(name)
    return int(value) if value else None


def _days_in(year: int, month: int | None) -> int:
    if month is None:
        return 31
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _time_problem(fields: dict[str, str | None]) -> str | None:
    if fields.get("hh") is None:
        return None
    hh, mm, ss = int(fields["hh"] or 0), int(fields["mm"] or 0), float(fields["ss"] or 0)
    if hh == 24 and mm == 0 and ss == 0:
        return None
    if hh > 23 or mm > 59 or ss >= 60:
        return f" (time {fields['hh']}:{fields['mm']}:{fields['ss']})"
    return None


def _tz_problem(tz: str | None) -> str | None:
    if not tz or tz == "Z":
        return None
    hours, minutes = int(tz[1:3]), int(tz[4:6])
    if minutes > 59 or hours > 14 or (hours == 14 and minutes > 0):
        return f" (timezone {tz})"
    return None


_CHECKERS: dict[str, Callable[[str, str], str | None]] = {
    **dict.fromkeys(_INTEGER_BOUNDS, _integer),
    "decimal": _pattern(_DECIMAL),
    "double": _pattern(_DOUBLE),
    "float": _pattern(_DOUBLE),
    "boolean": _pattern(_BOOLEAN),
    "date": _calendar(_DATE),
    "dateTime": _calendar(_DATETIME),
    "time": _calendar(_TIME_ONLY),
    "gYear": _calendar(_GYEAR),
    "gYearMonth": _calendar(_GYEARMONTH),
    "gMonthDay": _calendar(_GMONTHDAY),
    "gMonth": _calendar(_GMONTH),
    "gDay": _calendar(_GDAY),
}
