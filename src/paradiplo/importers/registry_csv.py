"""Convert a curated registry of twinning ties (CSV) to TriG.

Run ``python -m paradiplo.importers.registry_csv data/registry/china-russia-ties.csv
--out data/registry/china-russia.trig [--check]``.

The CSV has one row per (tie, source) pair and these columns, in this order::

    party_a,party_a_name,party_b,party_b_name,level,kind,established,
    source_url,source_title,quote,note

* ``party_a`` / ``party_b``: ``city:<slug>``, ``region:<slug>`` or ``district:<slug>``.
  A city slug is ``<iso2>-<name>`` (``city:cn-harbin``, ``city:ru-blagoveshchensk-amu``);
  a region slug is a lowercased first-level ISO 3166-2 code (``region:cn-hl``,
  ``region:ru-amu``); a district (an urban district, county or municipal district below
  the first level, ``pd:District``) is named like a city (``district:ru-khasansky``).
  The two parties lie in different countries; a registry may fix which country comes
  first (``REGISTRIES``: for ``china-russia`` the Chinese party is ``party_a``).
* ``level``: ``city``, ``region`` or ``mixed``; it must agree with the two prefixes:
  ``region`` for two regions, ``mixed`` for a region and a city or district, ``city``
  for two local units (cities or districts).
* ``kind``: ``sister``, ``friendship`` or ``partner``, as the source calls the tie.
* ``established``: empty, ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (written as
  ``xsd:gYear``, ``xsd:gYearMonth`` or ``xsd:date``).
* ``source_url``, ``source_title``: the public page the row rests on; one source record
  ``src:web-<slug>`` is minted per distinct URL, so every row citing a URL must give
  the same title.
* ``quote``: a verbatim span of that page (at most 300 characters) supporting the row.
* ``note``: optional; written as ``pd:sourceNote`` on the assertion.

Row ``N`` (the N-th data row, counted from 1 after the header) becomes the assertion
graph ``pda:registry-<id>-NNN``; it holds the assertion's provenance (source, quote,
registry, ``pd:recordNumber N``) and the tie ``id:tie/<slugA>--<slugB>`` (slugs without
the ``city:``/``district:``/``region:`` prefix, sorted; ``pd:firstParty`` is the party whose slug
sorts first). The registry and its web sources are described in the graph
``pdg:registry-<id>``. Two rows about the same tie make two assertion graphs about the
same tie IRI, so disagreeing sources stay side by side.

The TriG is written by this module, not by rdflib's serializer, so that the same CSV
always gives the same bytes: graphs in a fixed order (registry graph, then records by
number), subjects and predicates in a fixed order, and only the prefixes used.

A bad row stops the conversion with ``<file>:<line>: row <N>: <reason>`` for every
problem found.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pycountry
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from paradiplo.namespaces import DCAT, ID, PD, PDA, PDG, PREFIXES, SCHEMA, SRC, slugify

COMMAND = "python -m paradiplo.importers.registry_csv"
COLUMNS: tuple[str, ...] = (
    "party_a",
    "party_a_name",
    "party_b",
    "party_b_name",
    "level",
    "kind",
    "established",
    "source_url",
    "source_title",
    "quote",
    "note",
)
LEVELS: dict[str, URIRef] = {
    "city": PD.CityLevel,
    "region": PD.RegionLevel,
    "mixed": PD.MixedLevel,
}
KINDS: dict[str, URIRef] = {
    "sister": PD.SisterTie,
    "friendship": PD.FriendshipTie,
    "partner": PD.PartnerTie,
}
MAX_QUOTE = 300
MIN_QUOTE = 3
MAX_SOURCE_SLUG = 60


@dataclass(frozen=True)
class RegistryMeta:
    """What the registry graph says about a registry, and the country order it imposes."""

    title: str
    description: str
    countries: tuple[str, str] | None = None


REGISTRIES: dict[str, RegistryMeta] = {
    "china-russia": RegistryMeta(
        title="Registry of China-Russia twinning ties",
        description=(
            "Curated registry of twinning ties (sister, friendship and partner ties) between "
            "Chinese and Russian cities and first-level regions, one record per tie and "
            "public source, each with a verbatim quote from that source. Dates are given "
            "only where the source states them. Compiled from public web pages; see "
            "data/registry/README.md for method, coverage and gaps."
        ),
        countries=("cn", "ru"),
    ),
}

_PARTY = re.compile(r"^(city|district|region):([a-z]{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_URL = re.compile(r"^https?://[^\x00-\x20<>\"{}|^`\\]+$")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_WORD = re.compile(r"[a-zà-öø-ÿ]+")
# Small stop-word lists to tell the Latin-script languages of the cited pages apart.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset({"the", "and", "of", "with", "in", "on", "was", "has", "is", "to", "by"}),
    "fr": frozenset({"le", "la", "les", "des", "et", "un", "une", "du", "au", "est", "en"}),
    "de": frozenset({"der", "die", "das", "und", "mit", "des", "den", "dem", "ist", "zirka"}),
    "it": frozenset({"il", "della", "delle", "di", "nel", "alla", "al", "che", "per", "sono"}),
}


class RegistryError(ValueError):
    """Problems in a registry CSV, each as ``<file>:<line>: row <N>: <reason>``."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


