"""Judge every finding against independent evidence, and store the verdicts as EARL.

A finding has two results, kept apart:

- **regression**: the finding's query still gives its saved answer (``reproduce.py``); this
  says nothing about whether the source is right, only that the graph has not changed;
- **verdict**: what records *independent of the claiming source* say about the claim:
  supported, contradicted, partly supported, not comparable, untestable or unchecked.

Independence is decided from provenance, never by hand: an evidence row names its record
(an assertion graph or a reference record), and the record counts only when nothing it is
derived from (``prov:wasDerivedFrom``, transitively, or the registry it sits in) is a
source of the finding, and it is not flagged as the encoder's reading
(``pd:EncoderReading``). Rows that fail the test are kept as a *consistency check* of the
encoding, never as evidence. The manifest terms are documented in ``queries/README.md``;
the vocabulary (W3C EARL with PROV) in ``ontology/README.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

from paradiplo.errors import ParadiploError
from paradiplo.namespaces import EARL, GRAPH_VERDICTS, ID, PD, SRC
from paradiplo.query import run_query
from paradiplo.reproduce import (
    Finding,
    Outcome,
    ReproduceError,
    read_sparql,
    run_finding,
    source_present,
)
from paradiplo.store import AskResult, SelectResult, Store, Term

Verdict = Literal[
    "supported", "contradicted", "partly supported", "not comparable", "untestable", "unchecked"
]
VERDICTS: tuple[Verdict, ...] = (
    "supported",
    "partly supported",
    "contradicted",
    "not comparable",
    "untestable",
    "unchecked",
)
# Each verdict is a pd: outcome that is an instance of one of EARL's five outcome classes.
OUTCOME_TERMS: dict[Verdict, str] = {
    "supported": "Supported",
    "contradicted": "Contradicted",
    "partly supported": "PartlySupported",
    "not comparable": "NotComparable",
    "untestable": "Untestable",
    "unchecked": "Unchecked",
}
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"


class VerdictError(ParadiploError):
    """An evidence query is missing or does not return the columns a verdict needs."""


@dataclass(frozen=True)
class Comparison:
    """One compared value: what the source states, what the evidence gives, the records."""

    item: str
    stated: str
    evidence: str
    agreement: Literal["agrees", "partial", "disagrees"]
    records: tuple[str, ...]


@dataclass(frozen=True)
class Judgement:
    """A finding's verdict with its evidence (values, records, sources) or its reason."""

    finding: Finding
    verdict: Verdict
    explanation: str
    comparisons: tuple[Comparison, ...] = ()
    evidence_sources: tuple[str, ...] = ()
    consistency_only: tuple[Comparison, ...] = field(default=())
    regression: str | None = None
    error: str | None = None

    @property
    def stated(self) -> str:
        return "; ".join(_unique(c.stated for c in self.comparisons or self.consistency_only))

    @property
    def evidence(self) -> str:
        return "; ".join(_unique(c.evidence for c in self.comparisons))

    @property
    def key(self) -> str:
        return f"{self.finding.pack}/{self.finding.id}"


def claim_in_words(comment: str | None) -> str:
    """The finding's comment without the note on how its query recomputes it."""
    text = comment or ""
    for marker in (" Recomputed:", " Recomputed from", " Recomputed "):
        if marker in text:
            text = text.split(marker, 1)[0]
    return text.strip()


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


# --- provenance -----------------------------------------------------------------------


class Provenance:
    """What each record is derived from, and whether it is the encoder's reading (cached)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._sources: dict[str, frozenset[str]] = {}
        self._reading: dict[str, bool] = {}

    def sources(self, record: str) -> frozenset[str]:
        """Every source the record is derived from, transitively, and its registry."""
        if record not in self._sources:
            sparql = (
                f"SELECT DISTINCT ?s WHERE {{ {{ <{record}> <{PROV}wasDerivedFrom>+ ?s }} "
                f"UNION {{ <{record}> <{PD.inRegistry}> ?s }} }}"
            )
            result = self._store.query(sparql)
            found = (
                {row[0].value for row in result.rows if row[0] is not None}
                if isinstance(result, SelectResult)
                else set()
            )
            self._sources[record] = frozenset(found)
        return self._sources[record]

    def is_reading(self, record: str) -> bool:
        """Whether the record is flagged as the encoder's interpretation of its source."""
        if record not in self._reading:
            result = self._store.query(f"ASK {{ <{record}> a <{PD.EncoderReading}> }}")
            self._reading[record] = isinstance(result, AskResult) and result.value
        return self._reading[record]

    def independent(self, record: str, claiming: Iterable[str]) -> bool:
        """A record counts as evidence only if no claiming source is among its origins."""
        return not self.is_reading(record) and not (self.sources(record) & set(claiming))


