"""Real SPARQL servers on loopback for the remote-store tests: Oxigraph and Virtuoso.

Each server runs in a temporary directory on free ports of 127.0.0.1 and is stopped by the
fixture that started it. Waiting for a server is bounded (``STARTUP_SECONDS``); so is every
request the tests make.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STARTUP_SECONDS = 90.0
VIRTUOSO_USER = "paradiplo"
VIRTUOSO_PASSWORD = "paradiplo-test"


@dataclass(frozen=True)
class Server:
    """A running server: its query URL and the credentials paradiplo needs to write to it."""

    name: str
    query: str
    user: str | None = None
    password: str | None = None

    def cli_args(self) -> list[str]:
        """The global ``paradiplo`` options that target this server."""
        args = ["--store", self.query]
        if self.user:
            args += ["--store-user", self.user, "--store-password", self.password or ""]
        return args


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` command of the test extra (next to this Python, or on PATH)."""
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def virtuoso_binaries() -> tuple[str, str] | None:
    """``virtuoso-t`` and ``isql-vt`` from Debian's virtuoso-opensource, if installed."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (server, isql) if server and isql else None


def _wait(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"server not ready after {STARTUP_SECONDS:.0f}s: {_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def oxigraph(
    directory: Path, *, persistent: bool = True, union_default_graph: bool = False
) -> Iterator[Server]:
    """``oxigraph serve`` on a free port (on disk in ``directory``, or in memory)."""
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("the oxigraph command is missing: pip install '.[test]'")
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [binary, "serve", "--bind", f"127.0.0.1:{port}"]
    if persistent:
        command += ["--location", str(directory / "data")]
    if union_default_graph:
        command.append("--union-default-graph")
    log = directory / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/query?query=ASK%7B%7D", process, log)
        yield Server("oxigraph", f"{base}/query")
    finally:
        _stop(process)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 4
Charset = UTF-8

[SPARQL]
; Debian's default cap, kept so the tests show paradiplo reads dumps under it
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 120
"""


@contextmanager
def virtuoso(directory: Path) -> Iterator[Server]:
    """Virtuoso Open Source with its own virtuoso.ini, and a user allowed to write graphs.

    The user gets the ``SPARQL_UPDATE`` role, which the authenticated endpoints
    ``/sparql-auth`` (queries, updates) and ``/sparql-graph-crud-auth`` (Graph Store
    Protocol) require; ``dba`` is not used.
    """
    binaries = virtuoso_binaries()
    if binaries is None:
        raise RuntimeError("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    server, isql = binaries
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    text = VIRTUOSO_INI.format(dir=directory, sql_port=sql_port, http_port=http_port)
    ini.write_text(text, encoding="utf-8")
    log = directory / "console.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [server, "-f", "-c", str(ini)], cwd=directory, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        base = f"http://127.0.0.1:{http_port}"
        _wait(f"{base}/sparql?query=ASK%7B%7D", process, log)
        grants = (
            f"DB.DBA.USER_CREATE('{VIRTUOSO_USER}', '{VIRTUOSO_PASSWORD}'); "
            f'GRANT SPARQL_UPDATE TO "{VIRTUOSO_USER}";'
        )
        subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={grants}"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield Server("virtuoso", f"{base}/sparql-auth", VIRTUOSO_USER, VIRTUOSO_PASSWORD)
    finally:
        _stop(process)
