"""``benchmarks/load.py``: it only ever targets loopback, and its request budget holds."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from .server import Server
from .support import REPO


def load_module() -> ModuleType:
    path = REPO / "benchmarks" / "load.py"
    spec = importlib.util.spec_from_file_location("paradiplo_load_benchmark", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


load = load_module()


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1:8000/sparql",
        "http://192.168.1.10/sparql",
        "http://172.16.0.1/sparql",
        "http://8.8.8.8/sparql",
        "http://example.org/sparql",
        "http://127.0.0.1.example.org/sparql",
        "http://[2001:db8::1]/sparql",
        "https://127.0.0.1/sparql",
        "ftp://127.0.0.1/sparql",
    ],
)
def test_non_loopback_targets_are_refused(url: str) -> None:
    with pytest.raises(load.LoadTestError):
        load.loopback_url(url)
    assert load.main(["--url", url, "--duration", "1"]) == 2


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8000/sparql", ("127.0.0.1", 8000, "/sparql")),
        ("http://127.9.9.9:81/q", ("127.9.9.9", 81, "/q")),
        ("http://[::1]:8000/sparql", ("::1", 8000, "/sparql")),
        ("http://localhost:8000/sparql", ("localhost", 8000, "/sparql")),
    ],
)
def test_loopback_targets_are_accepted(url: str, expected: tuple[str, int, str]) -> None:
    assert load.loopback_url(url) == expected


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 50) == 50.0
    assert load.percentile(values, 99) == 99.0
    assert load.percentile([3.0], 99) == 3.0


def test_a_run_stops_at_its_request_budget(
    ro_server: Server, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "results.md"
    url = f"{ro_server.base}/sparql"
    code = load.main(["--url", url, "--clients", "3", "--duration", "60", "--max-requests",
                      "12", "--exclude", "checks/*", "--exclude", "cross-source/*",
                      "--label", "smoke", "--append", str(out)])  # fmt: skip
    report = capsys.readouterr().out
    assert code == 0, report
    assert re.search(r"^\| 12 \| 0 \| ", report, re.MULTILINE), report
    assert "checks/" not in report.split("<details>")[1]
    assert out.read_text(encoding="utf-8").strip() == report.strip()