@dataclass(frozen=True)
class Party:
    """One side of a tie as written in the CSV (``city:cn-harbin``)."""

    kind: str  # "city", "district" or "region"
    slug: str  # "cn-harbin", "cn-hl"

    @property
    def country(self) -> str:
        return self.slug[:2]

    @property
    def level(self) -> str:
        """``region`` for a first-level unit, ``city`` for a local one (city or district)."""
        return "region" if self.kind == "region" else "city"

    @property
    def iri(self) -> URIRef:
        return ID[f"{self.kind}/{self.slug}"]


@dataclass(frozen=True)
class Record:
    """One valid CSV row."""

    number: int
    party_a: Party
    party_b: Party
    level: str
    kind: str
    established: str
    source_url: str
    source_title: str
    quote: str
    note: str

    @property
    def parties(self) -> tuple[Party, Party]:
        """The two parties sorted by slug: (first party, second party)."""
        a, b = sorted((self.party_a, self.party_b), key=lambda p: p.slug)
        return a, b

    @property
    def tie(self) -> URIRef:
        first, second = self.parties
        return ID[f"tie/{first.slug}--{second.slug}"]


@dataclass
class Registry:
    """A parsed registry: its id, metadata and records."""

    registry_id: str
    meta: RegistryMeta
    records: list[Record] = field(default_factory=list)
    csv_name: str = ""


# --------------------------------------------------------------------------------------
# Reading and checking the CSV
# --------------------------------------------------------------------------------------
def registry_id_for(csv_path: Path) -> str:
    """``china-russia-ties.csv`` -> ``china-russia``."""
    stem = csv_path.stem
    return slugify(stem[: -len("-ties")] if stem.endswith("-ties") else stem)


def _first_level(code: str) -> bool:
    sub = pycountry.subdivisions.get(code=code.upper())  # type: ignore[no-untyped-call]
    return sub is not None and getattr(sub, "parent_code", None) is None


def parse_party(value: str) -> tuple[Party | None, str]:
    """Parse ``city:cn-harbin``; return the party or an error message."""
    match = _PARTY.match(value)
    if not match:
        return None, (
            f"party {value!r} is not 'city:<cc>-<name>', 'district:<cc>-<name>' or "
            "'region:<cc>-<iso 3166-2 suffix>' in lowercase ASCII"
        )
    kind, country, rest = match.groups()
    slug = f"{country}-{rest}"
    if slugify(slug) != slug:
        return None, f"party {value!r}: slug is not stable (slugify gives {slugify(slug)!r})"
    if pycountry.countries.get(alpha_2=country.upper()) is None:
        return None, f"party {value!r}: {country!r} is not an ISO 3166-1 alpha-2 code"
    if kind == "region" and not _first_level(slug):
        return None, f"party {value!r}: {slug.upper()} is not a first-level ISO 3166-2 code"
    return Party(kind, slug), ""


def parse_date(value: str) -> tuple[Literal | None, str]:
    """``YYYY``/``YYYY-MM``/``YYYY-MM-DD`` as an XSD literal, or an error message."""
    match = _DATE.match(value)
    if not match:
        return None, f"established {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD"
    year, month, day = match.groups()
    try:
        if day is not None:
            dt.date(int(year), int(month), int(day))
            return Literal(value, datatype=XSD.date), ""
        if month is not None:
            dt.date(int(year), int(month), 1)
            return Literal(value, datatype=XSD.gYearMonth), ""
    except ValueError:
        return None, f"established {value!r} is not a valid date"
    return Literal(value, datatype=XSD.gYear), ""


