"""The query UI in a real browser: headless Chromium loads ``/`` from ``paradiplo serve``,
runs a query and an example tab, shows the results, and fetches nothing from anywhere but
the server on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from paradiplo.vendor import unavailable_reason

from .chromium import Chromium, executable
from .conftest import LiveServer

pytestmark = pytest.mark.repo_content

QUERY = "SELECT ?tie WHERE { ?tie a pd:TwinningTie ; pd:firstParty city:cn-harbin } ORDER BY ?tie"
STATUS = "document.getElementById('yasgui') && document.getElementById('yasgui').dataset.status"
ROWS = "Array.from(document.querySelectorAll('.yasr tbody tr')).map(r => r.textContent)"


def _require() -> None:
    if executable() is None:
        pytest.skip("Debian chromium is not installed (apt-get install chromium; .ci/run does it)")
    reason = unavailable_reason()
    if reason is not None:
        if os.environ.get("PARADIPLO_REQUIRE_VENDOR"):
            pytest.fail(f"YASGUI assets missing: {reason}")
        pytest.skip(f"YASGUI assets missing: {reason}")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Chromium]:
    _require()
    chromium = Chromium(tmp_path / "profile", tmp_path / "chromium.log")
    try:
        yield chromium
    finally:
        chromium.close()


def test_yasgui_runs_a_query_offline(browser: Chromium, live_server: LiveServer) -> None:
    browser.navigate(f"{live_server.base}/?run=1&query={quote(QUERY)}")
    assert browser.wait_for(f"{STATUS} === 'answered' && {STATUS}") == "answered"
    rows = browser.wait_for(ROWS)
    assert any("cn-harbin--ru-khabarovsk" in row for row in rows), rows
    assert all("cn-harbin" in row for row in rows)
    completers = browser.evaluate("paradiploYasgui.getTab().getYasqe().config.autocompleters")
    assert "class" not in completers and "property" not in completers

    # an example tab from the query packs runs too
    tabs = browser.evaluate("paradiploYasgui.persistentConfig.getTabs().length")
    assert tabs >= 2
    browser.evaluate(
        "(() => { const y = paradiploYasgui; const id = y.persistentConfig.getTabs()[1];"
        " y.selectTabId(id); y.getTab(id).query(); })()"
    )
    assert browser.wait_for(
        "(() => { const t = paradiploYasgui.getTab(); return t.getYasr().results"
        " && !t.getYasr().results.getError() && t.getYasr().results.getStatus() === 200; })()"
    )

    local = (live_server.base + "/", "data:", "blob:", "about:")
    assert browser.requests, "the network log recorded the page's requests"
    outside = [url for url in browser.requests if not url.startswith(local)]
    assert outside == [], f"requests left 127.0.0.1: {outside}"
    assert f"{live_server.base}/vendor/yasgui/yasgui.min.js" in browser.requests
    assert any(url.startswith(f"{live_server.base}/sparql") for url in browser.requests)
