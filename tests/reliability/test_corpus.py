"""The bad-input corpus: every file in ``corpus/`` with the error paradiplo must give for it.

Each case is a small file plus a ``.expected`` sidecar (see ``support.Case``). Content
files are dropped into a copy of the repository's content and built; the build must fail
with ``path:line:column: message`` and leave the current store as it was.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from paradiplo.cli import cli
from paradiplo.importers import registry_csv
from paradiplo.store import BUILDS, CURRENT

from .support import CORPUS, Case, corpus, tried

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
