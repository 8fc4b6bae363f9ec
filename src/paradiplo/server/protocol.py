"""uvicorn's HTTP/1.1 protocol with a deadline for request heads and a connection cap.

uvicorn closes idle keep-alive connections, but a client that sends its request head one
byte at a time keeps a connection open for as long as it likes (each byte resets the
keep-alive timer), and nothing limits how many connections are open. ``GuardedH11``
closes a connection whose request head is not complete ``header_timeout`` seconds after
the connection opened (or after the previous response), and refuses connections beyond
``max_connections`` at once by closing them straight away.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


class GuardedH11(H11Protocol):
    """``H11Protocol`` plus the head deadline and the connection cap (class settings)."""

    header_timeout: float = 10.0
    max_connections: int = 256

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._waiting_after: object = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            self.logger.warning("refused a connection: %d open", len(self.connections))
            self.transport.close()
            return
        self._arm()

    def _arm(self) -> None:
        """Start waiting for a request head."""
        self._disarm()
        self._waiting_after = self.cycle
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timeout)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._head_timer is not None and self.cycle is not self._waiting_after:
            self._disarm()  # a request head arrived in full: its cycle has started

    def _head_timeout(self) -> None:
        self._head_timer = None
        if self.cycle is self._waiting_after and not self.transport.is_closing():
            self.logger.debug("closed a connection: no complete request head in time")
            self.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def protocol(header_timeout: float, max_connections: int) -> type[GuardedH11]:
    """A ``GuardedH11`` subclass with these settings, for ``uvicorn.Config(http=...)``."""
    return type(
        "ConfiguredH11",
        (GuardedH11,),
        {"header_timeout": header_timeout, "max_connections": max_connections},
    )
