"""paradiplo: an RDF knowledge graph of subnational diplomacy.

Data flows one way: content files -> build (load, reason, validate) -> store -> query.

For analysis in Python (``docs/python-api.md``)::

    import paradiplo

    with paradiplo.open() as kg:  # the current build of ./.paradiplo
        ties = kg.ties("cn", "ru")  # a pandas DataFrame

``open`` and ``KnowledgeGraph`` live in ``paradiplo.analysis``, imported on first use so
that the command line does not load pandas.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from paradiplo.analysis import KnowledgeGraph

__version__ = "0.1.0"

__all__ = ["KnowledgeGraph", "__version__", "open"]


def open(  # paradiplo.open(), like io.open
    data_dir: Path | str | None = None,
    *,
    store: str | None = None,
    user: str | None = None,
    password: str | None = None,
) -> KnowledgeGraph:
    """Open the built graph for analysis; see ``paradiplo.analysis.open``."""
    from paradiplo import analysis

    return analysis.open(data_dir, store=store, user=user, password=password)


def __getattr__(name: str) -> Any:
    if name == "KnowledgeGraph":
        from paradiplo.analysis import KnowledgeGraph

        return KnowledgeGraph
    raise AttributeError(f"module 'paradiplo' has no attribute {name!r}")
