"""Tests of the reference-places generator and of ``data/reference/places.ttl``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pycountry
import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from paradiplo.importers import reference_places as rp
from paradiplo.namespaces import GN, PD, WGS, instance

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / rp.OUTPUT

CN_TYPES = {
    PD.Province: 23,
    PD.AutonomousRegion: 5,
    PD.DirectAdministeredMunicipality: 4,
    PD.SpecialAdministrativeRegion: 2,
}
RU_CLASSES = {PD.Republic, PD.Krai, PD.Oblast, PD.FederalCity, PD.AutonomousOblast,
              PD.AutonomousOkrug}  # fmt: skip


def region(code: str) -> URIRef:
    return instance("region", code.lower())


def city(slug: str) -> URIRef:
    return instance("city", slug)


def one(graph: Graph, subject: Node, predicate: URIRef) -> Literal | URIRef:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, f"{subject} {predicate}: {values}"
    value = values[0]
    assert isinstance(value, Literal | URIRef)
    return value


def languages(graph: Graph, subject: Node) -> dict[str | None, str]:
    """The subject's rdfs:label values by language tag."""
    return {
        label.language: str(label)
        for label in graph.objects(subject, RDFS.label)
        if isinstance(label, Literal)
    }


def run_main(*args: str | Path) -> int:
    return rp.main([str(a) for a in args])


@pytest.fixture(scope="module")
def result() -> rp.Result:
    return rp.generate(ROOT)


@pytest.fixture(scope="module")
def graph(result: rp.Result) -> Graph:
    return Graph().parse(data=result.text, format="turtle")


@pytest.fixture
def empty_root(tmp_path: Path) -> Path:
    """A repository root whose data/ names no place: only the seed list is generated."""
    (tmp_path / "data").mkdir()
    return tmp_path


# --- the file -------------------------------------------------------------------------


