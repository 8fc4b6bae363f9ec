"""Security headers: a strict Content-Security-Policy on HTML pages, ``nosniff`` everywhere.

The pages show whatever the graph holds, and the graph takes content and Graph Store
writes. Escaping and ``links.linkable`` keep script out of the markup the server writes;
the policy is the second layer, for whatever they miss: with ``script-src 'self'`` and no
``'unsafe-inline'``, an injected ``<script>``, an ``on...=`` attribute or a
``javascript:`` URL does not run.

Every page's scripts and stylesheets, and the YASGUI bundle, are files served by this
server (``/static``, ``/vendor``), so ``'self'`` suffices, with two allowances, each found
necessary in headless Chromium (``tests/server/test_html_safety.py`` asserts that the
linked-data pages and the query UI, running a query, report no violation):

* ``style-src-elem 'unsafe-inline'``: YASGUI inserts ``<style>`` elements at run time
  (its editor and result table); without it Chromium reports ``style-src-elem`` violations
  and the UI renders unstyled. ``style`` attributes stay forbidden
  (``style-src-attr 'none'``), and styles cannot run script.
* ``img-src data:``: every page's ``<link rel="icon" href="data:,">``, which spares the
  browser a favicon request.

``connect-src 'self'`` lets the UI query this server's ``/sparql`` and nothing else;
``frame-ancestors 'none'`` forbids framing (clickjacking), ``base-uri`` and
``object-src 'none'`` close the usual detours, ``form-action 'self'`` keeps the plain
query form (``fallback.html``) working. ``unsafe-eval`` is not needed.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-elem 'self' 'unsafe-inline'",
        "style-src-attr 'none'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    )
)


class SecurityHeaders:
    """ASGI middleware: ``X-Content-Type-Options: nosniff`` on every response, and
    ``Content-Security-Policy`` on every ``text/html`` one (pages, error pages)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if headers.get("content-type", "").lower().startswith("text/html"):
                    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
            await send(message)

        await self.app(scope, receive, send_with_headers)
