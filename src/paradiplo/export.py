"""Full dumps of the graph for download: RDF in six syntaxes, CSV tables, VoID/DCAT metadata.

Everything is read through the ``Store`` protocol, so a remote server dumps as the embedded
store does. N-Quads and TriG keep the named graphs (one per assertion, with its source and
quote); Turtle, N-Triples, JSON-LD and RDF/XML hold the merged graph, each distinct triple
once. ``void.ttl`` says which file is which, with counts, sizes and SHA-256 checksums, and
``SHA256SUMS`` lets ``sha256sum -c`` check the files. Output is deterministic: the same
build gives byte-identical files (the issued date is the build's date).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from paradiplo import __version__, formats
from paradiplo.csvsafe import safe_row
from paradiplo.errors import ParadiploError
from paradiplo.namespaces import BASE, PD, PREFIXES
from paradiplo.query import run_query
from paradiplo.store import SelectResult, Store, Term

# the RDF syntaxes come from the one format table (``paradiplo.formats``)
RDF_FORMATS = tuple(syntax.export for syntax in formats.SYNTAXES)
FORMATS = (*RDF_FORMATS, "csv")
# keep the named graphs; the others hold the merged graph
DATASET_FORMATS = tuple(syntax.export for syntax in formats.SYNTAXES if syntax.dataset)
FILE_NAMES = {syntax.export: syntax.file_name for syntax in formats.SYNTAXES}
TABLES = ("ties", "places", "figures")
CONTEXT = "context.jsonld"
METADATA = "void.ttl"
CHECKSUMS = "SHA256SUMS"
ALL_NAMES = (*FILE_NAMES.values(), *(f"{t}.csv" for t in TABLES), CONTEXT, METADATA, CHECKSUMS)

LICENSE = "https://creativecommons.org/licenses/by/4.0/"
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
JOIN = " | "  # between several values in one CSV cell

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
SPDX = "http://spdx.org/rdf/terms#"
PROV = "http://www.w3.org/ns/prov#"
OWL = "http://www.w3.org/2002/07/owl#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
IANA = "https://www.iana.org/assignments/media-types/"

_BASE = "x-paradiplo-export:/dump/"  # stands for the dump's own location, then removed
_LANGUAGE_MAPS = {"label": RDFS + "label", "prefLabel": SKOS + "prefLabel"}
_LANGUAGE_MAPS |= {"altLabel": SKOS + "altLabel", "definition": SKOS + "definition"}


class ExportError(ParadiploError):
    """The export cannot be written."""


@dataclass(frozen=True)
class Syntax:
    """How a file is described in void.ttl: name, media type, W3C format IRI (if any)."""

    label: str
    media_type: str
    w3c_format: str | None


SYNTAXES = {
    **{
        syntax.export: Syntax(syntax.label, syntax.media_type, syntax.w3c_format)
        for syntax in formats.SYNTAXES
    },
    "csv": Syntax("CSV", "text/csv", None),
}


@dataclass(frozen=True)
class ExportedFile:
    """One written file, with what void.ttl says about it."""

    name: str
    fmt: str
    size: int
    sha256: str
    count: int  # quads, distinct triples or table rows


@dataclass
class ExportResult:
    """What an export wrote and counted."""

    out_dir: Path
    quads: int
    triples: int
    graphs: dict[str, int]
    files: list[ExportedFile] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        names = ", ".join(f.name for f in self.files)
        counts = f"{self.quads} quads in {len(self.graphs)} graphs, {self.triples} triples"
        return f"{counts}; wrote {names}, {METADATA}, {CHECKSUMS} to {self.out_dir}"


def parse_formats(values: Iterable[str]) -> tuple[str, ...]:
    """The formats asked for, in the canonical order; ``all`` (or nothing) means every one."""
    chosen: set[str] = set()
    for value in values:
        for item in value.split(","):
            item = item.strip().lower()
            if item == "all":
                chosen.update(FORMATS)
            elif item in FORMATS:
                chosen.add(item)
            elif item:
                raise ExportError(f"unknown format {item!r}: choose from {', '.join(FORMATS)}, all")
    return tuple(f for f in FORMATS if f in chosen) if chosen else FORMATS


def issued_date(metadata: Mapping[str, Any] | None) -> date:
    """The build's date; without one, ``$SOURCE_DATE_EPOCH``, else today (UTC)."""
    created = (metadata or {}).get("created")
    if isinstance(created, str):
        try:
            return datetime.fromisoformat(created).date()
        except ValueError:
            pass
    epoch = os.environ.get(SOURCE_DATE_EPOCH)
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return datetime.now(UTC).date()


