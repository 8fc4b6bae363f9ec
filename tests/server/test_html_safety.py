"""Hostile IRIs on the HTML pages, and the Content-Security-Policy (issue 12, break 7).

``schema:url <javascript:alert(document.domain)>`` in the content used to render as
``<a href="javascript:...">`` on the linked-data pages: a stored XSS, one click away; no
page carried a Content-Security-Policy. Here the repository's content plus hostile IRIs
(as objects, and as the name of a graph) is served; the pages must link only http, https
and mailto IRIs (and the server's own paths), carry the policy and ``nosniff``, and, in
headless Chromium, the linked-data pages and the query UI must work with no violation of
the policy reported (YASR, which draws result IRIs as links itself, must give no
``href`` to the hostile ones either).
"""

from __future__ import annotations

import re
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from paradiplo.build import build
from paradiplo.server.headers import CONTENT_SECURITY_POLICY

from .chromium import Chromium
from .conftest import REPO, LiveServer
from .test_browser import STATUS, _require

pytestmark = pytest.mark.repo_content

HARBIN = "https://w3id.org/paradiplo/id/city/cn-harbin"
SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
HOSTILE = [
    "javascript:window.__pwned=1",
    "JavaScript:window.__pwned=2",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
]
FINE = ["https://example.org/fine", "mailto:someone@example.org"]
HOSTILE_GRAPH = "javascript:window.__pwned=3"
ANCHOR_HREF = re.compile(r"<a\b[^>]*\bhref=\"([^\"]*)\"", re.IGNORECASE)
LINKED = ("/", "#", "http://", "https://", "mailto:")

# Records every CSP violation the page reports, before any page script runs.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("hostile")
    content = root / "content"
    for name in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(REPO / name, content / name)
    objects = ", ".join(f"<{iri}>" for iri in [*HOSTILE, *FINE])
    (content / "data" / "hostile.ttl").write_text(
        f"<{HARBIN}> <https://schema.org/url> <{HOSTILE[0]}> ; <{SEE_ALSO}> {objects} .\n",
        encoding="utf-8",
    )
    (content / "data" / "hostile-graph.trig").write_text(
        f'<{HOSTILE_GRAPH}> {{ <{HARBIN}> <http://www.w3.org/2000/01/rdf-schema#comment> "x" }}\n',
        encoding="utf-8",
    )
    build(root / "data", content, allow_violations=True)
    server = LiveServer(root / "data", root / "serve.log")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def get(url: str, accept: str = "text/html") -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8")


def test_pages_link_only_safe_schemes(hostile_server: LiveServer) -> None:
    status, _, page = get(f"{hostile_server.base}/id/city/cn-harbin")
    assert status == 200
    hrefs = ANCHOR_HREF.findall(page)
    assert hrefs, "the page has links"
    unsafe = [h for h in hrefs if not h.startswith(LINKED)]
    assert unsafe == []
    for iri in FINE:
        assert f'href="{iri}"' in page
    for iri in [*HOSTILE, HOSTILE_GRAPH]:
        assert f'title="{iri}"' in page  # still shown, as text


@pytest.mark.parametrize(
    "path", ["/", "/id/city/cn-harbin", "/ontology", "/id/nothing/here", "/source/nope"]
)
def test_every_html_page_carries_the_policy(hostile_server: LiveServer, path: str) -> None:
    _, headers, _ = get(hostile_server.base + path)
    assert headers["content-type"].startswith("text/html")
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert headers["x-content-type-options"] == "nosniff"


def test_other_responses_are_not_sniffed(hostile_server: LiveServer) -> None:
    for path in ("/static/ui.js", "/ui-config.json", "/sparql?query=ASK%7B%7D"):
        _, headers, _ = get(hostile_server.base + path, accept="*/*")
        assert headers["x-content-type-options"] == "nosniff", path


class WatchingChromium(Chromium):
    """Chromium that also keeps the console's errors (CSP violations are logged there)."""

    def __init__(self, profile: Path, log: Path) -> None:
        self.console: list[str] = []
        super().__init__(profile, log)
        self.call("Log.enable")
        self.call("Page.addScriptToEvaluateOnNewDocument", source=WATCH)

    def _event(self, message: dict[str, Any]) -> None:
        super()._event(message)
        if message.get("method") == "Log.entryAdded":
            entry = message["params"]["entry"]
            if entry.get("level") == "error":
                self.console.append(entry.get("text", ""))

    def violations(self) -> list[str]:
        found: list[str] = self.evaluate("window.__csp || []")
        return found + [t for t in self.console if "Content Security Policy" in t]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WatchingChromium]:
    _require()
    chromium = WatchingChromium(tmp_path / "profile", tmp_path / "chromium.log")
    try:
        yield chromium
    finally:
        chromium.close()


def test_linked_data_page_works_under_the_policy(
    browser: WatchingChromium, hostile_server: LiveServer
) -> None:
    browser.navigate(f"{hostile_server.base}/id/city/cn-harbin")
    assert browser.wait_for("document.readyState === 'complete' && document.title")
    assert browser.evaluate("document.querySelectorAll('table.statements tr').length") > 5
    assert browser.evaluate("getComputedStyle(document.body).fontFamily")  # the stylesheet
    links = browser.evaluate("Array.from(document.links).map(a => a.protocol)")
    assert set(links) <= {"http:", "https:", "mailto:"}, links
    time.sleep(0.5)
    assert browser.violations() == []


def test_query_ui_works_under_the_policy_and_links_no_hostile_iri(
    browser: WatchingChromium, hostile_server: LiveServer
) -> None:
    query = f"SELECT ?o WHERE {{ <{HARBIN}> <{SEE_ALSO}> ?o }} ORDER BY ?o"
    browser.navigate(f"{hostile_server.base}/?run=1&query={quote(query)}")
    assert browser.wait_for(f"{STATUS} === 'answered' && {STATUS}") == "answered"
    rows = browser.wait_for(
        "Array.from(document.querySelectorAll('.yasr tbody tr')).map(r => r.textContent)"
    )
    assert len(rows) == len(HOSTILE) + len(FINE)
    # the editor drew itself (CodeMirror) and the results table has its styling
    assert browser.evaluate("document.querySelectorAll('.CodeMirror-line').length") > 0
    time.sleep(0.5)
    assert browser.violations() == []

    # YASR draws result IRIs as links itself: only http(s)/mailto ones get an href
    hrefs = browser.evaluate(
        "Array.from(document.querySelectorAll('.yasr a[href]')).map(a => a.protocol)"
    )
    assert set(hrefs) <= {"http:", "https:", "mailto:"}, hrefs
    bare = browser.evaluate(
        "Array.from(document.querySelectorAll('.yasr tbody a:not([href])')).map(a => a.textContent)"
    )
    assert sorted(bare) == sorted(HOSTILE)


def test_linkable_schemes() -> None:
    from paradiplo.server.links import href_for, iri_html

    for iri in ["http://x.org/", "HTTPS://x.org/a", "mailto:a@b.org"]:
        assert href_for(iri) == iri
    for iri in [*HOSTILE, " javascript:x", "java\tscript:x", "file:///etc/passwd", "urn:x:y"]:
        assert href_for(iri) is None
        assert "href" not in iri_html(iri)
    assert href_for(HARBIN) == "/id/city/cn-harbin"
