"""The bad-input corpus: every file in ``corpus/`` with the error paradiplo must give for it.

Each case is a small file plus a ``.expected`` sidecar (see ``support.Case``):

* ``content/``: dropped into a copy of the repository's content and built; the build must
  fail with ``path:line:column: message`` and leave the current store as it was;
* ``registry_csv/``, ``twin_cities/``, ``wikidata_gexf/``: importer inputs; each bad row is
  named with its number and reason (good rows of the world registries still imported), or
  the whole file is refused with its place; the GEXF importer fetches nothing;
* ``sparql/``, ``http/``: queries and raw HTTP requests sent to a running server; the
  answer has the expected status, a one-line reason, no traceback or server path, and
  the server goes on answering.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from paradiplo.cli import cli
from paradiplo.importers import registry_csv, twin_cities, wikidata_gexf
from paradiplo.importers.registry_import import RegistryFileError, RegistryImport
from paradiplo.store import BUILDS, CURRENT

from .server import QUERY_TYPE, Canary, Response, Server, assert_clean_error
from .support import CORPUS, REPO, Case, corpus, tried

CONTENT = corpus("content")


def params(cases: list[Case]) -> list[object]:
    """Cases as pytest params; a sidecar ``xfail: reason`` marks a known defect (strict)."""
    return [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(strict=True, reason=r) for r in case.all("xfail")],
        )
        for case in cases
    ]


def error_lines(stderr: str, rel: Path) -> list[str]:
    """The ``path:line:column: message`` lines of ``stderr`` that are about ``rel``."""
    return [line for line in stderr.splitlines() if str(rel) in line]


@pytest.mark.parametrize("case", params(CONTENT))
def test_bad_content_file_fails_the_build_at_its_position(
    case: Case, repo_store: Path, broken_root: Path
) -> None:
    rel = case.path.relative_to(CORPUS / "content")
    target = broken_root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(case.path, target)
    pointer = (repo_store / CURRENT).read_text()
    builds = sorted(p.name for p in (repo_store / BUILDS).iterdir())

    result = CliRunner().invoke(
        cli, ["--root", str(broken_root), "--data-dir", str(repo_store), "build"]
    )
    tried("content file")

    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a crash
    assert "Traceback" not in result.output
    lines = error_lines(result.stderr, rel)
    assert len(lines) == 1, result.stderr
    message = lines[0]
    if case.one("at"):  # a parse error: path:line:column: message
        match = re.search(rf"{re.escape(str(rel))}:{case.one('at')}: (?P<message>.+)$", message)
        assert match, f"expected {rel}:{case.one('at')}: in {message!r}"
        message = match["message"]
    for pattern in case.all("error"):
        assert re.search(pattern, message), (pattern, message)
    assert (repo_store / CURRENT).read_text() == pointer
    assert sorted(p.name for p in (repo_store / BUILDS).iterdir()) == builds


REGISTRY_CSV = corpus("registry_csv")


@pytest.mark.parametrize("case", params(REGISTRY_CSV))
def test_bad_registry_csv_is_rejected_with_row_and_reason(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.trig"
    args = (case.one("args") or "").split()
    code = registry_csv.main([str(case.path), "--out", str(out), *args])
    tried("registry CSV file")
    stderr = capsys.readouterr().err
    assert code == 2, stderr
    assert "Traceback" not in stderr
    assert not out.exists()
    row = f"row {case.one('row')}: " if case.one("row") else ""
    prefix = f"{case.path}:{case.one('line')}: {row}"
    reasons = [line[len(prefix) :] for line in stderr.splitlines() if line.startswith(prefix)]
    assert reasons, f"no line starts with {prefix!r}:\n{stderr}"
    for pattern in case.all("error"):
        assert any(re.search(pattern, reason) for reason in reasons), (pattern, reasons)


SPARQL = corpus("sparql")
HTTP = corpus("http")
STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3}) ")


def check_answer(case: Case, status: int, body: str, sent: str) -> None:
    """The status matches the sidecar's regex; the body its ``error`` regexes, leak-free."""
    assert re.fullmatch(case.one("status") or "", str(status)), (status, body[:300])
    for pattern in case.all("error"):
        assert re.search(pattern, body), (pattern, body[:300])
    if status >= 400:
        assert_clean_error(Response(status, {}, body.encode()), sent=sent)


