"""What the world-registry importers share: the registry graph, the report and the commit.

An import turns a registry file into one named graph, ``pdg:registry-<id>``, holding

* the registry (``src:<id>``, a ``pd:Registry``: title, creator, licence, URL, and the
  file's name and SHA-256 in a ``pd:sourceNote``);
* one ``pd:RegistryRecord`` per accepted row, ``record:<id>-<n>`` (``pd:inRegistry``,
  ``pd:recordNumber n``, ``prov:wasDerivedFrom src:<id>``, the row's names as label);
* one ``pd:TwinningTie`` per pair of places, ``tie:<slug>--<slug>`` as in the curated
  registry (so ties join across registries), ``prov:wasDerivedFrom`` every record that
  states it: the same pair from both sides is one tie with two records;
* the records of the places the ties use that ``data/reference/places.ttl`` lacks.

One graph per registry rather than one per row keeps the store small (26,000 graphs
would each carry their provenance triples) while every tie still leads to its rows.

``commit`` writes the graph as ``<data-dir>/imports/<id>.nq`` and rebuilds the store with
it (``build`` picks up every ``imports/*.nq``), so reasoning and SHACL cover the imported
data. The file is written under a temporary name first and put in place only after the new
store is written and just before it is made current: a failed or interrupted import leaves
both the store and the imports as they were.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from paradiplo.build import IMPORTS_DIR, BuildResult, build, import_file, import_files
from paradiplo.errors import ParadiploError
from paradiplo.importers.reconcile import (
    METHODS,
    Flag,
    Reconciler,
    Resolution,
    record_quads,
)
from paradiplo.locking import data_dir_lock
from paradiplo.namespaces import DCAT, ID, PD, PDG, SCHEMA, instance, source
from paradiplo.validate import Validator


class RegistryFileError(ParadiploError):
    """The registry file cannot be imported at all (unreadable, wrong format)."""


@dataclass(frozen=True)
class Registry:
    """What describes a registry: id, title, creator, licence and landing page."""

    id: str
    title: str
    creator: str
    license: str
    url: str
    description: str

    @functools.cached_property
    def iri(self) -> ox.NamedNode:
        """``src:<id>``."""
        return ox.NamedNode(str(source(self.id)))

    @functools.cached_property
    def graph(self) -> ox.NamedNode:
        """``pdg:registry-<id>``, the one named graph of the registry's import."""
        return ox.NamedNode(str(PDG[f"registry-{self.id}"]))


@dataclass(frozen=True)
class Rejection:
    """A row left out, where it is and why."""

    row: int
    line: int | None
    reason: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "line": self.line, "reason": self.reason, "message": self.message}


@dataclass(frozen=True)
class Duplicate:
    """A row stating a tie an earlier row already stated."""

    row: int
    tie: str
    first_row: int

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "tie": self.tie, "first_row": self.first_row}