# --- judging --------------------------------------------------------------------------


def judge(
    store: Store,
    finding: Finding,
    provenance: Provenance | None = None,
    regression: Outcome | None = None,
) -> Judgement:
    """The verdict on one finding, computed from its manifest terms and the store."""
    spec = finding.verdict
    provenance = provenance or Provenance(store)
    status = regression.status if regression is not None else None
    note = spec.note or ""
    if spec.untestable is not None:
        reason = note or finding.tier_reason or ""
        text = f"{spec.untestable.lower()}: {reason}".rstrip(": ")
        return Judgement(finding, "untestable", text, regression=status)
    if spec.evidence_query is None and spec.not_comparable is not None:
        text = f"the evidence measures something else: {spec.not_comparable}"
        return Judgement(finding, "not comparable", text, regression=status)
    missing = [s for s in finding.requires if not source_present(store, s)]
    if spec.evidence_query is None or missing:
        what = spec.settled_by or "no record is named"
        if missing:
            names = ", ".join(f"src:{s}" for s in missing)
            what = f"{what} ({names} is not in this store: paradiplo import)"
        return Judgement(finding, "unchecked", f"would be settled by: {what}", regression=status)
    claiming = {str(SRC) + s for s in finding.sources}
    rows = evidence_rows(store, spec.evidence_query, spec.comparison)
    independent = [c for c in rows if all(provenance.independent(r, claiming) for r in c.records)]
    dependent = [c for c in rows if c not in independent]
    sources = sorted(
        {s for c in independent for r in c.records for s in provenance.sources(r)} - claiming
    )
    if not independent:
        what = spec.settled_by or "no record is named"
        text = f"would be settled by: {what}"
        if note:
            text = f"{text}; {note}"
        if dependent:
            text = (
                "consistency check of the encoding only (its records are the claiming "
                f"source's or the encoder's reading of it); {text}"
            )
        return Judgement(
            finding, "unchecked", text, consistency_only=tuple(dependent), regression=status
        )
    if spec.not_comparable is not None:
        verdict: Verdict = "not comparable"
        text = f"the evidence measures {spec.not_comparable}"
    else:
        verdict = _aggregate(c.agreement for c in independent)
        text = note
        if spec.unchecked_part:
            # the records bear on part of the claim only: the rest is unchecked
            if verdict == "supported":
                verdict = "partly supported"
            text = "; ".join(t for t in (text, f"no record bears on {spec.unchecked_part}") if t)
    return Judgement(
        finding,
        verdict,
        text,
        comparisons=tuple(independent),
        evidence_sources=tuple(sources),
        consistency_only=tuple(dependent),
        regression=status,
    )


def _aggregate(agreements: Iterable[str]) -> Verdict:
    seen = set(agreements)
    if seen == {"agrees"}:
        return "supported"
    if seen == {"disagrees"}:
        return "contradicted"
    return "partly supported"


