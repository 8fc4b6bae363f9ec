"""Fixtures of the importer tests: the shared registry files and small hand-made inputs.

The real registries are never copied into the repository: tests read them from
``../shared/data/`` next to the repository root, or from ``$PARADIPLO_SHARED_DATA``, and
skip with a message saying so when they are absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED_ENV = "PARADIPLO_SHARED_DATA"
WIKIPEDIA = Path("wikipedia-twin-cities", "twin_cities.csv")
WIKIPEDIA_RAW = Path("wikipedia-twin-cities", "twin_cities_raw.csv")
WIKIDATA = Path("wikidata-sister-cities", "sister_cities.gexf")

HEADER = "city1,country1,lat1,lng1,city2,country2,lat2,lng2\n"


def shared_data() -> Path:
    """Where the shared registry files are: ``$PARADIPLO_SHARED_DATA`` or ``../shared/data``."""
    configured = os.environ.get(SHARED_ENV)
    return Path(configured) if configured else REPO.parent / "shared" / "data"


def shared_file(relative: Path) -> Path:
    """A shared registry file, or skip the test saying where it was looked for."""
    path = shared_data() / relative
    if not path.is_file() and os.environ.get("CI") == "true":
        # CI always has the registries: a missing file there is a failure, never a skip
        pytest.fail(f"{path} not found under CI=true (set {SHARED_ENV})")
    if not path.is_file():
        pytest.skip(f"{path} not found: the world registries live outside the repository; "
                    f"set {SHARED_ENV} to the directory holding {relative.parent}/")  # fmt: skip
    return path


@pytest.fixture(scope="session")
def wikipedia_csv() -> Path:
    return shared_file(WIKIPEDIA)


@pytest.fixture(scope="session")
def wikipedia_raw_csv() -> Path:
    return shared_file(WIKIPEDIA_RAW)


@pytest.fixture(scope="session")
def wikidata_gexf() -> Path:
    return shared_file(WIKIDATA)


def write_csv(path: Path, rows: list[str], header: str = HEADER) -> Path:
    """A twin-cities CSV with ``rows`` (each a line without its newline)."""
    path.write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path
