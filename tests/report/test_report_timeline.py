"""Dates of ties (earliest, disputed), ties per year, and the progress helper."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from paradiplo.progress import steps, track
from paradiplo.report.data import Tie, decimal_year, year_of
from paradiplo.report.timeline import build, by_level


def tie(name: str, level: str, *dates: str) -> Tie:
    return Tie(name, "a", "b", (level,), (), dates, ("s",))


def test_precision_differences_are_not_disputes() -> None:
    agreeing = tie("t", "city", "1995-05", "1995-05-16")
    assert not agreeing.disputed
    assert agreeing.earliest == "1995-05" and agreeing.year == 1995


def test_contradicting_dates_are_disputed_and_the_earliest_is_used() -> None:
    shenyang_irkutsk = tie("t", "city", "1992-08-12", "1990-08-12")
    assert shenyang_irkutsk.disputed
    assert shenyang_irkutsk.earliest == "1990-08-12" and shenyang_irkutsk.year == 1990
    assert tie("u", "city", "2002", "2003-10-16").disputed
    assert tie("v", "city").earliest is None and tie("v", "city").year is None


def test_dates_on_a_time_axis() -> None:
    assert decimal_year("2004-10-26") == pytest.approx(2004.82, abs=0.01)
    assert decimal_year("2023") == 2023.5
    assert decimal_year("1995-05") == pytest.approx(1995.37, abs=0.01)
    assert decimal_year("garbage") is None
    assert year_of("1988-12-15") == 1988 and year_of("x") is None


def test_ties_per_year_by_level() -> None:
    ties = [
        tie("1", "city", "1990"),
        tie("2", "city", "1990-05-01"),
        tie("3", "region", "1992-01-01", "1993"),  # disputed, counted in 1992
        tie("4", "mixed", "1992"),
        tie("5", "city"),  # undated
        tie("6", "region"),  # undated
    ]
    timeline = by_level(ties)
    assert timeline.series == ["region", "mixed", "city"]
    assert timeline.years == [1990, 1991, 1992]
    assert timeline.per_year("city") == [2, 0, 0]
    assert timeline.per_year("region") == [0, 0, 1]
    assert timeline.disputed_per_year("region") == [0, 0, 1]
    assert timeline.cumulative() == [2, 2, 4]
    assert timeline.cumulative("mixed") == [0, 0, 1]
    assert (timeline.dated, timeline.disputed_total) == (4, 1)
    assert dict(timeline.undated) == {"city": 1, "region": 1}


def test_custom_series_keep_the_given_order_then_the_rest() -> None:
    ties = [tie("1", "city", "2000"), tie("2", "city", "2001"), tie("3", "city", "2001")]
    names = {"1": "West", "2": "North-East", "3": "Central"}
    timeline = build(ties, lambda t: names[t.iri], order=("North-East",))
    assert timeline.series == ["North-East", "Central", "West"]
    assert timeline.cumulative() == [1, 3]
    assert build([], lambda t: "x").years == []


def test_steps_progress_reports_each_step_and_finishes() -> None:
    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=False)
    with steps("report", total=3, console=console) as bar:
        for name in ("query", "draw", "write"):
            bar.step(name)
    assert bar.names == ["query", "draw", "write"]
    text = out.getvalue()
    assert "report" in text and "3/3" in text and "done" in text


def test_track_counts_items_and_can_be_silent() -> None:
    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=False)
    assert list(track(range(5), "import rows", console=console)) == [0, 1, 2, 3, 4]
    assert "5/5" in out.getvalue()
    quiet = io.StringIO()
    items = list(track(["a"], "x", console=Console(file=quiet), enabled=False))
    assert items == ["a"] and quiet.getvalue() == ""
    with steps("x", console=Console(file=quiet), enabled=False) as bar:
        bar.step("one")
    assert quiet.getvalue() == "" and bar.names == ["one"]
