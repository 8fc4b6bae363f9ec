"""Report-test fixtures: one build of the repository's content and one report of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from paradiplo.build import build
from paradiplo.report.generate import ReportResult, generate
from paradiplo.report.scope import get_scope
from paradiplo.store import DataDir

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def report_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with one build of the repository.

    Violations are allowed: these tests are about the report, and the content may be
    mid-edit; the repository's own tests check that it conforms.
    """
    data_dir = tmp_path_factory.mktemp("report-store") / "store"
    build(data_dir, REPO, allow_violations=True)
    return data_dir


@pytest.fixture(scope="session")
def china_russia_report(
    report_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> ReportResult:
    """The china-russia report of the repository, as ``paradiplo report`` writes it."""
    out = tmp_path_factory.mktemp("report") / "china-russia"
    with DataDir(report_store).open() as store:
        return generate(store, out, get_scope("china-russia"), queries_dir=REPO / "queries")
