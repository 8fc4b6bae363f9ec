"""Parse content files into quads, failing with ``path:line:column: message`` errors.

pyoxigraph's parser is fast and reports positions; this module adds what it does not check
(lexical forms of typed literals, triples outside named graphs in data files) and puts every
quad in the named graph its file belongs to.
"""

from __future__ import annotations

import bisect
import codecs
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from paradiplo.content import ContentFile, Kind, Syntax
from paradiplo.content import display_path as display_path
from paradiplo.errors import ParadiploError
from paradiplo.literals import check_literal, checked_datatypes

_FORMATS = {
    Syntax.TURTLE: ox.RdfFormat.TURTLE,
    Syntax.TRIG: ox.RdfFormat.TRIG,
    Syntax.NQUADS: ox.RdfFormat.N_QUADS,
    Syntax.NTRIPLES: ox.RdfFormat.N_TRIPLES,
}
_PARSER_PREFIX = re.compile(r"^Parser error [^:]*: ")
_CHECKED = checked_datatypes()


class LoadError(ParadiploError):
    """A problem at one position of one file."""

    def __init__(self, path: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{path}:{line}:{column}: {message}")
        self.path = path
        self.line = line
        self.column = column
        self.message = message


SHOWN_ERRORS = 100


class LoadErrors(ParadiploError):
    """All load problems of a build, so one run shows every broken file.

    ``errors`` holds every one; the message lists the first ``SHOWN_ERRORS`` and counts
    the rest, so a file with 20,000 bad dates gives a readable message, not 20,000 lines.
    """

    def __init__(self, errors: Sequence[LoadError]) -> None:
        lines = [str(e) for e in errors[:SHOWN_ERRORS]]
        if len(errors) > SHOWN_ERRORS:
            lines.append(
                f"... and {len(errors) - SHOWN_ERRORS} more load errors "
                f"({len(errors)} in total; the first {SHOWN_ERRORS} are listed)"
            )
        super().__init__("\n".join(lines))
        self.errors = tuple(errors)


@dataclass(frozen=True)
class LoadedFile:
    """The quads of one content file, each already in its target named graph."""

    file: ContentFile
    quads: tuple[ox.Quad, ...]


def load_all(files: Iterable[ContentFile]) -> list[LoadedFile]:
    """Load every file; raise one ``LoadErrors`` listing the problems of all of them."""
    loaded: list[LoadedFile] = []
    errors: list[LoadError] = []
    for file in files:
        try:
            loaded.append(load_file(file))
        except LoadErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise LoadErrors(errors)
    return loaded


def load_file(file: ContentFile) -> LoadedFile:
    """Parse one file into quads in their named graphs, or raise ``LoadErrors``."""
    shown = display_path(file.path)
    try:
        data = file.path.read_bytes()
    except OSError as exc:
        raise LoadErrors([LoadError(shown, 1, 1, f"cannot read: {exc.strerror}")]) from exc
    if data.startswith(codecs.BOM_UTF8):
        reason = "file starts with a UTF-8 byte order mark (BOM, U+FEFF); save it without one"
        raise LoadErrors([LoadError(shown, 1, 1, reason)])
    text = data.decode("utf-8", errors="replace")
    quads = _parse(data, file, shown)
    errors = [
        *_default_graph_errors(quads, file, text, shown),
        *_literal_errors(quads, text, shown),
    ]
    if errors:
        raise LoadErrors(errors)
    return LoadedFile(file, tuple(_into_graph(quads, file.graph)))


def _parse(data: bytes, file: ContentFile, shown: str) -> list[ox.Quad]:
    try:
        return list(ox.parse(data, _FORMATS[file.syntax], rename_blank_nodes=True))
    except SyntaxError as exc:
        message = _PARSER_PREFIX.sub("", exc.msg or str(exc))
        error = LoadError(shown, exc.lineno or 1, exc.offset or 1, message)
        raise LoadErrors([error]) from exc


def _into_graph(quads: list[ox.Quad], graph: str | None) -> Iterator[ox.Quad]:
    """Put triple-syntax quads into the file's graph; quad syntaxes keep their own."""
    if graph is None:
        yield from quads
        return
    target = ox.NamedNode(graph)
    for q in quads:
        yield ox.Quad(q.subject, q.predicate, q.object, target)


def _literal_errors(quads: list[ox.Quad], text: str, shown: str) -> Iterator[LoadError]:
    """Ill-typed literals, each placed at its own occurrence in the text.

    The text is scanned once, and only if some literal is ill-typed (``LiteralIndex``), so
    locating any number of them is linear in the size of the file.
    """
    seen: dict[tuple[str, str], int] = defaultdict(int)
    index: LiteralIndex | None = None
    for q in quads:
        obj = q.object
        if not isinstance(obj, ox.Literal) or obj.datatype.value not in _CHECKED:
            continue
        reason = check_literal(obj.value, obj.datatype.value)
        if reason is None:
            continue
        if index is None:
            index = LiteralIndex(text)
        key = (obj.value, obj.datatype.value)
        line, column = index.position(obj.value, obj.datatype.value, seen[key])
        seen[key] += 1
        yield LoadError(shown, line, column, f'ill-typed literal "{obj.value}": {reason}')


_LITERAL_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<iri><[^>\s]*>)
  | (?:\"\"\"(?P<long2>(?:[^"\\]|\\.|"(?!""))*)\"\"\"
     |'''(?P<long1>(?:[^'\\]|\\.|'(?!''))*)'''
     |"(?P<short2>(?:[^"\\\n]|\\.)*)"
     |'(?P<short1>(?:[^'\\\n]|\\.)*)')
    (?:\s*\^\^\s*(?P<datatype><[^>\s]*>|[\w.-]*:[\w.-]*))?
    """,
    re.VERBOSE | re.DOTALL,
)


class LiteralIndex:
    """Where each quoted literal of a Turtle/TriG/N-Triples/N-Quads text is written.

    One pass over the text records, for every quoted string (comments and IRIs skipped),
    its offset and the datatype written after it; offsets become line and column with a
    binary search over line starts. A lexical form written with escapes is not found by
    its value: it falls back to a plain search, which is a best guess (as before).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self._by_lexical: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for match in _LITERAL_TOKEN.finditer(text):
            group = match.lastgroup
            if group in ("comment", "iri"):
                continue
            lexical = next(
                v for v in match.group("long2", "long1", "short2", "short1") if v is not None
            )
            self._by_lexical[lexical].append((match.start(), match.group("datatype") or ""))
        self._typed: dict[tuple[str, str], list[int]] = {}

    def position(self, lexical: str, datatype: str, nth: int) -> tuple[int, int]:
        """Line and column of the ``nth`` ``"lexical"^^datatype`` (or the best guess)."""
        key = (lexical, datatype)
        offsets = self._typed.get(key)
        if offsets is None:
            written = self._by_lexical.get(lexical, [])
            offsets = [o for o, dt in written if _names(dt, datatype)] or [o for o, _ in written]
            if not offsets:
                found = self.text.find(lexical)
                offsets = [found] if found >= 0 else []
            self._typed[key] = offsets
        if not offsets:
            return 1, 1
        return self.line_column(offsets[min(nth, len(offsets) - 1)])

    def line_column(self, offset: int) -> tuple[int, int]:
        """1-based line and character column of ``offset`` (as ``line_column``)."""
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1


