"""Documentation of the ontology at ``/ontology``, generated from the ``pdg:ontology`` graph.

pyLODE was the first choice, but pyLODE 3.4.1 from PyPI fails at import (it reads a
``pyproject.toml`` its wheel does not ship), so this is a small generator of our own: every
class, property and concept of the ``pd:`` namespace with its labels in every language
(en, zh, ru), definitions, super- and sub-classes, super-properties, domains and ranges
(class expressions such as unions and restrictions written out), and any other annotation.
Terms of reused vocabularies that the ontology declares are listed after them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from paradiplo.namespaces import PD
from paradiplo.server.links import iri_html, pick_label, term_html
from paradiplo.store import GraphResult, Term

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"

KINDS: tuple[tuple[str, str], ...] = (
    (OWL + "Class", "Classes"),
    (RDFS + "Class", "Classes"),
    (OWL + "ObjectProperty", "Object properties"),
    (OWL + "DatatypeProperty", "Datatype properties"),
    (OWL + "AnnotationProperty", "Annotation properties"),
    (RDF + "Property", "Other properties"),
    (SKOS + "ConceptScheme", "Concept schemes"),
    (SKOS + "Concept", "Concepts"),
)
SECTION_ORDER = (
    "Classes",
    "Object properties",
    "Datatype properties",
    "Annotation properties",
    "Other properties",
    "Concept schemes",
    "Concepts",
    "Individuals",
)
LABELS = (RDFS + "label", SKOS + "prefLabel")
DEFINITIONS = (SKOS + "definition", RDFS + "comment")
CHARACTERISTICS = {
    OWL + "TransitiveProperty": "transitive",
    OWL + "SymmetricProperty": "symmetric",
    OWL + "AsymmetricProperty": "asymmetric",
    OWL + "FunctionalProperty": "functional",
    OWL + "InverseFunctionalProperty": "inverse functional",
    OWL + "ReflexiveProperty": "reflexive",
    OWL + "IrreflexiveProperty": "irreflexive",
}
RELATIONS = (
    (RDFS + "subClassOf", "Sub-class of"),
    (OWL + "equivalentClass", "Equivalent to"),
    (OWL + "disjointWith", "Disjoint with"),
    (RDFS + "subPropertyOf", "Sub-property of"),
    (OWL + "equivalentProperty", "Equivalent property"),
    (OWL + "inverseOf", "Inverse of"),
    (RDFS + "domain", "Domain"),
    (RDFS + "range", "Range"),
    (OWL + "propertyChainAxiom", "Property chain"),
    (SKOS + "inScheme", "In scheme"),
    (SKOS + "broader", "Broader"),
)
HANDLED = {RDF + "type", *LABELS, *DEFINITIONS, *(p for p, _ in RELATIONS)}
RESTRICTION_WORDS = {
    OWL + "someValuesFrom": "some",
    OWL + "allValuesFrom": "only",
    OWL + "hasValue": "value",
    OWL + "minCardinality": "min",
    OWL + "maxCardinality": "max",
    OWL + "cardinality": "exactly",
    OWL + "minQualifiedCardinality": "min",
    OWL + "maxQualifiedCardinality": "max",
    OWL + "qualifiedCardinality": "exactly",
}


@dataclass
class Entry:
    """One documented term."""

    iri: str
    anchor: str
    name: str
    section: str
    labels: list[tuple[str, str]]
    definitions: list[tuple[str, str]]
    characteristics: list[str]
    relations: list[tuple[str, list[Markup]]]
    inverse: list[tuple[str, list[Markup]]]
    other: list[tuple[Markup, Markup]]


@dataclass
class OntologyDoc:
    """The whole page: header facts, entries by section, reused terms."""

    iri: str | None
    title: str
    description: str | None
    facts: list[tuple[str, Markup]]
    sections: list[tuple[str, list[Entry]]]
    reused: list[tuple[Markup, str]]
    term_count: int = 0
    index: list[tuple[str, list[Entry]]] = field(default_factory=list)


class Index:
    """The ontology graph indexed by subject, and the reverse index by object."""

    def __init__(self, triples: Iterable[tuple[Term, Term, Term]]) -> None:
        self.out: dict[Term, list[tuple[str, Term]]] = defaultdict(list)
        self.into: dict[Term, list[tuple[Term, str]]] = defaultdict(list)
        for s, p, o in triples:
            self.out[s].append((p.value, o))
            self.into[o].append((s, p.value))

    def values(self, subject: Term, predicate: str) -> list[Term]:
        return [o for p, o in self.out.get(subject, []) if p == predicate]

    def types(self, subject: Term) -> set[str]:
        return {o.value for o in self.values(subject, RDF + "type")}

    def items(self, head: Term) -> list[Term]:
        """The members of an RDF list."""
        members: list[Term] = []
        node = head
        while node.value != RDF + "nil" and len(members) < 1000:
            first = self.values(node, RDF + "first")
            rest = self.values(node, RDF + "rest")
            if not first or not rest:
                break
            members.append(first[0])
            node = rest[0]
        return members


def expression(index: Index, term: Term, depth: int = 0) -> Markup:
    """A class expression or list in words, named terms as links."""
    if term.kind != "bnode" or depth > 6:
        return term_html(term)
    outgoing = dict(index.out.get(term, []))
    for key, word in ((OWL + "unionOf", " or "), (OWL + "intersectionOf", " and ")):
        if key in outgoing:
            return _joined(index, index.items(outgoing[key]), word, depth)
    if OWL + "oneOf" in outgoing:
        return Markup("{") + _joined(index, index.items(outgoing[OWL + "oneOf"]), ", ", depth) + "}"
    if OWL + "complementOf" in outgoing:
        return Markup("not ") + expression(index, outgoing[OWL + "complementOf"], depth + 1)
    if OWL + "onProperty" in outgoing:
        return _restriction(index, outgoing, depth)
    if RDF + "first" in outgoing:
        return _joined(index, index.items(term), " / ", depth)
    return term_html(term)


def _joined(index: Index, members: list[Term], word: str, depth: int) -> Markup:
    parts = [expression(index, m, depth + 1) for m in members]
    return Markup("(") + Markup(escape(word)).join(parts) + Markup(")")


def _restriction(index: Index, outgoing: dict[str, Term], depth: int) -> Markup:
    prop = expression(index, outgoing[OWL + "onProperty"], depth + 1)
    for key, word in RESTRICTION_WORDS.items():
        if key in outgoing:
            filler = outgoing[key]
            text = (
                escape(filler.value)
                if filler.kind == "literal"
                else expression(index, filler, depth + 1)
            )
            qualified = outgoing.get(OWL + "onClass")
            tail = (
                Markup(" ") + expression(index, qualified, depth + 1) if qualified else Markup("")
            )
            return Markup("(") + prop + Markup(f" {word} ") + text + tail + Markup(")")
    return Markup("(restriction on ") + prop + Markup(")")


def _langs(index: Index, subject: Term, predicates: tuple[str, ...]) -> list[tuple[str, str]]:
    order = {"en": 0, "zh": 1, "ru": 2}
    found = [
        (o.lang or "", o.value)
        for p in predicates
        for o in index.values(subject, p)
        if o.kind == "literal"
    ]
    return sorted(dict.fromkeys(found), key=lambda pair: (order.get(pair[0], 3), pair[0]))


def _section(types: set[str]) -> str | None:
    for kind, section in KINDS:
        if kind in types:
            return section
    return None


def _entry(index: Index, subject: Term, section: str) -> Entry:
    types = index.types(subject)
    labels = _langs(index, subject, LABELS)
    relations = [
        (title, [expression(index, o) for o in index.values(subject, predicate)])
        for predicate, title in RELATIONS
        if index.values(subject, predicate)
    ]
    inverse = []
    for predicate, title in (
        (RDFS + "subClassOf", "Sub-classes"),
        (RDFS + "subPropertyOf", "Sub-properties"),
    ):
        below = sorted(
            s.value for s, p in index.into.get(subject, []) if p == predicate and s.kind == "uri"
        )
        if below:
            inverse.append((title, [iri_html(iri) for iri in below]))
    other = [
        (iri_html(p), expression(index, o))
        for p, o in index.out.get(subject, [])
        if p not in HANDLED
    ]
    local = subject.value[len(str(PD)) :]
    return Entry(
        iri=subject.value,
        anchor=local,
        name=pick_label([(text, lang) for lang, text in labels]) or local,
        section=section,
        labels=labels,
        definitions=_langs(index, subject, DEFINITIONS),
        characteristics=sorted(CHARACTERISTICS[t] for t in types if t in CHARACTERISTICS),
        relations=relations,
        inverse=inverse,
        other=other,
    )


def build(graph: GraphResult) -> OntologyDoc:
    """The documentation model of the ontology graph."""
    index = Index(graph.triples)
    ontology = next(
        (s for s, p, o in graph.triples if p.value == RDF + "type" and o.value == OWL + "Ontology"),
        None,
    )
    sections: dict[str, list[Entry]] = defaultdict(list)
    reused: list[tuple[Markup, str]] = []
    for subject in sorted(
        {s for s, _, _ in graph.triples if s.kind == "uri"}, key=lambda t: t.value
    ):
        if ontology is not None and subject == ontology:
            continue
        section = _section(index.types(subject))
        if subject.value.startswith(str(PD)):
            sections[section or "Individuals"].append(
                _entry(index, subject, section or "Individuals")
            )
        elif section:
            reused.append((iri_html(subject.value), section))
    ordered = [
        (name, sorted(sections[name], key=lambda e: e.anchor.lower()))
        for name in SECTION_ORDER
        if sections.get(name)
    ]
    return OntologyDoc(
        iri=ontology.value if ontology else None,
        title=_first(index, ontology, DCT + "title") or "paradiplo ontology",
        description=_first(index, ontology, DCT + "description"),
        facts=_facts(index, ontology),
        sections=ordered,
        reused=reused,
        term_count=sum(len(entries) for _, entries in ordered),
    )


def _first(index: Index, subject: Term | None, predicate: str) -> str | None:
    if subject is None:
        return None
    values = [o.value for o in index.values(subject, predicate)]
    return values[0] if values else None


def _facts(index: Index, ontology: Term | None) -> list[tuple[str, Markup]]:
    if ontology is None:
        return []
    facts = [("IRI", Markup("<code>{}</code>").format(ontology.value))]
    for predicate, name in (
        (OWL + "versionInfo", "Version"),
        (DCT + "license", "Licence"),
        (RDFS + "seeAlso", "See also"),
    ):
        values = index.values(ontology, predicate)
        if values:
            facts.append((name, Markup(", ").join(term_html(v) for v in values)))
    return facts
