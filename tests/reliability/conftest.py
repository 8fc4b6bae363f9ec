"""Reliability-test fixtures, and the count of bad inputs tried, printed after the run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from paradiplo.build import build

from .server import Server
from .support import MAX_BODY, MAX_ROWS, MINI, QUERY_TIMEOUT, TRIED, copy_content


@pytest.fixture(scope="session")
def repo_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pristine copy of the repository's content; tests copy it again before breaking it."""
    return copy_content(tmp_path_factory.mktemp("repo") / "content")


@pytest.fixture(scope="session")
def repo_store(repo_content: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding one build of the repository's content.

    Violations are allowed: the content may be mid-edit, and these tests are about what a
    failed build leaves behind, not about whether today's data conforms.
    """
    data_dir = tmp_path_factory.mktemp("repo-store") / "store"
    build(data_dir, repo_content, allow_violations=True)
    return data_dir


@pytest.fixture(scope="session")
def mini_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding a build of the small test content (fast to copy and write)."""
    data_dir = tmp_path_factory.mktemp("mini-store") / "store"
    build(data_dir, MINI)
    return data_dir


@pytest.fixture(scope="session")
def ro_server(repo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``paradiplo serve`` on the repository's store with its defaults (read-only, no CORS),
    except small limits: a 3 s query timeout, 100 rows, 64 KiB bodies."""
    log = tmp_path_factory.mktemp("ro-server") / "server.log"
    server = Server(
        repo_store, log, query_timeout=QUERY_TIMEOUT, max_rows=MAX_ROWS, max_body=MAX_BODY
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broken_root(repo_content: Path, tmp_path: Path) -> Iterator[Path]:
    """A fresh copy of the repository content that the test may break."""
    yield copy_content(tmp_path / "content", repo_content)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many bad inputs the reliability tests fed to paradiplo."""
    if not TRIED:
        return
    parts = ", ".join(f"{kind} {n}" for kind, n in sorted(TRIED.items()))
    terminalreporter.write_line(f"reliability: {sum(TRIED.values())} inputs tried ({parts})")
