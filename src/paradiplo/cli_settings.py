"""What every ``paradiplo`` subcommand shares: where the store is, and how tables print.

A newcomer types ``paradiplo query --data-dir d '...'`` as often as ``paradiplo --data-dir
d query '...'``; click only accepts a group's options before the subcommand. So the
options of the group (``--data-dir``, ``--root``, ``--store`` and its companions) are also
added to every subcommand, where they override what was given before it (environment
variables are read once, by the group). ``Settings`` is rebuilt from the merged values.

Rich renders tables to the terminal's width, and to 80 columns when output is piped, so
a piped table wrapped long IRIs and quotes into unreadable cells. When stdout is not a
terminal a table is printed at its natural width instead: one line per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from paradiplo.remote import (
    GRAPH_STORE_ENV,
    LAYOUT_ENV,
    LAYOUTS,
    PASSWORD_ENV,
    STORE_ENV,
    UPDATE_ENV,
    USER_ENV,
    Endpoints,
    RemoteStore,
)
from paradiplo.store import DATA_DIR_ENV, DataDir, EmbeddedStore, resolve_data_dir

_OPTIONS = "paradiplo.options"  # key in click's ctx.meta (shared by a context chain)


@dataclass(frozen=True)
class Settings:
    """Options of the ``paradiplo`` group, shared by every subcommand."""

    data_dir: Path
    root: Path | None
    remote: RemoteStore | None = None

    def open_store(self) -> EmbeddedStore | RemoteStore:
        """The SPARQL server given by ``--store``, else the data directory's current build."""
        if self.remote is not None:
            return self.remote
        return DataDir(self.data_dir).open()


def global_options() -> list[click.Option]:
    """Fresh option objects for the group (with environment variables)."""
    return [
        click.Option(
            ["--data-dir"],
            type=click.Path(file_okay=False, path_type=Path),
            envvar=DATA_DIR_ENV,
            show_envvar=True,
            help="Where builds are stored (default: ./.paradiplo).",
        ),
        click.Option(
            ["--root"],
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            help="Content root with ontology/, shapes/, data/ (default: the current directory "
            "if it has ontology/, else the content installed with paradiplo).",
        ),
        click.Option(
            ["--store", "store_url"],
            metavar="URL",
            envvar=STORE_ENV,
            show_envvar=True,
            help="Use this SPARQL server's query endpoint instead of --data-dir (build loads "
            "it; query, reproduce, export and report read it). See docs/remote-stores.md.",
        ),
        click.Option(
            ["--store-update"],
            metavar="URL",
            envvar=UPDATE_ENV,
            show_envvar=True,
            help="The server's SPARQL Update endpoint, if not guessed from --store.",
        ),
        click.Option(
            ["--store-graph-store"],
            metavar="URL",
            envvar=GRAPH_STORE_ENV,
            show_envvar=True,
            help="The server's Graph Store Protocol endpoint, if not guessed from --store.",
        ),
        click.Option(
            ["--store-user"],
            metavar="NAME",
            envvar=USER_ENV,
            show_envvar=True,
            help="User for the server (basic or digest authentication, as the server asks).",
        ),
        click.Option(
            ["--store-password"],
            metavar="SECRET",
            envvar=PASSWORD_ENV,
            show_envvar=True,
            help="Password for --store-user; prefer the environment variable.",
        ),
        click.Option(
            ["--store-layout"],
            type=click.Choice(LAYOUTS),
            envvar=LAYOUT_ENV,
            show_envvar=True,
            help="Where the merged graph goes: the server's default graph (Oxigraph, Fuseki) "
            "or the graph pdg:union (Virtuoso, GraphDB, shared servers); default: by server.",
        ),
    ]


def start(ctx: click.Context, options: dict[str, Any]) -> None:
    """The group's callback: remember its options and make the settings from them."""
    ctx.meta[_OPTIONS] = dict(options)
    ctx.obj = settings_from(options)


def settings_from(options: dict[str, Any]) -> Settings:
    remote = None
    if options.get("store_url"):
        endpoints = Endpoints.for_server(
            options["store_url"], options.get("store_update"), options.get("store_graph_store")
        )
        remote = RemoteStore(
            endpoints,
            user=options.get("store_user"),
            password=options.get("store_password"),
            layout=options.get("store_layout"),
        )
    return Settings(resolve_data_dir(options.get("data_dir")), options.get("root"), remote)


def _override(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A group option given after the subcommand: it wins over the one before."""
    name = param.name
    if name is None or ctx.get_parameter_source(name) is not ParameterSource.COMMANDLINE:
        return value
    options: dict[str, Any] = ctx.meta.setdefault(_OPTIONS, {})
    options[name] = value
    ctx.obj = settings_from(options)
    return value


def add_global_options(command: click.Command) -> None:
    """Give ``command`` (and a group's subcommands) the group's options, without
    environment variables (the group has read those), overriding the group's values."""
    for option in global_options():
        option.envvar = None
        option.show_envvar = False
        option.expose_value = False
        option.callback = _override
        option.help = f"{option.help} Also accepted before the subcommand."
        command.params.append(option)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_global_options(sub)


def print_table(table: Table) -> None:
    """Print ``table`` to stdout: to the terminal's width on a terminal, else unwrapped."""
    console = Console(highlight=False)
    if not console.is_terminal:
        unlimited = console.options.update_width(1_000_000)
        width = Measurement.get(console, unlimited, table).maximum
        console = Console(highlight=False, width=max(width, 1))
    console.print(table)