@dataclass
class ImportReport:
    """Counts and lists of one import; ``ties + rejected + duplicates == rows read``."""

    registry: str
    file: str
    sha256: str
    rows_read: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    ties_created: int = 0
    duplicates: list[Duplicate] = field(default_factory=list)
    mentions: dict[str, Counter[tuple[str, str]]] = field(
        default_factory=lambda: {m: Counter() for m in METHODS}
    )
    places: dict[str, set[str]] = field(default_factory=lambda: {m: set() for m in METHODS})
    flags: list[Flag] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)
    extra: dict[str, Any] = field(default_factory=dict)
    quads: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def reject(self, row: int, line: int | None, reason: str, message: str) -> None:
        """Record a row that is left out."""
        self.rejected.append(Rejection(row, line, reason, message))

    def mention(self, name: str, country: str, resolution: Resolution) -> None:
        """Count one party name and what it was reconciled to."""
        self.mentions[resolution.method][(name, country)] += 1
        self.places[resolution.method].add(resolution.iri)

    @property
    def consistent(self) -> bool:
        """Every row read is a tie, a duplicate or a rejection."""
        return self.ties_created + len(self.duplicates) + len(self.rejected) == self.rows_read

    def unmatched(self) -> list[tuple[str, str, int]]:
        """Unmatched (name, country, mentions), most mentioned first."""
        counts = self.mentions["unmatched"]
        return sorted(((n, c, k) for (n, c), k in counts.items()), key=lambda t: (-t[2], t[:2]))

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (``--report FILE``)."""
        reasons = Counter(r.reason for r in self.rejected)
        return {
            "registry": self.registry,
            "file": self.file,
            "sha256": self.sha256,
            "rows_read": self.rows_read,
            "rows_rejected": len(self.rejected),
            "rejected_by_reason": dict(sorted(reasons.items())),
            "ties_created": self.ties_created,
            "duplicates_merged": len(self.duplicates),
            "consistent": self.consistent,
            "places_by_method": {
                m: {
                    "names": len(self.mentions[m]),
                    "mentions": sum(self.mentions[m].values()),
                    "places": len(self.places[m]),
                }
                for m in METHODS
            },
            "unmatched_names": [
                {"name": n, "country": c, "count": k} for n, c, k in self.unmatched()
            ],
            "possible_same_place": [f.to_json() for f in self.flags],
            "notes": dict(sorted(self.notes.items())),
            **self.extra,
            "rejected": [r.to_json() for r in self.rejected],
            "duplicates": [d.to_json() for d in self.duplicates],
            "quads": self.quads,
            "seconds": self.seconds,
        }

    def write_json(self, path: Path) -> None:
        """Write ``to_json`` to ``path``."""
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"
        path.write_text(text, encoding="utf-8")

    def summary_lines(self, shown: int = 10) -> list[str]:
        """A short human-readable report."""
        data = self.to_json()
        lines = [
            f"{self.registry}: {self.rows_read} rows read from {self.file}",
            f"  ties created: {self.ties_created}; duplicates merged: {len(self.duplicates)}; "
            f"rows rejected: {len(self.rejected)}"
            + (
                " (" + ", ".join(f"{k} {v}" for k, v in data["rejected_by_reason"].items()) + ")"
                if self.rejected
                else ""
            ),
        ]
        for method, counts in data["places_by_method"].items():
            lines.append(
                f"  places by {method}: {counts['places']} places, {counts['names']} names, "
                f"{counts['mentions']} mentions"
            )
        for key, value in sorted(self.extra.items()):
            if isinstance(value, int | str):
                lines.append(f"  {key.replace('_', ' ')}: {value}")
        for note, count in sorted(self.notes.items()):
            lines.append(f"  {note}: {count}")
        if self.flags:
            lines.append(f"  possibly the same place (flagged, not merged): {len(self.flags)}")
        unmatched = self.unmatched()
        if unmatched:
            top = "; ".join(f"{n} ({c}) x{k}" for n, c, k in unmatched[:shown])
            lines.append(f"  unmatched names: {len(unmatched)}; most frequent: {top}")
        for rejection in self.rejected[:shown]:
            lines.append(f"  rejected row {rejection.row}: {rejection.message}")
        if len(self.rejected) > shown:
            lines.append(f"  ... {len(self.rejected) - shown} more rejected rows (see --report)")
        return lines


@dataclass
class _Tie:
    first: Resolution
    second: Resolution
    records: list[int]


def tie_iri(a: Resolution, b: Resolution) -> tuple[str, Resolution, Resolution]:
    """``tie:<slug>--<slug>`` with the slugs sorted, and the parties in that order.

    A ``place:`` party's slug is marked ``place-``: ``place:fr-vienne`` (a name another
    import could not place) and ``city:fr-vienne`` are two entities, so their ties with
    Udine must be two ties, not one tie with two first parties.
    """
    first, second = sorted((a, b), key=_tie_slug)
    return str(ID[f"tie/{_tie_slug(first)}--{_tie_slug(second)}"]), first, second


def _tie_slug(party: Resolution) -> str:
    return f"place-{party.slug}" if party.kind == "place" else party.slug


def _level(a: Resolution, b: Resolution) -> ox.NamedNode:
    regions = (a.kind == "region") + (b.kind == "region")
    level = (PD.CityLevel, PD.MixedLevel, PD.RegionLevel)[regions]
    return ox.NamedNode(str(level))


def _n(iri: Any) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD.integer))


_TYPE = _n(RDF.type)
_LABEL = _n(RDFS.label)
_DERIVED = _n(PROV.wasDerivedFrom)


class RegistryGraph:
    """The ties and records of one import, deduplicated as rows are added."""

    def __init__(self, registry: Registry, reconciler: Reconciler, report: ImportReport) -> None:
        self.registry = registry
        self.reconciler = reconciler
        self.report = report
        self.ties: dict[str, _Tie] = {}
        self.labels: dict[int, str] = {}
        self._record_prefix = str(instance("record", f"{registry.id}-0"))[:-1]

    def add(self, row: int, line: int | None, label: str, a: Resolution, b: Resolution) -> None:
        """Add row ``row`` stating a tie between ``a`` and ``b``; reject it if it cannot be one."""
        if a.iri == b.iri:
            message = f"both parties are the same place ({_short(a.iri)}): {label}"
            self.report.reject(row, line, "same-place", message)
            return
        if a.country == b.country:
            message = (
                f"both parties lie in {a.country}: a twinning tie joins places of two "
                f"countries: {label}"
            )
            self.report.reject(row, line, "same-country", message)
            return
        iri, first, second = tie_iri(a, b)
        self.labels[row] = label
        tie = self.ties.get(iri)
        if tie is None:
            self.ties[iri] = _Tie(first, second, [row])
            self.report.ties_created += 1
        else:
            tie.records.append(row)
            self.report.duplicates.append(Duplicate(row, iri, tie.records[0]))

    def record_iri(self, row: int) -> ox.NamedNode:
        """``record:<registry>-<row>``."""
        return ox.NamedNode(f"{self._record_prefix}{row}")

    def quads(self, description: Iterable[tuple[Any, Any]] = ()) -> list[ox.Quad]:
        """Every quad of the registry graph, in a fixed order and each once."""
        graph = self.registry.graph
        out: dict[ox.Quad, None] = {}

        def add(s: ox.NamedNode, p: Any, o: ox.NamedNode | ox.Literal) -> None:
            out[ox.Quad(s, _n(p), o, graph)] = None

        reg = self.registry
        add(reg.iri, RDF.type, _n(PD.Registry))
        add(reg.iri, RDF.type, _n(DCAT.Dataset))
        add(reg.iri, RDFS.label, ox.Literal(reg.title, language="en"))
        add(reg.iri, DCTERMS.title, ox.Literal(reg.title))
        add(reg.iri, DCTERMS.description, ox.Literal(reg.description))
        add(reg.iri, DCTERMS.creator, ox.Literal(reg.creator))
        add(reg.iri, DCTERMS.license, _n(reg.license))
        add(reg.iri, SCHEMA.url, _n(reg.url))
        for predicate, obj in description:
            add(reg.iri, predicate, obj)
        for row in sorted(self.labels):
            record = self.record_iri(row)
            add(record, RDF.type, _n(PD.RegistryRecord))
            add(record, PD.inRegistry, reg.iri)
            add(record, PD.recordNumber, _int(row))
            add(record, PROV.wasDerivedFrom, reg.iri)
            add(record, RDFS.label, ox.Literal(self.labels[row]))
        for iri in sorted(self.ties):
            tie = self.ties[iri]
            node = _n(iri)
            add(node, RDF.type, _n(PD.TwinningTie))
            add(node, PD.firstParty, tie.first.node)
            add(node, PD.secondParty, tie.second.node)
            add(node, PD.level, _level(tie.first, tie.second))
            for row in tie.records:
                add(node, PROV.wasDerivedFrom, self.record_iri(row))
        for quad in record_quads(self.reconciler.records(), graph):
            out[quad] = None
        return list(out)


def _short(iri: str) -> str:
    return iri.rsplit("/", 2)[-2] + ":" + iri.rsplit("/", 1)[-1]


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, to name the exact input in the registry's description."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class RegistryImport:
    """An import ready to commit: the registry graph's quads and the report."""

    registry: Registry
    quads: list[ox.Quad]
    report: ImportReport


