"""The one exception family the CLI turns into a clean message instead of a traceback."""

from __future__ import annotations


class ParadiploError(Exception):
    """An expected failure (bad input, missing store) that the user can act on."""
