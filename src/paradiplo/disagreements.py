"""Find every disagreement between sources at build time and store it as data.

Two statements disagree when they are about **the same thing** and give different values.
The rules (one SPARQL query each, ``RULES``):

- ``tie-date``: the same tie IRI (parties sorted, so one IRI per pair), two
  ``pd:established`` values neither of which is a coarser form of the other: ``1995-05``
  agrees with ``1995-05-16``, ``1990-08-12`` does not agree with ``1992-08-12``;
- ``tie-level-or-kind``: the same tie, different ``pd:level`` or ``pd:tieKind``;
- ``count``: two published figures with the same ``pd:measure``, ``pd:counts``,
  ``pd:scopeLevel`` and ``pd:scopeCountry`` (absent only matches absent) and ``pd:asOf``
  dates that agree as above, with different values;
- ``unit-count-vs-reference``: a source's ``pd:RegionCount`` of a unit type in a country
  against the number of reference places (ISO 3166-2) of that type;
- ``containment``: a place a source puts in one first-level unit and the reference places
  in another;
- ``post-holder``: the same post, attested on agreeing dates, with different holders.

Only statements from different sources are compared (each named graph's
``prov:wasDerivedFrom``), so one source's repetition is not a disagreement. Each
disagreement is a ``pd:Disagreement`` in ``pdg:disagreements`` with two
``pd:DisagreeingStatement`` sides, each naming its assertion graph (or reference record),
its source, its value and its quote.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from paradiplo.namespaces import GRAPH_DISAGREEMENTS, ID, PD, PREFIXES
from paradiplo.store import XSD_STRING, SelectResult, Store, Term

PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_PREFIXES = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())

_SIDE = "OPTIONAL {{ ?g{n} pd:quote ?q{n} }}"
# Every side starts from an assertion graph that names its source, so that a query never
# scans a registry graph of tens of thousands of ties for pairs.
_ANCHOR = "?g{n} a pd:Assertion ; prov:wasDerivedFrom ?s{n} ."

# Each rule: its name (stored with the disagreement) and a query returning
# ?thing ?property ?v1 ?g1 ?s1 ?q1 ?v2 ?g2 ?s2 ?q2 (one row per pair of statements).
RULES: dict[str, str] = {
    "tie-date": """
SELECT ?thing ?property ?v1 ?g1 ?s1 ?q1 ?v2 ?g2 ?s2 ?q2 WHERE {
  BIND(pd:established AS ?property)
  GRAPH ?g1 { {A1} ?thing pd:established ?v1 }
  GRAPH ?g2 { {A2} ?thing pd:established ?v2 }
  FILTER(STR(?g1) < STR(?g2))
  FILTER(!STRSTARTS(STR(?v1), STR(?v2)) && !STRSTARTS(STR(?v2), STR(?v1)))
  %s %s FILTER(?s1 != ?s2)
}""",
    "tie-level-or-kind": """
SELECT ?thing ?property ?v1 ?g1 ?s1 ?q1 ?v2 ?g2 ?s2 ?q2 WHERE {
  VALUES ?property { pd:level pd:tieKind }
  GRAPH ?g1 { {A1} ?thing a pd:TwinningTie ; ?property ?v1 }
  GRAPH ?g2 { {A2} ?thing ?property ?v2 }
  FILTER(STR(?g1) < STR(?g2) && ?v1 != ?v2)
  %s %s FILTER(?s1 != ?s2)
}""",
    "count": """
