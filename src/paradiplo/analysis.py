"""The Python API for analysts: the built graph as pandas DataFrames.

``paradiplo.open()`` opens the current build of a data directory (the embedded store the
``paradiplo build`` command writes) or, given ``store=URL``, a SPARQL server that holds a
build (``remote.py``); ``KnowledgeGraph.query`` answers SPARQL as a DataFrame, and a few
ready functions answer what researchers ask most: the ties between two countries with
their dates, levels and sources, the stated figures over time, and where sources
disagree. Every ready function is one SPARQL query, kept in the frame's
``attrs["query"]`` so an analyst can read, copy and adapt it. ``docs/python-api.md``
shows a worked example that the tests execute.

pandas is imported here and not by ``paradiplo/__init__.py``, so the command line does
not pay for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd

from paradiplo.errors import ParadiploError
from paradiplo.namespaces import PD, PREFIXES
from paradiplo.query import run_query
from paradiplo.remote import RemoteStore
from paradiplo.store import (
    AskResult,
    DataDir,
    GraphResult,
    SelectResult,
    Store,
    Term,
    resolve_data_dir,
)

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {
    _XSD + t
    for t in (
        "integer",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}
_FLOATS = {_XSD + t for t in ("decimal", "double", "float")}
_COUNTRY = re.compile(r"^[a-z]{2}$")


def open(  # the natural name: paradiplo.open(), like io.open
    data_dir: Path | str | None = None,
    *,
    store: str | None = None,
    user: str | None = None,
    password: str | None = None,
) -> KnowledgeGraph:
    """Open the built graph: ``store`` (a SPARQL query endpoint URL) if given, else the
    current build of ``data_dir`` (default ``$PARADIPLO_DATA_DIR``, then ``./.paradiplo``,
    as for the command line). Raises ``NoStoreError`` when nothing has been built there.
    """
    if store is not None:
        return KnowledgeGraph(RemoteStore(store, user=user, password=password))
    return KnowledgeGraph(DataDir(resolve_data_dir(data_dir)).open())


def frame(result: SelectResult | AskResult | GraphResult) -> pd.DataFrame:
    """A SPARQL result as a DataFrame: one column per variable (or subject, predicate,
    object for CONSTRUCT), IRIs as strings, numbers and booleans as Python values, other
    literals as their lexical form, unbound cells as missing values."""
    if isinstance(result, AskResult):
        return pd.DataFrame({"ask": [result.value]})
    if isinstance(result, GraphResult):
        columns: Sequence[str] = ("subject", "predicate", "object")
        rows: Iterable[Sequence[Term | None]] = result.triples
    else:
        columns, rows = result.variables, result.rows
    data = [[value(cell) for cell in row] for row in rows]
    return pd.DataFrame(data, columns=list(columns)).convert_dtypes()


def value(term: Term | None) -> Any:
    """The Python value of one result cell."""
    if term is None:
        return None
    if term.kind == "bnode":
        return f"_:{term.value}"
    if term.kind != "literal":
        return term.value
    try:
        if term.datatype in _INTEGERS:
            return int(term.value)
        if term.datatype in _FLOATS:
            return float(term.value)
    except ValueError:
        return term.value  # an ill-typed literal keeps its text
    if term.datatype == _XSD + "boolean":
        return term.value in ("true", "1")
    return term.value


def country_iri(country: str) -> str:
    """``cn`` -> the IRI of China (ISO 3166-1 alpha-2, as the project's place IRIs)."""
    if country.startswith(PREFIXES["country"]):
        return country
    code = country.lower()
    if not _COUNTRY.match(code):
        raise ParadiploError(f"{country!r}: give an ISO 3166-1 alpha-2 code such as 'cn'")
    return PREFIXES["country"] + code


class KnowledgeGraph:
    """An open paradiplo store; use as a context manager or call ``close()``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    def query(self, sparql: str) -> pd.DataFrame:
        """Run SPARQL (the project's prefixes need no PREFIX lines) and return a DataFrame;
        the query is kept in ``attrs["query"]``."""
        result = frame(run_query(self.store, sparql))
        result.attrs["query"] = sparql
        return result

    def ties(self, country: str, other: str) -> pd.DataFrame:
        """Twinning ties between places of two countries (``"cn"``, ``"ru"``): one row per
        tie and graph that states it, with what that graph says (level, kind, date) and
        its source and quote. ``place``/``place_label`` is in ``country``, ``partner`` in
        ``other``; labels are English (``skos:prefLabel`` or ``rdfs:label``, tagged
        ``en`` or untagged) where one exists. Rows from an imported world registry (one
        graph per registry, no quote) name the registry in ``source`` and the row in
        ``record``/``record_label``."""
        sparql = _TIES.replace("?country1", f"<{country_iri(country)}>").replace(
            "?country2", f"<{country_iri(other)}>"
        )
        return _one_label(self.query(sparql), ("place_label", "partner_label"))

    def figures(self, measures: Sequence[str] = (), countries: Sequence[str] = ()) -> pd.DataFrame:
        """Stated figures (``pd:PublishedFigure``) in time order: value, qualifier, unit,
        what is counted, period and date, scope, source and quote. ``measures`` keeps
        those measures (local names such as ``"TieCount"``, ``"AgreementCount"``, or IRIs);
        ``countries`` keeps figures whose scope includes every country given."""
        filters = []
        if measures:
            iris = " ".join(f"<{m if ':' in m else PD[m]}>" for m in measures)
            filters.append(f"VALUES ?measure {{ {iris} }}")
        for country in countries:
            filters.append(
                f"FILTER EXISTS {{ GRAPH ?graph {{ ?figure pd:scopeCountry "
                f"<{country_iri(country)}> }} }}"
            )
        return self.query(_FIGURES.replace("#FILTERS", "\n  ".join(filters)))

    def disagreements(self) -> pd.DataFrame:
        """Where two assertion graphs give one resource different values (rule 3 of
        *Provenance* in ``ontology/README.md``): different ``pd:value``s of one figure, or
        founding dates (``pd:established``) of one tie that are not the same date at two
        precisions ("2002" and "2003-10-16" disagree; "1995-05" and "1995-05-16" do not).
        One row per pair of graphs, each with its source and quote. Which value is right
        is not judged here."""
        return self.query(_DISAGREEMENTS)


def _one_label(result: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """Keep the first row of rows that differ only in a label (a place with two English
    labels would otherwise double its ties)."""
    keys = [c for c in result.columns if c not in labels]
    kept = result.drop_duplicates(subset=keys).reset_index(drop=True)
    kept.attrs = result.attrs
    return kept


_TIES = """\
SELECT ?tie ?place ?place_label ?partner ?partner_label ?level ?kind ?established
       ?source ?quote ?graph ?record ?record_label WHERE {
  {
    SELECT DISTINCT ?tie ?place ?partner WHERE {
      ?tie a pd:TwinningTie ; pd:party ?place, ?partner .
      ?place pd:locatedIn ?country1 .
      ?partner pd:locatedIn ?country2 .
    }
  }
  GRAPH ?graph { ?tie a pd:TwinningTie }
  FILTER(!STRSTARTS(STR(?graph), STR(pdg:inferred)))
  OPTIONAL { GRAPH ?graph { ?tie pd:level ?level } }
  OPTIONAL { GRAPH ?graph { ?tie pd:tieKind ?kind } }
  OPTIONAL { GRAPH ?graph { ?tie pd:established ?established } }
  OPTIONAL { ?graph prov:wasDerivedFrom ?graphSource }
  OPTIONAL {
    GRAPH ?graph { ?tie prov:wasDerivedFrom ?record }
    OPTIONAL { ?record prov:wasDerivedFrom ?recordSource }
    OPTIONAL { ?record rdfs:label ?record_label }
  }
  BIND(COALESCE(?graphSource, ?recordSource) AS ?source)
  OPTIONAL { ?graph pd:quote ?quote }
  OPTIONAL {
    ?place skos:prefLabel|rdfs:label ?place_label
    FILTER(LANGMATCHES(LANG(?place_label), "en") || LANG(?place_label) = "")
  }
  OPTIONAL {
    ?partner skos:prefLabel|rdfs:label ?partner_label
    FILTER(LANGMATCHES(LANG(?partner_label), "en") || LANG(?partner_label) = "")
  }
}
ORDER BY ?place_label ?partner_label ?tie ?established ?graph
"""

_FIGURES = """\
SELECT ?figure ?label ?measure ?counts ?value ?qualifier ?unit ?level ?period_start ?as_of
       (GROUP_CONCAT(DISTINCT STR(?country); separator=" ") AS ?countries)
       ?source ?quote ?graph WHERE {
  GRAPH ?graph { ?figure a pd:PublishedFigure ; pd:value ?value }
  FILTER(!STRSTARTS(STR(?graph), STR(pdg:inferred)))
  OPTIONAL { GRAPH ?graph { ?figure pd:measure ?measure } }
  #FILTERS
  OPTIONAL { GRAPH ?graph { ?figure pd:counts ?counts } }
  OPTIONAL { GRAPH ?graph { ?figure pd:valueQualifier ?qualifier } }
  OPTIONAL { GRAPH ?graph { ?figure pd:unit ?unit } }
  OPTIONAL { GRAPH ?graph { ?figure pd:scopeLevel ?level } }
  OPTIONAL { GRAPH ?graph { ?figure pd:periodStart ?period_start } }
  OPTIONAL { GRAPH ?graph { ?figure pd:asOf ?as_of } }
  OPTIONAL { GRAPH ?graph { ?figure pd:scopeCountry ?country } }
  OPTIONAL { ?figure rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en")) }
  OPTIONAL { ?graph prov:wasDerivedFrom ?source }
  OPTIONAL { ?graph pd:quote ?quote }
}
GROUP BY ?figure ?label ?measure ?counts ?value ?qualifier ?unit ?level ?period_start ?as_of
         ?source ?quote ?graph
ORDER BY ?as_of ?figure ?graph
"""

_DISAGREEMENTS = """\
SELECT ?subject ?property ?value ?source ?quote ?graph
       ?other_value ?other_source ?other_quote ?other_graph WHERE {
  VALUES ?property { pd:value pd:established }
  GRAPH ?graph { ?subject ?property ?value }
  GRAPH ?other_graph { ?subject ?property ?other_value }
  FILTER(STR(?graph) < STR(?other_graph))
  FILTER(!STRSTARTS(STR(?graph), STR(pdg:inferred)))
  FILTER(IF(?property = pd:value, ?value != ?other_value,
            !STRSTARTS(STR(?value), STR(?other_value))
            && !STRSTARTS(STR(?other_value), STR(?value))))
  OPTIONAL { ?graph prov:wasDerivedFrom ?source }
  OPTIONAL { ?graph pd:quote ?quote }
  OPTIONAL { ?other_graph prov:wasDerivedFrom ?other_source }
  OPTIONAL { ?other_graph pd:quote ?other_quote }
}
ORDER BY ?subject ?property ?graph ?other_graph
"""
