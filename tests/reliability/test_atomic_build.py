"""A broken content file fails ``paradiplo build`` and loses nothing.

Each case edits one file of a copy of the repository's content the way a slip of the
keyboard would, runs the real command, and checks three things: the exit code and the
``path:line:column: message`` line on stderr (position computed here from the edit, not
copied from the parser), that the data directory is exactly as before (CURRENT, the list
of builds, every quad of the current store), and that the old store still answers.
The bad-input corpus (``test_corpus.py``) adds new files; these cases break existing ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from paradiplo.store import DataDir

from .server import Server
from .support import cli, snapshot, tried

pytestmark = pytest.mark.slow

XSD_DATE = "<http://www.w3.org/2001/XMLSchema#date>"
SERVED_PATTERN = "GRAPH ?g { ?s ?p ?o }"


@dataclass(frozen=True)
class Breakage:
    """How to break one file, and where (line, column) the error must be reported."""

    rel: str
    edit: Callable[[str], tuple[str, int, int]]
    message: str


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _append(statement: str, column_of: str) -> Callable[[str], tuple[str, int, int]]:
    """Append ``statement`` on a line of its own; the error is at ``column_of`` in it."""

    def edit(text: str) -> tuple[str, int, int]:
        new = text.rstrip("\n") + "\n\n" + statement + "\n"
        line, _ = _position(new, len(new) - len(statement) - 1)
        return new, line, statement.index(column_of) + 1

    return edit


def _replace_first(old: str, new: str, at: str | int) -> Callable[[str], tuple[str, int, int]]:
    """Replace the first ``old`` by ``new``; the error is at ``at`` (text or offset) in ``new``."""

    def edit(text: str) -> tuple[str, int, int]:
        start = text.index(old)
        changed = text[:start] + new + text[start + len(old) :]
        line, column = _position(changed, start + (new.index(at) if isinstance(at, str) else at))
        return changed, line, column

    return edit


BREAKAGES = {
    "ontology-missing-object": Breakage(
        "ontology/paradiplo.ttl", _append("pd:Broken a .", "."), "is not a valid RDF object"
    ),
    "shapes-unknown-prefix": Breakage(
        "shapes/data.ttl",
        _append("nope:Shape a sh:NodeShape .", "nope:"),
        "prefix nope: has not been declared",
    ),
    "reference-impossible-date": Breakage(
        "data/reference/places.ttl",
        _append(f'country:cn pd:established "2004-13-40"^^{XSD_DATE} .', '"2004'),
        'ill-typed literal "2004-13-40": not a valid xsd:date',
    ),
    "source-integer-abc": Breakage(
        "data/sources/guo-li.trig",
        _replace_first(
            'pd:quote "Guo, Li" ;',
            'pd:quote "Guo, Li" ; pd:recordNumber "abc"^^xsd:integer ;',
            '"abc"',
        ),
        'ill-typed literal "abc": not a valid xsd:integer',
    ),
    "source-bad-trig": Breakage(
        "data/sources/guo-li.trig",
        _replace_first("pda:guo-li-001 {", "pda:guo-li-001 { {", len("pda:guo-li-001 { ")),
        "{ is not a valid",
    ),
    "source-default-graph-triple": Breakage(
        "data/sources/guo-li.trig",
        _append('src:guo-li pd:quote "a statement outside any graph" .', "src:"),
        "triples outside a named graph",
    ),
}


def _count(data_dir: Path) -> int:
    with DataDir(data_dir).open() as store:
        return store.quad_count()


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_broken_file_fails_build_and_keeps_the_store(
    name: str, broken_root: Path, repo_store: Path, ro_server: Server
) -> None:
    """``ro_server`` serves ``repo_store`` all along: it must keep answering, unchanged."""
    breakage = BREAKAGES[name]
    path = broken_root / breakage.rel
    text, line, column = breakage.edit(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    before, served = snapshot(repo_store), ro_server.count(SERVED_PATTERN)

    done = cli("--root", broken_root, "--data-dir", repo_store, "build")
    tried("broken content file")

    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    where = re.escape(f"{breakage.rel}:{line}:{column}: ")
    assert re.search(where + ".*" + re.escape(breakage.message), done.stderr), done.stderr
    assert snapshot(repo_store) == before
    assert _count(repo_store) == before.named  # and the old store answers queries
    assert ro_server.count(SERVED_PATTERN) == served


def test_shacl_violation_fails_build_with_a_readable_report(
    broken_root: Path, repo_store: Path, ro_server: Server
) -> None:
    bad = broken_root / "data" / "sources" / "unsourced.trig"
    bad.write_text(
        "@prefix pd: <https://w3id.org/paradiplo/ontology#> .\n"
        "@prefix pda: <https://w3id.org/paradiplo/id/assertion/> .\n"
        'pda:unsourced-001 { pda:unsourced-001 a pd:Assertion ; pd:quote "no source" . }\n',
        encoding="utf-8",
    )
    before, served = snapshot(repo_store), ro_server.count(SERVED_PATTERN)

    done = cli("--root", broken_root, "--data-dir", repo_store, "build")
    tried("broken content file")

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "--allow-violations" in done.stderr
    report = done.stderr.split("\n\n")
    (result,) = [block for block in report if "unsourced-001 (" in block]
    head, *details = result.splitlines()
    assert re.match(r"Violation: pda:unsourced-001 \(.*data/sources/unsourced\.trig\)", head)
    assert "  path: prov:wasDerivedFrom" in details
    assert "  an assertion needs exactly one prov:wasDerivedFrom, a pd:Source" in details
    assert snapshot(repo_store) == before
    assert ro_server.count(SERVED_PATTERN) == served
