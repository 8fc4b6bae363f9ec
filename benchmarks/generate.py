"""Generate a scale workload: the repository's content plus a synthetic world of ties.

The synthetic part has the shape the world registries give the graph (W2): countries,
first-level regions and cities with labels, coordinates and populations; twinning ties,
each stated by one or more registry records in assertion graphs of their own (source,
verbatim quote, record number); and published figures, each in an assertion graph. It is
written as N-Quads to ``data/generated/world.nq`` of a copy of the content root, so
``paradiplo --root DIR build`` builds it like any other content, and it conforms to the
shapes (a tie joins places of two different countries, every record names a source...).

    python benchmarks/generate.py --triples 1000000 --out /tmp/w3-1m

``--triples`` is the number of generated quads (the repository's own content comes on
top). The output is deterministic for a given ``--seed``.
"""

from __future__ import annotations

import argparse
import random
import shutil
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONTENT_DIRS = ("ontology", "shapes", "data", "queries")
WORLD_FILE = Path("data") / "generated" / "world.nq"

PD = "https://w3id.org/paradiplo/ontology#"
ID = "https://w3id.org/paradiplo/id/"
SRC = "https://w3id.org/paradiplo/source/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCAT_DATASET = "http://www.w3.org/ns/dcat#Dataset"

# Quads per unit, measured from the writer below: used to size a workload.
_PER_RECORD = 10.5  # assertion (5) + tie (5), a few ties stated twice
_PER_CITY = 8
_CITIES_PER_TIE = 0.6
_FIGURES_PER_TIE = 0.02
_PER_FIGURE = 13

REGISTRIES = ("gen-wikipedia-twin-cities", "gen-wikidata-sister-cities")
MEASURES = ("TieCount", "CityCount")
SYLLABLES = ("ka", "lo", "ri", "an", "bei", "gor", "sk", "vil", "ton", "ham", "zhou", "mir")