def write_nquads(quads: Iterable[ox.Quad], path: Path) -> None:
    """Write quads as N-Quads, flushed to disk."""
    with path.open("wb") as handle:
        ox.serialize(quads, handle, ox.RdfFormat.N_QUADS)
        handle.flush()
        os.fsync(handle.fileno())


def imports_dir(data_dir: Path) -> Path:
    """``<data-dir>/imports``, where imported registries are kept for later builds."""
    return data_dir / IMPORTS_DIR


def commit(
    imported: RegistryImport,
    data_dir: Path,
    root: Path | None = None,
    *,
    allow_violations: bool = False,
    on_phase: Callable[[str], None] | None = None,
    validator: Validator = "fast",
    wait: float = 0.0,
) -> BuildResult:
    """Save the registry graph under the data directory and rebuild the store with it.

    The new ``imports/<id>.nq`` replaces the old one only once the new store is written,
    right before that store is made current; on any failure (load errors, SHACL
    violations, an interrupted process) the store and the imports stay as they were.
    The data directory's lock is held throughout (waiting up to ``wait`` seconds for it),
    so the clean-up of stale partial files below never removes another import's file.
    """
    with data_dir_lock(data_dir, wait):
        return _commit(imported, data_dir, root, allow_violations, on_phase, validator)


def _commit(
    imported: RegistryImport,
    data_dir: Path,
    root: Path | None,
    allow_violations: bool,
    on_phase: Callable[[str], None] | None,
    validator: Validator,
) -> BuildResult:
    directory = imports_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{imported.registry.id}.nq"
    target = directory / name
    for stale in directory.glob(f".{name}.*.partial"):
        stale.unlink(missing_ok=True)  # left by a killed import of this registry
    partial = directory / f".{name}.{uuid.uuid4().hex}.partial"
    try:
        write_nquads(imported.quads, partial)
        files = [f for f in import_files(data_dir) if f.path.name != name]
        files.append(import_file(partial, f"{IMPORTS_DIR}/{name}"))
        return build(
            data_dir,
            root,
            allow_violations=allow_violations,
            on_phase=on_phase,
            imports=files,
            before_commit=lambda: _replace(partial, target),
            validator=validator,
        )
    finally:
        partial.unlink(missing_ok=True)


def _replace(partial: Path, target: Path) -> None:
    partial.replace(target)


def group_counts(pairs: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Counts of country pairs, as ``"CN-RU": n`` with the codes sorted."""
    counts: dict[str, int] = defaultdict(int)
    for a, b in pairs:
        counts["-".join(sorted((a, b)))] += 1
    return dict(sorted(counts.items()))


def tie_pairs(graph: RegistryGraph) -> Iterator[tuple[str, str]]:
    """The (country, country) of every tie."""
    for tie in graph.ties.values():
        yield tie.first.country, tie.second.country