def evidence_rows(store: Store, query: Path, rule: str) -> list[Comparison]:
    """Run an evidence query and group its rows into comparisons.

    Columns: ``?stated`` (the source's value), ``?evidence`` (the evidence's value),
    ``?record`` (the evidence record, one per row; rows that differ only in it are one
    comparison), optional ``?item`` (what is compared, in words) and ``?agrees`` (a boolean
    where the query decides agreement itself; otherwise ``rule`` does).
    """
    if not query.is_file():
        raise VerdictError(f"{query.name}: evidence query missing")
    try:
        result = run_query(store, read_sparql(query))
    except (ParadiploError, ReproduceError) as exc:
        raise VerdictError(f"{query.name}: {exc}") from exc
    if not isinstance(result, SelectResult):
        raise VerdictError(f"{query.name}: an evidence query must be a SELECT")
    needed = {"stated", "evidence", "record"}
    if not needed <= set(result.variables):
        raise VerdictError(f"{query.name}: needs ?stated ?evidence ?record")
    index = {v: i for i, v in enumerate(result.variables)}
    grouped: dict[tuple[str, str, str, str], list[str]] = {}
    for row in result.rows:
        item = _cell(row, index.get("item"))
        stated_term = row[index["stated"]]
        evidence_term = row[index["evidence"]]
        record = row[index["record"]]
        if record is None or record.kind != "uri":
            continue
        agrees = row[index["agrees"]] if "agrees" in index else None
        agreement = (
            ("agrees" if agrees.value in ("true", "1") else "disagrees")
            if agrees is not None
            else compare_values(stated_term, evidence_term, rule)
        )
        key = (item, render(stated_term), render(evidence_term), agreement)
        grouped.setdefault(key, []).append(record.value)
    return [  # sorted, so that reports and the stored graph do not depend on row order
        Comparison(item, stated, evidence, agreement, tuple(sorted(set(records))))  # type: ignore[arg-type]
        for (item, stated, evidence, agreement), records in sorted(grouped.items())
    ]


def _cell(row: Sequence[Term | None], i: int | None) -> str:
    if i is None or row[i] is None:
        return ""
    return render(row[i])


def compare_values(
    stated: Term | None, evidence: Term | None, rule: str
) -> Literal["agrees", "partial", "disagrees"]:
    """Numbers by value; dates agree when one is a coarser form of the other; else terms.

    Under ``LowerBound`` the evidence is an incomplete registry: fewer than stated bears
    out part of the claim, as many bears it out, more contradicts it.
    """
    if stated is None or evidence is None:
        return "disagrees"
    a, b = _number(stated), _number(evidence)
    if a is not None and b is not None:
        if a == b:
            return "agrees"
        if rule == "LowerBound" and b < a:
            return "partial"
        return "disagrees"
    if _is_date(stated) and _is_date(evidence):
        return "agrees" if dates_agree(stated.value, evidence.value) else "disagrees"
    same = (stated.kind, stated.value) == (evidence.kind, evidence.value)
    return "agrees" if same else "disagrees"


def dates_agree(a: str, b: str) -> bool:
    """``1995-05`` agrees with ``1995-05-16``: one date is a coarser form of the other."""
    return a.startswith(b) or b.startswith(a)


_DATE_TYPES = {XSD + t for t in ("date", "gYear", "gYearMonth", "dateTime")}


def _is_date(term: Term) -> bool:
    return term.kind == "literal" and term.datatype in _DATE_TYPES


def _number(term: Term) -> Decimal | None:
    if term.kind != "literal" or term.datatype is None:
        return None
    from paradiplo.reproduce import numeric_value

    value = numeric_value(term.value, term.datatype)
    return value if isinstance(value, Decimal) else None


def render(term: Term | None) -> str:
    """A value in words: IRIs as their last segment, literals as written."""
    if term is None:
        return ""
    if term.kind == "uri":
        return term.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return term.value


def judge_all(
    store: Store, findings: Iterable[Finding], queries_dir: Path | None = None
) -> list[Judgement]:
    """Regression and verdict for every finding, in the order given."""
    provenance = Provenance(store)
    out = []
    for finding in findings:
        regression = run_finding(store, finding, queries_dir)
        try:
            out.append(judge(store, finding, provenance, regression))
        except VerdictError as exc:
            # reported as an error by `paradiplo reproduce`; the build keeps the rest
            text = f"evidence query failed: {exc}"
            out.append(
                Judgement(finding, "unchecked", text, regression=regression.status, error=text)
            )
    return out


# --- the graph ------------------------------------------------------------------------


def finding_iri(finding: Finding) -> str:
    """``finding:<pack>-<id>``: the finding as a resource of its own."""
    return f"{ID}finding/{finding.pack}-{finding.id}"


