"""The SPARQL behind the report, one query per kind of record, scoped by country pair.

Every query aggregates in SPARQL so that the report gets one row per tie, place, region
or figure, however many sources, labels and dates stand behind it: at the scale of the
world registries (~30k ties) that keeps the transfer small and the Python side a single
pass. The report shows these queries so that a reader can rerun them with
``paradiplo query``.
"""

from __future__ import annotations

from paradiplo.report.scope import Scope

_SCOPED_TIES = """?tie a pd:TwinningTie ; pd:firstParty ?a ; pd:secondParty ?b .
  {scope}"""


def _scoped(scope: Scope) -> str:
    return _SCOPED_TIES.format(scope=scope.tie_filter())


def tie_count(scope: Scope) -> str:
    """How many ties the scope has: the figure every other count is checked against."""
    return f"""SELECT (COUNT(DISTINCT ?tie) AS ?ties) WHERE {{
  {_scoped(scope)}
}}"""


def ties(scope: Scope) -> str:
    """One row per tie: parties, level(s), kinds, every stated date, and its sources."""
    return f"""SELECT ?tie (MIN(STR(?a)) AS ?first) (MIN(STR(?b)) AS ?second)
  (GROUP_CONCAT(DISTINCT STR(?level); separator=" ") AS ?levels)
  (GROUP_CONCAT(DISTINCT STR(?kind); separator=" ") AS ?kinds)
  (GROUP_CONCAT(DISTINCT STR(?established); separator=" ") AS ?dates)
  (GROUP_CONCAT(DISTINCT STR(?source); separator=" ") AS ?sources)
WHERE {{
  {_scoped(scope)}
  OPTIONAL {{ ?tie pd:level ?level }}
  OPTIONAL {{ ?tie pd:tieKind ?kind }}
  OPTIONAL {{ ?tie pd:established ?established }}
  OPTIONAL {{ GRAPH ?g {{ ?tie a pd:TwinningTie }} ?g prov:wasDerivedFrom ?source }}
}}
GROUP BY ?tie"""


def places(scope: Scope) -> str:
    """One row per party of a scoped tie: kind, label, country, first-level unit, points.

    Coordinates are taken as lexical pairs (``MIN`` of "lat long") so that a place two
    sources locate differently still gets one consistent point. Besides the place's own
    coordinates the row carries those of a city containing it (for districts) and of a
    city that is its capital (for regions), the candidates for a representative point.
    """
    return f"""SELECT ?place (MIN(?type) AS ?kind) (MIN(?en) AS ?labelEn) (MIN(STR(?any)) AS ?label)
  (MIN(STR(?country)) AS ?countryIri) (MIN(STR(?region)) AS ?regionIri)
  (MIN(STR(?macro)) AS ?macroIri)
  (MIN(CONCAT(STR(?lat), " ", STR(?long))) AS ?point)
  (MIN(CONCAT(STR(?cityLat), " ", STR(?cityLong), " ", STR(?city))) AS ?cityPoint)
  (MIN(CONCAT(STR(?capLat), " ", STR(?capLong), " ", STR(?capital))) AS ?capitalPoint)
WHERE {{
  {{ SELECT DISTINCT ?place WHERE {{
    {_scoped(scope)}
    ?tie pd:party ?place .
  }} }}
  BIND(IF(EXISTS {{ ?place a pd:City }}, "city",
       IF(EXISTS {{ ?place a pd:District }}, "district",
       IF(EXISTS {{ ?place a pd:SubnationalRegion }}, "region",
       IF(EXISTS {{ ?place a pd:Country }}, "country", "place")))) AS ?type)
  OPTIONAL {{ ?place rdfs:label ?en FILTER(LANGMATCHES(LANG(?en), "en")) }}
  OPTIONAL {{ ?place rdfs:label ?any }}
  OPTIONAL {{ ?place pd:locatedIn ?country . ?country a pd:Country }}
  OPTIONAL {{ ?place pd:locatedIn ?region . ?region a pd:SubnationalRegion }}
  OPTIONAL {{ ?place pd:locatedIn ?macro . ?macro a pd:MacroRegion }}
  OPTIONAL {{ ?place geo:lat ?lat ; geo:long ?long }}
  OPTIONAL {{ ?place pd:locatedIn ?city . ?city a pd:City ; geo:lat ?cityLat ; geo:long ?cityLong }}
  OPTIONAL {{ ?capital pd:capitalOf ?place ; geo:lat ?capLat ; geo:long ?capLong }}
}}
GROUP BY ?place"""