@pytest.mark.repo_content
def test_generated_file_parses(result: rp.Result, graph: Graph) -> None:
    assert len(graph) > 1000
    strict = list(pyoxigraph.parse(result.text.encode(), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(strict) == len(graph)
    committed = COMMITTED.read_text(encoding="utf-8")
    assert committed.startswith("# GENERATED FILE")
    assert rp.COMMAND in committed.splitlines()[1]
    assert len(Graph().parse(COMMITTED, format="turtle")) > 1000


@pytest.mark.repo_content
def test_data_names_no_unmatched_place(result: rp.Result) -> None:
    assert result.errors == []


@pytest.mark.repo_content
def test_check_passes_on_committed_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main("--root", ROOT, "--check") == 0, capsys.readouterr().err


def test_output_is_deterministic(empty_root: Path) -> None:
    assert rp.generate(empty_root).text == rp.generate(empty_root).text


def test_check_fails_on_modified_copy(empty_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = empty_root / rp.OUTPUT
    assert run_main("--root", empty_root) == 0
    assert run_main("--root", empty_root, "--check") == 0
    target.write_text(target.read_text(encoding="utf-8") + "# edited by hand\n", "utf-8")
    assert run_main("--root", empty_root, "--check") == 1
    assert "out of date" in capsys.readouterr().err
    target.unlink()
    assert run_main("--root", empty_root, "--check") == 1


@pytest.mark.repo_content
def test_check_fails_on_modified_copy_of_repository(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    copy = tmp_path / rp.OUTPUT
    copy.write_text(copy.read_text(encoding="utf-8").replace("Harbin", "Harbinn"), "utf-8")
    assert run_main("--root", tmp_path, "--check") == 1


def test_command_line(empty_root: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *sys.path])}
    command = [sys.executable, "-m", "paradiplo.importers.reference_places", "--root"]
    done = subprocess.run(
        [*command, str(empty_root), "--check"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 1 and "missing" in done.stderr
    done = subprocess.run([*command, str(empty_root)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (empty_root / rp.OUTPUT).is_file()


# --- countries and regions -------------------------------------------------------------


@pytest.mark.repo_content
def test_countries(graph: Graph) -> None:
    for code, zh, ru in (("cn", "中国", "Китай"), ("ru", "俄罗斯", None), ("us", "美国", None)):
        country = instance("country", code)
        assert (country, RDF.type, PD.Country) in graph
        assert one(graph, country, PD.isoCode) == Literal(code.upper())
        labels = languages(graph, country)
        assert labels["zh"] == zh and "en" in labels and "ru" in labels
        assert ru is None or labels["ru"] == ru


@pytest.mark.repo_content
def test_chinese_provincial_units(graph: Graph) -> None:
    units = {s for s, code in graph.subject_objects(PD.isoCode) if str(code).startswith("CN-")}
    assert len(units) == 34
    counts = Counter(one(graph, unit, RDF.type) for unit in units)
    assert counts == CN_TYPES
    assert one(graph, region("CN-TW"), RDF.type) == PD.Province
    assert one(graph, region("CN-HK"), RDF.type) == PD.SpecialAdministrativeRegion
    assert one(graph, region("CN-CQ"), RDF.type) == PD.DirectAdministeredMunicipality
    assert Literal("黑龙江省", lang="zh") in set(graph.objects(region("CN-HL"), RDFS.label))


@pytest.mark.repo_content
def test_every_russian_subject_has_a_type(graph: Graph) -> None:
    codes = {s.code for s in rp._subdivisions_of("RU")}
    assert len(codes) == sum(1 for s in pycountry.subdivisions if s.code.startswith("RU-")) > 80
    for code in codes:
        types = set(graph.objects(region(code), RDF.type))
        assert len(types) == 1 and types <= RU_CLASSES, (code, types)
        assert (region(code), PD.locatedIn, instance("country", "ru")) in graph
    assert one(graph, region("RU-AMU"), RDF.type) == PD.Oblast
    assert one(graph, region("RU-KHA"), RDF.type) == PD.Krai
    assert one(graph, region("RU-MOW"), RDF.type) == PD.FederalCity
    assert one(graph, region("RU-YEV"), RDF.type) == PD.AutonomousOblast
    assert one(graph, region("RU-CHU"), RDF.type) == PD.AutonomousOkrug
    assert one(graph, region("RU-SA"), RDF.type) == PD.Republic


@pytest.mark.repo_content
def test_fifty_us_states(graph: Graph) -> None:
    states = set(graph.subjects(RDF.type, PD.USState))
    assert len(states) == 50
    assert region("US-OH") in states
    assert region("US-DC") not in states
    assert one(graph, region("US-DC"), RDF.type) == PD.SubnationalRegion


@pytest.mark.repo_content
def test_macroregions(graph: Graph) -> None:
    members: dict[str, set[str]] = {}
    for slug in ("cn-east", "cn-central", "cn-west", "cn-northeast", "ru-far-east"):
        macro = instance("macroregion", slug)
        assert (macro, RDF.type, PD.MacroRegion) in graph
        assert str(one(graph, macro, PD.sourceNote)).startswith("The ")
        members[slug] = {str(s).rsplit("/", 1)[1] for s in graph.subjects(PD.locatedIn, macro)}
    sizes = {slug: len(units) for slug, units in members.items()}
    assert sizes == {"cn-east": 10, "cn-central": 6, "cn-west": 12, "cn-northeast": 3,
                     "ru-far-east": 11}  # fmt: skip
    assert members["cn-northeast"] == {"cn-hl", "cn-jl", "cn-ln"}
    assert {"ru-bu", "ru-zab", "ru-amu", "ru-kha", "ru-pri"} <= members["ru-far-east"]
    assigned = set().union(*members.values())
    assert {"cn-hk", "cn-mo", "cn-tw"}.isdisjoint(assigned)


# --- cities ----------------------------------------------------------------------------


@pytest.mark.repo_content
def test_blagoveshchensk_is_the_amur_one(graph: Graph) -> None:
    blag = city("ru-blagoveshchensk-amu")
    assert abs(Decimal(str(one(graph, blag, WGS.lat))) - Decimal("50.27")) < Decimal("0.05")
    assert abs(Decimal(str(one(graph, blag, WGS.long))) - Decimal("127.5")) < Decimal("0.1")
    assert one(graph, blag, PD.locatedIn) == region("RU-AMU")
    assert Literal("Благовещенск", lang="ru") in set(graph.objects(blag, RDFS.label))


@pytest.mark.repo_content
def test_zabaykalsk_matched(graph: Graph) -> None:
    zab = city("ru-zabaykalsk")
    assert one(graph, zab, PD.geonamesId) == Literal(2012780)
    assert one(graph, zab, PD.locatedIn) == region("RU-ZAB")


@pytest.mark.repo_content
def test_columbus_is_ohios(graph: Graph) -> None:
    columbus = city("us-columbus-oh")
    assert one(graph, columbus, PD.locatedIn) == region("US-OH")
    assert abs(Decimal(str(one(graph, columbus, WGS.lat))) - Decimal("39.96")) < Decimal("0.05")


@pytest.mark.repo_content
def test_chongqing_is_a_city_and_a_region(graph: Graph) -> None:
    assert one(graph, city("cn-chongqing"), RDF.type) == PD.City
    assert one(graph, city("cn-chongqing"), PD.locatedIn) == region("CN-CQ")
    assert one(graph, region("CN-CQ"), RDF.type) == PD.DirectAdministeredMunicipality


@pytest.mark.repo_content
def test_every_city_is_complete(graph: Graph) -> None:
    cities = set(graph.subjects(RDF.type, PD.City))
    assert {city(seed.slug) for seed in rp.SEEDS} <= cities
    regions = set(graph.subjects(PD.isoCode, None))
    for subject in cities:
        gid = one(graph, subject, PD.geonamesId)
        assert isinstance(gid, Literal) and isinstance(gid.toPython(), int)
        assert one(graph, subject, SKOS.exactMatch) == GN[f"{gid}/"]
        assert -90 <= Decimal(str(one(graph, subject, WGS.lat))) <= 90
        assert -180 <= Decimal(str(one(graph, subject, WGS.long))) <= 180
        container = one(graph, subject, PD.locatedIn)
        assert container in regions and "/region/" in str(container), subject
        assert str(container).rsplit("/", 1)[1][:2] == str(subject).rsplit("/", 1)[1][:2]
        labels = list(graph.objects(subject, RDFS.label))
        assert "en" in languages(graph, subject) and len(labels) == len(languages(graph, subject))


def test_admin1_tables_are_verified() -> None:
    assert rp.check_admin1_tables(rp.Gazetteer()) == []


# --- matching and scanning ---------------------------------------------------------------


def test_scan_finds_every_spelling_of_a_place_iri(empty_root: Path) -> None:
    (empty_root / "data" / "sources").mkdir()
    (empty_root / "data" / "sources" / "x.trig").write_text(
        "@prefix c: <https://w3id.org/paradiplo/id/city/> .\n"
        "@prefix id: <https://w3id.org/paradiplo/id/> .\n"
        "<https://w3id.org/paradiplo/id/city/cn-jiamusi> <x:p> c:ru-ussuriysk, "
        "id:city\\/ru-tomsk, id:region\\/ru-irk .\n",
        encoding="utf-8",
    )
    (empty_root / "data" / "ties.csv").write_text(
        "a,b\ncity:cn-harbin,macroregion:ru-far-east\n", encoding="utf-8"
    )
    (empty_root / rp.OUTPUT).parent.mkdir(parents=True)
    (empty_root / rp.OUTPUT).write_text("city:cn-ignored-because-it-is-the-output\n", "utf-8")
    refs = rp.scan_data(empty_root)
    assert set(refs.uses["city"]) == {"cn-jiamusi", "ru-ussuriysk", "ru-tomsk", "cn-harbin"}
    assert set(refs.uses["region"]) == {"ru-irk"}
    assert set(refs.uses["macroregion"]) == {"ru-far-east"}


def test_data_cities_are_matched_region_aware(empty_root: Path) -> None:
    (empty_root / "data" / "t.csv").write_text(
        "a,b\ncity:us-columbus-ga,city:cn-suzhou-js\ncity:cn-mianyang,city:cn-liaoyuan\n",
        encoding="utf-8",
    )
    result = rp.generate(empty_root)
    assert result.errors == []
    graph = Graph().parse(data=result.text, format="turtle")
    assert one(graph, city("us-columbus-ga"), PD.locatedIn) == region("US-GA")
    assert one(graph, city("cn-suzhou-js"), PD.locatedIn) == region("CN-JS")
    assert one(graph, city("cn-mianyang"), PD.locatedIn) == region("CN-SC")
    assert Literal("Liaoyuan", lang="en") in set(graph.objects(city("cn-liaoyuan"), RDFS.label))


def test_unmatched_or_ambiguous_city_is_an_error(
    empty_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (empty_root / "data" / "t.csv").write_text(
        "a,b\ncity:cn-atlantis,city:us-columbus\ncity:ru-kukmorsky-district,city:us-Bad\n",
        encoding="utf-8",
    )
    assert run_main("--root", empty_root) == 1
    err = capsys.readouterr().err
    assert "error: id:city/cn-atlantis (used in data/t.csv): no GeoNames place" in err
    assert "error: id:city/us-columbus (used in data/t.csv): ambiguous: 5 GeoNames" in err
    assert "seeded as id:city/us-columbus-oh" in err
    assert "not a populated place" in err
    assert "id:city/us-Bad" in err
    text = (empty_root / rp.OUTPUT).read_text(encoding="utf-8")
    assert "UNMATCHED city IRIs" in text and "id:city/cn-atlantis" in text
    assert run_main("--root", empty_root, "--check") == 1


# --- labels ------------------------------------------------------------------------------


def test_chinese_labels() -> None:
    harbin = rp.chinese_labels(["Harbin", "哈尔滨", "哈尔滨市", "哈爾濱", "ハルビン"])
    assert harbin.label == "哈尔滨" and harbin.alt == ("哈尔滨市",)
    shanghai = rp.chinese_labels(["上海", "上海市", "中国上海", "沪"])
    assert shanghai.label == "上海"
    assert rp.chinese_labels(["大渡口", "大渡口街道"]).label == "大渡口"
    assert rp.chinese_labels(["天府", "成都"]).label is None
    assert rp.chinese_labels(["锦州市", "錦州"], pin="锦州市").label == "锦州市"
    assert rp.chinese_labels(["锦州市"], pin="金州").problem is not None


def test_russian_labels() -> None:
    assert rp.romanize_bgn_pcgn("Благовещенск") == "Blagoveshchensk"
    assert rp.romanize_bgn_pcgn("Благовешченск") == "Blagovesh·chensk"
    assert rp.romanize_bgn_pcgn("Екатеринбург") == "Yekaterinburg"
    assert rp.russian_labels(
        "Blagoveshchensk", ["Благовешченск", "Благовещенск", "Благовещенск шаары"]
    ).label == "Благовещенск"  # fmt: skip
    assert rp.russian_labels("Kazan", ["Казан", "Казань", "Къазан"]).label == "Казань"
    assert rp.russian_labels("Khabarovsk", ["Хабаровск", "Хабаровськ"]).label == "Хабаровск"
    assert rp.russian_labels("Tomsk", ["Томск", "Томськ", "Томьскъ"]).label == "Томск"
    assert rp.russian_labels("Moscow", ["Масква", "Москва"]).label is None
    assert rp.russian_labels("Moscow", ["Масква", "Москва"], pin="Москва").label == "Москва"
