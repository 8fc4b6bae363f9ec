"""Pictures and analysis of the tie network: maps, timelines, network measures, reproduction.

``paradiplo.report.generate.generate(store, out_dir, scope)`` writes a self-contained
offline HTML report plus the figures (PNG, SVG) and network files (GraphML, GEXF) it
shows; ``paradiplo report`` is the command-line entry point. This package module stays
light (no matplotlib, no networkx) so that importing the CLI stays fast.
"""

from __future__ import annotations

from paradiplo.report.scope import SCOPE_NAMES, SCOPES, Scope, get_scope

__all__ = ["SCOPES", "SCOPE_NAMES", "Scope", "get_scope"]
