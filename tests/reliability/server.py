"""A real ``paradiplo serve`` process on a free loopback port, and a canary to catch fetches.

``Server`` starts the command as a child process in its own process group (so that it and
its query workers can be stopped together, by that group's id), waits until it answers,
and offers a small HTTP client. ``Canary`` is a loopback HTTP server that records every
request it gets: a test points SERVICE/LOAD at it and asserts it heard nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import http.client
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .support import free_port

HOST = "127.0.0.1"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
JSON_RESULTS = "application/sparql-results+json"
START_TIMEOUT = 90.0
PR_SET_PDEATHSIG = 1  # prctl(2) option, Linux

# ``paradiplo serve`` options by the keyword a test passes to ``Server``.
FLAGS = {
    "write_token": "--write-token",
    "cors_origin": "--cors-origin",
    "query_timeout": "--query-timeout",
    "max_rows": "--max-rows",
    "max_body": "--max-body",
    "workers": "--workers",
    "allow_service": "--allow-service",
    "max_bytes": "--max-bytes",
    "header_timeout": "--header-timeout",
    "max_connections": "--max-connections",
    "fast_budget": "--fast-budget",
    "slow_workers": "--slow-workers",
    "per_client": "--per-client",
    "isolation": "--isolation",
    "unsafe_no_guard": "--unsafe-no-guard",
}

# What an error body must never show: a traceback, or a path on the server's disk.
LEAKS = re.compile(r"Traceback|File \"|site-packages|\.venv|\.py\b|/tmp/|/work/|/home/|/root/")


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def assert_clean_error(response: Response, *secrets: str, sent: str = "") -> None:
    """An error answer: no traceback, no server path (nor any of ``secrets``) in it.

    A match that the request itself contained (``sent``, echoed in a syntax error) is fine.
    """
    assert response.status >= 400, response
    for leak in LEAKS.finditer(response.text):
        assert leak.group() in sent, f"{leak.group()!r} in {response.text!r}"
    for secret in secrets:
        assert secret not in response.text, response.text


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the test process dies, even if it is killed.

    Without this a test run stopped from outside (a timeout, Ctrl-C twice) would leave the
    server and its workers running, since they live in a process group of their own.
    """
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Server:
    """``python -m paradiplo --data-dir D serve --host 127.0.0.1 --port P [options]``."""

    def __init__(self, data_dir: Path, log: Path, **options: object) -> None:
        self.data_dir = data_dir
        self.log = log
        self.options = options
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def command(self) -> list[str]:
        args = [sys.executable, "-m", "paradiplo", "--data-dir", str(self.data_dir), "serve"]
        args += ["--host", HOST, "--port", str(self.port)]
        for key, value in self.options.items():
            values = value if isinstance(value, list | tuple) else [value]
            for item in values:
                if item is True:  # a flag without a value
                    args.append(FLAGS[key])
                else:
                    args += [FLAGS[key], str(item)]
        return args

    def start(self, wait: bool = True) -> Server:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        if wait:
            try:
                self.wait_ready()
            except BaseException:
                self.stop()
                raise
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"server exited {self.process.returncode}:\n{self.logged()}")
            try:
                if self.request("GET", "/sparql?query=ASK%7B%7D", timeout=5).status < 500:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"server did not answer in {START_TIMEOUT} s:\n{self.logged()}"
                )
            time.sleep(0.2)

    def logged(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self) -> None:
        """SIGTERM to the server's process group, SIGKILL if it lingers."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            self._kill_group()
        self._kill_group()
        self.process = None

    def kill(self) -> None:
        """SIGKILL the server process (a crash), then its orphaned workers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self._kill_group()
        self.process = None

    def _kill_group(self) -> None:
        assert self.process is not None
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    # --- a small client ----------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 60,
    ) -> Response:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            data = body.encode("utf-8") if isinstance(body, str) else body
            connection.request(method, path, body=data, headers=dict(headers or {}))
            answer = connection.getresponse()
            return Response(
                answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
            )
        finally:
            connection.close()

    def get(self, path: str, **params: str) -> Response:
        """GET ``path`` with URL parameters ``params`` (names may need ``**{...}``)."""
        headers = {"Accept": JSON_RESULTS}
        return self.request("GET", f"{path}?{urlencode(params)}", None, headers)

    def query(self, sparql: str, timeout: float = 60, **headers: str) -> Response:
        sent = {"Content-Type": QUERY_TYPE, "Accept": JSON_RESULTS, **headers}
        return self.request("POST", "/sparql", sparql, sent, timeout)

    def update(self, sparql: str, token: str | None = None) -> Response:
        headers = {"Content-Type": UPDATE_TYPE}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.request("POST", "/sparql", sparql, headers)

    def put_graph(self, graph: str, turtle: str, token: str | None) -> Response:
        headers = {"Content-Type": "text/turtle"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.request("PUT", f"/rdf-graphs?{urlencode({'graph': graph})}", turtle, headers)

    def count(self, where: str) -> int:
        """``COUNT(*)`` of a graph pattern, asserting the query succeeded."""
        answer = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        assert answer.status == 200, answer
        return int(answer.json()["results"]["bindings"][0]["n"]["value"])

    def raw(self, data: bytes, timeout: float = 10) -> bytes:
        """Send bytes as they are; read the answer until the server closes or goes quiet.

        The sending side stays open: a half-closed connection makes the server drop the
        request as abandoned.
        """
        with socket.create_connection((HOST, self.port), timeout=timeout) as sock:
            with suppress(OSError):  # the server may answer (413) and close before all is sent
                sock.sendall(data)
            chunks = []
            while True:
                try:
                    chunk = sock.recv(65536)
                except (ConnectionResetError, TimeoutError):
                    break
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks)


@contextmanager
def running(data_dir: Path, log: Path, **options: object) -> Iterator[Server]:
    """A started server, stopped at the end of the block whatever happens."""
    server = Server(data_dir, log, **options)
    try:
        yield server.start()
    finally:
        server.stop()


class Canary:
    """A loopback HTTP server that answers 200 to anything and remembers every request."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        heard = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self) -> None:
                heard.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()
                self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[{}]}}')

            do_GET = do_POST = do_PUT = do_HEAD = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> Canary:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
