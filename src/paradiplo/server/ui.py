"""The query UI at ``/``: YASGUI with the project's prefixes and example queries.

YASGUI's files come from npm at package build time (``paradiplo.vendor``) and are served
from ``/vendor/``; nothing is loaded from the internet. The page itself holds no URL at
all: its configuration (endpoint, prefixes, examples) is fetched from ``/ui-config.json``.
When the assets are missing, ``/`` is a plain query form of our own that says why.
``/?query=...&run=1`` opens a query and runs it (links from other pages, and tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from paradiplo.namespaces import PREFIXES
from paradiplo.query import add_missing_prefixes
from paradiplo.reproduce import ReproduceError, discover_packs
from paradiplo.server.pages import render
from paradiplo.vendor import unavailable_reason

MAX_EXAMPLES = 6
MAX_TAB_NAME = 40
DEFAULT_QUERY = """\
# Twinning ties with their two parties and the sources that state them
SELECT ?tie ?first ?second (COUNT(DISTINCT ?source) AS ?sources) WHERE {
  ?tie a pd:TwinningTie ; pd:firstParty ?first ; pd:secondParty ?second .
  OPTIONAL { GRAPH ?g { ?tie a pd:TwinningTie } ?g prov:wasDerivedFrom ?source }
}
GROUP BY ?tie ?first ?second
ORDER BY DESC(?sources) ?tie
LIMIT 50
"""


@dataclass(frozen=True)
class Example:
    """A saved query offered as a tab."""

    name: str
    title: str
    query: str


def examples(queries_dir: Path | None, limit: int = MAX_EXAMPLES) -> list[Example]:
    """Up to ``limit`` findings of the query packs, taken in turn from each pack."""
    if queries_dir is None or not queries_dir.is_dir():
        return []
    try:
        packs = discover_packs(queries_dir)
    except (ReproduceError, OSError, ValueError):
        return []
    queues = [
        [f for f in pack.findings if f.query is not None and f.query.is_file()] for pack in packs
    ]
    chosen: list[Example] = []
    while len(chosen) < limit and any(queues):
        for queue in queues:
            if queue and len(chosen) < limit:
                finding = queue.pop(0)
                assert finding.query is not None
                text = finding.query.read_text(encoding="utf-8")
                chosen.append(
                    Example(_tab_name(finding.name), finding.name, add_missing_prefixes(text))
                )
    return chosen


def _tab_name(name: str) -> str:
    return name if len(name) <= MAX_TAB_NAME else name[: MAX_TAB_NAME - 1].rstrip() + "…"


def ui_config(request: Request) -> dict[str, object]:
    """What the page script needs, kept out of the HTML."""
    config = request.app.state.backend.config
    return {
        "endpoint": "/sparql",
        "prefixes": PREFIXES,
        "prefixesUrl": "/ui-prefixes.json",
        "defaultQuery": add_missing_prefixes(DEFAULT_QUERY),
        "examples": [e.__dict__ for e in request.app.state.examples],
        "maxRows": config.max_rows,
    }


async def config_json(request: Request) -> Response:
    """``/ui-config.json``."""
    return JSONResponse(ui_config(request))


async def prefixes_json(request: Request) -> Response:
    """``/ui-prefixes.json``: the project's prefixes in prefix.cc's format, for YASQE."""
    return JSONResponse(PREFIXES)


async def index(request: Request) -> Response:
    """``/``: YASGUI, or the plain form when its files are missing."""
    config = request.app.state.backend.config
    reason = unavailable_reason(config.vendor_dir)
    context = {
        "title": "Query the paradiplo graph",
        "examples": request.app.state.examples,
        "query": request.query_params.get("query", ""),
        "reason": reason,
    }
    return render(request, "fallback.html" if reason else "index.html", context, vary=False)
