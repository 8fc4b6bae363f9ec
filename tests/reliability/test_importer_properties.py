"""Property tests of the registry importer: random rows are imported or rejected, never a crash.

Rows mix plausible cells (so that many are accepted) with arbitrary text (quotes, commas,
newlines, control characters, other scripts). For every generated file the importer must
either accept all rows, and then write TriG that paradiplo loads without an error, or name
each bad row with its line, its row number and a reason; a row that is rejected on its own
must be rejected, under its own number, in any file that contains it.
"""

from __future__ import annotations

import csv
import re
import tempfile
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, event, given, settings

from paradiplo.content import ContentFile, Kind, Syntax
from paradiplo.importers import registry_csv as rc
from paradiplo.load import load_file

from .support import tried

PARTIES_CN = ["city:cn-harbin", "city:cn-beijing", "region:cn-hl", "district:cn-nangang"]
PARTIES_RU = ["city:ru-khabarovsk", "city:ru-moscow", "region:ru-amu", "district:ru-khasansky"]
SOURCES = {"https://example.org/a": "Example page", "http://example.org/b?x=1&y=2": "Пример"}
QUOTES = ["The two cities were twinned in 1993.", 'He said "yes, twinned".', "友好城市, 1993"]
GARBAGE = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]),  # no lone surrogates: not encodable
    max_size=40,
)
BAD = {
    "party_a": ["city:CN-x", "region:cn-zz", "city:xq-a", "ru-moscow", ""],
    "party_b": ["city:cn-harbin", "city:ru-", "region:ru-xx"],
    "level": ["town", "CITY", ""],
    "kind": ["twin", ""],
    "established": ["93", "1993-02-30", "2004-13-40", "1993-6-1"],
    "source_url": ["ftp://x", "javascript:alert(1)", "https://exa mple.org", ""],
    "quote": ["", "ok", "x" * 301],
}


def _level(a: str, b: str) -> str:
    kinds = {a.split(":")[0] == "region", b.split(":")[0] == "region"}
    return "region" if kinds == {True} else "city" if kinds == {False} else "mixed"


@st.composite
def registry_rows(draw: st.DrawFn) -> dict[str, str]:
    """A valid row, then up to two cells replaced by a known-bad value or arbitrary text."""
    a, b = draw(st.sampled_from(PARTIES_CN)), draw(st.sampled_from(PARTIES_RU))
    url = draw(st.sampled_from(sorted(SOURCES)))
    row = {
        "party_a": a,
        "party_a_name": draw(st.sampled_from(["Harbin", "哈尔滨", "Nangang, Harbin"])),
        "party_b": b,
        "party_b_name": draw(st.sampled_from(["Khabarovsk", "Хабаровск"])),
        "level": _level(a, b),
        "kind": draw(st.sampled_from(sorted(rc.KINDS))),
        "established": draw(st.sampled_from(["", "1993", "1993-06", "1993-06-15"])),
        "source_url": url,
        "source_title": SOURCES[url],
        "quote": draw(st.sampled_from(QUOTES)),
        "note": draw(st.sampled_from(["", "checked", "line one\nline two", "a, b; c"])),
    }
    for column in draw(st.lists(st.sampled_from(rc.COLUMNS), max_size=2, unique=True)):
        bad = st.sampled_from(BAD[column]) if column in BAD else st.nothing()
        row[column] = draw(st.one_of(bad, GARBAGE))
    return row


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    """A well-formed CSV: CRLF line ends, so that a cell holding a lone CR is quoted too."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=rc.COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def rejected_rows(path: Path) -> dict[int, list[str]] | None:
    """Row number -> reasons, or ``None`` if the file was accepted; checks the message form."""
    try:
        rc.read_registry(path)
    except rc.RegistryError as error:
        reasons: dict[int, list[str]] = {}
        pattern = re.compile(rf"^{re.escape(str(path))}:(\d+): row (\d+): (\S.*)$")
        for message in error.messages:
            match = pattern.match(message)
            assert match, f"message without line, row and reason: {message!r}"
            reasons.setdefault(int(match[2]), []).append(match[3])
        return reasons
    return None


def loads_cleanly(trig: str, directory: Path) -> None:
    """The importer's TriG goes through paradiplo's own loader without an error."""
    path = directory / "registry.trig"
    path.write_text(trig, encoding="utf-8")
    loaded = load_file(ContentFile(path, "data/registry.trig", Kind.DATA, Syntax.TRIG, None))
    assert loaded.quads


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(registry_rows(), min_size=1, max_size=4))
def test_random_rows_are_imported_or_rejected_by_number(rows: list[dict[str, str]]) -> None:
    tried("hypothesis registry CSV", len(rows))
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        path = write_rows(directory / "random-ties.csv", rows)
        rejected = rejected_rows(path)
        event("accepted" if rejected is None else "rejected")
        if rejected is None:
            registry = rc.read_registry(path)
            assert [r.number for r in registry.records] == list(range(1, len(rows) + 1))
            loads_cleanly(rc.to_trig(registry), directory)
            return
        assert rejected, "a RegistryError must name at least one row"
        assert set(rejected) <= set(range(1, len(rows) + 1))
        for number, row in enumerate(rows, start=1):
            alone = rejected_rows(write_rows(directory / "alone-ties.csv", [row]))
            if alone is not None:
                assert number in rejected, f"row {number} fails alone but not in the file"
