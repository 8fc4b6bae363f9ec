"""The files a report embeds: the page's own CSS/JS and the vendored npm packages.

Leaflet (``leaflet``) and the Natural Earth country outlines (``world-atlas``) are
installed from npm when the package is built, into ``paradiplo/_static/vendor/``; they
are never committed. A report built where they are missing still works: it falls back
to the static map and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
VENDOR_DIR = PACKAGE / "_static" / "vendor"
OWN_DIR = Path(__file__).resolve().parent / "static"

LEAFLET_JS = Path("leaflet") / "leaflet.js"
LEAFLET_CSS = Path("leaflet") / "leaflet.css"
COUNTRIES = Path("world-atlas") / "countries-110m.json"


@dataclass(frozen=True)
class Assets:
    """Which vendored files exist, and the text of the page's own CSS and JS."""

    vendor_dir: Path
    leaflet_js: Path | None
    leaflet_css: Path | None
    countries: Path | None

    @property
    def interactive(self) -> bool:
        """Leaflet is there, so the page gets the interactive map."""
        return self.leaflet() is not None

    def leaflet(self) -> tuple[Path, Path] | None:
        """Leaflet's CSS and JavaScript files, if both are installed."""
        if self.leaflet_css is None or self.leaflet_js is None:
            return None
        return (self.leaflet_css, self.leaflet_js)

    def missing(self) -> list[str]:
        """The vendored files that were not found, relative to the vendor directory."""
        wanted = {
            LEAFLET_JS: self.leaflet_js,
            LEAFLET_CSS: self.leaflet_css,
            COUNTRIES: self.countries,
        }
        return [str(rel) for rel, found in wanted.items() if found is None]


def find(vendor_dir: Path | None = None) -> Assets:
    """Look for the vendored files under ``vendor_dir`` (default: the installed package's)."""
    base = vendor_dir if vendor_dir is not None else VENDOR_DIR

    def present(rel: Path) -> Path | None:
        path = base / rel
        return path if path.is_file() else None

    return Assets(base, present(LEAFLET_JS), present(LEAFLET_CSS), present(COUNTRIES))


def own(name: str) -> str:
    """The text of one of the report's own static files (``report.css``, ``report.js``)."""
    return (OWN_DIR / name).read_text(encoding="utf-8")
