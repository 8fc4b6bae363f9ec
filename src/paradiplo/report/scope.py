"""The scopes a report can cover: which pairs of countries its ties must join."""

from __future__ import annotations

from dataclasses import dataclass

from paradiplo.errors import ParadiploError
from paradiplo.namespaces import ID

CN = str(ID["country/cn"])
RU = str(ID["country/ru"])
US = str(ID["country/us"])


@dataclass(frozen=True)
class Scope:
    """A report scope: ties between places of ``countries`` (both of them), or all ties.

    ``home`` is the country whose places the rankings and the macro-region timeline look
    at from the inside (China); ``partner`` the other side, whose first-level units are
    ranked too.
    """

    name: str
    title: str
    countries: tuple[str, ...] = ()
    home: str = CN
    partners: tuple[str, ...] = ()

    def tie_filter(self, a: str = "?a", b: str = "?b") -> str:
        """SPARQL pattern that keeps the ties of this scope (empty for all ties).

        ``a`` and ``b`` must be bound to the tie's two parties; ``pd:locatedIn`` is
        transitive and materialised by the build, so a city reaches its country directly.
        """
        if not self.countries:
            return ""
        first, second = self.countries
        pairs = f"(<{first}> <{second}>) (<{second}> <{first}>)"
        return (
            f"{a} pd:locatedIn ?scopeA . {b} pd:locatedIn ?scopeB .\n"
            f"  VALUES (?scopeA ?scopeB) {{ {pairs} }}"
        )


SCOPES: dict[str, Scope] = {
    "china-russia": Scope("china-russia", "China\N{EN DASH}Russia", (CN, RU), CN, (RU,)),
    "china-us": Scope("china-us", "China\N{EN DASH}United States", (CN, US), CN, (US,)),
    "all": Scope("all", "All ties", (), CN, (RU, US)),
}
SCOPE_NAMES: tuple[str, ...] = tuple(SCOPES)


class ScopeError(ParadiploError):
    """An unknown scope name."""


def get_scope(name: str) -> Scope:
    """The scope called ``name``; a clear error listing the known ones otherwise."""
    try:
        return SCOPES[name]
    except KeyError:
        raise ScopeError(f"unknown scope {name!r}; use one of {', '.join(SCOPES)}") from None
