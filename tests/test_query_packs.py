"""The query packs in queries/ checked by a second method.

test_reproduce.py runs every pack against the built store. Here the expected answers are
recomputed without the store, the reasoner or SPARQL: registry counts straight from
data/registry/china-russia-ties.csv, unit counts from pycountry, survey counts, step orders
and shared actors from the source TriG files read with rdflib. An expected file that was
edited to match a wrong query would fail here. The data checks in queries/checks/ are run
against a small content tree that breaks each of them, so a check that can never fire
fails too.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from pathlib import Path

import pycountry
import pytest
from conftest import FIXTURES, REPO
from rdflib import Dataset, Graph, URIRef

from paradiplo.build import build
from paradiplo.namespaces import PD, PREFIXES, SRC
from paradiplo.reproduce import discover_packs, parse_srj, run_check
from paradiplo.store import DataDir, SelectResult, Term

QUERIES = REPO / "queries"
REGISTRY_CSV = REPO / "data" / "registry" / "china-russia-ties.csv"
SOURCES = REPO / "data" / "sources"
SEEDS = Path(os.environ.get("PARADIPLO_SEEDS", REPO.parent / "shared" / "seeds"))
ID = PREFIXES["id"]
_NUMERIC = re.compile(
    r"#(integer|decimal|double|float|int|long|positiveInteger|nonNegativeInteger)$"
)

Pair = tuple[str, str]


# --- reading the expected files -----------------------------------------------------------


def _compact(iri: str) -> str:
    """``https://w3id.org/paradiplo/id/tie/x`` as ``tie:x`` (the longest matching prefix)."""
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default="")
    if not best:
        return iri
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best) :]}"


def _value(term: Term | None) -> object:
    if term is None:
        return None
    if term.kind == "uri":
        return _compact(term.value)
    if term.datatype and _NUMERIC.search(term.datatype):
        number = Decimal(term.value)
        return int(number) if number == number.to_integral_value() else number
    if term.datatype and term.datatype.endswith("#boolean"):
        return term.value == "true"
    return term.value


def expected(pack: str, slug: str) -> list[dict[str, object]]:
    """The rows of ``queries/<pack>/NNN-<slug>.srj`` as dicts of plain values."""
    paths = sorted((QUERIES / pack).glob(f"[0-9][0-9][0-9]-{slug}.srj"))
    assert len(paths) == 1, f"{pack}/{slug}: {paths}"
    result = parse_srj(paths[0].read_text(encoding="utf-8"))
    assert isinstance(result, SelectResult)
    return [
        {v: _value(t) for v, t in zip(result.variables, row, strict=True)} for row in result.rows
    ]


def only(rows: list[dict[str, object]]) -> dict[str, object]:
    assert len(rows) == 1, rows
    return rows[0]


def as_set(rows: Iterable[dict[str, object]], *keys: str) -> set[tuple[object, ...]]:
    return {tuple(row[k] for k in keys) for row in rows}


# --- the registry, from the CSV -----------------------------------------------------------


@cache
def registry() -> list[dict[str, str]]:
    """The CSV's data rows; row N (1-based) is registry record N."""
    with REGISTRY_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def ties() -> dict[Pair, list[dict[str, str]]]:
    by_pair: dict[Pair, list[dict[str, str]]] = defaultdict(list)
    for row in registry():
        by_pair[(row["party_a"], row["party_b"])].append(row)
    return dict(by_pair)


@cache
def first_dates() -> dict[Pair, str]:
    """The earliest stated date of each dated tie, as written (YYYY, YYYY-MM or a date)."""
    return {
        pair: min(r["established"] for r in rows if r["established"])
        for pair, rows in ties().items()
        if any(r["established"] for r in rows)
    }


def level(pair: Pair) -> str:
    levels = {r["level"] for r in ties()[pair]}
    assert len(levels) == 1, (pair, levels)
    return levels.pop()


