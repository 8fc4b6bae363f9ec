from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from conftest import MINI, TIE_QUERY

from paradiplo import __version__
from paradiplo.cli import cli
from paradiplo.store import CURRENT


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store built from the mini content, shared by the read-only query tests."""
    data_dir = tmp_path_factory.mktemp("cli") / "store"
    result = run("--root", MINI, "--data-dir", data_dir, "build")
    assert result.exit_code == 0, result.output
    return data_dir


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), ["--data-dir", "--root", "PARADIPLO_DATA_DIR", "build", "validate", "query"]),
        (("build",), ["--allow-violations", "atomically"]),
        (("validate",), ["--format", "--out", "turtle"]),
        (("query",), ["--file", "--format", "table|csv|tsv|json", "pd:TwinningTie"]),
    ],
)
def test_help(args: tuple[str, ...], expected: list[str]) -> None:
    result = run(*args, "--help")
    assert result.exit_code == 0
    for text in expected:
        assert text in result.output


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


def test_core_subcommands_exist_and_are_documented() -> None:
    assert {"build", "query", "validate"} <= set(cli.commands)
    for command in cli.commands.values():
        assert command.help and len(command.help) > 40, command.name


def test_build_summary_text(mini_root: Path, data_dir: Path) -> None:
    result = run("--root", mini_root, "--data-dir", data_dir, "build")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "5 files" in result.stderr
    assert "SHACL: conforms" in result.stderr
    assert str(data_dir) in result.stderr


def test_query_formats(built: Path) -> None:
    table = run("--data-dir", built, "query", TIE_QUERY)
    assert table.exit_code == 0
    assert "ties" in table.stdout and "2" in table.stdout
    csv = run("--data-dir", built, "query", TIE_QUERY, "--format", "csv")
    assert csv.stdout_bytes == b"ties\r\n2\r\n"  # SPARQL CSV lines end with CRLF
    tsv = run("--data-dir", built, "query", TIE_QUERY, "--format", "tsv")
    assert tsv.stdout == '?ties\n"2"^^<http://www.w3.org/2001/XMLSchema#integer>\n'
    as_json = run("--data-dir", built, "query", TIE_QUERY, "--format", "json")
    assert json.loads(as_json.stdout)["results"]["bindings"][0]["ties"]["value"] == "2"


def test_query_ask_and_construct(built: Path) -> None:
    ask = run("--data-dir", built, "query", "ASK { city:cn-harbin pd:twinnedWith ?x }")
    assert ask.stdout == "true\n"
    construct = run(
        "--data-dir",
        built,
        "query",
        "CONSTRUCT { ?a pd:twinnedWith ?b } WHERE { ?a pd:twinnedWith ?b }",
    )
    assert construct.exit_code == 0
    assert "city:cn-harbin pd:twinnedWith city:ru-khabarovsk" in construct.stdout


def test_query_from_file(built: Path) -> None:
    result = run(
        "--data-dir", built, "query", "--file", MINI / "queries" / "ties.rq", "--format", "csv"
    )
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "tie,first,second"
    assert len(lines) == 3


def test_data_dir_from_environment(built: Path) -> None:
    result = run("query", TIE_QUERY, "--format", "csv", env={"PARADIPLO_DATA_DIR": str(built)})
    assert result.stdout_bytes == b"ties\r\n2\r\n"


def test_content_root_defaults_to_the_current_directory(
    mini_root: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mini_root)
    assert run("--data-dir", data_dir, "build").exit_code == 0
    query = run("--data-dir", data_dir, "query", TIE_QUERY, "--format", "csv")
    assert query.stdout_bytes == b"ties\r\n2\r\n"


def test_query_without_store_is_a_clean_error(data_dir: Path) -> None:
    result = run("--data-dir", data_dir, "query", TIE_QUERY)
    assert result.exit_code == 1
    assert "no store yet" in result.stderr
    assert "run `paradiplo build`" in result.stderr
    assert "Traceback" not in result.output


def test_query_syntax_error_is_a_clean_error(built: Path) -> None:
    result = run("--data-dir", built, "query", "SELEC ?x")
    assert result.exit_code == 1
    assert "query syntax error" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [(), ("ASK {}", "--file", "queries/ties.rq")])
def test_query_usage_errors_exit_2(
    built: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    monkeypatch.chdir(MINI)
    result = run("--data-dir", built, "query", *args)
    assert result.exit_code == 2


def test_unknown_format_is_a_usage_error(built: Path) -> None:
    assert run("--data-dir", built, "query", TIE_QUERY, "--format", "xml").exit_code == 2


def test_build_with_syntax_error_exits_1_with_position(mini_root: Path, data_dir: Path) -> None:
    places = mini_root / "data" / "reference" / "places.ttl"
    places.write_text(places.read_text() + "city:broken a \n")
    result = run("--root", mini_root, "--data-dir", data_dir, "build")
    assert result.exit_code == 1
    assert "places.ttl:" in result.stderr
    assert "Traceback" not in result.output
    assert not (data_dir / CURRENT).exists()


def break_tie(root: Path) -> None:
    trig = root / "data" / "sources" / "test-source.trig"
    trig.write_text(trig.read_text().replace("pd:secondParty region:ru-amu", ""))


def test_build_with_violations_exits_1_unless_allowed(mini_root: Path, data_dir: Path) -> None:
    break_tie(mini_root)
    refused = run("--root", mini_root, "--data-dir", data_dir, "build")
    assert refused.exit_code == 1
    assert "Violation: tie:cn-hl--ru-amu" in refused.stderr
    assert "--allow-violations" in refused.stderr
    allowed = run("--root", mini_root, "--data-dir", data_dir, "build", "--allow-violations")
    assert allowed.exit_code == 0
    assert "1 violation" in allowed.stderr
    assert (data_dir / CURRENT).exists()


def test_validate_text_and_exit_codes(mini_root: Path, data_dir: Path) -> None:
    ok = run("--root", mini_root, "validate")
    assert ok.exit_code == 0
    assert ok.stdout.startswith("SHACL: conforms")
    break_tie(mini_root)
    bad = run("--root", mini_root, "validate")
    assert bad.exit_code == 1
    assert "Violation: tie:cn-hl--ru-amu" in bad.stdout
    assert not data_dir.exists()


def test_validate_turtle_report_to_file(mini_root: Path, tmp_path: Path) -> None:
    break_tie(mini_root)
    out = tmp_path / "report.ttl"
    result = run("--root", mini_root, "validate", "--format", "turtle", "--out", out)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "report written to" in result.stderr
    assert "sh:ValidationReport" in out.read_text()


def _leaf_commands() -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for name, command in sorted(cli.commands.items()):
        if isinstance(command, click.Group):
            paths += [(name, sub) for sub in sorted(command.commands)]
        else:
            paths.append((name,))
    return paths


@pytest.mark.parametrize("command", _leaf_commands(), ids=" ".join)
def test_every_subcommand_takes_the_store_options_after_it(command: tuple[str, ...]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    for option in ("--data-dir", "--store", "--root"):
        assert option in result.output, (command, option)


def test_data_dir_after_the_subcommand(mini_root: Path, data_dir: Path, tmp_path: Path) -> None:
    assert run("build", "--root", mini_root, "--data-dir", data_dir).exit_code == 0
    assert (data_dir / CURRENT).exists()
    after = run("query", TIE_QUERY, "--format", "csv", "--data-dir", data_dir)
    assert after.exit_code == 0 and after.stdout_bytes == b"ties\r\n2\r\n"
    # given on both sides, the one after the subcommand wins
    both = run("--data-dir", tmp_path / "empty", "query", "--data-dir", data_dir, TIE_QUERY)
    assert both.exit_code == 0 and "2" in both.stdout
    environment = run("query", TIE_QUERY, env={"PARADIPLO_DATA_DIR": str(tmp_path / "empty")})
    assert environment.exit_code == 1  # the environment is read once, by the group


def test_store_after_the_subcommand_points_at_the_server(mini_root: Path) -> None:
    # nothing listens on port 9: the error names the server, so --store was taken
    result = run("query", TIE_QUERY, "--store", "http://127.0.0.1:9/query")
    assert result.exit_code == 1
    assert "127.0.0.1:9" in result.output


def test_a_piped_table_keeps_long_values_on_one_line(built: Path) -> None:
    long_text = "a quote long enough to be wrapped at eighty columns, " * 3
    query = f'SELECT ?tie ?quote WHERE {{ ?tie a pd:TwinningTie BIND("{long_text}" AS ?quote) }}'
    result = run("--data-dir", built, "query", query, env={"COLUMNS": "80"})
    assert result.exit_code == 0
    rows = [line for line in result.stdout.splitlines() if "tie:cn-" in line]
    assert len(rows) == 2
    assert all(long_text.strip() in row for row in rows)
