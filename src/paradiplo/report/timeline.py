"""Ties established per year, split into series (by level, by macro-region), and sums.

A tie is placed at the year of its earliest stated date; a tie whose sources contradict
each other on the date is counted there too but marked *disputed*, so the chart can show
how much of a year's bar rests on contested dates. Undated ties are counted apart.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from paradiplo.report.data import Tie

LEVEL_ORDER = ("region", "mixed", "city", "unknown")


@dataclass
class Timeline:
    """Counts per (series, year), disputed counts, and the ties without a year."""

    series: list[str]
    counts: dict[str, Counter[int]] = field(default_factory=dict)
    disputed: dict[str, Counter[int]] = field(default_factory=dict)
    undated: Counter[str] = field(default_factory=Counter)

    @property
    def years(self) -> list[int]:
        """Every year from the first to the last with a tie (empty years included)."""
        found = {y for c in self.counts.values() for y in c}
        return list(range(min(found), max(found) + 1)) if found else []

    def per_year(self, series: str) -> list[int]:
        """Ties of ``series`` per year, aligned with ``years``."""
        return [self.counts.get(series, Counter())[y] for y in self.years]

    def disputed_per_year(self, series: str) -> list[int]:
        """Disputed-date ties of ``series`` per year, aligned with ``years``."""
        return [self.disputed.get(series, Counter())[y] for y in self.years]

    def cumulative(self, series: str | None = None) -> list[int]:
        """Running total through the end of each year (all series when ``None``)."""
        names = self.series if series is None else [series]
        total, out = 0, []
        for y in self.years:
            total += sum(self.counts.get(s, Counter())[y] for s in names)
            out.append(total)
        return out

    @property
    def dated(self) -> int:
        """Ties with a year."""
        return sum(sum(c.values()) for c in self.counts.values())

    @property
    def disputed_total(self) -> int:
        return sum(sum(c.values()) for c in self.disputed.values())


def build(
    ties: Iterable[Tie], series_of: Callable[[Tie], str], order: Sequence[str] = ()
) -> Timeline:
    """Count ``ties`` per year of their earliest date, in the series ``series_of`` gives.

    Series are listed in ``order`` first, then the others alphabetically; series with no
    tie at all are left out.
    """
    counts: dict[str, Counter[int]] = defaultdict(Counter)
    disputed: dict[str, Counter[int]] = defaultdict(Counter)
    undated: Counter[str] = Counter()
    seen: set[str] = set()
    for tie in ties:
        name = series_of(tie)
        seen.add(name)
        year = tie.year
        if year is None:
            undated[name] += 1
            continue
        counts[name][year] += 1
        if tie.disputed:
            disputed[name][year] += 1
    names = [s for s in order if s in seen] + sorted(seen - set(order))
    return Timeline(names, dict(counts), dict(disputed), undated)


def by_level(ties: Iterable[Tie]) -> Timeline:
    """Series: region, mixed, city (and unknown, for ties with no stated level)."""
    return build(ties, lambda t: t.level, LEVEL_ORDER)
