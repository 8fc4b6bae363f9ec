"""The report of the repository's own store: files, network exports, page content, CLI."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from paradiplo.cli import cli
from paradiplo.query import run_query
from paradiplo.report.data import load
from paradiplo.report.generate import ReportResult, generate
from paradiplo.report.scope import get_scope
from paradiplo.report.timeline import by_level
from paradiplo.store import DataDir, SelectResult

from .conftest import REPO

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"

COUNTRY = "https://w3id.org/paradiplo/id/country/"

FIGURES = (
    "map",
    "timeline-level",
    "timeline-macroregion",
    "rank-places",
    "rank-partner-countries",
    "rank-regions-cn",
    "rank-regions-ru",
)


def count(store_dir: Path, sparql: str) -> int:
    """The single number a COUNT query returns, asked independently of the report's queries."""
    with DataDir(store_dir).open() as store:
        result = run_query(store, sparql)
    assert isinstance(result, SelectResult)
    cell = result.rows[0][0]
    assert cell is not None
    return int(cell.value)


def scoped(first: str, second: str) -> str:
    return f"""
      ?t a pd:TwinningTie ; pd:party ?x, ?y .
      ?x pd:locatedIn <{COUNTRY}{first}> . ?y pd:locatedIn <{COUNTRY}{second}> ."""


def test_report_writes_html_figures_and_network_files(china_russia_report: ReportResult) -> None:
    out = china_russia_report.out_dir
    for name in FIGURES:
        assert (out / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        root = ET.parse(out / f"{name}.svg").getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg", name
    for name in ("index.html", "ties.graphml", "ties.gexf", "places.csv"):
        assert (out / name).stat().st_size > 0, name
    assert china_russia_report.html == out / "index.html"
    assert china_russia_report.interactive


def test_network_files_have_one_edge_per_tie(
    china_russia_report: ReportResult, report_store: Path
) -> None:
    ties = count(
        report_store, f"SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ {scoped('cn', 'ru')} }}"
    )
    places = count(
        report_store,
        f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ {scoped('cn', 'ru')} ?t pd:party ?p }}",
    )
    assert ties > 100  # the registry alone has 132 China-Russia ties
    assert china_russia_report.ties == ties
    for path, read in (("ties.graphml", nx.read_graphml), ("ties.gexf", nx.read_gexf)):
        graph = read(china_russia_report.out_dir / path)
        assert graph.number_of_edges() == ties, path
        assert graph.number_of_nodes() == places, path
        for _, attrs in graph.nodes(data=True):
            assert {"label", "country", "type"} <= set(attrs), path
            assert attrs["country"] in ("CN", "RU"), path
        for _, _, attrs in graph.edges(data=True):
            assert attrs["level"] in ("city", "region", "mixed"), path
            assert attrs["source_count"] >= 1, path
            assert attrs["id"].startswith("https://w3id.org/paradiplo/id/tie/"), path
        located = [a for _, a in graph.nodes(data=True) if "lat" in a]
        assert len(located) >= places - 5, path
        assert all(-90 <= a["lat"] <= 90 and -180 <= a["long"] <= 360 for a in located)


def test_timeline_counts_every_dated_tie(report_store: Path) -> None:
    dated = count(
        report_store,
        f"SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ {scoped('cn', 'ru')} ?t pd:established ?d }}",
    )
    with DataDir(report_store).open() as store:
        data = load(store, get_scope("china-russia"))
    timeline = by_level(data.ties)
    assert timeline.dated == dated
    assert timeline.cumulative()[-1] == dated
    assert timeline.dated + sum(timeline.undated.values()) == data.tie_count


def test_page_content(china_russia_report: ReportResult) -> None:
    page = china_russia_report.html.read_text(encoding="utf-8")
    for marker in (
        'id="pd-map"',
        'id="pd-map-data"',
        'id="pd-countries"',
        'id="timeline-level"',
        'id="timeline-macroregion"',
        'id="network"',
        'id="reproduction"',
        "Leaflet 1.9.4",
    ):
        assert marker in page, marker
    # The published figures of the sources, with their sources.
    figures = page[page.index("<h3>Published figures</h3>") :]
    figures = figures[: figures.index("</table>")]
    assert '<td class="num">66</td>' in figures and "China Daily" in figures
    assert '<td class="num">122</td>' in figures and "Makeeva" in figures
    # Disagreeing dates stay visible.
    disputes = page[page.index("Dates the sources disagree on") :]
    assert "Shenyang" in disputes[: disputes.index("</table>")]
    # Nothing to fetch: the markup (scripts aside, whose strings are Leaflet's own) has no
    # remote src or href, no <link>, no CSS import and no remote url(); the browser test
    # checks the requests themselves.
    markup = re.sub(r"<script\b.*?</script>", "", page, flags=re.DOTALL | re.IGNORECASE)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", markup, re.I)
    assert not re.search(r"""url\(\s*["']?(?:https?:)?//""", page, re.IGNORECASE)
    assert "@import" not in page
    assert "<link" not in markup.lower()


def test_fallback_to_the_static_map_without_vendor_files(
    report_store: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "no-vendor"
    empty.mkdir()
    with DataDir(report_store).open() as store:
        result = generate(store, tmp_path / "out", get_scope("china-us"), vendor_dir=empty)
    page = result.html.read_text(encoding="utf-8")
    assert not result.interactive
    assert "Interactive map unavailable" in page and "leaflet/leaflet.js" in page
    assert 'id="map-static"><svg' in page
    assert "pd-map-data" not in page and "Leaflet 1.9.4" not in page
    assert (tmp_path / "out" / "map.svg").exists()


def test_cli_report_for_china_us(report_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "cn-us"
    result = CliRunner().invoke(
        cli,
        [
            "--data-dir",
            str(report_store),
            "--root",
            str(REPO),
            "report",
            "--scope",
            "china-us",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    ties = count(
        report_store, f"SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ {scoped('cn', 'us')} }}"
    )
    assert f"{ties} ties" in result.output and "7/7" in result.output
    graph = nx.read_graphml(out / "ties.graphml")
    assert graph.number_of_edges() == ties
    assert {a["country"] for _, a in graph.nodes(data=True)} == {"CN", "US"}
    assert (out / "rank-regions-us.svg").exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["report", "--scope", "mars"], 2, "Invalid value for '--scope'"),
        (["report", "--max-lines", "-1"], 2, "Invalid value for '--max-lines'"),
    ],
)
def test_cli_report_usage_errors(args: list[str], code: int, message: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == code
    assert message in result.output


def test_cli_report_without_a_store_builds_it_first(tmp_path: Path) -> None:
    """As serve does: a newcomer's first ``paradiplo report`` needs no ``build`` before it."""
    data_dir = tmp_path / "none"
    result = CliRunner().invoke(
        cli,
        ["report", "--root", str(MINI), "--data-dir", str(data_dir), "--out", str(tmp_path / "o")],
    )
    assert result.exit_code == 0, result.output
    assert f"no store in {data_dir} yet: building it first" in result.output
    assert DataDir(data_dir).current() is not None
    assert (tmp_path / "o" / "index.html").is_file()


def test_cli_report_whose_build_fails_is_a_clean_error(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    (root / "data" / "sources" / "broken.trig").write_text("pda:x { oops", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--root", str(root), "--data-dir", str(tmp_path / "d"), "report", "--out", "o"]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "Error:" in result.output
    assert DataDir(tmp_path / "d").current() is None
