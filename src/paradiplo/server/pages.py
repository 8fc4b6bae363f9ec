"""HTML pages: one Jinja environment over ``templates/``, autoescaping on."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from paradiplo import __version__

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    return env


def render_text(name: str, context: dict[str, Any]) -> str:
    return environment().get_template(name).render(**context)


def render(
    request: Request, name: str, context: dict[str, Any], status: int = 200, vary: bool = True
) -> HTMLResponse:
    """Render template ``name``; ``vary`` when the same URL also serves RDF by Accept."""
    body = render_text(name, context)  # for HEAD too: the server sends no body, same length
    headers = {"Vary": "Accept"} if vary else {}
    return HTMLResponse(body, status_code=status, headers=headers)
