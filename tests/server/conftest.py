"""Fixtures of the server tests: a store built from the repository, apps, an ASGI client.

In-process tests call the ASGI application through httpx's ASGI transport: real requests
and responses, real worker processes, no sockets. ``Client`` is synchronous (each call runs
its own event loop), which the server allows because it keeps no asyncio state between
requests; ``Client.gather`` sends several requests at once.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from paradiplo.build import build
from paradiplo.server.app import create_app
from paradiplo.server.backend import Backend
from paradiplo.server.config import ServerConfig
from paradiplo.store import DataDir, EmbeddedStore

REPO = Path(__file__).resolve().parents[2]
CONTENT_DIRS = ("ontology", "shapes", "data", "queries")
REPRODUCE_QUERIES = REPO / "tests" / "fixtures" / "reproduce" / "queries"
TOKEN = "server-test-token-7d2a"


@pytest.fixture(scope="session")
def repo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding a build of the repository's content (built once)."""
    data_dir = tmp_path_factory.mktemp("server-store")
    build(data_dir, REPO)
    return data_dir


@pytest.fixture
def store_copy(repo_store: Path, tmp_path: Path) -> Path:
    """A private copy of the repository store, for tests that write."""
    target = tmp_path / "store"
    shutil.copytree(repo_store, target)
    return target


def embedded(data_dir: Path) -> EmbeddedStore:
    return DataDir(data_dir).open()


class Client:
    """Synchronous requests to an ASGI app over httpx's ASGI transport."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def _client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            async with self._client() as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(send())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def query(self, sparql: str, accept: str | None = None, **params: Any) -> httpx.Response:
        headers = {"Accept": accept} if accept else {}
        return self.get("/sparql", params={"query": sparql, **params}, headers=headers)


class Apps:
    """Apps made by a test, their worker pools closed at teardown."""

    def __init__(self) -> None:
        self.backends: list[Backend] = []

    def make(self, data_dir: Path, **options: Any) -> Client:
        options.setdefault("queries_dir", REPRODUCE_QUERIES)
        config = ServerConfig(data_dir=data_dir, **options)
        backend = Backend(config)
        self.backends.append(backend)
        return Client(create_app(config, backend))

    def close(self) -> None:
        for backend in self.backends:
            backend.close()


@pytest.fixture
def apps() -> Iterator[Apps]:
    made = Apps()
    yield made
    made.close()


@pytest.fixture(scope="session")
def shared_apps() -> Iterator[Apps]:
    made = Apps()
    yield made
    made.close()


@pytest.fixture(scope="session")
def client(repo_store: Path, shared_apps: Apps) -> Client:
    """A read-only server with the default limits on the repository store."""
    return shared_apps.make(repo_store)


# --- a real server process ---------------------------------------------------------------


def free_port() -> int:
    """A TCP port nothing listens on right now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LiveServer:
    """``python -m paradiplo ... serve`` on a loopback port, in a process group of its own."""

    def __init__(self, data_dir: Path, log: Path, *options: str) -> None:
        self.data_dir = data_dir
        self.log = log
        self.port = free_port()
        command = [sys.executable, "-m", "paradiplo", "--data-dir", str(data_dir)]
        command += ["--root", str(REPO), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += list(options)
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.base + "/ui-config.json", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"serve did not answer: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        """SIGTERM to the server's own process group (it and its workers), then SIGKILL."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``paradiplo serve`` started on an empty data directory, so it builds first."""
    root = tmp_path_factory.mktemp("live")
    server = LiveServer(root / "data", root / "serve.log")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
