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
import fcntl
import ipaddress
import logging
import os
import resource
import socket
import struct
import sys
import tempfile
import threading
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urlsplit

log = logging.getLogger("paradiplo.server")
CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
MODES = ("require", "auto", "off")


def _unshare(flags: int) -> int:
    """``unshare(2)``; 0 on success, else the errno."""
    if not sys.platform.startswith("linux"):
        return errno.ENOSYS
    libc = _libc()
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


# --- the federation worker: the allowed endpoints only, through the server's relay -----

CLONE_NEWNS = 0x00020000
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1


@dataclass(frozen=True)
class Endpoint:
    """An allowed endpoint: where pyoxigraph will connect, and the path it must ask for."""

    iri: str
    scheme: str
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, iri: str) -> Endpoint:
        parts = urlsplit(iri)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"--allow-service {iri}: give an http(s)://host[:port]/path IRI")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return cls(iri, parts.scheme, parts.hostname, port, parts.path or "/")


def federate(endpoints: list[Endpoint], relay: str) -> str | None:
    """Confine this process to ``endpoints``, reached only through the server's ``relay``.

    A new network namespace with only loopback up, and a private ``/etc/hosts`` that maps
    each endpoint's host name to a loopback address of its own; on each such address and
    port a forwarder hands connections to the server's relay (a Unix socket, reachable
    across network namespaces), which connects to the real endpoint and nothing else.
    ``None`` when confined, else the reason not.
    """
    addresses = _addresses(endpoints)
    if isinstance(addresses, str):
        return addresses
    flags = CLONE_NEWNET | CLONE_NEWNS
    if _unshare(flags) != 0 and _unshare(CLONE_NEWUSER | flags) != 0:
        return "cannot create network and mount namespaces for the federation worker"
    try:
        _loopback_up()
        _private_hosts(endpoints, addresses)
    except OSError as exc:
        return f"cannot confine the federation worker: {exc}"
    for index, endpoint in enumerate(endpoints):
        _forward(addresses[index], endpoint.port, index, relay)
    return None


def _addresses(endpoints: list[Endpoint]) -> list[str] | str:
    """A loopback address per endpoint (IP literals must already be loopback ones)."""
    found: list[str] = []
    for index, endpoint in enumerate(endpoints):
        try:
            literal = ipaddress.ip_address(endpoint.host)
        except ValueError:
            found.append(f"127.0.{(index + 2) // 256}.{(index + 2) % 256}")
            continue
        if not literal.is_loopback or literal.version != 4:
            return f"cannot confine federation to {endpoint.iri}: use a host name"
        found.append(endpoint.host)
    return found


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))


def _private_hosts(endpoints: list[Endpoint], addresses: list[str]) -> None:
    """Bind a hosts file naming only the endpoints over ``/etc/hosts`` (own mounts only)."""
    libc = _libc()
    if libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        raise OSError(ctypes.get_errno(), "cannot make mounts private")
    lines = [f"{address} {e.host}" for e, address in zip(endpoints, addresses, strict=True)]
    descriptor, path = tempfile.mkstemp(prefix="paradiplo-hosts-")
    with os.fdopen(descriptor, "w") as out:
        out.write("\n".join(["127.0.0.1 localhost", *lines]) + "\n")
    if libc.mount(path.encode(), b"/etc/hosts", None, MS_BIND, None) != 0:
        raise OSError(ctypes.get_errno(), "cannot bind a private /etc/hosts")


def _forward(address: str, port: int, index: int, relay: str) -> None:
    listener = socket.create_server((address, port))

    def accept() -> None:
        while True:
            client, _ = listener.accept()
            try:
                upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                upstream.connect(relay)
                upstream.sendall(f"{index}\n".encode())
            except OSError:
                client.close()
                continue
            splice(client, upstream)

    threading.Thread(target=accept, name=f"forward-{index}", daemon=True).start()


def splice(one: socket.socket, other: socket.socket, first: bytes = b"") -> None:
    """Copy bytes both ways between two sockets (a thread each way) until either closes."""

    def pump(source: socket.socket, target: socket.socket, pending: bytes) -> None:
        try:
            if pending:
                target.sendall(pending)
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    threading.Thread(target=pump, args=(one, other, first), daemon=True).start()
    threading.Thread(target=pump, args=(other, one, b""), daemon=True).start()


class Relay:
    """The server's end: a Unix socket that connects the federation worker to allowed
    endpoints only, checking the request line's path for plain-HTTP endpoints."""

    def __init__(self, endpoints: list[Endpoint], path: str) -> None:
        self.endpoints = endpoints
        self.path = path
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(path)
        self._listener.listen(16)
        threading.Thread(target=self._serve, name="federation-relay", daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(connection,), daemon=True).start()

    def _relay(self, connection: socket.socket) -> None:
        try:
            connection.settimeout(30)
            head = _read_until(connection, b"\n", 16)
            index = int(head.split(b"\n", 1)[0])
            endpoint = self.endpoints[index]
            first = head.split(b"\n", 1)[1]
            if endpoint.scheme == "http":
                first += _read_until(connection, b"\r\n", 8192, first)
                target = first.split(b" ", 2)[1].decode("ascii", "replace")
                if urlsplit(target).path != endpoint.path:
                    raise ValueError(f"path {target!r} is not {endpoint.path!r}")
            upstream = socket.create_connection((endpoint.host, endpoint.port), timeout=30)
            connection.settimeout(None)
            upstream.settimeout(None)
        except (OSError, ValueError, IndexError) as exc:
            log.warning("federation relay refused a connection: %s", exc)
            connection.close()
            return
        splice(connection, upstream, first)

    def close(self) -> None:
        self._listener.close()


def _read_until(sock: socket.socket, marker: bytes, limit: int, have: bytes = b"") -> bytes:
    data = b""
    while marker not in have + data:
        if len(data) > limit:
            raise ValueError("no request line")
        chunk = sock.recv(1024)
        if not chunk:
            raise ValueError("closed early")
        data += chunk
    return data
