"""The report's Content-Security-Policy (a meta element: the report is a file, no server).

Its own inline scripts are allowed by hash, so the map works with no violation reported,
while a script that got into the page any other way (a name from the data that escaped
escaping) does not run (issue 12, output hygiene).
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest

from paradiplo.report.generate import ReportResult

from .cdp import browser_page, find_chromium

META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')
SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def test_every_inline_script_is_allowed_by_its_hash(china_russia_report: ReportResult) -> None:
    page = china_russia_report.html.read_text(encoding="utf-8")
    policy = META.search(page)
    assert policy is not None
    directives = dict(d.split(" ", 1) for d in policy.group(1).replace("&#x27;", "'").split("; "))
    assert directives["default-src"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
    scripts = SCRIPT.findall(page)
    assert scripts, "the report has inline scripts (Leaflet, report.js)"
    for text in scripts:
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in directives["script-src"]


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        pytest.skip("Debian chromium is not installed (.ci/run installs it with apt-get)")
    return found


def test_the_map_draws_with_no_violation_and_injected_script_does_not_run(
    chromium: str, china_russia_report: ReportResult, tmp_path: Path
) -> None:
    page_text = china_russia_report.html.read_text(encoding="utf-8")
    injected = page_text.replace(
        "</body>", "<script>window.__pwned = 1;</script><p onclick='x'>y</p></body>", 1
    )
    copy = tmp_path / "injected.html"
    copy.write_text(injected, encoding="utf-8")
    with browser_page(chromium, tmp_path / "profile", 1200, 1600) as page:
        page.call("Page.addScriptToEvaluateOnNewDocument", source=WATCH)
        page.call("Page.navigate", url=china_russia_report.html.resolve().as_uri())
        page.wait_for("Page.loadEventFired")
        drawn = page.evaluate("document.getElementById('pd-map').dataset.tiesDrawn")
        violations = page.evaluate("window.__csp")
        page.events.clear()
        page.call("Page.navigate", url=copy.resolve().as_uri())
        page.wait_for("Page.loadEventFired")
        pwned = page.evaluate("typeof window.__pwned")
        blocked = page.evaluate("window.__csp")
    assert drawn and int(drawn) > 0
    assert violations == []
    assert pwned == "undefined"
    assert any(v.startswith("script-src") for v in blocked), blocked