REGIONS = """SELECT ?region (MIN(?en) AS ?labelEn) (MIN(STR(?any)) AS ?label)
  (MIN(STR(?code)) AS ?iso) (MIN(STR(?kind)) AS ?class)
WHERE {
  VALUES ?kind { pd:Country pd:SubnationalRegion pd:MacroRegion }
  ?region a ?kind .
  OPTIONAL { ?region rdfs:label ?en FILTER(LANGMATCHES(LANG(?en), "en")) }
  OPTIONAL { ?region rdfs:label ?any }
  OPTIONAL { ?region pd:isoCode ?code }
}
GROUP BY ?region"""
"""Labels and ISO codes of countries, first-level units and macro-regions."""

REGION_CENTRES = """SELECT ?region (COUNT(?city) AS ?cities) (AVG(?lat) AS ?meanLat)
  (AVG(?long) AS ?meanLong) (AVG(IF(?long < 0, ?long + 360, ?long)) AS ?meanLong360)
  (MIN(?long) AS ?westmost) (MAX(?long) AS ?eastmost)
WHERE {
  ?city a pd:City ; pd:locatedIn ?region ; geo:lat ?lat ; geo:long ?long .
  ?region a pd:SubnationalRegion .
}
GROUP BY ?region"""
"""The mean position of each first-level unit's cities in the data (antimeridian-safe)."""

REGION_CAPITALS = """SELECT ?region
  (MIN(CONCAT(STR(?lat), " ", STR(?long), " ", STR(?city))) AS ?point)
WHERE {
  ?city pd:capitalOf ?region ; geo:lat ?lat ; geo:long ?long .
  ?region a pd:SubnationalRegion .
}
GROUP BY ?region"""
"""Capital cities of first-level units, where the data names one."""

DATE_SOURCES = """SELECT ?tie ?established ?source
WHERE {{
  {scoped}
  GRAPH ?g {{ ?tie pd:established ?established }}
  ?g prov:wasDerivedFrom ?source .
  FILTER EXISTS {{ ?tie pd:established ?other FILTER(STR(?other) != STR(?established)) }}
}}
ORDER BY ?tie ?established ?source"""


def date_sources(scope: Scope) -> str:
    """Which source states which date, for the ties whose sources give more than one."""
    return DATE_SOURCES.format(scoped=_scoped(scope))


SOURCES = """SELECT ?source (MIN(STR(?label)) AS ?name) (MIN(STR(?title)) AS ?fullTitle) WHERE {
  { SELECT DISTINCT ?source WHERE { ?g prov:wasDerivedFrom ?source } }
  OPTIONAL { ?source rdfs:label ?label }
  OPTIONAL { ?source dct:title ?title }
}
GROUP BY ?source"""
"""Short names (rdfs:label, e.g. "Makeeva 2023") and titles of the sources that assertion
graphs cite."""

FIGURES = """SELECT ?figure ?measure ?value ?source (MIN(STR(?q)) AS ?quote)
  (MIN(STR(?asOf0)) AS ?asOf) (MIN(STR(?level0)) AS ?level) (MIN(STR(?region0)) AS ?region)
  (MIN(STR(?qualifier0)) AS ?qualifier) (MIN(?en) AS ?label)
  (GROUP_CONCAT(DISTINCT STR(?country); separator=" ") AS ?countries)
WHERE {
  VALUES ?measure { pd:TieCount pd:AgreementCount }
  ?figure a pd:PublishedFigure ; pd:measure ?measure .
  GRAPH ?g { ?figure pd:value ?value }
  ?g prov:wasDerivedFrom ?source .
  OPTIONAL { ?g pd:quote ?q }
  OPTIONAL { ?figure pd:asOf ?asOf0 }
  OPTIONAL { ?figure pd:scopeLevel ?level0 }
  OPTIONAL { ?figure pd:scopeRegion ?region0 }
  OPTIONAL { ?figure pd:valueQualifier ?qualifier0 }
  OPTIONAL { ?figure rdfs:label ?en FILTER(LANGMATCHES(LANG(?en), "en")) }
  OPTIONAL { ?figure pd:scopeCountry ?country }
}
GROUP BY ?figure ?measure ?value ?source"""
"""Published tie and agreement counts: one row per (figure, value, source), so that two
sources that disagree on a value give two rows."""
