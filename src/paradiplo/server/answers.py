"""Answers written under a row cap and a byte cap, to memory or to a spool file.

A worker writes an answer piece by piece as pyoxigraph yields it, and stops at whichever
cap comes first; the document it leaves is well-formed (the format's closing part is always
written). Small answers travel back in the reply; a larger one goes to a file in the
server's spool directory, which the server streams to the client and then deletes, so no
process holds a whole large answer in memory. A single value larger than the byte cap
(a string doubled 24 times) is never serialised at all.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from paradiplo.server.results import SelectWriter
from paradiplo.store import Term, term

INLINE = 256 * 1024


@dataclass
class Sink:
    """Bytes kept in memory until ``INLINE``, then moved to a file in ``spool``."""

    spool: str | None
    limit: int
    size: int = 0
    _memory: io.BytesIO = field(default_factory=io.BytesIO)
    _file: IO[bytes] | None = None
    path: str | None = None

    def room(self, extra: int) -> bool:
        """Whether ``extra`` more bytes stay within the byte cap."""
        return self.size + extra <= self.limit

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self._file is None and self.spool and self.size > INLINE:
            descriptor, self.path = tempfile.mkstemp(dir=self.spool, suffix=".answer")
            self._file = os.fdopen(descriptor, "wb")
            self._file.write(self._memory.getvalue())
            self._memory = io.BytesIO()
        (self._file or self._memory).write(data)

    def reply(self) -> dict[str, Any]:
        """``body`` (bytes) or ``path`` (a spool file the receiver must delete)."""
        if self._file is not None:
            self._file.close()
            return {"path": self.path, "size": self.size}
        return {"body": self._memory.getvalue(), "size": self.size}

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
        if self.path:
            with suppress(OSError):
                Path(self.path).unlink()


def term_size(value: Term | None) -> int:
    """A cheap upper-bound estimate of a term's serialised size, before serialising it."""
    if value is None:
        return 0
    return 2 * len(value.value) + len(value.datatype or "") + len(value.lang or "") + 16


def write_select(
    sink: Sink,
    key: str,
    variables: tuple[str, ...],
    rows: Iterable[tuple[Term | None, ...]],
    max_rows: int,
) -> str | None:
    """Write a SELECT answer; the reason it was cut (``rows`` or ``bytes``) or ``None``."""
    writer = SelectWriter(key, variables)
    head, tail = writer.head(), writer.tail()
    sink.write(head)
    budget = sink.limit - len(tail)
    cut: str | None = None
    for count, row in enumerate(rows):
        if count >= max_rows:
            cut = "rows"
            break
        if sum(term_size(t) for t in row) > budget:
            cut = "bytes"  # a value larger than the whole cap: do not even serialise it
            break
        piece = writer.row(row)
        if sink.size + len(piece) > budget:
            cut = "bytes"
            break
        sink.write(piece)
    sink.write(tail)
    return cut


def take_triples(
    triples: Iterable[ox.Triple], max_rows: int, max_bytes: int
) -> tuple[list[ox.Triple], str | None]:
    """Triples up to ``max_rows`` and about ``max_bytes`` of N-Triples; the reason for a cut."""
    kept: list[ox.Triple] = []
    size = 0
    for count, triple in enumerate(triples):
        if count >= max_rows:
            return kept, "rows"
        size += _triple_size(triple)
        if size > max_bytes:
            return kept, "bytes"
        kept.append(triple)
    return kept, None


def _triple_size(triple: ox.Triple) -> int:
    total = 6
    for node in (triple.subject, triple.predicate, triple.object):
        if isinstance(node, ox.Triple):
            total += _triple_size(node)
            continue
        total += len(node.value) + 2
        if isinstance(node, ox.Literal):
            total += len(node.datatype.value) + len(node.language or "") + 6
    return total


def write_graph(
    sink: Sink,
    triples: list[ox.Triple],
    fmt: ox.RdfFormat,
    prefixes: dict[str, str] | None,
) -> bool:
    """Serialise ``triples``, dropping trailing ones until the document fits the byte cap.

    Returns whether any were dropped. Turtle or RDF/XML can be larger than the N-Triples
    estimate ``take_triples`` used, so the cap is checked on the real bytes.
    """
    dropped = False
    while True:
        body = ox.serialize(triples, format=fmt, prefixes=prefixes or None)
        assert body is not None
        if sink.room(len(body)) or not triples:
            sink.write(body)
            return dropped
        triples = triples[: len(triples) // 2]
        dropped = True


def rows_of(solutions: ox.QuerySolutions, variables: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    """Solutions as tuples of ``Term`` (``None`` for unbound), in ``variables`` order."""
    for solution in solutions:
        yield tuple(None if (v := solution[name]) is None else term(v) for name in variables)
