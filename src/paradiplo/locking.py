"""Advisory file locks (``flock``) that keep concurrent writers of one data directory apart.

Two locks exist, for two different races:

* the **data-directory lock** (``<data-dir>/.lock``, ``data_dir_lock``) is held by
  ``paradiplo build`` and ``paradiplo import`` for their whole run, so that two of them
  never read ``imports/`` and commit over each other; a second one waits a bounded time
  and then fails with a one-line message naming the holder's pid;
* a **build lock** (``<data-dir>/builds/<id>.lock``, ``BuildLock``) is held by whoever
  writes a build directory, from before the directory exists until it is committed or
  discarded, so that the clean-up of old builds (``DataDir._prune``) never removes a
  directory another process is still writing. The server's writes take only this one.

``flock`` locks belong to an open file description and vanish when the holder dies, so a
killed build never leaves the data directory locked.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from paradiplo.errors import ParadiploError

DATA_DIR_LOCK = ".lock"
_POLL_SECONDS = 0.1


class DataDirBusyError(ParadiploError):
    """Another build or import holds the data directory."""


@dataclass
class _Held:
    owner: int
    depth: int


_held: dict[str, _Held] = {}
_held_guard = threading.Lock()


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder_pid(path: Path) -> str:
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return "unknown"
    return text if text.isdigit() else "unknown"


@contextmanager
def data_dir_lock(data_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the exclusive lock of ``data_dir`` for the duration of the block.

    Re-entrant within one thread (an import holds it and then runs a build, which takes
    it again); another thread or process waits up to ``wait`` seconds, then gets
    ``DataDirBusyError``. The holder writes its pid into the lock file for that message.
    A data directory this call had to create is removed again if nothing else was put in
    it (a failed first build leaves no trace).
    """
    path = data_dir / DATA_DIR_LOCK
    key = str(path.absolute())
    me = threading.get_ident()
    with _held_guard:
        held = _held.get(key)
        if held is not None and held.owner == me:
            held.depth += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                _held[key].depth -= 1
        return
    created = not data_dir.exists()
    fd = _acquire(data_dir, path, max(wait, 0.0))
    try:
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        with _held_guard:
            _held[key] = _Held(me, 1)
        try:
            yield
        finally:
            with _held_guard:
                del _held[key]
            os.ftruncate(fd, 0)
            if created and [p.name for p in data_dir.iterdir()] == [DATA_DIR_LOCK]:
                path.unlink()  # still holding the lock: a waiter sees the inode vanish
                with contextlib.suppress(OSError):
                    data_dir.rmdir()
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def _acquire(data_dir: Path, path: Path, wait: float) -> int:
    """A descriptor of ``path`` holding its flock (the file still linked), within ``wait``."""
    deadline = time.monotonic() + wait
    while True:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        if _try_flock(fd):
            if _linked(path, fd):
                os.ftruncate(fd, 0)
                return fd
            os.close(fd)  # the previous holder removed the file: take the new one
            continue
        os.close(fd)
        if time.monotonic() >= deadline:
            raise DataDirBusyError(
                f"{data_dir} is in use by another build or import (pid "
                f"{_holder_pid(path)}, lock {path}): wait for it to finish, or pass "
                "--wait SECONDS"
            )
        time.sleep(_POLL_SECONDS)


def _linked(path: Path, fd: int) -> bool:
    """Whether ``path`` still names the file open as ``fd`` (nobody removed it meanwhile)."""
    try:
        return path.stat().st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


class BuildLock:
    """The lock of one build directory that is being written (``<builds>/<id>.lock``).

    Taken before the directory is created, so that any directory a pruner sees either has
    its writer holding this lock or has no writer at all. The lock file exists only while
    a writer is active (or after one crashed, when anyone may take and remove it).
    """

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, path: Path) -> BuildLock | None:
        """Lock ``path``, creating it; ``None`` if it is taken or was removed meanwhile.

        A pruner may remove an abandoned lock file between our ``open`` and ``flock``;
        then we hold a lock on a file nobody else can see, so we report failure and the
        caller picks another build id.
        """
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_flock(fd):
            os.close(fd)
            return None
        if not _linked(path, fd):
            os.close(fd)
            return None
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        return cls(path, fd)

    @classmethod
    def try_take(cls, path: Path) -> BuildLock | None:
        """Take an existing lock file if no writer holds it (``None`` if one does).

        A missing lock file means no writer is active: a ``BuildLock`` with no file is
        returned, so callers treat "never locked" and "abandoned" alike.
        """
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return cls(path, -1)
        if not _try_flock(fd):
            os.close(fd)
            return None
        return cls(path, fd)

    def release(self, *, remove: bool = True) -> None:
        """Remove the lock file (while still holding the lock), then release it."""
        if self._fd is None:
            return
        if remove:
            self.path.unlink(missing_ok=True)
        if self._fd >= 0:
            os.close(self._fd)
        self._fd = None
