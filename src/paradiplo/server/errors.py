"""Errors that become HTTP responses: a status, a one-line message and optional headers."""

from __future__ import annotations

from collections.abc import Mapping

from paradiplo.errors import ParadiploError


class HttpError(ParadiploError):
    """Answer the request with ``status`` and ``message`` (never a stack trace)."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