def dated_by(as_of: str) -> list[Pair]:
    """Ties whose earliest date, at its own precision, does not start after ``as_of``."""
    return [p for p, d in first_dates().items() if d[: len(as_of)] <= as_of]


def tie_iri(pair: Pair) -> str:
    return "tie:" + "--".join(party.split(":", 1)[1] for party in pair)


@cache
def places() -> Graph:
    graph = Graph()
    for name in ("places.ttl", "districts.ttl"):
        graph.parse(REPO / "data" / "reference" / name, format="turtle")
    return graph


def _iri(curie: str) -> URIRef:
    kind, slug = curie.split(":", 1)
    return URIRef(f"{ID}{kind}/{slug}")


def containers(curie: str) -> set[str]:
    """The place itself and every place it lies in (pd:locatedIn, followed transitively)."""
    seen: set[URIRef] = set()
    todo = [_iri(curie)]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(o for o in places().objects(node, PD.locatedIn) if isinstance(o, URIRef))
    return {_compact(str(node)) for node in seen}


def test_china_daily_66_pairs_against_the_registry() -> None:
    row = only(expected("china-daily-2004", "pairs-66"))
    dated = dated_by("2004-10-26")
    assert row["stated"] == 66
    assert row["recomputed"] == len(dated)
    assert row["recomputedCityLevel"] == sum(level(p) == "city" for p in dated)


def test_makeeva_122_31_91_against_the_registry() -> None:
    rows = {row["level"]: row for row in expected("makeeva-2023", "agreements-122-31-91")}
    assert {k: r["stated"] for k, r in rows.items()} == {
        None: 122,
        "pd:RegionLevel": 31,
        "pd:CityLevel": 91,
    }
    dated = dated_by("2023")
    not_later = [p for p in ties() if p not in first_dates() or first_dates()[p][:4] <= "2023"]
    for key, name in ((None, None), ("pd:RegionLevel", "region"), ("pd:CityLevel", "city")):
        assert rows[key]["recomputed"] == sum(name in (None, level(p)) for p in dated), key
        assert rows[key]["recomputedWithUndated"] == sum(
            name in (None, level(p)) for p in not_later
        ), key


def test_cross_source_pair_counts_match_the_packs_of_each_source() -> None:
    rows = {row["figure"]: row for row in expected("cross-source", "pair-counts-over-time")}
    assert len(rows) == 4
    cd = rows["figure:china-daily-2004-cn-ru-sister-city-pairs"]
    # The figure has no level ("sister cities" counts region pairs too), so its own level
    # is every level.
    assert (cd["recomputed"], cd["recomputedSameLevel"]) == (
        len(dated_by("2004-10-26")),
        len(dated_by("2004-10-26")),
    )
    by_level = {"region-level": "region", "city-level": "city", "total": None}
    for suffix, name in by_level.items():
        row = rows[f"figure:makeeva-2023-cn-ru-agreements-{suffix}"]
        assert row["recomputed"] == len(dated_by("2023"))
        assert row["recomputedSameLevel"] == sum(name in (None, level(p)) for p in dated_by("2023"))


def test_first_ties_1988_against_the_registry() -> None:
    row = only(expected("makeeva-2023", "first-ties-1988"))
    earliest = min(first_dates().values())
    assert row["stated"] == "1988"
    assert row["recomputed"] == earliest
    assert row["earliestTie"] == tie_iri(next(p for p, d in first_dates().items() if d == earliest))


