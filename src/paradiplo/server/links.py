"""How terms appear in HTML: local links for the graph's own IRIs, readable names, literals.

The graph's IRIs (``https://w3id.org/paradiplo/...``) are served by this server, so they link
to local paths (``/id/...``, ``/source/...``, ``/ontology#Term``) and a page works the same
on any host, with or without the w3id redirect. Other IRIs are shown by prefixed name.

Only IRIs with a scheme in ``LINK_SCHEMES`` (http, https, mailto) become links: the graph
holds whatever content and Graph Store writes put there, and ``<javascript:...>`` or
``data:`` as an ``href`` runs script in the page when clicked (stored XSS). Any other
IRI is shown as escaped text, with no ``href``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from markupsafe import Markup, escape

from paradiplo.namespaces import BASE, ID, PD, PREFIXES, SRC
from paradiplo.store import XSD_STRING, Term

ONTOLOGY = BASE + "ontology"
LABEL_LANGUAGES = ("en", "", "zh", "ru")


def local_path(iri: str) -> str | None:
    """The path on this server that serves ``iri``, or ``None`` for outside IRIs."""
    if iri.startswith(str(ID)) and len(iri) > len(str(ID)):
        return "/id/" + iri[len(str(ID)) :]
    if iri.startswith(str(SRC)) and len(iri) > len(str(SRC)):
        return "/source/" + iri[len(str(SRC)) :]
    if iri.startswith(str(PD)):
        return "/ontology#" + iri[len(str(PD)) :]
    if iri == ONTOLOGY:
        return "/ontology"
    return None


LINK_SCHEMES = ("http", "https", "mailto")
# The scheme must open the IRI exactly: browsers drop leading spaces and controls and tabs
# or newlines inside a scheme ("java\tscript:"), so anything looser is not a link.
_LINKABLE = re.compile(r"(?:https?|mailto):", re.IGNORECASE)


def linkable(iri: str) -> bool:
    """Whether ``iri`` may be an ``href``: an http, https or mailto IRI."""
    return _LINKABLE.match(iri) is not None


def href_for(iri: str) -> str | None:
    """Where a link to ``iri`` points: its local path, itself if ``linkable``, else ``None``."""
    path = local_path(iri)
    if path is not None:
        return path
    return iri if linkable(iri) else None


def short(iri: str) -> str:
    """A prefixed name when a project prefix fits, else the IRI in angle brackets."""
    return Term("uri", iri).n3(PREFIXES)


def pick_label(labels: Iterable[tuple[str, str | None]]) -> str | None:
    """The label to show: English first, then untagged, Chinese, Russian, anything."""
    by_lang: dict[str, str] = {}
    for text, lang in labels:
        by_lang.setdefault((lang or "").lower(), text)
    for lang in LABEL_LANGUAGES:
        if lang in by_lang:
            return by_lang[lang]
    return next(iter(by_lang.values()), None)


def iri_html(iri: str, labels: Mapping[str, str] | None = None) -> Markup:
    """A link to ``iri``: local when the server serves it, its label or short name as text.

    An IRI that is not ``linkable`` is the same text in a ``<span>``, without ``href``.
    """
    label = (labels or {}).get(iri)
    name = short(iri)
    text = escape(label) if label else escape(name)
    href = href_for(iri)
    if href is None:
        return Markup('<span class="iri" title="{}">{}</span>').format(iri, text)
    return Markup('<a href="{}" title="{}">{}</a>').format(href, iri, text)


def term_html(term: Term | None, labels: Mapping[str, str] | None = None) -> Markup:
    """Any term: IRIs as links, literals with their language or datatype."""
    if term is None:
        return Markup("")
    if term.kind == "uri":
        return iri_html(term.value, labels)
    if term.kind == "bnode":
        return Markup('<span class="bnode">_:{}</span>').format(term.value)
    if term.kind == "triple":
        return Markup('<span class="triple">&lt;&lt; {} &gt;&gt;</span>').format(term.value)
    value = Markup('<span class="literal">{}</span>').format(term.value)
    if term.lang:
        return value + Markup(' <span class="lang">@{}</span>').format(term.lang)
    if term.datatype and term.datatype != XSD_STRING:
        return value + Markup(' <span class="datatype">{}</span>').format(short(term.datatype))
    return value
