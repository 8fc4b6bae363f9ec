from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paradiplo.literals import XSD, check_literal, checked_datatypes

INVALID = [
    ("abc", "integer"),
    ("1.5", "integer"),
    (" 12", "integer"),
    ("300", "byte"),
    ("-1", "nonNegativeInteger"),
    ("0", "positiveInteger"),
    ("1.2.3", "decimal"),
    ("1e5", "decimal"),
    ("1e", "double"),
    ("yes", "boolean"),
    ("True", "boolean"),
    ("2004-13-40", "date"),
    ("2004-02-30", "date"),
    ("2003-02-29", "date"),
    ("04-10-26", "date"),
    ("2004-10-26T25:00:00", "dateTime"),
    ("2004-10-26", "dateTime"),
    ("2004-10-26T10:00:00+15:00", "dateTime"),
    ("20O4", "gYear"),
    ("04", "gYear"),
    ("2004-13", "gYearMonth"),
    ("2004-1", "gYearMonth"),
    ("--02-30", "gMonthDay"),
    ("---32", "gDay"),
    ("--13", "gMonth"),
]

VALID = [
    ("-12", "integer"),
    ("+0", "integer"),
    ("127", "byte"),
    ("1.5", "decimal"),
    ("-.5", "decimal"),
    ("3", "decimal"),
    ("1e10", "double"),
    ("INF", "double"),
    ("NaN", "float"),
    ("true", "boolean"),
    ("0", "boolean"),
    ("2004-02-29", "date"),
    ("2004-10-26Z", "date"),
    ("2004-10-26T10:00:00.5+08:00", "dateTime"),
    ("24:00:00", "time"),
    ("2004", "gYear"),
    ("-0044", "gYear"),
    ("2004-02", "gYearMonth"),
    ("--02-29", "gMonthDay"),
]


@pytest.mark.parametrize(("lexical", "local"), INVALID)
def test_ill_typed_literals_are_reported(lexical: str, local: str) -> None:
    reason = check_literal(lexical, XSD + local)
    assert reason is not None
    assert f"xsd:{local}" in reason


@pytest.mark.parametrize(("lexical", "local"), VALID)
def test_well_typed_literals_pass(lexical: str, local: str) -> None:
    assert check_literal(lexical, XSD + local) is None


def test_unchecked_datatypes_are_not_judged() -> None:
    assert check_literal("anything", XSD + "string") is None
    assert check_literal("abc", "https://example.org/myType") is None
    assert XSD + "gYear" in checked_datatypes()
    assert XSD + "string" not in checked_datatypes()


@given(st.integers())
def test_every_integer_is_a_valid_xsd_integer(n: int) -> None:
    assert check_literal(str(n), XSD + "integer") is None


@given(st.dates())
def test_every_calendar_date_is_a_valid_xsd_date(day: dt.date) -> None:
    assert check_literal(f"{day.year:04d}-{day.month:02d}-{day.day:02d}", XSD + "date") is None
    assert check_literal(f"{day.year:04d}-{day.month:02d}", XSD + "gYearMonth") is None


@given(st.text(alphabet="abcxyz", min_size=1))
def test_letters_are_never_numbers(text: str) -> None:
    for local in ("integer", "decimal", "gYear"):
        assert check_literal(text, XSD + local) is not None
