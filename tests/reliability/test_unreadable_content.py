"""Content paths that cannot be read fail the build, naming the path (issue 12, break 6).

A dangling symbolic link, a link loop, a FIFO or a link to ``/dev/zero`` under ``data/``
used to be skipped (exit 0, one file fewer) because the listing kept only regular files;
now each is an error with its path, and the current store stays exactly as it was. The
FIFO has no writer: opening it would block forever, so a hang is a failure too (the
``cli`` helper's timeout).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from paradiplo.build import build

from .support import MINI, cli, copy_content, snapshot, tried

pytestmark = pytest.mark.slow

ROOT_CAN_READ_ANYTHING = os.geteuid() == 0


def dangling(path: Path) -> None:
    path.symlink_to(path.parent / "nowhere.ttl")


def loop(path: Path) -> None:
    other = path.with_name("other-" + path.name)
    path.symlink_to(other)
    other.symlink_to(path)


def fifo(path: Path) -> None:
    os.mkfifo(path)


def dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def no_permission(path: Path) -> None:
    path.write_text("<urn:x:s> <urn:x:p> <urn:x:o> .\n", encoding="utf-8")
    path.chmod(0)


CASES: dict[str, tuple[str, Callable[[Path], None], str]] = {
    "dangling-link": ("data/sources/gone.ttl", dangling, "dangling symbolic link"),
    "link-loop": ("data/loop.trig", loop, "symbolic link loop"),
    "fifo": ("data/reference/pipe.nt", fifo, "not a regular file: a FIFO (named pipe)"),
    "dev-zero": ("data/zero.nq", dev_zero, "not a regular file: a character device"),
    "ontology-dangling": ("ontology/gone.ttl", dangling, "dangling symbolic link"),
    "unreadable": ("data/secret.ttl", no_permission, "cannot read: permission denied"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("unreadable") / "store"
    build(data_dir, MINI)
    return data_dir


@pytest.mark.parametrize("case", sorted(CASES))
def test_unreadable_content_path_is_an_error_naming_it(
    case: str, built: Path, tmp_path: Path
) -> None:
    rel, make, reason = CASES[case]
    if case == "unreadable" and ROOT_CAN_READ_ANYTHING:
        pytest.skip("root reads files without read permission")
    tried("unreadable content path")
    root = copy_content(tmp_path / "content", MINI)
    data_dir = tmp_path / "store"
    shutil.copytree(built, data_dir)
    before = snapshot(data_dir)
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    make(path)
    run = cli("--data-dir", data_dir, "--root", root, "build", timeout=60)
    assert run.returncode == 1, run.stderr
    assert f"{path}: {reason}" in run.stderr
    assert snapshot(data_dir) == before


def test_every_unreadable_path_is_listed_at_once(tmp_path: Path) -> None:
    tried("unreadable content path", 3)
    root = copy_content(tmp_path / "content", MINI)
    paths = [root / "data" / "a.ttl", root / "data" / "b.ttl", root / "data" / "c.ttl"]
    dangling(paths[0])
    fifo(paths[1])
    dev_zero(paths[2])
    run = cli("--data-dir", tmp_path / "store", "--root", root, "build", timeout=60)
    assert run.returncode == 1
    for path in paths:
        assert str(path) in run.stderr
    assert not (tmp_path / "store").exists()


def test_other_files_and_directories_named_like_rdf_are_fine(tmp_path: Path) -> None:
    """Not every odd entry is an error: a directory ``x.ttl`` and non-RDF links are kept out."""
    root = copy_content(tmp_path / "content", MINI)
    (root / "data" / "folder.ttl").mkdir()
    (root / "data" / "notes.md").symlink_to(root / "nowhere")
    run = cli("--data-dir", tmp_path / "store", "--root", root, "build", timeout=60)
    assert run.returncode == 0, run.stderr
