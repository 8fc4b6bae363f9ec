"""Find the content root and list its RDF files, each with the named graph it belongs in.

The content root holds ``ontology/``, ``shapes/``, ``data/`` and ``queries/``. Listing is
sorted so that two builds of the same files load them in the same order.

A path that looks like content (an RDF suffix) but cannot be read as a regular file (a
dangling or looping symbolic link, a FIFO, a device, a socket, a file or directory without
read permission) is an error naming it, never skipped: a build that silently leaves out a
file commits a graph with facts missing. Types are checked with ``stat`` before anything is
opened, so a FIFO cannot make the build hang.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath

from paradiplo.errors import ParadiploError
from paradiplo.namespaces import GRAPH_ONTOLOGY, GRAPH_SHAPES, PDG, slugify

ONTOLOGY_DIR = "ontology"
SHAPES_DIR = "shapes"
DATA_DIR = "data"
QUERIES_DIR = "queries"

_PACKAGED = Path(__file__).resolve().parent / "_content"
_CHECKOUT = Path(__file__).resolve().parents[2]


class ContentError(ParadiploError):
    """The content root or one of its files cannot be used."""


class Kind(StrEnum):
    """What a file contributes: vocabulary, constraints or facts."""

    ONTOLOGY = "ontology"
    SHAPES = "shapes"
    DATA = "data"


class Syntax(StrEnum):
    """RDF syntaxes accepted in the content tree, keyed by file suffix."""

    TURTLE = "turtle"
    TRIG = "trig"
    NQUADS = "nquads"
    NTRIPLES = "ntriples"

    @property
    def has_graphs(self) -> bool:
        """Quad syntaxes name their own graphs; triple syntaxes get one from the path."""
        return self in (Syntax.TRIG, Syntax.NQUADS)


_DATA_SUFFIXES = {
    ".ttl": Syntax.TURTLE,
    ".trig": Syntax.TRIG,
    ".nq": Syntax.NQUADS,
    ".nt": Syntax.NTRIPLES,
}


@dataclass(frozen=True)
class ContentFile:
    """One RDF file of the content tree.

    ``graph`` is the IRI of the named graph its triples go to, or ``None`` for TriG and
    N-Quads files, whose quads keep the graphs they name.
    """

    path: Path
    rel: str
    kind: Kind
    syntax: Syntax
    graph: str | None


@dataclass(frozen=True)
class Content:
    """The files of one content root, in load order (ontology, shapes, data)."""

    root: Path
    files: tuple[ContentFile, ...]

    def of_kind(self, kind: Kind) -> tuple[ContentFile, ...]:
        """The files contributing ``kind``, in load order."""
        return tuple(f for f in self.files if f.kind is kind)

    @property
    def queries_dir(self) -> Path:
        """Where the project's saved SPARQL queries live."""
        return self.root / QUERIES_DIR


def is_content_root(path: Path) -> bool:
    """A content root is any directory with an ``ontology/`` subdirectory."""
    return (path / ONTOLOGY_DIR).is_dir()


def find_root(root: Path | None = None, cwd: Path | None = None) -> Path:
    """Pick the content root: ``root`` if given, else ``cwd``, else the installed copy.

    The current directory wins over the installed copy so that a checkout always builds
    what is on disk, not what was packaged when paradiplo was installed.
    """
    if root is not None:
        if not is_content_root(root):
            raise ContentError(f"{root}: not a content root (no {ONTOLOGY_DIR}/ directory)")
        return root.resolve()
    for candidate in (cwd or Path.cwd(), _PACKAGED, _CHECKOUT):
        if is_content_root(candidate):
            return candidate.resolve()
    raise ContentError(
        f"no content found: run in a directory with an {ONTOLOGY_DIR}/ directory or pass --root"
    )


def data_graph(rel_to_data: PurePosixPath) -> str:
    """Graph of a triple-syntax data file: ``reference/places.ttl`` -> ``pdg:reference-places``."""
    return str(PDG[slugify(str(rel_to_data.with_suffix("")))])


