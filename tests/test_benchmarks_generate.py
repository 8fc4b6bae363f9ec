"""benchmarks/generate.py writes a workload that paradiplo builds and that conforms.

The benchmarks themselves are not tests (speed is measured in benchmarks/, not asserted);
this only checks that the generator's output is valid content of the expected size.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pyoxigraph as ox
from conftest import REPO

from paradiplo.build import check


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("generate", REPO / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate"] = module
    spec.loader.exec_module(module)
    return module


def test_a_small_generated_workload_builds_and_conforms(tmp_path: Path) -> None:
    generate = _generator()
    sizes = generate.generate(tmp_path / "w", 5000, seed=1)  # type: ignore[attr-defined]
    world = tmp_path / "w" / "data" / "generated" / "world.nq"
    quads = list(ox.parse(world.read_bytes(), ox.RdfFormat.N_QUADS))
    assert 4000 <= len(quads) <= 6000
    ties = {q.subject for q in quads if q.object.value.endswith("#TwinningTie")}
    assert 0 < len(ties) <= sizes.records
    result = check(tmp_path / "w")
    assert result.report.conforms, result.report.render_text()[:2000]
    assert result.inferred > 0
    again = tmp_path / "again"
    generate.generate(again, 5000, seed=1)  # type: ignore[attr-defined]
    assert (again / "data" / "generated" / "world.nq").read_bytes() == world.read_bytes()