def export(
    store: Store,
    out_dir: Path,
    formats: Sequence[str] = FORMATS,
    *,
    issued: date,
    version: str | None = None,
) -> ExportResult:
    """Write the chosen dumps of ``store`` to ``out_dir`` with void.ttl and SHA256SUMS."""
    quads: list[ox.Quad] = []
    triples: list[ox.Triple] = []
    if any(fmt in RDF_FORMATS for fmt in formats):
        quads = _read_quads(store)
        triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
        graphs: dict[str, int] = defaultdict(int)
        for quad in quads:
            assert isinstance(quad.graph_name, ox.NamedNode)
            graphs[quad.graph_name.value] += 1
        result = ExportResult(out_dir, len(quads), len(triples), dict(sorted(graphs.items())))
    else:  # tables only: count with queries instead of reading every quad
        result = _counted(store, out_dir)
    extra: list[ExportedFile] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in ALL_NAMES:  # a file of an earlier export must not pass for this one
            (out_dir / name).unlink(missing_ok=True)
        for fmt in formats:
            if fmt == "csv":
                for table, rows in _tables(store).items():
                    written = _write(out_dir / f"{table}.csv", _csv_bytes(rows), fmt, len(rows) - 1)
                    result.files.append(written)
                    result.rows[table] = len(rows) - 1
                continue
            data, count = _rdf_bytes(fmt, quads, triples, store)
            result.files.append(_write(out_dir / FILE_NAMES[fmt], data, fmt, count))
            if fmt == "jsonld":
                data = _json_bytes({"@context": context(store)})
                extra.append(_write(out_dir / CONTEXT, data, "context", 0))
        extra.append(_write(out_dir / METADATA, _void(result, issued, version), "void", 0))
        # every file written is checked; void.ttl describes the dumps, so it cannot hold
        # its own checksum, but SHA256SUMS can
        sums = "".join(f"{f.sha256}  {f.name}\n" for f in [*result.files, *extra])
        (out_dir / CHECKSUMS).write_text(sums, encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"{exc.filename or out_dir}: cannot write: {exc.strerror}") from exc
    return result


def _counted(store: Store, out_dir: Path) -> ExportResult:
    """The counts void.ttl gives, from SPARQL (the same numbers a dump would give)."""
    per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    graphs = {g.value: int(n.value) for g, n in _rows(store, per_graph) if g and n}
    merged = _rows(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    triples = int(merged[0][0].value) if merged and merged[0][0] else 0
    return ExportResult(out_dir, sum(graphs.values()), triples, dict(sorted(graphs.items())))


def _read_quads(store: Store) -> list[ox.Quad]:
    buffer = io.BytesIO()
    store.dump(buffer)
    quads = list(ox.parse(buffer.getvalue(), ox.RdfFormat.N_QUADS))
    return sorted(quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q)))


def _write(path: Path, data: bytes, fmt: str, count: int) -> ExportedFile:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
    return ExportedFile(path.name, fmt, len(data), hashlib.sha256(data).hexdigest(), count)


def _rdf_bytes(
    fmt: str, quads: Sequence[ox.Quad], triples: Sequence[ox.Triple], store: Store
) -> tuple[bytes, int]:
    if fmt == "nq":
        return ox.serialize(quads, None, ox.RdfFormat.N_QUADS) or b"", len(quads)
    if fmt == "trig":
        data = ox.serialize(quads, None, ox.RdfFormat.TRIG, prefixes=_prefixes(quads))
        return data or b"", len(quads)
    if fmt == "jsonld":
        return _json_bytes(to_jsonld(triples, context(store))), len(triples)
    rdf_format = formats.BY_EXPORT[fmt].oxigraph
    prefixes = None if fmt == "nt" else _prefixes(triples)
    return ox.serialize(triples, None, rdf_format, prefixes=prefixes) or b"", len(triples)


def _prefixes(statements: Sequence[ox.Quad] | Sequence[ox.Triple]) -> dict[str, str]:
    """The project's prefixes that the statements use, so no file declares unused ones."""
    used: set[str] = set()
    for statement in statements:
        terms: list[object] = [statement.subject, statement.predicate, statement.object]
        if isinstance(statement, ox.Quad):
            terms.append(statement.graph_name)
        for value in terms:
            if isinstance(value, ox.NamedNode):
                used.add(value.value)
            elif isinstance(value, ox.Literal):
                used.add(value.datatype.value)
    return {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in used)}