SELECT ?thing ?property ?v1 ?g1 ?s1 ?q1 ?v2 ?g2 ?s2 ?q2 WHERE {
  BIND(pd:value AS ?property)
  GRAPH ?g1 { {A1} ?f1 pd:measure ?m ; pd:value ?v1 ; pd:asOf ?d1 }
  GRAPH ?g2 { {A2} ?f2 pd:measure ?m ; pd:value ?v2 ; pd:asOf ?d2 }
  FILTER(STR(?g1) < STR(?g2) && ?v1 != ?v2)
  FILTER(STRSTARTS(STR(?d1), STR(?d2)) || STRSTARTS(STR(?d2), STR(?d1)))
  FILTER NOT EXISTS { ?f1 pd:counts ?c FILTER NOT EXISTS { ?f2 pd:counts ?c } }
  FILTER NOT EXISTS { ?f2 pd:counts ?c FILTER NOT EXISTS { ?f1 pd:counts ?c } }
  FILTER NOT EXISTS { ?f1 pd:scopeLevel ?l FILTER NOT EXISTS { ?f2 pd:scopeLevel ?l } }
  FILTER NOT EXISTS { ?f2 pd:scopeLevel ?l FILTER NOT EXISTS { ?f1 pd:scopeLevel ?l } }
  FILTER NOT EXISTS { ?f1 pd:scopeCountry ?k FILTER NOT EXISTS { ?f2 pd:scopeCountry ?k } }
  FILTER NOT EXISTS { ?f2 pd:scopeCountry ?k FILTER NOT EXISTS { ?f1 pd:scopeCountry ?k } }
  BIND(?f1 AS ?thing)
  %s %s FILTER(?s1 != ?s2)
}""",
    "unit-count-vs-reference": """
SELECT ?thing ?property ?v1 ?g1 ?s1 ?q1 ?v2 ?g2 ?s2 ?q2 WHERE {
  BIND(pd:value AS ?property)
  GRAPH ?g1 { {A1} ?thing pd:measure pd:RegionCount ; pd:counts ?type ; pd:value ?v1 ;
                     pd:scopeCountry ?country }
  OPTIONAL { ?g1 pd:quote ?q1 }
  ?country pd:isoCode ?countryCode .
  {
    SELECT ?type ?countryCode (COUNT(DISTINCT ?unit) AS ?v2) (SAMPLE(?src) AS ?s2) WHERE {
      GRAPH pdg:reference-places { ?unit pd:isoCode ?code ; prov:wasDerivedFrom ?src }
      ?unit a ?type .
      FILTER(CONTAINS(?code, "-"))
      BIND(STRBEFORE(?code, "-") AS ?countryCode)
    } GROUP BY ?type ?countryCode
  }
  FILTER(?v1 != ?v2)
  BIND(pdg:reference-places AS ?g2)
  BIND(CONCAT("count of reference places typed ", STR(?type), " with an ISO 3166-2 code of ",
              ?countryCode) AS ?q2)
}""",
    "containment": """
SELECT ?thing ?property ?v1 ?g1 ?s1 ?q1 ?v2 ?g2 ?s2 ?q2 WHERE {
  BIND(pd:locatedIn AS ?property)
  GRAPH ?g1 { {A1} ?thing pd:locatedIn ?v1 }
  OPTIONAL { ?g1 pd:quote ?q1 }
  GRAPH pdg:reference-places { ?thing pd:locatedIn ?v2 . ?thing prov:wasDerivedFrom ?s2 }
  ?v1 a pd:SubnationalRegion . ?v2 a pd:SubnationalRegion .
  FILTER(?v1 != ?v2)
  BIND(pdg:reference-places AS ?g2)
  BIND("reference places (GeoNames admin1 of the place)" AS ?q2)
}""",
    "post-holder": """
SELECT ?thing ?property ?v1 ?g1 ?s1 ?q1 ?v2 ?g2 ?s2 ?q2 WHERE {
  BIND(pd:holder AS ?property)
  GRAPH ?g1 { {A1} ?h1 pd:heldPost ?thing ; pd:holder ?v1 ; pd:attestedOn ?d1 }
  GRAPH ?g2 { {A2} ?h2 pd:heldPost ?thing ; pd:holder ?v2 ; pd:attestedOn ?d2 }
  FILTER(STR(?g1) < STR(?g2) && ?v1 != ?v2)
  FILTER(STRSTARTS(STR(?d1), STR(?d2)) || STRSTARTS(STR(?d2), STR(?d1)))
  %s %s FILTER(?s1 != ?s2)
}""",
}
_TWO_SIDED = {"tie-date", "tie-level-or-kind", "count", "post-holder"}


@dataclass(frozen=True)
class Side:
    """One statement of a disagreement: where it is, who says it, what value, the quote."""

    graph: str
    source: str
    value: Term
    quote: str


@dataclass(frozen=True)
class Disagreement:
    """Two sources giving different values of one property of the same thing."""

    rule: str
    thing: str
    predicate: str
    first: Side
    second: Side

    @property
    def iri(self) -> str:
        key = "|".join((self.rule, self.thing, self.predicate, self.first.graph, self.second.graph))
        digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
        slug = self.thing.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        return f"{ID}disagreement/{slug}-{digest}"


def rule_query(rule: str) -> str:
    """The SPARQL of one detection rule, with the project's prefixes."""
    body = RULES[rule].replace("{A1}", _ANCHOR.format(n=1)).replace("{A2}", _ANCHOR.format(n=2))
    if rule in _TWO_SIDED:
        body = body % (_SIDE.format(n=1), _SIDE.format(n=2))
    return _PREFIXES + body


