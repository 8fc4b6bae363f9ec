"""Hatch build hook: ship the repository's content directories inside the wheel.

An installed ``paradiplo build`` run outside a checkout needs the ontology, shapes, data and
queries; they go to ``paradiplo/_content/<dir>``. A static ``force-include`` would fail on a
checkout where a directory is still empty (git keeps no empty directories), so this hook adds
only the directories that exist. Editable installs read the checkout directly instead.

It also installs the browser assets (YASGUI, Leaflet, world-atlas) from npm into
``src/paradiplo/_static/vendor/`` (gitignored) with ``src/paradiplo/vendor.py``, for wheels and
editable installs alike, and force-includes them in wheels. Without npm the build still
succeeds and records why the assets are missing.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

CONTENT_DIRS = ("ontology", "shapes", "data", "queries")


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Force-include each existing content directory under ``paradiplo/_content``."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel":
            _vendor_assets(Path(self.root), build_data, editable=version == "editable")
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        for name in CONTENT_DIRS:
            if (root / name).is_dir():
                build_data["force_include"][str(root / name)] = f"paradiplo/_content/{name}"


def _vendor_assets(root: Path, build_data: dict[str, Any], *, editable: bool) -> None:
    """npm-install the browser assets into the source tree; ship them in a wheel."""
    module = _load_vendor_module(root / "src" / "paradiplo" / "vendor.py")
    target = root / "src" / "paradiplo" / "_static" / "vendor"
    reason = module.install_or_explain(target)
    if reason is not None:
        print(f"paradiplo build hook: {reason}; the server will offer a plain query form")
    if not editable and target.is_dir():
        build_data["force_include"][str(target)] = "paradiplo/_static/vendor"


def _load_vendor_module(path: Path) -> ModuleType:
    """Import vendor.py by path: the package and its dependencies are not installed yet."""
    spec = importlib.util.spec_from_file_location("_paradiplo_vendor", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while defining classes
    spec.loader.exec_module(module)
    return module
