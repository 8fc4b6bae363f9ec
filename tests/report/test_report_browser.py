"""The report in a real browser: headless Debian chromium shows the map and the timeline
and makes no request beyond the file itself.

The page is opened over the DevTools protocol (loopback only) with every DNS name but
127.0.0.1 mapped to nothing; every request the page makes is recorded. The screenshot
is kept in the test's temporary directory (``page.png``).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest
from matplotlib.image import imread

from paradiplo.report.generate import ReportResult

from .cdp import browser_page, find_chromium

WIDTH, HEIGHT = 1400, 2400
LOCAL_SCHEMES = {"file", "data", "about", "blob"}
CITY_GREEN = (0x1B / 255, 0x9E / 255, 0x77 / 255)

DOM_CHECKS = r"""(() => {
  const map = document.getElementById('pd-map');
  const box = map.getBoundingClientRect();
  return JSON.stringify({
    leaflet: map.classList.contains('leaflet-container'),
    panes: Array.from(map.querySelectorAll('.leaflet-pane')).map(p => p.className),
    ties: map.querySelectorAll('.leaflet-overlay-pane path.pd-tie').length,
    countries: map.querySelectorAll('.leaflet-overlay-pane path.pd-country').length,
    places: map.querySelectorAll('path.pd-place').length,
    drawn: map.dataset.tiesDrawn,
    legend: (map.querySelector('.pd-legend') || {}).textContent || '',
    mapBox: [box.left, box.top, box.width, box.height],
    timelines: document.querySelectorAll('#timeline-level svg, #timeline-macroregion svg').length,
    timelineBars: document.querySelectorAll('#timeline-level svg path').length,
    tables: document.querySelectorAll('#network table').length,
    figureRows: document.querySelectorAll('#timeline table tbody tr').length,
    reproduction: document.querySelectorAll('#reproduction').length,
    remoteRefs: Array.from(document.querySelectorAll('[src], [href]'))
      .map(e => e.getAttribute('src') || e.getAttribute('href'))
      .filter(u => /^\s*(https?:)?\/\//i.test(u)),
  });
})()"""

OPEN_POPUP = """(() => {
  const path = document.querySelector('#pd-map path.pd-tie');
  const box = path.getBoundingClientRect();
  const at = {bubbles: true, clientX: box.left + box.width / 2, clientY: box.top + box.height / 2};
  path.dispatchEvent(new MouseEvent('click', at));
  const popup = document.querySelector('.leaflet-popup-content');
  return popup ? popup.textContent : '';
})()"""


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        pytest.skip("Debian chromium is not installed (.ci/run installs it with apt-get)")
    return found


def test_the_report_shows_map_and_timeline_offline(
    chromium: str, china_russia_report: ReportResult, tmp_path: Path
) -> None:
    url = china_russia_report.html.resolve().as_uri()
    with browser_page(chromium, tmp_path / "profile", WIDTH, HEIGHT) as page:
        page.call("Page.navigate", url=url)
        page.wait_for("Page.loadEventFired")
        checks = json.loads(page.evaluate(DOM_CHECKS))
        shot = page.screenshot(tmp_path / "page.png")
        popup = page.evaluate(OPEN_POPUP)
    assert page.errors == []
    # Every request stayed on the machine: the page itself and nothing else.
    assert page.requests, "the navigation itself should be recorded"
    remote = [u for u in page.requests if urlparse(u).scheme not in LOCAL_SCHEMES]
    assert remote == []
    assert url in page.requests

    assert checks["leaflet"]
    panes = " ".join(checks["panes"])
    for pane in (
        "leaflet-map-pane",
        "leaflet-overlay-pane",
        "leaflet-marker-pane",
        "leaflet-popup-pane",
    ):
        assert pane in panes
    assert checks["ties"] == china_russia_report.lines_drawn == int(checks["drawn"]) > 100
    assert checks["countries"] >= 3 * 150  # 177 countries, drawn at three world copies
    assert checks["places"] > 100
    assert "city" in checks["legend"] and "region" in checks["legend"]
    assert checks["timelines"] == 2 and checks["timelineBars"] > 20
    assert checks["tables"] >= 4
    assert checks["reproduction"] == 1
    assert checks["remoteRefs"] == []
    assert "level:" in popup and "sources (" in popup

    # The screenshot shows the map: its box is on screen and holds land, sea and tie lines.
    image = imread(shot)
    assert image.shape[:2] == (HEIGHT, WIDTH)
    left, top, width, height = (int(v) for v in checks["mapBox"])
    assert top + height < HEIGHT and width > 1000 and height > 400
    box = image[top : top + height, left : left + width, :3]
    green = ((abs(box - CITY_GREEN) < 0.08).all(axis=2)).sum()
    assert green > 2000, "city-level tie lines should be visible on the map"
    colours = {tuple((pixel * 20).round()) for pixel in box[::15, ::15].reshape(-1, 3)}
    assert len(colours) > 10