def detect(store: Store) -> list[Disagreement]:
    """Every disagreement the rules find, one per pair of statements, in a stable order."""
    found: dict[tuple[str, ...], Disagreement] = {}
    for rule in RULES:
        result = store.query(rule_query(rule))
        if not isinstance(result, SelectResult):
            continue
        index = {v: i for i, v in enumerate(result.variables)}
        for row in result.rows:
            cell = {v: row[i] for v, i in index.items()}
            thing, prop = cell["thing"], cell["property"]
            if thing is None or prop is None:
                continue
            sides = []
            for n in ("1", "2"):
                g, s, v = cell["g" + n], cell["s" + n], cell["v" + n]
                if g is None or s is None or v is None:
                    break
                q = cell["q" + n]
                sides.append(Side(g.value, s.value, v, q.value if q is not None else ""))
            if len(sides) != 2:
                continue
            key = (rule, thing.value, prop.value, sides[0].graph, sides[1].graph)
            # one quote per side is enough to show; keep the first in a stable order
            if key not in found or (sides[0].quote, sides[1].quote) < (
                found[key].first.quote,
                found[key].second.quote,
            ):
                found[key] = Disagreement(rule, thing.value, prop.value, sides[0], sides[1])
    return [found[k] for k in sorted(found)]


def disagreement_quads(disagreements: Iterable[Disagreement]) -> Iterator[ox.Quad]:
    """The disagreements as ``pd:Disagreement`` records in ``pdg:disagreements``."""
    graph = ox.NamedNode(str(GRAPH_DISAGREEMENTS))

    def quad(s: str, p: str, o: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, graph)

    for d in disagreements:
        node = d.iri
        yield quad(node, RDF_TYPE, ox.NamedNode(str(PD.Disagreement)))
        yield quad(node, str(PD.concerns), ox.NamedNode(d.thing))
        yield quad(node, str(PD.onProperty), ox.NamedNode(d.predicate))
        yield quad(node, str(PD.detectionRule), ox.Literal(d.rule))
        label = (
            f"{_short(d.thing)} {_short(d.predicate)}: {_value(d.first.value)} "
            f"({_short(d.first.source)}) vs {_value(d.second.value)} ({_short(d.second.source)})"
        )
        yield quad(node, RDFS + "label", ox.Literal(label, language="en"))
        for suffix, side in (("a", d.first), ("b", d.second)):
            side_node = f"{node}-{suffix}"
            yield quad(node, str(PD.side), ox.NamedNode(side_node))
            yield quad(side_node, RDF_TYPE, ox.NamedNode(str(PD.DisagreeingStatement)))
            yield quad(side_node, str(PD.statedIn), ox.NamedNode(side.graph))
            yield quad(side_node, PROV + "wasDerivedFrom", ox.NamedNode(side.source))
            yield quad(side_node, str(PD.statedValue), _literal_or_iri(side.value))
            if side.quote:
                yield quad(side_node, str(PD.quote), ox.Literal(side.quote))


def _literal_or_iri(term: Term) -> ox.NamedNode | ox.Literal:
    if term.kind == "uri":
        return ox.NamedNode(term.value)
    if term.lang:
        return ox.Literal(term.value, language=term.lang)
    return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype or XSD_STRING))


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _value(term: Term) -> str:
    return _short(term.value) if term.kind == "uri" else term.value