@pytest.mark.parametrize("case", params(SPARQL))
def test_bad_sparql_gets_its_status_and_message(case: Case, ro_server: Server) -> None:
    query = case.path.read_bytes()
    answer = ro_server.request("POST", "/sparql", query, {"Content-Type": QUERY_TYPE})
    tried("SPARQL query")
    check_answer(case, answer.status, answer.text, query.decode("utf-8", "replace"))
    assert ro_server.count("?t a pd:TwinningTie") > 0  # and the server still answers


def raw_request(case: Case) -> bytes:
    """The corpus file as bytes on the wire: CRLF head, padded and maybe chunked body."""
    head, _, body = case.path.read_bytes().partition(b"\n\n")
    body += b"x" * int(case.one("pad") or 0)
    if case.one("chunked"):
        size = int(case.one("chunked") or 1)
        pieces = [body[i : i + size] for i in range(0, len(body), size)]
        body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
    lines = head.split(b"\n")
    lines[0] = lines[0].replace(b"{PAD}", b"x" * int(case.one("pad-url") or 0))
    if case.one("pad-header"):
        lines.append(b"X-Pad: " + b"x" * int(case.one("pad-header") or 0))
    length = b"Content-Length: %d" % len(body)
    lines = [length if line == b"Content-Length: auto" else line for line in lines]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


@pytest.mark.parametrize("case", params(HTTP))
def test_raw_http_request_gets_its_status(case: Case, ro_server: Server) -> None:
    request = raw_request(case)
    answer = ro_server.raw(request)
    tried("raw HTTP request")
    match = STATUS_LINE.match(answer)
    assert match, f"no HTTP answer: {answer[:200]!r}"
    body = answer.partition(b"\r\n\r\n")[2].decode("utf-8", "replace")
    check_answer(case, int(match[1]), body, request.decode("utf-8", "replace"))
    assert ro_server.count("?t a pd:TwinningTie") > 0


def check_import(case: Case, run: Callable[[], RegistryImport]) -> None:
    """A whole-file error as the sidecar says, or each bad row rejected by number and reason."""
    if case.one("file-error"):
        with pytest.raises(RegistryFileError) as caught:
            run()
        assert re.search(case.one("file-error") or "", str(caught.value)), str(caught.value)
        return
    report = run().report
    assert report.consistent, report.to_json()
    assert re.fullmatch(case.one("ties") or "", str(report.ties_created)), report.ties_created
    expected = [value.split(" ", 1) for value in case.all("reject")]
    rejected = {r.row: r.message for r in report.rejected}
    assert sorted(rejected) == sorted(int(row) for row, _ in expected), report.rejected
    for row, pattern in expected:
        assert re.search(pattern, rejected[int(row)]), (pattern, rejected[int(row)])


TWIN_CITIES = corpus("twin_cities")
GEXF = corpus("wikidata_gexf")


@pytest.mark.parametrize("case", params(TWIN_CITIES))
def test_bad_twin_cities_rows_are_rejected_by_number(case: Case) -> None:
    check_import(case, lambda: twin_cities.import_csv(case.path, REPO))
    tried("twin-cities CSV file")


@pytest.mark.parametrize("case", params(GEXF))
def test_bad_wikidata_gexf_is_rejected_with_its_place(case: Case, tmp_path: Path) -> None:
    with Canary() as canary:
        path = tmp_path / case.path.name
        path.write_bytes(case.path.read_bytes().replace(b"{canary}", canary.url.encode()))
        check_import(case, lambda: wikidata_gexf.import_gexf(path, REPO))
        assert canary.requests == []
    tried("Wikidata GEXF file")
