"""The build step that judges the content: verdicts and disagreements as named graphs.

It runs after validation on the loaded, reasoned quads, in an in-memory store that has
the same union-default-graph semantics as a committed build, and returns the quads of
``pdg:verdicts`` (``verdicts.py``) and ``pdg:disagreements`` (``disagreements.py``), so
every build writes them from its own content and the endpoint, linked-data pages and
users' queries see them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from paradiplo.disagreements import detect, disagreement_quads
from paradiplo.reproduce import discover_packs
from paradiplo.store import QueryError, QueryResult, _convert_result
from paradiplo.verdicts import judge_all, verdict_quads

QUERIES_DIR = "queries"


class MemoryStore:
    """A read-only in-memory ``Store`` over some quads (union of graphs as default graph)."""

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        self._store = ox.Store()
        materialised = list(quads)
        self._store.bulk_extend(materialised)
        # The deduplicated merge as the default graph, as EmbeddedStore does (store.py).
        self._store.bulk_extend(
            ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in materialised
        )

    def query(self, sparql: str) -> QueryResult:
        try:
            return _convert_result(self._store.query(sparql))
        except SyntaxError as exc:
            raise QueryError(f"query syntax error: {exc.msg or exc}") from exc
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from exc

    def quad_count(self) -> int:
        return sum(1 for q in self._store if not isinstance(q.graph_name, ox.DefaultGraph))

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def dump(self, out: IO[bytes]) -> None:
        graphs = sorted(self._store.named_graphs(), key=str)
        quads = (q for g in graphs for q in self._store.quads_for_pattern(None, None, None, g))
        ox.serialize(quads, out, ox.RdfFormat.N_QUADS)

    def close(self) -> None:
        """Nothing to release: the store lives as long as this object."""


def judged_quads(quads: Iterable[ox.Quad], root: Path) -> list[ox.Quad]:
    """The verdict and disagreement graphs for the content at ``root`` and these quads."""
    store = MemoryStore(quads)
    queries_dir = root / QUERIES_DIR
    findings = [f for pack in discover_packs(queries_dir) for f in pack.findings]
    judgements = judge_all(store, findings, queries_dir)
    out = list(verdict_quads(judgements, queries_dir))
    out.extend(disagreement_quads(detect(store)))
    return out
