"""Take the network away from a query worker, and cap its memory.

The guard (``guard.py``) refuses SERVICE and LOAD before evaluation, but a guard is a
program and may have a bug. So a worker that needs no network gets none: at start-up it
moves into a network namespace of its own (``unshare(CLONE_NEWNET)``), which holds only a
loopback interface that is down. Every ``connect()`` then fails with "Network is
unreachable", whatever IRI pyoxigraph was given; the worker talks to the server over pipes
and reads the store from disk, so it loses nothing.

Creating a network namespace needs ``CAP_SYS_ADMIN``, or unprivileged user namespaces
(``CLONE_NEWUSER | CLONE_NEWNET``). Where the kernel allows neither (some containers,
``kernel.unprivileged_userns_clone=0``), ``isolate_network`` says why; the server then
refuses to start in ``require`` mode and logs a warning in ``auto`` mode (``SECURITY.md``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import resource
import sys

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
MODES = ("require", "auto", "off")


def _unshare(flags: int) -> int:
    """``unshare(2)``; 0 on success, else the errno."""
    if not sys.platform.startswith("linux"):
        return errno.ENOSYS
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    if libc.unshare(ctypes.c_int(flags)) == 0:
        return 0
    return ctypes.get_errno() or errno.EPERM


def isolate_network() -> str | None:
    """Move this process into a new, empty network namespace; ``None`` or the reason not."""
    first = _unshare(CLONE_NEWNET)
    if first == 0:
        return None
    second = _unshare(CLONE_NEWUSER | CLONE_NEWNET)
    if second == 0:
        return None
    return (
        f"cannot create a network namespace: {os.strerror(first)} "
        f"(as a user namespace: {os.strerror(second)})"
    )


def cap_memory(limit: int | None) -> None:
    """Cap this process's data segment (heap and anonymous mappings) at ``limit`` bytes.

    A query that builds a huge value (``CONCAT`` doubling a string 24 times) then fails to
    allocate and its worker dies; the server answers 503 and starts another. Memory-mapped
    store files do not count against ``RLIMIT_DATA``, so the store is not affected.
    """
    if not limit:
        return
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
