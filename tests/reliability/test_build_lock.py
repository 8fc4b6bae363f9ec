"""Two builds at once on one data directory (issue 12, break 4).

Before the data-directory lock and the build locks, the first build to commit pruned the
other's build directory while it was being written (``IO error: No such file or
directory ... builds/<id>/store``) and the second build was lost. Each test runs real
processes on a content big enough (a bulk data file) that their writes overlap.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from paradiplo.locking import DATA_DIR_LOCK
from paradiplo.store import BUILDS, CURRENT, DataDir

from .support import MINI, cli, copy_content, tried

pytestmark = pytest.mark.slow

BULK = 60_000


def bulk_content(target: Path) -> Path:
    """The small test content plus ``BULK`` triples, so a build takes a few seconds."""
    root = copy_content(target, MINI)
    with (root / "data" / "bulk.nt").open("w", encoding="utf-8") as handle:
        for i in range(BULK):
            handle.write(f'<https://example.org/bulk/s{i}> <https://example.org/bulk/p> "v{i}" .\n')
    return root


def build_process(data_dir: Path, root: Path, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "paradiplo", "--data-dir", str(data_dir)]
    return subprocess.Popen(
        [*command, "--root", str(root), "build", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def named_quads(data_dir: Path) -> int:
    with DataDir(data_dir).open() as store:
        return store.quad_count()


def assert_sane(data_dir: Path, mini_store: Path) -> None:
    """CURRENT names a whole build (the small content's quads plus the bulk ones), and no
    writer's lock file is left behind."""
    assert named_quads(data_dir) == named_quads(mini_store) + BULK
    assert not list((data_dir / BUILDS).glob("*.lock"))


def wait_for_holder(data_dir: Path, process: subprocess.Popen[str]) -> None:
    """Until ``process`` holds the data directory's lock (it writes its pid there)."""
    lock = data_dir / DATA_DIR_LOCK
    while process.poll() is None:
        if lock.exists() and lock.read_text().strip() == str(process.pid):
            return
        time.sleep(0.02)
    raise AssertionError(f"the first build (pid {process.pid}) ended without taking {lock}")


def test_a_second_build_fails_fast_naming_the_first(tmp_path: Path, mini_store: Path) -> None:
    tried("concurrent build")
    root = bulk_content(tmp_path / "content")
    data_dir = tmp_path / "store"
    first = build_process(data_dir, root)
    try:
        wait_for_holder(data_dir, first)
        second = cli("--data-dir", data_dir, "--root", root, "build")
    finally:
        _, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_err
    assert second.returncode == 1, second.stderr
    lines = [line for line in second.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, second.stderr
    assert f"pid {first.pid}" in lines[0] and "in use by another build" in lines[0]
    assert_sane(data_dir, mini_store)
    assert len([p for p in (data_dir / BUILDS).iterdir() if p.is_dir()]) == 1


def test_two_builds_that_wait_both_commit(tmp_path: Path, mini_store: Path) -> None:
    tried("concurrent build", 2)
    root = bulk_content(tmp_path / "content")
    data_dir = tmp_path / "store"
    builds = [build_process(data_dir, root, "--wait", "300") for _ in range(2)]
    outcomes = [b.communicate(timeout=300) for b in builds]
    for process, (_, err) in zip(builds, outcomes, strict=True):
        assert process.returncode == 0, err
        assert "IO error" not in err
    assert_sane(data_dir, mini_store)
    # the last commit keeps its predecessor: both builds are there, whole
    committed = sorted(p for p in (data_dir / BUILDS).iterdir() if p.is_dir())
    assert len(committed) == 2
    assert (data_dir / CURRENT).read_text().strip() == committed[-1].name


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import pyoxigraph as ox
    from paradiplo.store import DataDir

    data_dir, tag, rounds, size = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    graph = ox.NamedNode("https://example.org/g/" + tag)
    for r in range(rounds):
        quads = [
            ox.Quad(ox.NamedNode(f"https://example.org/{tag}/{r}/{i}"),
                    ox.NamedNode("https://example.org/p"), ox.Literal(str(i)), graph)
            for i in range(size)
        ]
        area = DataDir(data_dir)
        build = area.write(quads, {"writer": tag, "round": r})
        area.commit(build)
        print(build.name, flush=True)
    """
)


def writer(data_dir: Path, tag: str, rounds: int, size: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data_dir), tag, str(rounds), str(size)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_concurrent_writers_never_lose_a_build_directory(tmp_path: Path) -> None:
    """The server's write path (``DataDir.write`` + ``commit``, no data-directory lock).

    A slow writer starts first; once its build directory exists, fast writers commit
    several builds each while it is still writing. Each fast commit used to prune the
    slow writer's (older, uncommitted) directory from under it.
    """
    data_dir = tmp_path / "store"
    slow = writer(data_dir, "slow", 1, 150_000)
    builds = data_dir / BUILDS
    while slow.poll() is None and not (builds.is_dir() and any(builds.iterdir())):
        time.sleep(0.01)
    fast = [writer(data_dir, f"fast{n}", 5, 2_000) for n in range(2)]
    tried("concurrent DataDir writer", 1 + 5 * len(fast))
    for process in (*fast, slow):
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert out.split(), err
    current = DataDir(data_dir).current()
    assert current is not None
    store = ox.Store.read_only(str(current / "store"))
    assert len(list(store.named_graphs())) == 1
    assert not list(builds.glob("*.lock"))