def _check_row(
    raw: dict[str | None, str | list[str] | None], meta: RegistryMeta
) -> tuple[dict[str, str], list[str]]:
    """Check one row's cells; return the cleaned cells and the problems found."""
    problems: list[str] = []
    if raw.get(None):
        problems.append(f"more cells than the {len(COLUMNS)} columns")
    cells: dict[str, str] = {}
    for column in COLUMNS:
        value = raw.get(column)
        if value is None:
            problems.append(f"missing cell {column!r}")
            value = ""
        cells[column] = str(value).strip()

    for column in ("party_a", "party_a_name", "party_b", "party_b_name", "level", "kind"):
        if not cells[column]:
            problems.append(f"{column} is empty")
    if not cells["source_url"]:
        problems.append("missing source_url")
    elif not _URL.match(cells["source_url"]):
        problems.append(f"source_url {cells['source_url']!r} is not an http(s) URL")
    if not cells["source_title"]:
        problems.append("missing source_title")
    quote = cells["quote"]
    if len(quote) < MIN_QUOTE:
        problems.append("missing quote (a verbatim span of the source is required)")
    elif len(quote) > MAX_QUOTE:
        problems.append(f"quote is {len(quote)} characters, more than {MAX_QUOTE}")

    if cells["level"] and cells["level"] not in LEVELS:
        problems.append(f"unknown level {cells['level']!r} (expected one of {', '.join(LEVELS)})")
    if cells["kind"] and cells["kind"] not in KINDS:
        problems.append(f"unknown kind {cells['kind']!r} (expected one of {', '.join(KINDS)})")
    if cells["established"]:
        _, problem = parse_date(cells["established"])
        if problem:
            problems.append(problem)

    parties: list[Party] = []
    for column in ("party_a", "party_b"):
        if cells[column]:
            party, problem = parse_party(cells[column])
            if party is None:
                problems.append(problem)
            else:
                parties.append(party)
    if len(parties) == 2:
        a, b = parties
        if a.country == b.country:
            problems.append(f"both parties lie in {a.country.upper()}; a tie joins two countries")
        elif meta.countries and (a.country, b.country) != meta.countries:
            want_a, want_b = (c.upper() for c in meta.countries)
            problems.append(f"party_a must be in {want_a} and party_b in {want_b}")
        want_level = a.level if a.level == b.level else "mixed"
        if cells["level"] in LEVELS and cells["level"] != want_level:
            problems.append(
                f"level {cells['level']!r} does not fit a {a.kind} and a {b.kind} "
                f"(expected {want_level!r})"
            )
    return cells, problems


def _utf8_text(csv_path: Path) -> str:
    """The file's text; a ``RegistryError`` naming line and column when it is not UTF-8."""
    data = csv_path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start]
        raise RegistryError(
            [
                f"{csv_path}:{line}: column {column}: not UTF-8 (byte 0x{byte:02x}); "
                "save the file as UTF-8"
            ]
        ) from exc


def read_registry(csv_path: Path, registry_id: str | None = None) -> Registry:
    """Read and check a registry CSV; raise ``RegistryError`` listing every bad row."""
    rid = registry_id or registry_id_for(csv_path)
    meta = REGISTRIES.get(
        rid,
        RegistryMeta(
            title=f"Registry of twinning ties: {rid}",
            description=f"Curated registry of twinning ties read from {csv_path.name}.",
        ),
    )
    registry = Registry(rid, meta, csv_name=csv_path.name)
    errors: list[str] = []
    titles: dict[str, tuple[str, int]] = {}
    seen: dict[tuple[str, ...], int] = {}
    text = _utf8_text(csv_path)
    with io.StringIO(text, newline="") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        if header != COLUMNS:
            expected, got = ",".join(COLUMNS), ",".join(header)
            raise RegistryError([f"{csv_path}:1: header: expected columns {expected}; got {got}"])
        for number, raw in enumerate(reader, start=1):
            where = f"{csv_path}:{reader.line_num}: row {number}"
            cells, problems = _check_row(raw, meta)
            url, title = cells["source_url"], cells["source_title"]
            if url and title:
                if url in titles and titles[url][0] != title:
                    problems.append(
                        f"source_title differs from row {titles[url][1]} for the same source_url"
                    )
                titles.setdefault(url, (title, number))
            key = tuple(cells[c] for c in COLUMNS if c != "note")
            if key in seen:
                problems.append(f"duplicate of row {seen[key]}")
            seen.setdefault(key, number)
            if problems:
                errors.extend(f"{where}: {problem}" for problem in problems)
                continue
            party_a, _ = parse_party(cells["party_a"])
            party_b, _ = parse_party(cells["party_b"])
            assert party_a is not None and party_b is not None
            registry.records.append(
                Record(
                    number=number,
                    party_a=party_a,
                    party_b=party_b,
                    level=cells["level"],
                    kind=cells["kind"],
                    established=cells["established"],
                    source_url=url,
                    source_title=title,
                    quote=" ".join(cells["quote"].split()),
                    note=" ".join(cells["note"].split()),
                )
            )
    if errors:
        raise RegistryError(errors)
    return registry


