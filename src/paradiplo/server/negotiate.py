"""Content negotiation: pick a representation from ``Accept`` (with q-values) or ``format``.

Each kind of answer (SPARQL results, RDF graphs, linked-data pages) offers its formats in
the server's order of preference; the first is the default for a missing or ``*/*`` Accept.
A format nobody asked for is never chosen: no acceptable offer means 406.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from paradiplo.formats import GRAPH_SYNTAXES


@dataclass(frozen=True)
class Offer:
    """One representation: its key, the media type sent, and other types that ask for it."""

    key: str
    media_type: str
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    def types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


RESULTS: tuple[Offer, ...] = (
    Offer("json", "application/sparql-results+json", ("application/json",), ("json", "srj")),
    Offer(
        "xml",
        "application/sparql-results+xml",
        ("application/xml", "text/xml"),
        ("xml", "srx"),
    ),
    Offer("csv", "text/csv", (), ("csv",)),
    Offer("tsv", "text/tab-separated-values", (), ("tsv",)),
)
# the RDF syntaxes come from the one format table (``paradiplo.formats``)
GRAPHS: tuple[Offer, ...] = tuple(
    Offer(syntax.key, syntax.media_type, syntax.aliases, syntax.names) for syntax in GRAPH_SYNTAXES
)
HTML = Offer("html", "text/html", ("application/xhtml+xml",), ("html",))
PAGES: tuple[Offer, ...] = (HTML, *GRAPHS)

_CHARSET = {"csv", "tsv", "html", *(syntax.key for syntax in GRAPH_SYNTAXES if syntax.text)}


def content_type(offer: Offer) -> str:
    """The Content-Type header for ``offer`` (text formats say they are UTF-8)."""
    if offer.key in _CHARSET:
        return f"{offer.media_type}; charset=utf-8"
    return offer.media_type


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> int:
        """Specificity of the match (3 exact, 2 ``type/*``, 1 ``*/*``) or 0."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 1
        if self.type != main:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed entries (bad q too) are ignored."""
    ranges = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        main, slash, sub = fields[0].lower().partition("/")
        if not slash or not main or not sub:
            continue
        q: float | None = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = None
        if q is not None:
            ranges.append(MediaRange(main, sub, q))
    return ranges


def quality(ranges: Sequence[MediaRange], offer: Offer) -> float:
    """How much the client wants ``offer``: the q of the most specific range matching it.

    Wildcards match the offer's own media type only; an alias (``application/json`` for
    SPARQL JSON results) counts when named exactly, so ``text/*`` does not pick XML results
    through their ``text/xml`` alias.
    """
    best_specificity, best_q = 0, 0.0
    for media_type in offer.types():
        for media_range in ranges:
            specificity = media_range.matches(media_type)
            if media_type != offer.media_type and specificity < 3:
                continue
            if specificity > best_specificity or (
                specificity == best_specificity and specificity and media_range.q > best_q
            ):
                best_specificity, best_q = specificity, media_range.q
    return best_q


def choose(accept: str | None, offers: Sequence[Offer]) -> Offer | None:
    """The acceptable offer the client prefers most (server order breaks ties), or None."""
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0] if offers else None
    best: Offer | None = None
    best_q = 0.0
    for offer in offers:
        q = quality(ranges, offer)
        if q > best_q:
            best, best_q = offer, q
    return best


def by_name(name: str, offers: Sequence[Offer]) -> Offer | None:
    """The offer a ``format`` parameter or file suffix names (short name or media type)."""
    wanted = name.strip().lower()
    for offer in offers:
        if wanted in offer.names or wanted in offer.types():
            return offer
    return None


def negotiate(
    accept: str | None, fmt: str | Sequence[str] | None, offers: Sequence[Offer]
) -> Offer | None:
    """``format`` wins over Accept when given; ``None`` when nothing offered is acceptable.

    ``format`` may be repeated (SPARQLWrapper sends ``format=tsv&format=text/tab-separated-
    values``): the first value naming an offer counts.
    """
    names = [fmt] if isinstance(fmt, str) else list(fmt or [])
    names = [name for name in names if name]
    if names:
        return next((o for name in names if (o := by_name(name, offers)) is not None), None)
    return choose(accept, offers)


def describe(offers: Sequence[Offer]) -> str:
    """The offered media types, for 406 messages."""
    return ", ".join(offer.media_type for offer in offers)