def discover(root: Path) -> Content:
    """List the content files under ``root`` in a deterministic order.

    Raises ``ContentError`` listing every content path that cannot be read.
    """
    problems: list[str] = []
    files = [
        *_flat(root, ONTOLOGY_DIR, Kind.ONTOLOGY, str(GRAPH_ONTOLOGY), problems),
        *_flat(root, SHAPES_DIR, Kind.SHAPES, str(GRAPH_SHAPES), problems),
        *_data(root, problems),
    ]
    if problems:
        raise ContentError("\n".join(problems))
    _check_unique_data_graphs(files)
    return Content(root=root, files=tuple(files))


def display_path(path: Path) -> str:
    """The path as a user would type it: relative to the current directory when inside it."""
    try:
        return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd()) else str(path)
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
        return str(path)


_FILE, _DIRECTORY = "file", "directory"
_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _classify(path: Path) -> str:
    """``_FILE``, ``_DIRECTORY``, or why ``path`` cannot be read as content (not opened)."""
    try:
        info = path.stat()  # follows symbolic links; a FIFO is not opened
    except FileNotFoundError:
        return "dangling symbolic link" if path.is_symlink() else "no such file"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
        return f"cannot read: {exc.strerror or exc}"
    if stat.S_ISDIR(info.st_mode):
        return _DIRECTORY
    if not stat.S_ISREG(info.st_mode):
        return f"not a regular file: {_KINDS.get(stat.S_IFMT(info.st_mode), 'a special file')}"
    if not os.access(path, os.R_OK):
        return "cannot read: permission denied"
    return _FILE


def _problem(path: Path, why: str) -> str:
    return f"{display_path(path)}: {why}"


def _check_unique_data_graphs(files: list[ContentFile]) -> None:
    """Two data files slugged to one graph would silently merge; refuse instead."""
    seen: dict[str, str] = {}
    for f in files:
        if f.kind is Kind.DATA and f.graph is not None:
            if f.graph in seen:
                raise ContentError(
                    f"{f.rel}: same graph <{f.graph}> as {seen[f.graph]}; rename one"
                )
            seen[f.graph] = f.rel


def _flat(
    root: Path, dirname: str, kind: Kind, graph: str, problems: list[str]
) -> Iterator[ContentFile]:
    """Turtle files directly in ``root/dirname``, all bound for one graph."""
    directory = root / dirname
    if not directory.is_dir():
        return
    for path in sorted(directory.glob("*.ttl")):
        what = _classify(path)
        if what == _FILE:
            yield ContentFile(path, _rel(root, path), kind, Syntax.TURTLE, graph)
        elif what != _DIRECTORY:
            problems.append(_problem(path, what))


def _data(root: Path, problems: list[str]) -> Iterator[ContentFile]:
    """RDF files anywhere under ``root/data``; other files (notes, CSV) are not RDF.

    Symbolic links to directories are not followed (as before); a directory that cannot
    be listed is a problem, since it may hold content.
    """
    directory = root / DATA_DIR
    if not directory.is_dir():
        return

    def unlistable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else directory
        problems.append(_problem(where, f"cannot list directory: {exc.strerror or exc}"))

    found: list[Path] = []
    for top, dirs, names in os.walk(directory, onerror=unlistable):
        dirs.sort()
        for name in names + dirs:
            path = Path(top) / name
            if path.suffix not in _DATA_SUFFIXES:
                continue
            what = _classify(path)
            if what == _FILE:
                found.append(path)
            elif what != _DIRECTORY:
                problems.append(_problem(path, what))
    for path in sorted(found, key=lambda p: p.relative_to(directory).as_posix()):
        syntax = _DATA_SUFFIXES[path.suffix]
        rel_data = PurePosixPath(path.relative_to(directory).as_posix())
        graph = None if syntax.has_graphs else data_graph(rel_data)
        yield ContentFile(path, _rel(root, path), Kind.DATA, syntax, graph)


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()