# --------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------
def source_slug(url: str) -> str:
    """A stable slug for a web page: host and path, shortened with a hash when long."""
    text = re.sub(r"^https?://(www\.)?", "", url)
    base = slugify(unquote(text)) if re.search(r"[A-Za-z0-9]", text) else "page"
    if len(base) <= MAX_SOURCE_SLUG:
        return f"web-{base}"
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:8]
    head = base[: MAX_SOURCE_SLUG - 9].rstrip("-")
    return f"web-{head}-{digest}"


def guess_language(texts: Iterable[str]) -> str:
    """The language of a cited page, from the script and words of its title and quotes."""
    text = " ".join(texts)
    if _CJK.search(text):
        return "zh"
    if _CYRILLIC.search(text):
        return "ru"
    words = _WORD.findall(text.lower())
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    best = max(scores.values())
    if best == 0 or scores["en"] == best:
        return "en"
    return min(lang for lang, score in scores.items() if score == best)


@dataclass(frozen=True)
class WebSource:
    """One distinct cited URL."""

    iri: URIRef
    url: str
    title: str
    language: str


def web_sources(records: Sequence[Record]) -> dict[str, WebSource]:
    """One source record per distinct URL; slugs must not collide."""
    texts: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for record in records:
        titles[record.source_url] = record.source_title
        texts.setdefault(record.source_url, [record.source_title]).append(record.quote)
    sources: dict[str, WebSource] = {}
    by_slug: dict[str, str] = {}
    for url in sorted(titles):
        slug = source_slug(url)
        if slug in by_slug:
            raise RegistryError([f"source slug {slug!r} is shared by {by_slug[slug]} and {url}"])
        by_slug[slug] = url
        sources[url] = WebSource(SRC[slug], url, titles[url], guess_language(texts[url]))
    return sources


# --------------------------------------------------------------------------------------
# Writing TriG
# --------------------------------------------------------------------------------------
Term = URIRef | Literal

_LOCAL_OK = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def render(term: Term) -> str:
    """One term in TriG: prefixed name where the local part is plain, else a full IRI."""
    if isinstance(term, Literal):
        if term.datatype == XSD.integer:
            return str(term)
        text = _string(str(term))
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{text}^^{render(URIRef(str(term.datatype)))}"
        return text
    if term == RDF.type:
        return "a"
    iri = str(term)
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and _LOCAL_OK.match(iri[len(namespace) :]):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


Block = tuple[URIRef, list[tuple[URIRef, list[Term]]]]


def _block_lines(subject: URIRef, props: list[tuple[URIRef, list[Term]]]) -> list[str]:
    parts = [f"{render(p)} {', '.join(render(o) for o in objs)}" for p, objs in props if objs]
    lines = [f"    {render(subject)} {parts[0]}"]
    lines += [f"        {part}" for part in parts[1:]]
    return [line + (" ;" if i < len(lines) - 1 else " .") for i, line in enumerate(lines)]


def _graph_lines(name: URIRef, blocks: list[Block]) -> list[str]:
    lines = [f"{render(name)} {{"]
    for i, (subject, props) in enumerate(blocks):
        if i:
            lines.append("")
        lines += _block_lines(subject, props)
    lines.append("}")
    return lines