# --- JSON-LD --------------------------------------------------------------------------


def context(store: Store) -> dict[str, Any]:
    """The JSON-LD context: the project's prefixes, then a term per ``pd:`` property.

    Object properties are typed ``@id``, datatype properties with one XSD range carry it,
    labels are language maps. A property whose name is also a prefix gets no term (the
    term would shadow the prefix), and is written as a compact IRI instead.
    """
    terms: dict[str, Any] = dict(PREFIXES)
    for name, iri in _LANGUAGE_MAPS.items():
        terms[name] = {"@id": _compact(iri), "@container": "@language"}
    for prop, definition in sorted(_pd_properties(store).items()):
        name = prop[len(str(PD)) :]
        if name and name not in terms and name.isidentifier():
            terms[name] = definition
    return terms


def _pd_properties(store: Store) -> dict[str, dict[str, str]]:
    sparql = f"""SELECT ?p ?kind ?range WHERE {{
      ?p a ?kind . FILTER(?kind IN (<{OWL}ObjectProperty>, <{OWL}DatatypeProperty>))
      FILTER(STRSTARTS(STR(?p), "{PD}"))
      OPTIONAL {{ ?p <{RDFS}range> ?range }}
    }}"""
    kinds: dict[str, set[str]] = defaultdict(set)
    ranges: dict[str, set[str]] = defaultdict(set)
    for p, kind, rng in _rows(store, sparql):
        assert p is not None and kind is not None
        kinds[p.value].add(kind.value)
        if rng is not None:
            ranges[p.value].add(rng.value)
    definitions: dict[str, dict[str, str]] = {}
    for prop, found in kinds.items():
        definition = {"@id": _compact(prop)}
        if found == {OWL + "ObjectProperty"}:
            definition["@type"] = "@id"
        elif found == {OWL + "DatatypeProperty"} and len(ranges[prop]) == 1:
            (datatype,) = ranges[prop]
            if datatype.startswith(XSD) and datatype != XSD + "string":
                definition["@type"] = _compact(datatype)
        definitions[prop] = definition
    return definitions


def to_jsonld(triples: Iterable[ox.Triple], ctx: Mapping[str, Any]) -> dict[str, Any]:
    """A compact JSON-LD document of ``triples`` under ``ctx``, every literal kept exactly.

    Values are written as strings with their datatype (never as JSON numbers, which would
    change lexical forms); a value that the term for its property cannot carry uses the
    property's compact IRI instead of the term.
    """
    by_iri = _terms_by_iri(ctx)
    nodes: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        key, value = _entry(t, by_iri)
        nodes[_node_id(t.subject)][key].append(value)
    graph = [_node(node_id, nodes[node_id]) for node_id in sorted(nodes, key=_node_order)]
    return {"@context": dict(ctx), "@graph": graph}


