"""Hatch build hook: ship the repository's content directories inside the wheel.

An installed ``paradiplo build`` run outside a checkout needs the ontology, shapes, data and
queries; they go to ``paradiplo/_content/<dir>``. A static ``force-include`` would fail on a
checkout where a directory is still empty (git keeps no empty directories), so this hook adds
only the directories that exist. Editable installs read the checkout directly instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

CONTENT_DIRS = ("ontology", "shapes", "data", "queries")


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Force-include each existing content directory under ``paradiplo/_content``."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        for name in CONTENT_DIRS:
            if (root / name).is_dir():
                build_data["force_include"][str(root / name)] = f"paradiplo/_content/{name}"
