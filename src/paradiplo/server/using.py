"""The SPARQL 1.1 Protocol's ``using-graph-uri`` and ``using-named-graph-uri`` parameters.

The Protocol (§2.2.3) says these set the RDF dataset of an update's ``WHERE`` clauses
"in the same way as the USING and USING NAMED keywords", and that a request carrying
them together with ``USING``, ``USING NAMED`` or ``WITH`` in the update is an error.
pyoxigraph's ``Store.update`` takes no dataset argument, so the parameters are written
into the text as those keywords: a ``USING <g>`` / ``USING NAMED <g>`` clause before the
``WHERE`` of every DELETE/INSERT operation (the grammar's place for them:
``Modify ::= ('WITH' iri)? (DeleteClause InsertClause? | InsertClause) UsingClause*
'WHERE' GroupGraphPattern``). The result is parsed again by the guard in the worker, so
a mistake here can only make a request fail, never bypass a check.

The scan skips comments, strings and IRIs and looks only at keywords outside braces: a
``WHERE`` inside braces belongs to a sub-select, not to an operation.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"""
    (?P<skip>\s+|\#[^\n]*
      |'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"
      |<[^<>"{}|^`\\\x00-\x20]*>
      |[?$][\w]+)
    |(?P<open>\{)|(?P<close>\})
    |(?P<word>[A-Za-z_][\w.\-]*(?::[\w.\-:%]*)?|:[\w.\-:%]*)
    |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class DatasetConflict(ValueError):
    """The update names its own dataset, or has a form the parameters cannot apply to."""


def apply_using(update: str, default: list[str], named: list[str]) -> str:
    """``update`` with ``USING`` clauses for ``default`` and ``USING NAMED`` for ``named``."""
    if not default and not named:
        return update
    clause = "".join(f" USING <{iri}>" for iri in default)
    clause += "".join(f" USING NAMED <{iri}>" for iri in named) + " "
    depth = 0
    previous = ""
    cuts: list[int] = []
    for match in _TOKEN.finditer(update):
        kind = match.lastgroup
        if kind == "skip":
            continue
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0:
            word = match.group().upper()
            if word in ("USING", "WITH"):
                raise DatasetConflict(
                    f"the update has its own {word} clause: it cannot be combined with "
                    "using-graph-uri or using-named-graph-uri (SPARQL 1.1 Protocol 2.2.3)"
                )
            if word == "WHERE":
                if previous == "DELETE":
                    raise DatasetConflict(
                        "DELETE WHERE cannot take using-graph-uri or using-named-graph-uri; "
                        "write DELETE { ... } WHERE { ... }"
                    )
                cuts.append(match.start())
            previous = word
            continue
        previous = ""
    for cut in reversed(cuts):
        update = update[:cut] + clause + update[cut:]
    return update
