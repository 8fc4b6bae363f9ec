"""Where built graphs live and how queries reach them.

``Store`` is the interface queries use; ``EmbeddedStore`` implements it on an on-disk
pyoxigraph store, and a remote SPARQL endpoint can implement it later. Results are plain
dataclasses (``Term``, ``SelectResult``...), the shape of the SPARQL JSON results format,
so no caller depends on the backend's term classes.

Builds are atomic: each writes a new store under ``<data-dir>/builds/<id>/`` and only then
replaces the one-line pointer file ``<data-dir>/CURRENT``; a failed build leaves the
current store untouched. Committed builds are never written to again, so they are opened
read-only and any number of queries can run while a new build is being written.

Several writers may share a data directory (two builds, a build and the server's Graph
Store writes): each holds the lock of the build it writes (``paradiplo.locking``) until it
commits or discards it, and the clean-up of old builds skips every build whose lock is
held and the one CURRENT names, so no writer ever loses its directory to another's commit.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal, Protocol, runtime_checkable

import pyoxigraph as ox

from paradiplo.errors import ParadiploError
from paradiplo.locking import BuildLock

DATA_DIR_ENV = "PARADIPLO_DATA_DIR"
DEFAULT_DATA_DIR = Path(".paradiplo")
CURRENT = "CURRENT"
BUILDS = "builds"
STORE_SUBDIR = "store"
METADATA = "build.json"

TermKind = Literal["uri", "bnode", "literal", "triple"]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class StoreError(ParadiploError):
    """The store cannot be opened or written."""


class NoStoreError(StoreError):
    """Nothing has been built yet in this data directory."""


class QueryError(ParadiploError):
    """The query is malformed or failed to evaluate."""


@dataclass(frozen=True)
class Term:
    """An RDF term as the SPARQL results formats describe it."""

    kind: TermKind
    value: str
    datatype: str | None = None
    lang: str | None = None

    def n3(self, prefixes: Mapping[str, str] | None = None) -> str:
        """N-Triples/Turtle form, IRIs shortened with ``prefixes`` where they fit."""
        if self.kind == "uri":
            return _shorten(self.value, prefixes) or f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        if self.kind == "triple":
            return f"<< {self.value} >>"
        text = '"' + _escape(self.value) + '"'
        if self.lang:
            return f"{text}@{self.lang}"
        if self.datatype and self.datatype != XSD_STRING:
            return f"{text}^^{_shorten(self.datatype, prefixes) or f'<{self.datatype}>'}"
        return text

    def to_json(self) -> dict[str, str]:
        """The SPARQL 1.1 JSON results encoding of this term."""
        encoded = {"type": self.kind, "value": self.value}
        if self.lang:
            encoded["xml:lang"] = self.lang
        elif self.datatype and self.datatype != XSD_STRING:
            encoded["datatype"] = self.datatype
        return encoded


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _shorten(iri: str, prefixes: Mapping[str, str] | None) -> str | None:
    """``prefix:local`` for the longest matching namespace, if the local part is simple."""
    if not prefixes:
        return None
    best: tuple[str, str] | None = None
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and (best is None or len(namespace) > len(best[1])):
            best = (prefix, namespace)
    if best is None:
        return None
    local = iri[len(best[1]) :]
    if local and not all(c.isalnum() or c in "_-" for c in local):
        return None
    return f"{best[0]}:{local}"


Row = tuple[Term | None, ...]
TripleTerms = tuple[Term, Term, Term]


@dataclass(frozen=True)
class SelectResult:
    """Variables and rows of a SELECT query; an unbound cell is ``None``."""

    variables: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class AskResult:
    """The answer of an ASK query."""

    value: bool


@dataclass(frozen=True)
class GraphResult:
    """The triples of a CONSTRUCT or DESCRIBE query."""

    triples: tuple[TripleTerms, ...]


QueryResult = SelectResult | AskResult | GraphResult


@runtime_checkable
class Store(Protocol):
    """What the query layer needs from any store, embedded or remote.

    The default graph of a query is the union (RDF merge) of all named graphs.
    """

    def query(self, sparql: str) -> QueryResult:
        """Evaluate a SPARQL 1.1 query."""
        ...

    def quad_count(self) -> int:
        """Number of quads in named graphs."""
        ...

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        ...

    def dump(self, out: IO[bytes]) -> None:
        """Write every named-graph quad to ``out`` as N-Quads."""
        ...

    def close(self) -> None:
        """Release the store; further calls are errors."""
        ...


class EmbeddedStore:
    """A committed build, opened read-only.

    pyoxigraph 0.5 counts a triple once per named graph holding it when the union of the
    named graphs is the default graph (oxigraph issue #1919, fixed after 0.5), which would
    make ``COUNT`` of a tie described by two sources say 2. So each build also writes the
    deduplicated merge of its named graphs into the store's default graph, and queries run
    on that default graph: the same union semantics, counted correctly.
    """

    def __init__(self, build_dir: Path) -> None:
        self.build_dir = build_dir
        try:
            self._store: ox.Store | None = ox.Store.read_only(str(build_dir / STORE_SUBDIR))
        except OSError as exc:
            raise StoreError(f"cannot open store {build_dir}: {exc}") from exc

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def metadata(self) -> dict[str, Any]:
        """What the build recorded about itself (id, time, counts)."""
        path = self.build_dir / METADATA
        loaded: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
        return loaded

    def _open(self) -> ox.Store:
        if self._store is None:
            raise StoreError("store is closed")
        return self._store

    def query(self, sparql: str) -> QueryResult:
        try:
            result = self._open().query(sparql)
        except SyntaxError as exc:
            raise QueryError(f"query syntax error: {exc.msg or exc}") from exc
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from exc
        return _convert_result(result)

    def quad_count(self) -> int:
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(result, SelectResult)
        cell = result.rows[0][0]
        return int(cell.value) if cell else 0

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._open().named_graphs() if isinstance(g, ox.NamedNode))

    def dump(self, out: IO[bytes]) -> None:
        store = self._open()
        quads = (
            q
            for g in sorted(store.named_graphs(), key=str)
            for q in store.quads_for_pattern(None, None, None, g)
        )
        ox.serialize(quads, out, ox.RdfFormat.N_QUADS)

    def close(self) -> None:
        self._store = None


def _convert_result(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> QueryResult:
    if isinstance(result, ox.QueryBoolean):
        return AskResult(bool(result))
    if isinstance(result, ox.QueryTriples):
        return GraphResult(
            tuple((term(t.subject), term(t.predicate), term(t.object)) for t in result)
        )
    variables = tuple(v.value for v in result.variables)
    rows = tuple(
        tuple(None if (value := solution[name]) is None else term(value) for name in variables)
        for solution in result
    )
    return SelectResult(variables, rows)


def term(value: object) -> Term:
    """A ``Term`` from a pyoxigraph term."""
    if isinstance(value, ox.NamedNode):
        return Term("uri", value.value)
    if isinstance(value, ox.BlankNode):
        return Term("bnode", value.value)
    if isinstance(value, ox.Literal):
        return Term("literal", value.value, value.datatype.value, value.language or None)
    if isinstance(value, ox.Triple):
        return Term("triple", str(value))
    raise TypeError(f"unsupported term {value!r}")


# --- the data directory ---------------------------------------------------------------


def resolve_data_dir(option: Path | str | None = None) -> Path:
    """``--data-dir``, else ``$PARADIPLO_DATA_DIR``, else ``./.paradiplo``."""
    if option:
        return Path(option)
    env = os.environ.get(DATA_DIR_ENV)
    return Path(env) if env else DEFAULT_DATA_DIR


class DataDir:
    """The builds of one data directory and the pointer to the current one."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def builds(self) -> Path:
        return self.path / BUILDS

    def current(self) -> Path | None:
        """The committed build, or ``None`` before the first successful build."""
        pointer = self.path / CURRENT
        if not pointer.exists():
            return None
        name = pointer.read_text(encoding="utf-8").strip()
        build = self.builds / name
        if not name or not (build / STORE_SUBDIR).is_dir():
            raise StoreError(f"{pointer} names a missing build {name!r}: run `paradiplo build`")
        return build

    def open(self) -> EmbeddedStore:
        """The current build's store, read-only."""
        build = self.current()
        if build is None:
            raise NoStoreError(f"no store yet in {self.path}: run `paradiplo build`")
        return EmbeddedStore(build)

    def write(self, quads: Iterable[ox.Quad], metadata: Mapping[str, Any]) -> Path:
        """Write a new, uncommitted build holding ``quads``; return its directory.

        The build's lock is held from before its directory exists until ``commit`` or
        ``discard``, so that no other writer's clean-up removes it meanwhile.
        """
        self.builds.mkdir(parents=True, exist_ok=True)
        while True:
            build = self.builds / _new_build_id()
            lock = BuildLock.acquire(_lock_path(build))
            if lock is not None:
                break
        _WRITING[str(build)] = lock
        try:
            build.mkdir()
            _write_store(build / STORE_SUBDIR, quads)
            record = {"id": build.name, **metadata}
            (build / METADATA).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            _release(build)
            raise
        return build

    def commit(self, build: Path) -> None:
        """Point CURRENT at ``build`` atomically, then prune all but it and its predecessor."""
        pointer = self.path / CURRENT
        # Read the old pointer leniently: a broken one must not block the repairing build.
        previous = pointer.read_text(encoding="utf-8").strip() if pointer.exists() else ""
        temporary = self.path / f".{CURRENT}.{uuid.uuid4().hex}"
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(build.name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(pointer)
        _release(build)
        self._prune(build.name, keep={build.name, previous})

    def is_current(self, build: Path) -> bool:
        """Whether CURRENT names ``build`` (used to never discard a committed build)."""
        return self._current_name() == build.name

    def _current_name(self) -> str:
        pointer = self.path / CURRENT
        try:
            return pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return ""

    def discard(self, build: Path) -> None:
        """Remove an uncommitted build (and release its lock)."""
        shutil.rmtree(build, ignore_errors=True)
        _release(build)

    def _prune(self, newest: str, keep: set[str]) -> None:
        """Remove builds older than ``newest`` (ids sort by start time) except ``keep``.

        Newer directories belong to builds still being written by another process; so may
        older ones (a build that started earlier and is still writing), which hold their
        lock: those are skipped, as is whatever CURRENT names once the lock is ours (an
        older build may have been committed after ours). Lock files left by a writer that
        died before creating its directory are removed.
        """
        for entry in sorted(self.builds.iterdir()):
            if entry.name.endswith(_LOCK_SUFFIX):
                name = entry.name[: -len(_LOCK_SUFFIX)]
                if name < newest and not (self.builds / name).exists():
                    self._remove_if_free(self.builds / name)
                continue
            if entry.is_dir() and entry.name < newest and entry.name not in keep:
                self._remove_if_free(entry)

    def _remove_if_free(self, build: Path) -> None:
        lock = BuildLock.try_take(_lock_path(build))
        if lock is None:
            return  # a writer is still at work on it
        try:
            if self._current_name() != build.name:
                shutil.rmtree(build, ignore_errors=True)
        finally:
            lock.release(remove=not build.exists())


_LOCK_SUFFIX = ".lock"
# Locks of the builds this process is writing, by directory, until commit or discard.
_WRITING: dict[str, BuildLock] = {}


def _lock_path(build: Path) -> Path:
    return build.with_name(build.name + _LOCK_SUFFIX)


def _release(build: Path) -> None:
    lock = _WRITING.pop(str(build), None)
    if lock is not None:
        lock.release()


def _new_build_id() -> str:
    """Sortable by time, unique across concurrent builds."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"


def _write_store(path: Path, quads: Iterable[ox.Quad]) -> None:
    """Write named-graph quads plus their merge into the default graph (see EmbeddedStore)."""
    named = [q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)]
    merged = {ox.Triple(q.subject, q.predicate, q.object) for q in named}
    store = ox.Store(str(path))
    store.bulk_extend(named)
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in merged)
    store.flush()
    del store  # release the write lock before anyone opens the build read-only
