"""What a researcher reads: per source, counts by verdict; then each finding in words.

Used by ``paradiplo reproduce`` (table, Markdown, JSON) and the HTML report. A finding is
shown with its claim in words, the value the source states, the value the evidence gives,
the verdict, the sources of the evidence and the explanation; the regression result (the
query's saved answer) is one column, and raw answers appear only where a regression
differs or errs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from rich.markup import escape
from rich.table import Table

from paradiplo.namespaces import SRC
from paradiplo.verdicts import VERDICTS, Judgement, claim_in_words

_MAX_SOURCES = 4
SUB = "\x00"  # marks a nested list item in finding_markdown
_STYLE = {
    "supported": "green",
    "partly supported": "cyan",
    "contradicted": "red",
    "not comparable": "magenta",
    "untestable": "dim",
    "unchecked": "yellow",
}


def source_label(j: Judgement) -> str:
    """The pack of a finding: a source id, or ``cross-source``/``cross-registry``."""
    return j.finding.pack


def counts_by_source(judgements: Iterable[Judgement]) -> dict[str, Counter[str]]:
    """Verdict counts per pack, packs in name order."""
    out: dict[str, Counter[str]] = {}
    for j in judgements:
        out.setdefault(source_label(j), Counter())[j.verdict] += 1
    return dict(sorted(out.items()))


def counts_markdown(judgements: Sequence[Judgement]) -> list[str]:
    """The table of verdicts per source, with a total row."""
    counts = counts_by_source(judgements)
    lines = [
        "| source | findings | " + " | ".join(VERDICTS) + " |",
        "|---|---:|" + "---:|" * len(VERDICTS),
    ]
    total: Counter[str] = Counter()
    for source, c in counts.items():
        total.update(c)
        cells = " | ".join(str(c[v]) for v in VERDICTS)
        lines.append(f"| `{source}` | {sum(c.values())} | {cells} |")
    cells = " | ".join(str(total[v]) for v in VERDICTS)
    lines.append(f"| **all** | {sum(total.values())} | {cells} |")
    return lines


def evidence_sources(j: Judgement, limit: int = _MAX_SOURCES) -> str:
    """The evidence's sources as ``src:`` ids, registries first, long lists cut."""
    ids = [s[len(str(SRC)) :] if s.startswith(str(SRC)) else s for s in j.evidence_sources]
    ids.sort(key=lambda s: (s.startswith("web-"), s))
    shown = [f"src:{s}" for s in ids[:limit]]
    if len(ids) > limit:
        shown.append(f"(+{len(ids) - limit} more)")
    return ", ".join(shown)


def finding_markdown(number: int, j: Judgement) -> list[str]:
    """One finding: the claim, both values, the verdict, the evidence and the explanation."""
    f = j.finding
    regression = j.regression or "not run"
    lines = [f"{number}. **{_md(f.name)}**: *{j.verdict}* (regression: {regression})", ""]
    items = []
    if f.comment:
        items.append(f"Claim: {_md(claim_in_words(f.comment))}")
    compared = j.comparisons or j.consistency_only
    if len(compared) > 1 or any(c.item for c in compared):
        items.append("Values compared (source's value / evidence's value):")
        for c in compared:
            independent = c in j.comparisons
            evidence = _md(c.evidence) if independent else "no independent record"
            what = f"{_md(c.item)}: " if c.item else ""
            note = c.agreement if independent else f"the encoding gives {_md(c.evidence)}"
            items.append(f"{SUB}{what}{_md(c.stated)} / {evidence} ({note})")
    else:
        if j.stated:
            items.append(f"Source's value: {_md(j.stated)}")
        if j.evidence:
            items.append(f"Evidence's value: {_md(j.evidence)}")
    if j.evidence_sources:
        items.append(f"Evidence from: {_md(evidence_sources(j))}")
    if j.consistency_only and not j.comparisons:
        n = len({r for c in j.consistency_only for r in c.records})
        items.append(
            f"Consistency check only: {n} record(s), all the claiming source's or the "
            "encoder's reading of it"
        )
    if j.explanation:
        items.append(f"Why: {_md(j.explanation)}")
    if f.difference_note:
        items.append(f"*Difference:* {_md(f.difference_note)}")
    if f.tier_reason:
        items.append(f"*Why {f.tier or 'this tier'}:* {_md(f.tier_reason)}")
    items.append(f"Query: `{f.pack}/{f.query.name if f.query else ''}`")
    lines += [
        f"      - {item[len(SUB) :]}" if item.startswith(SUB) else f"   - {item}" for item in items
    ]
    lines += ["", *[f"   > {_md(q)}" for q in f.quotes[:2]]]
    return [*lines, ""] if f.quotes else lines


def table(judgements: Sequence[Judgement], caption: str, width: int | None = None) -> Table:
    """A terminal table, one line per finding: cells are cut, never wrapped.

    Cut cells keep the output one line per finding when piped (80 columns) and on any
    terminal; ``--format markdown`` has the full text.
    """
    t = Table(caption=caption, width=width, expand=True, pad_edge=False, box=None)
    t.add_column("finding", overflow="ellipsis", no_wrap=True, ratio=4, min_width=14)
    t.add_column("verdict", no_wrap=True, width=16)
    t.add_column("source says", overflow="ellipsis", no_wrap=True, ratio=1, min_width=6)
    t.add_column("evidence", overflow="ellipsis", no_wrap=True, ratio=1, min_width=6)
    t.add_column("regression", no_wrap=True, width=10)
    for j in judgements:
        style = _STYLE.get(j.verdict, "")
        name = f"{j.finding.pack}: {j.finding.name}"
        t.add_row(
            escape(name),
            f"[{style}]{escape(j.verdict)}[/]",
            escape(j.stated or "-"),
            escape(j.evidence or "-"),
            escape(j.regression or ""),
        )
    return t


def to_json(j: Judgement) -> dict[str, object]:
    """The verdict part of a JSON report row."""
    return {
        "verdict": j.verdict,
        "stated_value": j.stated,
        "evidence_value": j.evidence,
        "evidence_sources": list(j.evidence_sources),
        "evidence_records": sorted({r for c in j.comparisons for r in c.records}),
        "consistency_records": sorted({r for c in j.consistency_only for r in c.records}),
        "explanation": j.explanation,
        "settled_by": j.finding.verdict.settled_by if j.verdict == "unchecked" else None,
        "untestable_kind": j.finding.verdict.untestable,
    }


def _md(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")