@pytest.mark.parametrize(
    ("slug", "start", "end", "focus"),
    [
        ("trend-2000s-central", "2000", "2009", "cn-central"),
        ("trend-2010s-east", "2010", "2019", "cn-east"),
    ],
)
def test_makeeva_decade_trends_against_the_registry(
    slug: str, start: str, end: str, focus: str
) -> None:
    counts: Counter[str] = Counter()
    for pair, date in first_dates().items():
        if start <= date[:4] <= end:
            for place in containers(pair[0]) | containers(pair[1]):
                if place.startswith("macroregion:cn-"):
                    counts[place] += 1
    rows = expected("makeeva-2023", slug)
    assert {r["macroregion"]: r["ties"] for r in rows} == {
        f"macroregion:cn-{m}": counts[f"macroregion:cn-{m}"]
        for m in ("central", "east", "northeast", "west")
    }
    assert {r["macroregion"] for r in rows if r["claimedFocus"]} == {f"macroregion:{focus}"}


def test_beijing_moscow_dates_against_the_registry_rows() -> None:
    want = {
        (n, row["established"])
        for n, row in enumerate(registry(), 1)
        if (row["party_a"], row["party_b"]) == ("city:cn-beijing", "city:ru-moscow")
        and row["established"]
    }
    rows = expected("china-daily-2004", "beijing-moscow-1995")
    assert as_set(rows, "record", "recomputed") == want
    assert all(r["stated"] == "1995-05" and r["consistent"] for r in rows)
    assert all(d.startswith("1995-05") for _, d in want)


def test_ties_at_the_meeting_against_the_registry() -> None:
    row = only(expected("china-daily-2004", "ties-at-meeting"))
    assert row["onMeetingDay"] == sum(d == "2004-10-26" for d in first_dates().values())
    dates = {p: {r["established"] for r in rows if r["established"]} for p, rows in ties().items()}
    assert row["notRuledOut"] == sum(
        any("2004-10-26".startswith(d) for d in ds) for ds in dates.values()
    )


def test_khabarovsk_krai_rank_against_the_registry() -> None:
    counts: Counter[str] = Counter()
    for pair in ties():
        subjects = {
            place for party in pair for place in containers(party) if place.startswith("region:ru-")
        }
        counts.update(subjects)
    row = only(expected("lavrov-khabarovsk", "khabarovsk-leading"))
    assert row["ties"] == counts["region:ru-kha"]
    assert row["subjectsAhead"] == sum(n > counts["region:ru-kha"] for n in counts.values())
    assert row["mostTies"] == max(counts.values())


def _source_dates() -> dict[str, set[str]]:
    """pd:established values per tie in the source TriG files (not the registry)."""
    dates: dict[str, set[str]] = defaultdict(set)
    for path in SOURCES.glob("*.trig"):
        dataset = Dataset()
        dataset.parse(path, format="trig")
        for tie, _, date, _ in dataset.quads((None, PD.established, None, None)):
            dates[_compact(str(tie))].add(str(date))
    return dates


def _conflict(dates: set[str]) -> bool:
    return any(not (a.startswith(b) or b.startswith(a)) for a in dates for b in dates)


def test_tie_dates_that_disagree() -> None:
    dates: dict[str, set[str]] = defaultdict(set)
    for pair, rows in ties().items():
        dates[tie_iri(pair)].update(r["established"] for r in rows if r["established"])
    for tie, values in _source_dates().items():
        dates[tie].update(values)
    several = {t: ds for t, ds in dates.items() if len(ds) > 1}
    rows = expected("cross-source", "tie-dates-disagree")
    assert as_set(rows, "tie", "earliest", "latest", "dates", "conflicting") == {
        (t, min(ds), max(ds), len(ds), _conflict(ds)) for t, ds in several.items()
    }
    conflicting = {
        (tie_iri((r["party_a"], r["party_b"])), r["established"], n, r["source_url"])
        for n, r in enumerate(registry(), 1)
        if r["established"] and _conflict(dates[tie_iri((r["party_a"], r["party_b"]))])
    }
    assert (
        as_set(
            expected("cross-source", "conflicting-tie-dates"), "tie", "established", "record", "url"
        )
        == conflicting
    )


