"""One table of RDF syntaxes (``paradiplo.formats``) behind export, conneg, suffixes, workers."""

from __future__ import annotations

from paradiplo import export, formats
from paradiplo.server import ld, negotiate, worker


def test_every_graph_syntax_is_served_negotiated_and_suffixed() -> None:
    offers = {offer.key: offer for offer in negotiate.GRAPHS}
    for syntax in formats.GRAPH_SYNTAXES:
        assert offers[syntax.key].media_type == syntax.media_type
        assert negotiate.by_name(syntax.suffix, negotiate.GRAPHS) is offers[syntax.key]
        assert ld.SUFFIXES[syntax.suffix] == syntax.key
        assert worker.RDF_FORMATS[syntax.key] == syntax.oxigraph
        assert offers[syntax.key] in negotiate.PAGES


def test_every_syntax_is_exported_under_its_suffix() -> None:
    for syntax in formats.SYNTAXES:
        assert syntax.export in export.RDF_FORMATS
        assert export.FILE_NAMES[syntax.export] == f"paradiplo.{syntax.suffix}"
        assert export.SYNTAXES[syntax.export].media_type == syntax.media_type
        assert (syntax.export in export.DATASET_FORMATS) == syntax.dataset


def test_keys_and_names_are_unique() -> None:
    for field in ("key", "export", "suffix", "media_type"):
        values = [getattr(syntax, field) for syntax in formats.SYNTAXES]
        assert len(values) == len(set(values)), field
