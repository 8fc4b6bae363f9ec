"""Checks on a request's text before any parser sees it: remote access and nesting depth.

Refuse ``SERVICE`` and ``LOAD`` unless their target is on the allow-list.

pyoxigraph evaluates ``SERVICE <iri>`` and ``LOAD <iri>`` by fetching the IRI over HTTP,
and it has no switch to turn that off, so a public endpoint must look at the request text
first. The scan tokenizes like the SPARQL grammar does for the parts that can hide a word
(strings, IRIs, comments, variables, prefixed names, language tags), so ``"SERVICE"`` in a
string or ``pd:service`` is not mistaken for the keyword, and the keyword cannot hide from
it. Anything it cannot resolve to an allowed IRI (``SERVICE ?endpoint``) is refused.

Refuse deep nesting too: pyoxigraph's SPARQL parser is recursive and overflows its stack
(the worker dies of SIGSEGV) from about 2,500 nested ``{``, ``(`` or ``[``; no real query
comes near ``MAX_NESTING``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from paradiplo.errors import ParadiploError

_TOKEN = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*(?:"""|$)'
    r"|'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)"
    r'|"(?:[^"\\\n\r]|\\.)*(?:"|$)'
    r"|'(?:[^'\\\n\r]|\\.)*(?:'|$))"
    r"|(?P<iri><(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)"
    r"|(?P<comment>\#[^\n\r]*)"
    r"|(?P<var>[?$]\w+)"
    r"|(?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)"
    r"|(?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w:%.\-]|\\[-_~.!$&'()*+,;=/?\#@%])*)"
    r"|(?P<word>[^\W\d][\w\-]*)"
    r"|(?P<other>\S)",
    re.DOTALL,
)
_REMOTE = {"SERVICE": "SERVICE", "LOAD": "LOAD"}
MAX_NESTING = 256
_OPEN, _CLOSE = "{([", "})]"


class RemoteAccessError(ParadiploError):
    """The request would make the server fetch something from the network."""


class NestingError(ParadiploError):
    """The request nests groups, expressions or blank nodes deeper than the parser can."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of a query or update (comments dropped)."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind != "comment":
            yield Token(kind, match.group())


def remote_targets(text: str, prefixes: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """``(keyword, target IRI or None)`` for every SERVICE and LOAD in ``text``.

    ``None`` means the target is not a constant IRI (a variable, or nothing parseable).
    """
    return _remote_targets(list(tokens(text)), prefixes)


def _remote_targets(
    stream: list[Token], prefixes: Mapping[str, str]
) -> list[tuple[str, str | None]]:
    declared = dict(prefixes)
    found: list[tuple[str, str | None]] = []
    for index, token in enumerate(stream):
        if token.kind != "word":
            continue
        keyword = token.text.upper()
        if keyword == "PREFIX":
            _declare(stream[index + 1 : index + 3], declared)
        elif keyword in _REMOTE:
            target = stream[index + 1 : index + 3]
            if target and target[0].kind == "word" and target[0].text.upper() == "SILENT":
                target = target[1:]
            found.append((keyword, _resolve(target[0] if target else None, declared)))
    return found


def _declare(pair: list[Token], declared: dict[str, str]) -> None:
    if len(pair) == 2 and pair[0].kind == "pname" and pair[1].kind == "iri":
        declared[pair[0].text.rstrip(":")] = pair[1].text[1:-1]


def _resolve(token: Token | None, declared: Mapping[str, str]) -> str | None:
    if token is None:
        return None
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        namespace = declared.get(prefix)
        return None if namespace is None else namespace + local
    return None


def check_remote(text: str, allowed: frozenset[str], prefixes: Mapping[str, str]) -> None:
    """Raise ``RemoteAccessError`` if ``text`` reaches a SERVICE or LOAD source not allowed."""
    _check_remote(list(tokens(text)), allowed, prefixes)


def _check_remote(
    stream: list[Token], allowed: frozenset[str], prefixes: Mapping[str, str]
) -> None:
    for keyword, target in _remote_targets(stream, prefixes):
        if target is not None and target in allowed:
            continue
        what = f"<{target}>" if target else "a target that is not a constant IRI"
        hint = (
            "this endpoint fetches nothing from the network"
            if not allowed
            else "allowed: " + ", ".join(f"<{a}>" for a in sorted(allowed))
        )
        raise RemoteAccessError(f"{keyword} {what} refused: {hint} (see --allow-service)")


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``{``, ``(`` and ``[`` outside strings, IRIs and comments."""
    return _depth(tokens(text))


def _depth(stream: Iterable[Token]) -> int:
    depth = deepest = 0
    for token in stream:
        if token.kind != "other":
            continue
        if token.text in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif token.text in _CLOSE:
            depth = max(depth - 1, 0)
    return deepest


def check_nesting(text: str, limit: int = MAX_NESTING) -> None:
    """Raise ``NestingError`` when ``text`` nests deeper than ``limit`` levels."""
    _check_nesting(tokens(text), limit)


def _check_nesting(stream: Iterable[Token], limit: int = MAX_NESTING) -> None:
    depth = _depth(stream)
    if depth > limit:
        raise NestingError(f"nested {depth} levels deep; at most {limit} are accepted")


def check_request(text: str, allowed: frozenset[str], prefixes: Mapping[str, str]) -> None:
    """Both checks on one query or update, tokenizing it once: nesting first, then remote."""
    stream = list(tokens(text))
    _check_nesting(stream)
    _check_remote(stream, allowed, prefixes)
