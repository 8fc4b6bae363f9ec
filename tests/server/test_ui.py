"""The query UI at ``/``: YASGUI when its npm files are installed, a plain form of our own
that says why when they are not; no outside URL in either page; examples from the query
packs by their manifest names."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from paradiplo.namespaces import PREFIXES
from paradiplo.reproduce import discover_packs
from paradiplo.vendor import UNAVAILABLE, unavailable_reason

from .conftest import REPRODUCE_QUERIES, Apps, Client

pytestmark = pytest.mark.repo_content


def _assets(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/[^"]*)"', page)


def test_yasgui_page_has_no_outside_url_and_its_assets_load(client: Client) -> None:
    reason = unavailable_reason()
    if reason is not None:
        if os.environ.get("PARADIPLO_REQUIRE_VENDOR"):
            pytest.fail(f"YASGUI assets missing: {reason}")
        pytest.skip(f"YASGUI assets missing: {reason}")
    response = client.get("/")
    assert response.status_code == 200
    page = response.text
    assert "http://" not in page and "https://" not in page
    assets = _assets(page)
    assert "/vendor/yasgui/yasgui.min.js" in assets
    assert "/vendor/yasgui/yasgui.min.css" in assets
    assert "/static/ui.js" in assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert client.get("/vendor/leaflet/leaflet.js").status_code == 200
    assert client.get("/vendor/world-atlas/countries-110m.json").status_code == 200


def test_ui_config_offers_examples_from_the_query_packs(client: Client) -> None:
    config = client.get("/ui-config.json").json()
    assert config["endpoint"] == "/sparql"
    assert config["prefixes"] == PREFIXES
    names = {f.name for pack in discover_packs(REPRODUCE_QUERIES) for f in pack.findings}
    examples = config["examples"]
    assert 1 <= len(examples) <= 6
    assert {e["title"] for e in examples} <= names
    assert len({e["title"] for e in examples}) == len(examples)
    for example in examples:
        assert example["query"].startswith("PREFIX") or "PREFIX" not in example["query"]
    assert client.get("/ui-prefixes.json").json() == PREFIXES


def test_examples_run_on_the_endpoint(client: Client) -> None:
    for example in client.get("/ui-config.json").json()["examples"]:
        response = client.post("/sparql", data={"query": example["query"]})
        assert response.status_code == 200, (example["title"], response.text)


def test_plain_form_when_the_assets_are_missing(
    repo_store: Path, apps: Apps, tmp_path: Path
) -> None:
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    (vendor / UNAVAILABLE).write_text("`npm` was not found on PATH\n")
    client = apps.make(repo_store, vendor_dir=vendor)
    response = client.get("/", params={"query": "ASK {}"})
    assert response.status_code == 200
    page = response.text
    assert "The full query editor (YASGUI) is unavailable" in page
    assert "`npm` was not found on PATH" in page
    assert "yasgui.min.js" not in page
    assert "http://" not in page and "https://" not in page
    assert '<textarea id="query" name="query"' in page and "ASK {}</textarea>" in page
    for asset in _assets(page):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/vendor/yasgui/yasgui.min.js").status_code == 404


def test_plain_form_says_why_without_a_note(repo_store: Path, apps: Apps, tmp_path: Path) -> None:
    client = apps.make(repo_store, vendor_dir=tmp_path / "nothing-here")
    page = client.get("/").text
    assert "python -m paradiplo.vendor" in page
    assert json.loads(client.get("/ui-config.json").content)["defaultQuery"]