def _names(written: str, datatype: str) -> bool:
    """Whether the datatype as written (``<iri>`` or ``prefix:local``) may be ``datatype``."""
    if written.startswith("<"):
        return written[1:-1] == datatype
    local = re.split(r"[#/]", datatype)[-1]
    return bool(written) and written.split(":", 1)[1] == local


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and character column of ``offset``, as pyoxigraph counts them."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _default_graph_errors(
    quads: list[ox.Quad], file: ContentFile, text: str, shown: str
) -> Iterator[LoadError]:
    """Data in quad syntaxes must sit in named graphs: provenance hangs on the graph name."""
    if file.kind is not Kind.DATA or not file.syntax.has_graphs:
        return
    if not any(isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        return
    if file.syntax is Syntax.TRIG:
        line, column = _trig_default_graph_position(text)
    else:
        line, column = _nquads_default_graph_position(text)
    yield LoadError(
        shown,
        line,
        column,
        "triples outside a named graph: data files put every statement in an assertion "
        "graph (see ontology/README.md, Provenance)",
    )


_TRIG_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^>\s]*>)
  | (?P<punct>[{}\[\]();,])
  | (?P<word>[^\s{}\[\]();,<>"'\#]+)
    """,
    re.VERBOSE | re.DOTALL,
)


def _trig_tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """(kind, token, offset) of a TriG text, a trailing statement dot split off words."""
    for match in _TRIG_TOKEN.finditer(text):
        kind = match.lastgroup or ""
        if kind in ("space", "comment"):
            continue
        token, start = match.group(), match.start()
        if kind == "word" and token.endswith(".") and token != ".":
            stem = token.rstrip(".")
            if stem:
                yield kind, stem, start
            for i in range(len(token) - len(stem)):
                yield "word", ".", start + len(stem) + i
            continue
        yield kind, token, start


def _trig_default_graph_position(text: str) -> tuple[int, int]:
    """Position of the first top-level statement that is not a directive or a named graph."""
    depth = 0
    statement: list[tuple[str, str, int]] = []
    for kind, token, start in _trig_tokens(text):
        if depth > 0:
            depth += {"{": 1, "}": -1}.get(token, 0) if kind == "punct" else 0
            continue
        if kind == "punct" and token == "{":
            labels = [t for t in statement if t[1].upper() != "GRAPH"]
            if not labels:
                return line_column(text, start)
            depth, statement = 1, []
        elif kind == "word" and token == ".":
            if statement and statement[0][1].lower() not in ("@prefix", "@base"):
                return line_column(text, statement[0][2])
            statement = []
        elif kind == "iri" and statement and statement[0][1].upper() in ("PREFIX", "BASE"):
            statement = []
        else:
            statement.append((kind, token, start))
    return (line_column(text, statement[0][2])) if statement else (1, 1)


def _nquads_default_graph_position(text: str) -> tuple[int, int]:
    """First line of an N-Quads text whose statement has no graph term."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        quads = list(ox.parse(stripped, ox.RdfFormat.N_QUADS))
        if quads and isinstance(quads[0].graph_name, ox.DefaultGraph):
            return number, len(line) - len(line.lstrip()) + 1
    return 1, 1