@dataclass(frozen=True)
class Sizes:
    """How many of each kind of resource a workload of ``triples`` quads gets."""

    countries: int
    regions: int
    cities: int
    records: int
    figures: int

    @staticmethod
    def for_triples(triples: int) -> Sizes:
        per_record = _PER_RECORD + _CITIES_PER_TIE * _PER_CITY + _FIGURES_PER_TIE * _PER_FIGURE
        records = max(10, int(triples / per_record))
        cities = max(6, int(records * _CITIES_PER_TIE))
        countries = max(3, min(200, cities // 100))
        regions = max(countries, min(cities // 10, countries * 40))
        return Sizes(countries, regions, cities, records, max(1, int(records * _FIGURES_PER_TIE)))


def iri(value: str) -> str:
    return f"<{value}>"


def literal(value: str, datatype: str | None = None, lang: str | None = None) -> str:
    text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if lang:
        return f"{text}@{lang}"
    return f"{text}^^<{XSD}{datatype}>" if datatype else text


def quad(s: str, p: str, o: str, g: str) -> str:
    return f"{s} {p} {o} {g} .\n"


def _country_code(n: int) -> str:
    """Two-letter codes from QA upward (QA-QZ, XA-ZZ are user-assigned in ISO 3166)."""
    letters = string.ascii_uppercase
    first = "QXYZ"[n // 26 % 4] if n < 104 else letters[n // 26 % 26]
    return first + letters[n % 26]


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


class World:
    """Writes the synthetic world as N-Quads lines."""

    def __init__(self, sizes: Sizes, seed: int) -> None:
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.graph = iri(ID + "graph/generated-world")
        self.city_country: list[int] = []

    def lines(self) -> Iterator[str]:
        yield from self._sources()
        yield from self._places()
        yield from self._ties()
        yield from self._figures()

    def _sources(self) -> Iterator[str]:
        g = self.graph
        for registry in REGISTRIES:
            s = iri(SRC + registry)
            yield quad(s, iri(RDF_TYPE), iri(PD + "Registry"), g)
            yield quad(s, iri(RDF_TYPE), iri(DCAT_DATASET), g)
            yield quad(s, iri(LABEL), literal(f"Synthetic registry {registry}"), g)

    def _country(self, n: int) -> str:
        return iri(f"{ID}country/gen-{_country_code(n).lower()}")

    def _region(self, n: int) -> str:
        return iri(f"{ID}region/gen-{n:05d}")

    def _city(self, n: int) -> str:
        return iri(f"{ID}city/gen-{n:07d}")

    def _places(self) -> Iterator[str]:
        g, rng, sizes = self.graph, self.rng, self.sizes
        for n in range(sizes.countries):
            c = self._country(n)
            yield quad(c, iri(RDF_TYPE), iri(PD + "Country"), g)
            yield quad(c, iri(LABEL), literal(f"Country {_country_code(n)}", lang="en"), g)
            yield quad(c, iri(PD + "isoCode"), literal(_country_code(n)), g)
        for n in range(sizes.regions):
            r = self._region(n)
            yield quad(r, iri(RDF_TYPE), iri(PD + "SubnationalRegion"), g)
            yield quad(r, iri(LABEL), literal(f"{_name(rng)} Region", lang="en"), g)
            yield quad(r, iri(PD + "locatedIn"), self._country(n % sizes.countries), g)
        for n in range(sizes.cities):
            region = rng.randrange(sizes.regions)
            self.city_country.append(region % sizes.countries)
            c = self._city(n)
            name = _name(rng)
            yield quad(c, iri(RDF_TYPE), iri(PD + "City"), g)
            yield quad(c, iri(LABEL), literal(name, lang="en"), g)
            yield quad(c, iri(LABEL), literal(name.lower() + "grad", lang="ru"), g)
            yield quad(c, iri(GEO + "lat"), literal(f"{rng.uniform(-89, 89):.4f}", "decimal"), g)
            yield quad(c, iri(GEO + "long"), literal(f"{rng.uniform(-179, 179):.4f}", "decimal"), g)
            yield quad(
                c, iri(PD + "population"), literal(str(rng.randint(1000, 9000000)), "integer"), g
            )
            yield quad(c, iri(PD + "locatedIn"), self._region(region), g)
            yield quad(c, iri(DERIVED), iri(SRC + "geonames"), g)

    def _pair(self) -> tuple[int, int]:
        """Two cities of different countries, the smaller number first."""
        cities = self.sizes.cities
        while True:
            a, b = self.rng.randrange(cities), self.rng.randrange(cities)
            if self.city_country[a] != self.city_country[b]:
                return min(a, b), max(a, b)

    def _ties(self) -> Iterator[str]:
        rng = self.rng
        pair = self._pair()
        for n in range(self.sizes.records):
            if rng.random() > 0.1:  # one record in ten states the previous tie again
                pair = self._pair()
            registry = REGISTRIES[n % 2]
            g = iri(f"{ID}assertion/{registry}-{n + 1:07d}")
            a, b = pair
            tie = iri(f"{ID}tie/gen-{a:07d}--gen-{b:07d}")
            yield quad(g, iri(RDF_TYPE), iri(PD + "Assertion"), g)
            yield quad(g, iri(DERIVED), iri(SRC + registry), g)
            yield quad(g, iri(PD + "quote"), literal(f"City {a} - City {b}"), g)
            yield quad(g, iri(PD + "inRegistry"), iri(SRC + registry), g)
            yield quad(g, iri(PD + "recordNumber"), literal(str(n + 1), "integer"), g)
            yield quad(tie, iri(RDF_TYPE), iri(PD + "TwinningTie"), g)
            yield quad(tie, iri(PD + "firstParty"), self._city(a), g)
            yield quad(tie, iri(PD + "secondParty"), self._city(b), g)
            yield quad(tie, iri(PD + "level"), iri(PD + "CityLevel"), g)
            yield quad(tie, iri(PD + "tieKind"), iri(PD + "SisterTie"), g)

    def _figures(self) -> Iterator[str]:
        rng, sizes = self.rng, self.sizes
        for n in range(sizes.figures):
            g = iri(f"{ID}assertion/gen-figures-{n + 1:06d}")
            f = iri(f"{ID}figure/gen-{n + 1:06d}")
            yield quad(g, iri(RDF_TYPE), iri(PD + "Assertion"), g)
            yield quad(g, iri(DERIVED), iri(SRC + REGISTRIES[0]), g)
            yield quad(g, iri(PD + "quote"), literal(f"There are {n} ties."), g)
            yield quad(f, iri(RDF_TYPE), iri(PD + "PublishedFigure"), g)
            yield quad(f, iri(LABEL), literal(f"Figure {n}", lang="en"), g)
            yield quad(f, iri(PD + "measure"), iri(PD + MEASURES[n % 2]), g)
            yield quad(f, iri(PD + "value"), literal(str(rng.randint(1, 5000)), "integer"), g)
            yield quad(f, iri(PD + "valueQualifier"), iri(PD + "Exactly"), g)
            yield quad(f, iri(PD + "scopeCountry"), self._country(n % sizes.countries), g)
            year = str(1990 + n % 35)
            yield quad(f, iri(PD + "asOf"), literal(year, "gYear"), g)
            yield quad(f, iri(PD + "periodStart"), literal("1973", "gYear"), g)
            yield quad(f, iri(PD + "about"), self._country((n + 1) % sizes.countries), g)
            yield quad(f, iri(LABEL), literal(f"Цифра {n}", lang="ru"), g)


def copy_content(out: Path, base: Path = REPO) -> None:
    """Copy the content directories of ``base`` into ``out`` (replacing earlier copies)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in CONTENT_DIRS:
        source, target = base / name, out / name
        if target.exists():
            shutil.rmtree(target)
        if source.is_dir():
            shutil.copytree(source, target)


def generate(out: Path, triples: int, seed: int = 0, base: Path = REPO) -> Sizes:
    """Write a content root to ``out``: ``base``'s content plus ``triples`` synthetic quads."""
    copy_content(out, base)
    sizes = Sizes.for_triples(triples)
    target = out / WORLD_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as handle:
        handle.writelines(World(sizes, seed).lines())
    return sizes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, required=True, help="synthetic quads to write")
    parser.add_argument("--out", type=Path, required=True, help="content root to create")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--base", type=Path, default=REPO, help="content root to copy")
    args = parser.parse_args(argv)
    sizes = generate(args.out, args.triples, args.seed, args.base)
    print(f"{args.out}: {sizes}")


if __name__ == "__main__":
    main()
