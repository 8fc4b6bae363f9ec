"""IRIs of the paradiplo graph, defined once so every module mints the same ones.

Ontology terms live under ``https://w3id.org/paradiplo/ontology#`` (prefix ``pd:``),
instances under ``https://w3id.org/paradiplo/id/<kind>/<slug>`` and sources under
``https://w3id.org/paradiplo/source/<id>``. Slugs are lowercase ASCII so that an IRI
minted today is the IRI minted tomorrow from the same name.
"""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/paradiplo/"
PD = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
SRC = Namespace(BASE + "source/")
PDA = Namespace(BASE + "id/assertion/")
PDG = Namespace(BASE + "id/graph/")

ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
WGS = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
BIBO = Namespace("http://purl.org/ontology/bibo/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
GN = Namespace("https://sws.geonames.org/")
WD = Namespace("http://www.wikidata.org/entity/")
EARL = Namespace("http://www.w3.org/ns/earl#")

# One prefix per instance kind, named like the kind, so Turtle can say ``city:cn-harbin``
# (a slash is not allowed in a prefixed name, so ``id:city/cn-harbin`` is not Turtle).
KINDS: tuple[str, ...] = (
    "country",
    "region",
    "city",
    "district",
    "macroregion",
    "place",
    "border",
    "tie",
    "organization",
    "person",
    "post",
    "holding",
    "event",
    "series",
    "agreement",
    "figure",
    "claim",
    "survey",
    "question",
    "response",
    "process",
    "step",
    "line",
    "policy",
    "programme",
    "area",
    "record",
    "finding",
    "verdict",
    "disagreement",
    "assertion",
    "graph",
)

# Named graphs that the build writes besides the per-assertion graphs of the sources.
GRAPH_ONTOLOGY = PDG["ontology"]
GRAPH_SHAPES = PDG["shapes"]
GRAPH_INFERRED = PDG["inferred"]
# Written by each build from the current content (verdicts.py, disagreements.py).
GRAPH_VERDICTS = PDG["verdicts"]
GRAPH_DISAGREEMENTS = PDG["disagreements"]

PREFIXES: dict[str, str] = {
    "pd": str(PD),
    "id": str(ID),
    "src": str(SRC),
    "pda": str(PDA),
    "pdg": str(PDG),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "prov": str(PROV),
    "org": str(ORG),
    "time": str(TIME),
    "geo": str(WGS),
    "schema": str(SCHEMA),
    "sh": str(SH),
    "void": str(VOID),
    "earl": str(EARL),
    "dcat": str(DCAT),
    "bibo": str(BIBO),
    "foaf": str(FOAF),
    "gn": str(GN),
    "wd": str(WD),
}
PREFIXES.update({kind: str(ID) + kind + "/" for kind in KINDS if kind not in PREFIXES})

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
_KIND = re.compile(r"^[a-z][a-z0-9-]*$")


def slugify(text: str) -> str:
    """Return a stable lowercase ASCII slug: accents folded, runs of other characters to '-'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _SLUG_JUNK.sub("-", folded.lower()).strip("-")
    if not slug:
        raise ValueError(f"cannot make an ASCII slug from {text!r}")
    return slug


def instance(kind: str, slug: str) -> URIRef:
    """IRI of an instance of ``kind`` (e.g. ``city``) named by an already-stable ``slug``."""
    if not _KIND.match(kind):
        raise ValueError(f"bad instance kind {kind!r}")
    if slugify(slug) != slug:
        raise ValueError(f"slug {slug!r} is not stable; use {slugify(slug)!r}")
    return ID[f"{kind}/{slug}"]


def source(source_id: str) -> URIRef:
    """IRI of a source record (a paper, a press report, a registry)."""
    if slugify(source_id) != source_id:
        raise ValueError(f"source id {source_id!r} is not a stable slug")
    return SRC[source_id]


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above, to prepend to user queries."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