def build_graphs(registry: Registry) -> list[tuple[URIRef, list[Block]]]:
    """The named graphs of the TriG file, in output order."""
    rid = f"registry-{registry.registry_id}"
    reg_iri = SRC[rid]
    sources = web_sources(registry.records)
    meta_blocks: list[Block] = [
        (
            reg_iri,
            [
                (RDF.type, [DCAT.Dataset, PD.Registry]),
                (RDFS.label, [Literal(registry.meta.title)]),
                (DCTERMS.title, [Literal(registry.meta.title)]),
                (DCTERMS.description, [Literal(registry.meta.description)]),
            ],
        )
    ]
    for source in sorted(sources.values(), key=lambda s: str(s.iri)):
        meta_blocks.append(
            (
                source.iri,
                [
                    (RDF.type, [PD.WebSource]),
                    (RDFS.label, [Literal(source.title)]),
                    (DCTERMS.title, [Literal(source.title)]),
                    (SCHEMA.url, [URIRef(source.url)]),
                    (DCTERMS.language, [Literal(source.language)]),
                ],
            )
        )
    graphs: list[tuple[URIRef, list[Block]]] = [(PDG[rid], meta_blocks)]

    width = max(3, len(str(len(registry.records))))
    for record in registry.records:
        name = PDA[f"{rid}-{record.number:0{width}d}"]
        first, second = record.parties
        assertion: list[tuple[URIRef, list[Term]]] = [
            (RDF.type, [PD.Assertion]),
            (PROV.wasDerivedFrom, [sources[record.source_url].iri]),
            (PD.quote, [Literal(record.quote)]),
            (PD.sourceNote, [Literal(record.note)] if record.note else []),
            (PD.inRegistry, [reg_iri]),
            (PD.recordNumber, [Literal(str(record.number), datatype=XSD.integer)]),
        ]
        established: list[Term] = []
        if record.established:
            date, _ = parse_date(record.established)
            assert date is not None
            established.append(date)
        tie: list[tuple[URIRef, list[Term]]] = [
            (RDF.type, [PD.TwinningTie]),
            (PD.firstParty, [first.iri]),
            (PD.secondParty, [second.iri]),
            (PD.level, [LEVELS[record.level]]),
            (PD.tieKind, [KINDS[record.kind]]),
            (PD.established, established),
        ]
        graphs.append((name, [(name, assertion), (record.tie, tie)]))
    return graphs


def _prefixes_used(graphs: list[tuple[URIRef, list[Block]]]) -> list[str]:
    used: set[str] = set()

    def note(term: Term) -> None:
        if isinstance(term, Literal):
            if term.datatype is not None and term.datatype not in (XSD.integer, XSD.string):
                note(URIRef(str(term.datatype)))
            return
        text = render(term)
        if text != "a" and not text.startswith("<"):
            used.add(text.split(":", 1)[0])

    for name, blocks in graphs:
        note(name)
        for subject, props in blocks:
            note(subject)
            for predicate, objects in props:
                if objects:
                    note(predicate)
                for obj in objects:
                    note(obj)
    return [p for p in PREFIXES if p in used]


def to_trig(registry: Registry) -> str:
    """The registry as TriG text; the same registry always gives the same text."""
    graphs = build_graphs(registry)
    lines = [
        f"# Generated by {COMMAND} from {registry.csv_name}; do not edit by hand.",
        f"# {len(registry.records)} records, one named graph each, plus the registry graph.",
        "",
    ]
    lines += [f"@prefix {p}: <{PREFIXES[p]}> ." for p in _prefixes_used(graphs)]
    for name, blocks in graphs:
        lines.append("")
        lines += _graph_lines(name, blocks)
    return "\n".join(lines) + "\n"


def convert(csv_path: Path, registry_id: str | None = None) -> str:
    """Read, check and convert a registry CSV to TriG text."""
    return to_trig(read_registry(csv_path, registry_id))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=COMMAND, description="Convert a curated registry CSV of twinning ties to TriG."
    )
    parser.add_argument("csv", type=Path, help="registry CSV (data/registry/*-ties.csv)")
    parser.add_argument("--out", type=Path, required=True, help="TriG file to write or check")
    parser.add_argument(
        "--registry", help="registry id (default: the CSV file name without '-ties.csv')"
    )
    parser.add_argument(
        "--check", action="store_true", help="do not write; fail if --out differs from the output"
    )
    args = parser.parse_args(argv)
    try:
        text = convert(args.csv, args.registry)
    except RegistryError as err:
        print(err, file=sys.stderr)
        return 2
    except OSError as err:
        print(f"{args.csv}: {err}", file=sys.stderr)
        return 2
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else None
        if current != text:
            print(
                f"{args.out} is out of date with {args.csv}; run: "
                f"{COMMAND} {args.csv} --out {args.out}",
                file=sys.stderr,
            )
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