def test_pairs_stated_in_sources_and_the_registry() -> None:
    pairs = set(ties())
    row = only(expected("cross-source", "source-pairs-in-registry"))
    assert row["inRegistry"] == (("city:cn-beijing", "city:ru-moscow") in pairs)
    crossing = only(expected("cross-source", "crossing-pairs-in-registry"))
    assert crossing["twinned"] == ((crossing["chinese"], crossing["russian"]) in pairs)


# --- administrative units, from pycountry -------------------------------------------------


def _units(country: str) -> Counter[str]:
    """First-level ISO 3166-2 subdivisions of a country by pycountry type, and in all."""
    subdivisions = [
        s for s in pycountry.subdivisions.get(country_code=country) if s.parent_code is None
    ]
    counts = Counter(s.type for s in subdivisions)
    counts["all"] = len(subdivisions)
    return counts


CN_TYPES = {
    "pd:ChineseProvincialUnit": "all",
    "pd:Province": "Province",
    "pd:AutonomousRegion": "Autonomous region",
    "pd:DirectAdministeredMunicipality": "Municipality",
    "pd:SpecialAdministrativeRegion": "Special administrative region",
}


def test_unit_counts_against_pycountry() -> None:
    cn, ru = _units("CN"), _units("RU")
    rows = expected("cross-source", "unit-counts-vs-iso")
    for row in rows:
        count = ru["all"] if row["type"] == "pd:FederalSubject" else cn[CN_TYPES[str(row["type"])]]
        assert row["recomputed"] == count, row
        assert row["agrees"] == (row["stated"] == count), row
    assert only(expected("lavrov-khabarovsk", "federal-subjects-89"))["recomputed"] == ru["all"]
    for slug in ("cn-units-34", "cn-autonomous-regions-5", "cn-provinces-municipalities"):
        for row in expected("lavrov-khabarovsk", slug):
            assert row["recomputed"] == cn[CN_TYPES[str(row["type"])]], (slug, row)
    structures = only(expected("lavrov-khabarovsk", "russia-more-regions"))
    assert (structures["ruRecomputed"], structures["cnRecomputed"]) == (ru["all"], cn["all"])
    oblasts = only(expected("lavrov-khabarovsk", "oblasts-within-krais"))
    assert oblasts["oblasts"] == ru["Administrative region"]


def test_makeeva_units_covered_against_pycountry() -> None:
    covered = {
        s.code
        for s in pycountry.subdivisions.get(country_code="CN")
        if s.type in ("Province", "Autonomous region") and s.code != "CN-TW"
    }
    row = only(expected("makeeva-2023", "units-covered"))
    assert row["referenceUnits"] == len(covered)
    assert row["covered"] == len(covered)  # the policy covers exactly these (Makeeva's text)


# --- the source files, read with rdflib ---------------------------------------------------


@cache
def source_datasets() -> dict[str, Dataset]:
    datasets = {}
    for path in sorted(SOURCES.glob("*.trig")):
        dataset = Dataset(default_union=True)
        dataset.parse(path, format="trig")
        datasets[path.stem] = dataset
    return datasets


def _named_by(kinds: tuple[str, ...]) -> set[tuple[str, str]]:
    """(thing, source) for instance IRIs of these kinds that two or more sources mention."""
    seen: dict[str, set[str]] = defaultdict(set)
    for source, dataset in source_datasets().items():
        for s, _, o, _ in dataset.quads():
            for term in (s, o):
                text = str(term)
                if isinstance(term, URIRef) and any(text.startswith(f"{ID}{k}/") for k in kinds):
                    seen[_compact(text)].add(f"src:{source}")
    return {(t, s) for t, sources in seen.items() if len(sources) > 1 for s in sources}


@pytest.mark.parametrize(
    ("slug", "kinds"),
    [
        ("actors-in-several-sources", ("person", "organization")),
        ("policies-in-several-sources", ("policy",)),
        ("places-in-several-sources", ("city", "district", "region", "macroregion", "place")),
        ("areas-in-several-sources", ("area",)),
    ],
)
def test_things_named_by_several_sources(slug: str, kinds: tuple[str, ...]) -> None:
    assert as_set(expected("cross-source", slug), "thing", "source") == _named_by(kinds)