def _terms_by_iri(ctx: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, definition in ctx.items():
        if isinstance(definition, dict):
            found[_expand(definition["@id"])] = (name, definition)
    return found


def _entry(t: ox.Triple, by_iri: Mapping[str, tuple[str, dict[str, Any]]]) -> tuple[str, Any]:
    predicate, obj = t.predicate.value, t.object
    if predicate == RDF + "type" and isinstance(obj, ox.NamedNode):
        return "@type", _compact(obj.value)
    term = by_iri.get(predicate)
    if term is not None:
        name, definition = term
        value = _term_value(obj, definition)
        if value is not None:
            return name, value
    return _compact(predicate), _value_object(obj)


def _term_value(obj: object, definition: Mapping[str, Any]) -> Any:
    """The short form of ``obj`` under a term, or ``None`` if the term cannot carry it."""
    coerced = definition.get("@type")
    if definition.get("@container") == "@language":
        if isinstance(obj, ox.Literal) and obj.language:
            return {obj.language: obj.value}
        return None
    if coerced == "@id":
        return _node_id(obj) if isinstance(obj, ox.NamedNode | ox.BlankNode) else None
    if not isinstance(obj, ox.Literal) or obj.language:
        return None
    datatype = obj.datatype.value
    if coerced is None:
        return obj.value if datatype == XSD + "string" else None
    return obj.value if _expand(coerced) == datatype else None


def _value_object(obj: object) -> Any:
    if isinstance(obj, ox.NamedNode | ox.BlankNode):
        return {"@id": _node_id(obj)}
    assert isinstance(obj, ox.Literal)
    if obj.language:
        return {"@value": obj.value, "@language": obj.language}
    if obj.datatype.value == XSD + "string":
        return obj.value
    return {"@value": obj.value, "@type": _compact(obj.datatype.value)}


def _node(node_id: str, properties: Mapping[str, list[Any]]) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": node_id}
    for key in sorted(properties, key=lambda k: (k != "@type", k)):
        values = properties[key]
        if values and isinstance(values[0], dict) and _is_language_map(values):
            node[key] = _merge_language_maps(values)
            continue
        ordered = sorted(values, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        node[key] = ordered[0] if len(ordered) == 1 else ordered
    return node


def _is_language_map(values: Sequence[Any]) -> bool:
    return all(isinstance(v, dict) and not any(k.startswith("@") for k in v) for v in values)


def _merge_language_maps(values: Sequence[dict[str, str]]) -> dict[str, Any]:
    merged: dict[str, list[str]] = defaultdict(list)
    for value in values:
        for lang, text in value.items():
            merged[lang].append(text)
    return {
        lang: texts[0] if len(texts) == 1 else sorted(texts)
        for lang, texts in sorted(merged.items())
    }


def _node_id(value: object) -> str:
    if isinstance(value, ox.BlankNode):
        return f"_:{value.value}"
    assert isinstance(value, ox.NamedNode)
    return _compact(value.value)


def _node_order(node_id: str) -> tuple[bool, str]:
    return node_id.startswith("_:"), node_id


def _compact(iri: str) -> str:
    """``prefix:local`` with the longest matching project prefix, else the IRI itself."""
    best: tuple[str, str] | None = None
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and (best is None or len(namespace) > len(best[1])):
            best = (prefix, namespace)
    if best is None:
        return iri
    local = iri[len(best[1]) :]
    if not local or local.startswith("//"):
        return iri
    return f"{best[0]}:{local}"


def _expand(value: str) -> str:
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return value


def _json_bytes(document: Any) -> bytes:
    return (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


# --- CSV tables -----------------------------------------------------------------------

Table = list[list[str]]
Values = dict[str, set[str]]

TIE_COLUMNS = (
    "tie",
    "first_party",
    "first_party_label",
    "first_party_country",
    "second_party",
    "second_party_label",
    "second_party_country",
    "level",
    "kind",
    "established",
    "sources",
)
PLACE_COLUMNS = (
    "place",
    "label_en",
    "label_zh",
    "label_ru",
    "type",
    "iso_code",
    "geonames_id",
    "lat",
    "long",
    "population",
    "region",
    "country",
)
FIGURE_COLUMNS = (
    "figure",
    "label",
    "measure",
    "value",
    "qualifier",
    "unit",
    "as_of",
    "source",
    "quote",
    "assertion",
)


def _tables(store: Store) -> dict[str, Table]:
    return {
        "ties": ties_table(store),
        "places": places_table(store),
        "figures": figures_table(store),
    }


def _rows(store: Store, sparql: str) -> tuple[tuple[Term | None, ...], ...]:
    result = run_query(store, sparql)
    if not isinstance(result, SelectResult):
        raise ExportError(f"expected a SELECT result from: {sparql}")
    return result.rows


def _pairs(store: Store, sparql: str, show: Callable[[Term], str] = lambda t: t.value) -> Values:
    """``?key ?value`` rows as a map from key to the set of values."""
    found: Values = defaultdict(set)
    for key, value in _rows(store, sparql):
        if key is not None and value is not None:
            found[key.value].add(show(value))
    return found


def _local(value: Term) -> str:
    """``pd:CityLevel`` -> ``CityLevel``: the concept's stable name, fit for a spreadsheet."""
    return value.value.removeprefix(str(PD))


def _cell(values: Mapping[str, set[str]], key: str) -> str:
    return JOIN.join(sorted(values.get(key, ())))


def _labels(store: Store, lang: str) -> Values:
    return _pairs(store, f'SELECT ?x ?l WHERE {{ ?x rdfs:label ?l FILTER(LANG(?l) = "{lang}") }}')


def _countries(store: Store) -> Values:
    return _pairs(
        store,
        "SELECT ?x ?code WHERE { ?x pd:locatedIn ?c . ?c a pd:Country ; pd:isoCode ?code }",
    )


def ties_table(store: Store) -> Table:
    """One row per twinning tie."""
    parties = _rows(
        store,
        "SELECT DISTINCT ?tie ?first ?second WHERE { ?tie a pd:TwinningTie "
        "OPTIONAL { ?tie pd:firstParty ?first } OPTIONAL { ?tie pd:secondParty ?second } }",
    )
    labels, countries = _labels(store, "en"), _countries(store)
    level = _pairs(store, "SELECT ?t ?v WHERE { ?t a pd:TwinningTie ; pd:level ?v }", _local)
    kind = _pairs(store, "SELECT ?t ?v WHERE { ?t a pd:TwinningTie ; pd:tieKind ?v }", _local)
    established = _pairs(store, "SELECT ?t ?d WHERE { ?t a pd:TwinningTie ; pd:established ?d }")
    sources = _pairs(
        store,
        "SELECT ?t ?s WHERE { GRAPH ?g { ?t a pd:TwinningTie } ?g prov:wasDerivedFrom ?s }",
    )
    firsts: Values = defaultdict(set)
    seconds: Values = defaultdict(set)
    for tie_term, first_term, second_term in parties:
        assert tie_term is not None
        if first_term is not None:
            firsts[tie_term.value].add(first_term.value)
        if second_term is not None:
            seconds[tie_term.value].add(second_term.value)
    rows: Table = [list(TIE_COLUMNS)]
    for tie in sorted({t.value for t, _, _ in parties if t is not None}):
        rows.append(
            [
                tie,
                _cell(firsts, tie),
                _party(labels, firsts[tie]),
                _party(countries, firsts[tie]),
                _cell(seconds, tie),
                _party(labels, seconds[tie]),
                _party(countries, seconds[tie]),
                _cell(level, tie),
                _cell(kind, tie),
                _cell(established, tie),
                _cell(sources, tie),
            ]
        )
    return rows


def _party(values: Values, parties: set[str]) -> str:
    return JOIN.join(sorted({v for p in parties for v in values.get(p, ())}))


def places_table(store: Store) -> Table:
    """One row per place (country, region, city, district, ...)."""
    places = sorted(
        r[0].value for r in _rows(store, "SELECT DISTINCT ?p WHERE { ?p a pd:Place }") if r[0]
    )
    labels = {lang: _labels(store, lang) for lang in ("en", "zh", "ru")}
    types = _pairs(
        store,
        "SELECT ?p ?t WHERE { GRAPH ?g { ?p a ?t } ?p a pd:Place "
        "FILTER(!STRSTARTS(STR(?g), STR(pdg:inferred)) && STRSTARTS(STR(?t), STR(pd:))) }",
        _local,
    )
    region = _pairs(
        store,
        "SELECT ?p ?r WHERE { ?p pd:locatedIn ?r . ?r a pd:SubnationalRegion FILTER(?r != ?p) }",
    )

    def attribute(predicate: str) -> Values:
        return _pairs(store, f"SELECT ?p ?v WHERE {{ ?p a pd:Place ; {predicate} ?v }}")

    iso, geonames = attribute("pd:isoCode"), attribute("pd:geonamesId")
    lat, long, population = attribute("geo:lat"), attribute("geo:long"), attribute("pd:population")
    countries = _countries(store)
    rows: Table = [list(PLACE_COLUMNS)]
    for place in places:
        rows.append(
            [
                place,
                *(_cell(labels[lang], place) for lang in ("en", "zh", "ru")),
                _cell(types, place),
                _cell(iso, place),
                _cell(geonames, place),
                _cell(lat, place),
                _cell(long, place),
                _cell(population, place),
                _cell(region, place),
                _cell(countries, place),
            ]
        )
    return rows


def figures_table(store: Store) -> Table:
    """One row per published figure per assertion stating its value, with source and quote."""
    stated = _rows(
        store,
        "SELECT DISTINCT ?f ?g ?v WHERE { GRAPH ?g { ?f pd:value ?v } ?f a pd:PublishedFigure }",
    )
    labels = _labels(store, "en")
    measure = _pairs(
        store, "SELECT ?f ?m WHERE { ?f a pd:PublishedFigure ; pd:measure ?m }", _local
    )
    source = _pairs(
        store, "SELECT ?g ?s WHERE { GRAPH ?g { ?f pd:value ?v } ?g prov:wasDerivedFrom ?s }"
    )
    quote = _pairs(store, "SELECT ?g ?q WHERE { GRAPH ?g { ?f pd:value ?v } ?g pd:quote ?q }")

    def in_graph(predicate: str, show: Callable[[Term], str] = lambda t: t.value) -> Values:
        sparql = (
            "SELECT ?key ?v WHERE { GRAPH ?g { ?f pd:value ?x ; "
            f"{predicate} ?v }} BIND(CONCAT(STR(?f), ' ', STR(?g)) AS ?key) }}"
        )
        return _pairs(store, sparql, show)

    qualifier, unit, as_of = (
        in_graph("pd:valueQualifier", _local),
        in_graph("pd:unit"),
        in_graph("pd:asOf"),
    )
    rows: Table = [list(FIGURE_COLUMNS)]
    keyed = sorted(
        (f.value, g.value, v.value) for f, g, v in stated if f is not None and g and v is not None
    )
    for figure, graph, value in keyed:
        key = f"{figure} {graph}"
        rows.append(
            [
                figure,
                _cell(labels, figure),
                _cell(measure, figure),
                value,
                _cell(qualifier, key),
                _cell(unit, key),
                _cell(as_of, key),
                _cell(source, graph),
                _cell(quote, graph),
                graph,
            ]
        )
    return rows


def _csv_bytes(rows: Table) -> bytes:
    """The table as CSV, cells a spreadsheet would run as formulas neutralised (csvsafe)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(safe_row(row) for row in rows)
    return out.getvalue().encode("utf-8")


# --- VoID and DCAT --------------------------------------------------------------------

_TABLE_INFO = {
    "ties": ("Twinning ties", "One row per twinning tie: parties, level, kind, dates, sources."),
    "places": ("Places", "One row per place: labels, type, codes, coordinates, population."),
    "figures": (
        "Published figures",
        "One row per figure and assertion stating its value, with source and verbatim quote.",
    ),
}


class _Graph:
    """Triples of void.ttl under construction."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(self, subject: str, predicate: str, *objects: ox.NamedNode | ox.Literal) -> None:
        for obj in objects:
            self.triples.append(ox.Triple(ox.NamedNode(subject), ox.NamedNode(predicate), obj))


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _text(value: str, lang: str | None = "en") -> ox.Literal:
    return ox.Literal(value, language=lang) if lang else ox.Literal(value)


def _typed(value: object, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))


def _void(result: ExportResult, issued: date, version: str | None) -> bytes:
    """void.ttl: the datasets, their distributions (files) with counts, sizes and checksums."""
    g = _Graph()
    dataset, merged = _BASE + "#paradiplo", _BASE + "#merged"
    _describe_dataset(g, dataset, issued, version, result)
    g.add(
        merged,
        RDF + "type",
        _iri(DCAT + "Dataset"),
        _iri(VOID + "Dataset"),
    )
    g.add(merged, DCT + "title", _text("paradiplo: the merged graph"))
    g.add(
        merged,
        DCT + "description",
        _text(
            "The RDF merge of all named graphs: each distinct triple once, graph names "
            "(and so the provenance of each triple) dropped. Turtle, N-Triples, JSON-LD "
            "and RDF/XML hold this graph."
        ),
    )
    g.add(merged, VOID + "triples", _typed(result.triples, "integer"))
    g.add(merged, PROV + "wasDerivedFrom", _iri(dataset))
    g.add(merged, DCT + "license", _iri(LICENSE))
    g.add(merged, DCT + "issued", _typed(issued.isoformat(), "date"))
    for exported in result.files:
        if exported.fmt == "csv":
            table = exported.name.removesuffix(".csv")
            owner = _BASE + f"#{table}"
            title, description = _TABLE_INFO[table]
            g.add(owner, RDF + "type", _iri(DCAT + "Dataset"))
            g.add(owner, DCT + "title", _text(f"paradiplo: {title.lower()} (table)"))
            g.add(owner, DCT + "description", _text(description))
            g.add(owner, DCT + "license", _iri(LICENSE))
            g.add(owner, DCT + "issued", _typed(issued.isoformat(), "date"))
            g.add(owner, PROV + "wasDerivedFrom", _iri(dataset))
            summary = f"{title}, CSV for spreadsheets: {exported.count} rows after the header."
        elif exported.fmt in DATASET_FORMATS:
            owner = dataset
            summary = (
                f"{SYNTAXES[exported.fmt].label}: every named graph kept "
                f"({exported.count} quads in {len(result.graphs)} graphs)."
            )
        else:
            owner = merged
            summary = (
                f"{SYNTAXES[exported.fmt].label}: the merged graph, without graph names "
                f"({exported.count} distinct triples)."
            )
        _describe_file(g, owner, exported, summary)
    data = ox.serialize(
        sorted(g.triples, key=str),
        None,
        ox.RdfFormat.TURTLE,
        prefixes=_VOID_PREFIXES,
        base_iri=_BASE,
    )
    text = (data or b"").decode("utf-8")
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith("@base")]
    header = "# Metadata of a paradiplo export (VoID + DCAT); relative IRIs name files here.\n"
    return (header + "".join(lines)).encode("utf-8")


_VOID_PREFIXES = {
    "dcat": DCAT,
    "dct": DCT,
    "void": VOID,
    "sd": SD,
    "spdx": SPDX,
    "prov": PROV,
    "xsd": XSD,
    "rdfs": RDFS,
    "owl": OWL,
    "pd": str(PD),
}


def _describe_dataset(
    g: _Graph, dataset: str, issued: date, version: str | None, result: ExportResult
) -> None:
    g.add(dataset, RDF + "type", _iri(DCAT + "Dataset"), _iri(VOID + "Dataset"))
    g.add(dataset, DCT + "title", _text("paradiplo: a knowledge graph of subnational diplomacy"))
    g.add(
        dataset,
        DCT + "description",
        _text(
            "Sister-city and sister-region ties, the bodies behind them and published figures "
            "about them, one named graph per assertion with its source and verbatim quote. "
            "void:triples counts the quads of all named graphs (a triple stated in two graphs "
            "counts twice). N-Quads and TriG keep the named graphs."
        ),
    )
    g.add(dataset, DCT + "license", _iri(LICENSE))
    g.add(dataset, DCT + "issued", _typed(issued.isoformat(), "date"))
    g.add(dataset, DCT + "creator", _text("paradiplo contributors", None))
    if version:
        g.add(dataset, OWL + "versionInfo", _text(version, None))
    g.add(dataset, DCT + "conformsTo", _iri(str(PD)[:-1]))
    g.add(dataset, VOID + "vocabulary", _iri(str(PD)))
    g.add(dataset, VOID + "uriSpace", _text(BASE + "id/", None))
    g.add(dataset, VOID + "triples", _typed(result.quads, "integer"))
    g.add(dataset, RDFS + "comment", _text(f"Written by paradiplo {__version__}."))
    for graph, count in result.graphs.items():
        part = _BASE + "#graph-" + hashlib.sha256(graph.encode()).hexdigest()[:16]
        if graph.startswith(BASE):
            part = _BASE + "#graph-" + graph[len(BASE) :].replace("/", "-")
        g.add(dataset, VOID + "subset", _iri(part))
        g.add(part, RDF + "type", _iri(VOID + "Dataset"), _iri(SD + "NamedGraph"))
        g.add(part, SD + "name", _iri(graph))
        g.add(part, VOID + "triples", _typed(count, "integer"))


def _describe_file(g: _Graph, owner: str, exported: ExportedFile, summary: str) -> None:
    syntax = SYNTAXES[exported.fmt]
    node = _BASE + f"#file-{exported.name}"
    checksum = node + "-sha256"
    g.add(owner, DCAT + "distribution", _iri(node))
    g.add(node, RDF + "type", _iri(DCAT + "Distribution"))
    g.add(node, DCT + "title", _text(exported.name, None))
    g.add(node, DCT + "description", _text(summary))
    g.add(node, DCAT + "downloadURL", _iri(_BASE + exported.name))
    g.add(node, DCAT + "mediaType", _iri(IANA + syntax.media_type))
    if syntax.w3c_format:
        g.add(node, DCT + "format", _iri(FORMATS_NS + syntax.w3c_format))
    g.add(node, DCAT + "byteSize", _typed(exported.size, "nonNegativeInteger"))
    g.add(node, DCT + "license", _iri(LICENSE))
    g.add(node, SPDX + "checksum", _iri(checksum))
    g.add(checksum, RDF + "type", _iri(SPDX + "Checksum"))
    g.add(checksum, SPDX + "algorithm", _iri(SPDX + "checksumAlgorithm_sha256"))
    g.add(checksum, SPDX + "checksumValue", _typed(exported.sha256, "hexBinary"))
