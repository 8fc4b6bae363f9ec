"""Many ill-typed literals are all located, in linear time (issue 12, break 5).

Each bad literal used to be located by a fresh scan of the whole file (and a count of the
newlines before it), so 5,000 bad ``xsd:date`` values took 14 s, 10,000 took 57 s and
20,000 more than two minutes. Here 20,000 go through a real ``paradiplo build``, within the
``cli`` helper's two-minute limit; every one must be reported at its own line and column,
and the message lists the first ``SHOWN_ERRORS`` and counts the rest.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from paradiplo.content import ContentFile, Kind, Syntax
from paradiplo.load import SHOWN_ERRORS, LoadErrors, load_file

from .support import MINI, cli, copy_content, tried

pytestmark = pytest.mark.slow

BAD = 20_000
PREFIX = "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"


def bad_dates(path: Path) -> list[tuple[int, int, str]]:
    """Write ``BAD`` ill-typed dates (values repeat, so occurrences must be told apart).

    Returns the (line, column, lexical form) of each, computed from what is written. A
    comment holding the same text comes first and must not be taken for a literal.
    """
    lines = [PREFIX.rstrip("\n"), '# not data: "2004-13-01"^^xsd:date']
    expected = []
    for i in range(BAD):
        value = f"2004-13-{i % 28 + 1:02d}"
        subject = f"<https://example.org/bad/{i}>"
        spaces = " " * (i % 3)
        line = f'{subject} <https://example.org/bad/date> {spaces}"{value}"^^xsd:date .'
        lines.append(line)
        expected.append((len(lines), line.index('"') + 1, value))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return expected


def test_twenty_thousand_ill_typed_dates_are_all_located(tmp_path: Path) -> None:
    tried("ill-typed literal", BAD)
    root = copy_content(tmp_path / "content", MINI)
    path = root / "data" / "bad-dates.ttl"
    expected = bad_dates(path)
    run = cli("--data-dir", tmp_path / "store", "--root", root, "build")
    assert run.returncode == 1
    errors = [line for line in run.stderr.splitlines() if "ill-typed literal" in line]
    assert len(errors) == SHOWN_ERRORS
    for shown, (line, column, value) in zip(errors, expected, strict=False):
        assert shown.endswith(
            f'{path}:{line}:{column}: ill-typed literal "{value}": not a valid xsd:date (month 13)'
        )
    assert f"... and {BAD - SHOWN_ERRORS} more load errors ({BAD} in total" in run.stderr
    assert not (tmp_path / "store" / "CURRENT").exists()

    # every one of them, not only those shown, is at its own place
    file = ContentFile(path, "data/bad-dates.ttl", Kind.DATA, Syntax.TURTLE, "urn:x:g")
    with pytest.raises(LoadErrors) as caught:
        load_file(file)
    got = [(e.line, e.column, e.message) for e in caught.value.errors]
    assert got == [
        (line, column, f'ill-typed literal "{value}": not a valid xsd:date (month 13)')
        for line, column, value in expected
    ]