def test_leffel_reporting_counts_recomputed_from_the_responses() -> None:
    graph = source_datasets()["leffel-2010"]
    question = URIRef(f"{ID}question/leffel-2010-provincial-reporting")
    answers = {
        response: frozenset(graph.objects(response, PD.answer))
        for response in set(graph.subjects(PD.question, question))
    }
    rows = expected("leffel-2010", "reporting-counts")
    assert sum(int(str(r["stated"])) for r in rows) == len(answers) == 14
    for row in rows:
        figure = _iri(str(row["figure"]))
        counted = frozenset(graph.objects(figure, PD.countsAnswer))
        assert row["recomputed"] == sum(a == counted for a in answers.values()), row
    respondents = only(expected("leffel-2010", "reporting-respondents"))
    assert respondents["recomputedRespondents"] == len(answers)
    assert respondents["recomputedNonResponses"] == sum(not a for a in answers.values())


@pytest.mark.parametrize(
    ("slug", "process"),
    [
        ("establishment-approval-order", "leffel-2010-cn-sister-city-establishment"),
        ("activity-approval-order", "leffel-2010-cn-sister-city-activity-approval"),
    ],
)
def test_leffel_approval_order_from_the_step_links(slug: str, process: str) -> None:
    graph = source_datasets()["leffel-2010"]
    steps = set(graph.objects(_iri(f"process:{process}"), PD.hasStep))
    following = {s: graph.value(s, PD.nextStep) for s in steps}
    first = (steps - set(following.values())).pop()
    order, step = [], first
    while step is not None:
        order.append(_compact(str(step)))
        step = following.get(step)
    rows = expected("leffel-2010", slug)
    assert {r["step"]: r["recomputed"] for r in rows} == {s: i for i, s in enumerate(order, 1)}
    assert all(r["stated"] == r["recomputed"] for r in rows)


# --- the manifests ------------------------------------------------------------------------

PACKS = discover_packs(QUERIES)
SOURCE_PACKS = [p for p in PACKS if not p.name.startswith("cross-")]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@cache
def _text(source_id: str) -> str | None:
    records = Graph().parse(REPO / "data" / "sources.ttl", format="turtle")
    name = records.value(SRC[source_id], PD.textFile)
    if name is None:
        return None
    path = SEEDS / str(name)
    if not path.is_file():
        pytest.skip(f"source texts not found at {SEEDS} (set PARADIPLO_SEEDS)")
    return _normalise(path.read_text(encoding="utf-8"))


def test_there_is_a_pack_per_source_and_the_cross_packs() -> None:
    sources = {p.stem for p in SOURCES.glob("*.trig")}
    assert {p.name for p in PACKS} == sources | {"cross-source", "cross-registry"}
    assert all(not p.problems for p in PACKS)


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.name)
def test_every_quote_of_a_finding_occurs_in_a_cited_source_text(pack: object) -> None:
    for finding in pack.findings:  # type: ignore[attr-defined]
        texts = [t for t in (_text(s) for s in finding.sources) if t is not None]
        for quote in finding.quotes:
            assert any(_normalise(quote) in text for text in texts), (finding.id, quote)