def verdict_quads(judgements: Iterable[Judgement], queries_dir: Path) -> Iterator[ox.Quad]:
    """The findings, their regression and verdict assertions (EARL) in ``pdg:verdicts``."""
    graph = ox.NamedNode(str(GRAPH_VERDICTS))

    def quad(s: str, p: str, o: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, graph)

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    def text(value: str) -> ox.Literal:
        return ox.Literal(value)

    for j in judgements:
        f = j.finding
        node = finding_iri(f)
        yield quad(node, RDF_TYPE, iri(str(PD.SourceFinding)))
        yield quad(node, RDFS + "label", ox.Literal(f.name, language="en"))
        if f.comment:
            yield quad(node, str(PD.claimInWords), text(claim_in_words(f.comment)))
        for s in f.sources:
            yield quad(node, DCT + "source", iri(str(SRC) + s))
        for q in f.quotes:
            yield quad(node, str(PD.quote), text(q))
        if f.query is not None:
            yield quad(node, str(PD.findingQuery), text(_rel(f.query, queries_dir)))
        if j.regression is not None:
            reg = f"{ID}verdict/{f.pack}-{f.id}-regression"
            yield quad(reg, RDF_TYPE, iri(str(EARL.Assertion)))
            yield quad(reg, str(EARL.subject), iri(node))
            yield quad(reg, str(EARL.test), iri(str(PD.RegressionTest)))
            yield quad(reg, str(EARL.mode), iri(str(EARL.automatic)))
            yield quad(reg, str(EARL.result), iri(reg + "-result"))
            outcome = {"reproduced": "passed", "differs": "failed", "skipped": "untested"}
            yield quad(reg + "-result", RDF_TYPE, iri(str(EARL.TestResult)))
            yield quad(
                reg + "-result",
                str(EARL.outcome),
                iri(str(EARL) + outcome.get(j.regression, "cantTell")),
            )
        ver = f"{ID}verdict/{f.pack}-{f.id}"
        res = ver + "-result"
        # the outcome on the finding itself too, so its page and its source's page show it
        yield quad(node, str(PD.verdict), iri(str(PD[OUTCOME_TERMS[j.verdict]])))
        yield quad(ver, RDF_TYPE, iri(str(EARL.Assertion)))
        yield quad(ver, str(EARL.subject), iri(node))
        yield quad(ver, str(EARL.test), iri(str(PD.IndependentEvidenceTest)))
        yield quad(ver, str(EARL.mode), iri(str(EARL.automatic)))
        yield quad(ver, str(EARL.result), iri(res))
        yield quad(res, RDF_TYPE, iri(str(EARL.TestResult)))
        yield quad(res, str(EARL.outcome), iri(str(PD[OUTCOME_TERMS[j.verdict]])))
        if j.explanation:
            yield quad(res, DCT + "description", ox.Literal(j.explanation, language="en"))
        if j.stated:
            yield quad(res, str(PD.statedValue), text(j.stated))
        if j.evidence:
            yield quad(res, str(PD.evidenceValue), text(j.evidence))
        for s in j.evidence_sources:
            yield quad(res, str(PD.evidenceSource), iri(s))
        for c in j.comparisons:
            for r in c.records:
                yield quad(res, PROV + "used", iri(r))
        for c in j.consistency_only:
            for r in c.records:
                yield quad(res, str(PD.consistencyRecord), iri(r))
        if j.consistency_only and not j.comparisons:
            yield quad(res, RDF_TYPE, iri(str(PD.ConsistencyCheck)))
        spec = f.verdict
        if spec.evidence_query is not None:
            yield quad(res, str(PD.evidenceQuery), text(_rel(spec.evidence_query, queries_dir)))
        if spec.untestable is not None:
            yield quad(res, str(PD.untestableKind), iri(str(PD[spec.untestable])))
        if spec.settled_by and j.verdict == "unchecked":
            yield quad(res, str(PD.settledBy), text(spec.settled_by))
        if spec.not_comparable and j.verdict == "not comparable":
            yield quad(res, str(PD.notComparable), text(spec.not_comparable))


def _rel(path: Path, base: Path) -> str:
    try:
        return "queries/" + path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.name
