"""Every SPARQL query the documentation shows returns rows on the repository's build.

A newcomer copies the README's first query and expects an answer; nothing else checks
that the documented queries still match the data. The queries are taken from the
Markdown itself (fenced ``sparql``/``rq`` blocks, and ``paradiplo query '...'`` commands
anywhere in the text), so a query added to the docs is covered without touching this file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from paradiplo.build import build
from paradiplo.query import run_query
from paradiplo.store import AskResult, DataDir, GraphResult, SelectResult

REPO = Path(__file__).resolve().parents[1]
DOCS = sorted([REPO / "README.md", REPO / "ontology" / "README.md", *(REPO / "docs").glob("*.md")])

_FENCE = re.compile(r"^(```+|~~~+)[ \t]*([\w+-]*)[^\n]*\n(.*?)^\1[ \t]*$", re.M | re.S)
# `paradiplo [global options] query [options] '<query>'` (or "<query>"), over several lines
_COMMAND = re.compile(
    r"\bparadiplo\b(?:[ \t]+(?:-{1,2}[\w-]+(?:[ =](?!['\"])\S+)?))*[ \t]+query\b"
    r"(?:[ \t]+-{1,2}[\w-]+(?:[ =](?!['\"])\S+)?)*[ \t]+(?:'([^']*)'|\"([^\"]*)\")"
)


@dataclass(frozen=True)
class DocQuery:
    """A query found in a Markdown file, with where it starts (for test ids)."""

    path: Path
    line: int
    text: str

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(REPO).as_posix()}:{self.line}"


def extract(path: Path) -> list[DocQuery]:
    """The SPARQL queries in one Markdown file, in text order."""
    markdown = path.read_text(encoding="utf-8")
    found: list[tuple[int, str]] = []
    for fence in _FENCE.finditer(markdown):
        if fence.group(2).lower() in ("sparql", "rq"):
            found.append((fence.start(3), fence.group(3)))
    for command in _COMMAND.finditer(markdown):
        text = command.group(1) if command.group(1) is not None else command.group(2)
        found.append((command.start(), text))
    return [
        DocQuery(path, markdown.count("\n", 0, start) + 1, text) for start, text in sorted(found)
    ]


DOC_QUERIES = [q for path in DOCS for q in extract(path)]


def test_the_extractor_finds_fenced_blocks_and_commands(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "Text.\n\n```sparql\nASK { ?s ?p ?o }\n```\n\n```sh\n"
        "paradiplo --data-dir d query --format csv 'SELECT ?s WHERE {\n  ?s ?p ?o }'\n"
        "paradiplo query --file q.rq\n```\n\n"
        'Or inline: `paradiplo query "SELECT * WHERE { ?a ?b ?c }"`.\n'
        "```python\nprint('SELECT no')\n```\n",
        encoding="utf-8",
    )
    found = extract(doc)
    assert [(q.line, q.text) for q in found] == [
        (4, "ASK { ?s ?p ?o }\n"),
        (8, "SELECT ?s WHERE {\n  ?s ?p ?o }"),
        (13, "SELECT * WHERE { ?a ?b ?c }"),
    ]


def test_the_documentation_has_queries_in_each_place_it_should() -> None:
    where = {q.path.relative_to(REPO).as_posix() for q in DOC_QUERIES}
    assert {"README.md", "ontology/README.md", "docs/encoding.md"} <= where, where


@pytest.fixture(scope="module")
def repo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("docs") / "store"
    build(data_dir, REPO)
    return data_dir


@pytest.mark.repo_content
@pytest.mark.parametrize("doc_query", DOC_QUERIES, ids=lambda q: q.id)
def test_documented_query_returns_rows(repo_store: Path, doc_query: DocQuery) -> None:
    with DataDir(repo_store).open() as store:
        result = run_query(store, doc_query.text)
    if isinstance(result, SelectResult):
        assert result.rows, f"{doc_query.id}: no rows\n{doc_query.text}"
    elif isinstance(result, AskResult):
        assert result.value, f"{doc_query.id}: ASK is false\n{doc_query.text}"
    else:
        assert isinstance(result, GraphResult)
        assert result.triples, f"{doc_query.id}: no triples\n{doc_query.text}"