@pytest.mark.parametrize("pack", SOURCE_PACKS, ids=lambda p: p.name)
def test_every_finding_of_a_source_pack_quotes_its_source(pack: object) -> None:
    for finding in pack.findings:  # type: ignore[attr-defined]
        assert finding.quotes, finding.id
        assert finding.sources == (pack.name,), finding.id  # type: ignore[attr-defined]


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.name)
def test_files_are_numbered_in_manifest_order(pack: object) -> None:
    for number, finding in enumerate(pack.findings, 1):  # type: ignore[attr-defined]
        assert finding.query.name == f"{number:03d}-{finding.id}.rq", finding.id
        # a list is kept as CSV (readable in a diff), anything else as SPARQL JSON
        assert finding.result.name in {f"{number:03d}-{finding.id}.{x}" for x in ("srj", "csv")}


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.name)
def test_a_stated_figure_that_differs_from_its_recomputation_is_explained(pack: object) -> None:
    for finding in pack.findings:  # type: ignore[attr-defined]
        if finding.result.suffix != ".srj":
            continue  # only JSON results carry stated/recomputed columns
        rows = expected(pack.name, finding.id)  # type: ignore[attr-defined]
        differs = any(
            row.get(s) is not None and row.get(r) is not None and row[s] != row[r]
            for row in rows
            for s, r in (("stated", "recomputed"), ("ruStated", "ruRecomputed"))
        )
        if differs:
            assert finding.tier == "Recomputed", finding.id
            assert finding.difference_note, f"{finding.id}: both numbers need a differenceNote"


# --- the data checks catch what they are meant to catch -----------------------------------

CHECK_FIXTURE = FIXTURES / "checks"
# check -> the first cell of the row it must report on the fixture
CAUGHT = {
    "assertion-provenance": "pda:bad-002",
    "assertion-sources": "pda:bad-003",
    "city-location": "city:cn-aaa",
    "claim-claimant": "claim:no-claimant",
    "figure-measure": "figure:no-measure",
    "future-date": "pda:bad-003",
    "long-quote": "pda:bad-001",
    "source-not-described": "pda:bad-002",
    "survey-figures": "question:q",
    "survey-responses": "question:q",
    "tie-iri": "tie:ru-ccc--cn-aaa",
    "tie-level": "tie:cn-bbb--ru-ccc",
    "tie-parties": "tie:ru-ccc--cn-aaa",
    "tie-same-country": "tie:cn-aaa--cn-bbb",
    "undescribed-instance": "person:nobody",
    "encoder-reading": "pda:bad-003",
}


@pytest.fixture(scope="module")
def broken_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's ontology and shapes with the fixture's faulty data, built."""
    root = tmp_path_factory.mktemp("checks") / "content"
    for name in ("ontology", "shapes"):
        shutil.copytree(REPO / name, root / name)
    shutil.copytree(CHECK_FIXTURE / "data", root / "data")
    data_dir = root.parent / "store"
    build(data_dir, root, allow_violations=True)
    return data_dir


def test_every_check_has_a_fixture_case() -> None:
    names = {
        p.name.removesuffix("-violation.rq") for p in (QUERIES / "checks").glob("*-violation.rq")
    }
    assert names == set(CAUGHT)


@pytest.mark.parametrize("check", sorted(CAUGHT))
def test_each_check_reports_the_broken_record(broken_store: Path, check: str) -> None:
    with DataDir(broken_store).open() as store:
        outcome = run_check(store, QUERIES / "checks" / f"{check}-violation.rq", QUERIES)
    assert outcome.status == "violation", (outcome.detail, outcome.got)
    assert outcome.got.startswith(f"({CAUGHT[check]}") or outcome.got.startswith(CAUGHT[check]), (
        outcome.got
    )


@cache
def _ontology_terms() -> set[str]:
    ontology = Graph()
    for path in sorted((REPO / "ontology").glob("*.ttl")):
        ontology.parse(path, format="turtle")
    return {str(s) for s in ontology.subjects() if isinstance(s, URIRef)}


QUERY_FILES = sorted(QUERIES.glob("*/*.rq"))


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_queries_use_only_defined_pd_terms(path: Path) -> None:
    """A misspelt term matches nothing, and a data check with one would pass silently."""
    lines = path.read_text(encoding="utf-8").splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    used = {PREFIXES["pd"] + local for local in re.findall(r"\bpd:([A-Za-z][\w-]*)", text)}
    assert used <= _ontology_terms(), sorted(used - _ontology_terms())
