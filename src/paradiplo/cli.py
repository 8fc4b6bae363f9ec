"""The ``paradiplo`` command: a thin click layer over build, validate and query.

Expected failures (``ParadiploError``) become one-line messages with exit code 1; usage
errors exit with 2, as click does. Progress goes to stderr so stdout stays pipeable.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from paradiplo import __version__
from paradiplo import export as exporting
from paradiplo import reproduce as reproduction
from paradiplo.build import (
    DERIVE,
    JUDGE,
    LOAD,
    REASON,
    STORE,
    VALIDATE,
    BuildResult,
    ViolationsError,
    build,
    build_into,
    check,
)
from paradiplo.cli_settings import (
    Settings,
    add_global_options,
    global_options,
    print_table,
    start,
)
from paradiplo.content import QUERIES_DIR, find_root
from paradiplo.errors import ParadiploError
from paradiplo.locking import data_dir_lock
from paradiplo.progress import steps
from paradiplo.query import FORMATS, Format, read_query, render, run_query
from paradiplo.report import SCOPE_NAMES as report_scopes
from paradiplo.report import get_scope
from paradiplo.report.maplayer import DEFAULT_MAX_LINES
from paradiplo.store import DataDir
from paradiplo.validate import VALIDATORS, Validator

BUILD_PHASES = (LOAD, REASON, VALIDATE, DERIVE, JUDGE, STORE)


class _Group(click.Group):
    """Turn expected errors into clean messages instead of tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ParadiploError as exc:
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:
            raise click.ClickException(f"{exc.filename or ''}: {exc.strerror or exc}") from exc


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="paradiplo")
@click.pass_context
def cli(ctx: click.Context, /, **options: Any) -> None:
    """paradiplo: a knowledge graph of subnational diplomacy (sister-city ties).

    Build the graph from the content files, then query it with SPARQL. The options below
    are accepted before the subcommand and after it (after wins).
    """
    start(ctx, options)


cli.params[:0] = global_options()


_VALIDATOR_OPTION = click.option(
    "--validator",
    type=click.Choice(VALIDATORS),
    default="fast",
    show_default=True,
    help="SHACL engine: the fast one, or pyshacl (the reference, much slower at scale).",
)


_WAIT_OPTION = click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="If another build or import holds the data directory, wait this long for it "
    "(default: fail at once, naming its pid).",
)


@cli.command("build")
@click.option(
    "--allow-violations",
    is_flag=True,
    help="Commit the store even if SHACL finds violations (they are still reported).",
)
@_VALIDATOR_OPTION
@_WAIT_OPTION
@click.pass_obj
def build_command(
    settings: Settings, allow_violations: bool, validator: Validator, wait: float = 0.0
) -> None:
    """Load, reason, validate and atomically replace the current store.

    Syntax errors, ill-typed literals and SHACL violations fail the build and leave the
    current store untouched.
    """
    console = _stderr()
    # Taken before the progress bar, so that a busy data directory is one line, at once.
    held: AbstractContextManager[None] = (
        nullcontext() if settings.remote is not None else data_dir_lock(settings.data_dir, wait)
    )
    try:
        with held, steps("build", total=len(BUILD_PHASES), console=console) as bar:
            if settings.remote is not None:
                result = build_into(
                    settings.remote,
                    settings.root,
                    allow_violations=allow_violations,
                    on_phase=bar.step,
                    validator=validator,
                )
            else:
                result = build(
                    settings.data_dir,
                    settings.root,
                    allow_violations=allow_violations,
                    on_phase=bar.step,
                    validator=validator,
                    wait=wait,
                )
    except ViolationsError as exc:
        console.print(exc.report.render_text(), markup=False, soft_wrap=True)
        raise
    if result.report.results:
        console.print(result.report.render_text(), markup=False, soft_wrap=True)
    where = f" -> {settings.remote.url}" if settings.remote is not None else ""
    console.print(_summary(result) + where, markup=False, soft_wrap=True)


def _summary(result: BuildResult) -> str:
    counts = ", ".join(f"{n} {kind}" for kind, n in result.quads.items())
    phases = ", ".join(f"{phase} {s:.2f}s" for phase, s in result.seconds.items())
    where = f" -> {result.build_dir}" if result.build_dir else ""
    return f"{result.files} files; quads: {counts}; {result.report.summary()}; {phases}{where}"


@cli.command("validate")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "turtle"]),
    default="text",
    show_default=True,
    help="Report as readable text or as the SHACL report graph in Turtle.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
@_VALIDATOR_OPTION
@click.pass_obj
def validate_command(settings: Settings, fmt: str, out: Path | None, validator: Validator) -> None:
    """Check the content (load, reason, SHACL) without building a store.

    Exits with 1 when there are load errors or SHACL violations.
    """
    console = _stderr()
    with console.status("validating...") as status:
        result = check(
            settings.root, on_phase=lambda phase: status.update(f"{phase}..."), validator=validator
        )
    report = result.report
    text = report.turtle if fmt == "turtle" else report.render_text() + "\n"
    if out is not None:
        out.write_text(text, encoding="utf-8")
        console.print(f"{report.summary()}; report written to {out}", markup=False)
    else:
        click.echo(text, nl=False)
    if not report.conforms:
        raise click.exceptions.Exit(1)


@cli.command("query")
@click.argument("sparql", required=False, metavar="QUERY")
@click.option(
    "--file",
    "-f",
    "file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the query from this file.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format for SELECT; ASK prints true/false, CONSTRUCT/DESCRIBE print Turtle.",
)
@click.pass_obj
def query_command(settings: Settings, sparql: str | None, file: Path | None, fmt: Format) -> None:
    """Run a SPARQL query on the current store.

    The default graph is the union of all named graphs; the project's prefixes (pd:, id:,
    src:, prov:, ...) may be used without PREFIX lines. Example:

        paradiplo query 'SELECT (COUNT(?t) AS ?ties) WHERE { ?t a pd:TwinningTie }'
    """
    if (sparql is None) == (file is None):
        raise click.UsageError("give a QUERY argument or --file, not both and not neither")
    text = read_query(sparql, file)
    with settings.open_store() as store:
        output = render(run_query(store, text), fmt)
    if isinstance(output, str):
        click.echo(output, nl=False)
    else:
        print_table(output)


@cli.command("reproduce")
@click.option(
    "--source",
    "source_id",
    metavar="ID",
    help="Only the findings citing this source id (data checks are then skipped).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(reproduction.REPORT_FORMATS),
    default="table",
    show_default=True,
    help="A table, a Markdown report (docs/reproduction.md) or a JSON list.",
)
@click.option(
    "--allow-differences",
    is_flag=True,
    help="Exit 0 even if findings differ or data checks find violations (errors still fail).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
@click.option(
    "--queries",
    "queries_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Directory of query packs (default: queries/ of the content root).",
)
@click.pass_obj
def reproduce_command(
    settings: Settings,
    source_id: str | None,
    fmt: reproduction.ReportFormat,
    allow_differences: bool,
    out: Path | None,
    queries_dir: Path | None,
) -> None:
    """Check the sources' findings: run the query packs and compare with expected answers.

    Runs queries/<pack>/manifest.ttl entries and queries/checks/*-violation.rq on the
    current store. Exits with 1 when a finding differs or errors, or a data check finds
    violations (see --allow-differences). Regenerate the committed report with:

        paradiplo reproduce --format markdown --out docs/reproduction.md
    """
    directory = queries_dir or find_root(settings.root) / QUERIES_DIR
    with settings.open_store() as store:
        report = reproduction.reproduce(store, directory, source_id)
    output = reproduction.render(report, fmt)
    if out is not None:
        with out.open("w", encoding="utf-8") as handle:
            if isinstance(output, str):
                handle.write(output)
            else:
                Console(file=handle, width=200, no_color=True, highlight=False).print(output)
        summary = f"{reproduction.summary(report)}; report written to {out}"
        _stderr().print(summary, markup=False, soft_wrap=True)
    elif isinstance(output, str):
        click.echo(output, nl=False)
    else:
        print_table(output)
    if report.failed(allow_differences):
        raise click.exceptions.Exit(1)


@cli.command("report")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write the report into (default: out/report-<scope>).",
)
@click.option(
    "--scope",
    type=click.Choice(report_scopes),
    default="china-russia",
    show_default=True,
    help="Which ties: between China and Russia, China and the US, or all.",
)
@click.option(
    "--max-lines",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_LINES,
    show_default=True,
    help="Draw at most this many ties on the maps (a stable sample; all are in the tables).",
)
@click.pass_context
def report_command(ctx: click.Context, out_dir: Path | None, scope: str, max_lines: int) -> None:
    """Write an offline HTML report: map, timeline, network measures (builds first if needed).

    Also writes the figures as PNG and SVG, the network as GraphML and GEXF, and the
    places' measures as CSV, next to index.html. Example:

        paradiplo report --scope china-us --out out/china-us
    """
    from paradiplo.report.generate import STEPS, generate  # matplotlib: import when used

    settings: Settings = ctx.obj
    if settings.remote is None:
        _build_if_missing(ctx, settings)
    target = out_dir or Path("out") / f"report-{scope}"
    console = _stderr()
    with (
        settings.open_store() as store,
        steps("report", total=len(STEPS), console=console) as bar,
    ):
        result = generate(
            store,
            target,
            get_scope(scope),
            queries_dir=find_root(settings.root) / QUERIES_DIR,
            max_lines=max_lines,
            progress=bar,
        )
    timings = ", ".join(f"{step} {s:.2f}s" for step, s in result.seconds.items())
    console.print(
        f"{result.ties} ties, {result.places} places, {result.lines_drawn} lines drawn"
        f"{'' if result.interactive else ' (static map: Leaflet not installed)'}; "
        f"{len(result.files)} files; {timings} -> {result.html}",
        markup=False,
        soft_wrap=True,
    )


@cli.command("export")
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="FORMAT",
    help=f"One of {', '.join(exporting.FORMATS)} or all; repeat or separate with commas "
    "(default: all).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("export"),
    show_default=True,
    help="Directory to write the dumps into.",
)
@click.pass_obj
def export_command(settings: Settings, formats: tuple[str, ...], out_dir: Path) -> None:
    """Write full dumps of the store: RDF files, CSV tables, void.ttl and SHA256SUMS.

    paradiplo.nq and paradiplo.trig keep the named graphs (one per assertion, with its
    source); paradiplo.ttl, .nt, .jsonld (with context.jsonld) and .rdf hold the merged
    graph. Example:

        paradiplo export --format ttl --format csv --out dist
    """
    chosen = exporting.parse_formats(formats)
    with settings.open_store() as store:
        metadata = store.metadata
        result = exporting.export(
            store,
            out_dir,
            chosen,
            issued=exporting.issued_date(metadata),
            version=metadata.get("id"),
        )
    _stderr().print(result.summary(), markup=False, soft_wrap=True)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=int, default=8000, show_default=True, help="TCP port (0: any free).")
@click.option(
    "--query-timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds a query may run; its worker is then killed and the client gets 503.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=50_000,
    show_default=True,
    help="Rows (or triples) returned at most; more are cut, with a header saying so.",
)
@click.option(
    "--max-body",
    type=click.IntRange(min=1),
    default=1_048_576,
    show_default=True,
    help="Largest request body in bytes (413 beyond).",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="ORIGIN",
    help="Allow browser pages from ORIGIN (repeatable; '*' for any). Default: none.",
)
@click.option(
    "--write-token",
    envvar="PARADIPLO_WRITE_TOKEN",
    show_envvar=True,
    metavar="TOKEN",
    help="Accept SPARQL Update and Graph Store writes with this bearer token (default: read-only).",
)
@click.option(
    "--allow-service",
    "allow_services",
    multiple=True,
    metavar="URL",
    help="Let SERVICE and LOAD reach this endpoint (repeatable). Default: none.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Fast-lane query worker processes (queries running at once).",
)
@click.option(
    "--slow-workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Slow-lane workers: queries that ran past --fast-budget finish there.",
)
@click.option(
    "--fast-budget",
    type=click.FloatRange(min=0.05),
    default=2.0,
    show_default=True,
    help="Seconds a query may run in the fast lane before it moves to the slow lane.",
)
@click.option(
    "--per-client",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Requests one client address may have running at once; more wait their turn.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1024),
    default=64 * 1024 * 1024,
    show_default=True,
    help="Largest answer in bytes; a longer one is cut, with a header saying so.",
)
@click.option(
    "--max-query-length",
    type=click.IntRange(min=16),
    default=65_536,
    show_default=True,
    help="Longest query or update in characters (400 beyond).",
)
@click.option(
    "--worker-memory",
    type=click.IntRange(min=0),
    default=2 * 1024**3,
    show_default=True,
    help="Heap bytes per query worker (0: no cap); a query past it gets 503.",
)
@click.option(
    "--header-timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Seconds a client has to send a request's head; the connection is then closed.",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    default=256,
    show_default=True,
    help="Connections open at once; more are closed at once.",
)
@click.option(
    "--isolation",
    type=click.Choice(["require", "auto", "off"]),
    default="auto",
    show_default=True,
    help="Run query workers without any network: require (refuse to start otherwise), "
    "auto (warn when the kernel does not allow it), off.",
)
@click.option(
    "--cache-bytes",
    type=click.IntRange(min=0),
    default=256 * 1024 * 1024,
    show_default=True,
    help="Answers kept for reuse until the next build, in bytes (0: none).",
)
@click.option("--unsafe-no-guard", is_flag=True, hidden=True, help="Tests of the other layers.")
@click.pass_context
def serve_command(
    ctx: click.Context,
    host: str,
    port: int,
    query_timeout: float,
    max_rows: int,
    max_body: int,
    cors_origins: tuple[str, ...],
    write_token: str | None,
    allow_services: tuple[str, ...],
    workers: int,
    slow_workers: int,
    fast_budget: float,
    per_client: int,
    max_bytes: int,
    max_query_length: int,
    worker_memory: int,
    header_timeout: float,
    max_connections: int,
    isolation: str,
    cache_bytes: int,
    unsafe_no_guard: bool,
) -> None:
    """Serve the graph over HTTP: SPARQL endpoint, query UI, linked data (builds first if needed).

    /sparql (SPARQL 1.1 Protocol and service description), /rdf-graphs (Graph Store
    Protocol), / (YASGUI), /id/<kind>/<slug> and /source/<id> (linked data), /ontology,
    /.well-known/void. Read-only unless --write-token is given. Example:

        paradiplo serve --port 8000 --query-timeout 10
    """
    from paradiplo.server.app import serve
    from paradiplo.server.config import ServerConfig

    settings: Settings = ctx.obj
    if settings.remote is not None:
        raise click.UsageError("serve reads a local data directory; --store is not supported")
    _build_if_missing(ctx, settings)
    try:
        queries_dir: Path | None = find_root(settings.root) / QUERIES_DIR
    except ParadiploError:
        queries_dir = None
    config = ServerConfig(
        data_dir=settings.data_dir,
        query_timeout=query_timeout,
        max_rows=max_rows,
        max_body=max_body,
        cors_origins=cors_origins,
        write_token=write_token or None,
        allow_services=frozenset(allow_services),
        workers=workers,
        queries_dir=queries_dir,
        slow_workers=slow_workers,
        fast_budget=fast_budget,
        per_client=per_client,
        max_bytes=max_bytes,
        max_query_length=max_query_length,
        worker_memory=worker_memory,
        header_timeout=header_timeout,
        max_connections=max_connections,
        isolation=isolation,
        guard=not unsafe_no_guard,
        cache_bytes=cache_bytes,
    )
    serve(config, host, port)


def _build_if_missing(ctx: click.Context, settings: Settings) -> None:
    """Build the content into the data directory first if it has no store yet."""
    if DataDir(settings.data_dir).current() is None:
        message = f"no store in {settings.data_dir} yet: building it first"
        _stderr().print(message, markup=False, soft_wrap=True)
        ctx.invoke(build_command)


@cli.group("import")
def import_group() -> None:
    """Import a world registry of twinning ties into the store.

    The registry is reconciled with the project's places, saved as
    <data-dir>/imports/<registry>.nq (every later build loads it) and built into a new
    store with the content; a failed or interrupted import changes nothing.
    """


_REPORT_OPTION = click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the import report as JSON to this file.",
)
_IMPORT_PATH = click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
_IMPORT_VIOLATIONS = click.option(
    "--allow-violations", is_flag=True, help="Commit the store even if SHACL finds violations."
)


@import_group.command("twin-cities-csv")
@_IMPORT_PATH
@_REPORT_OPTION
@_IMPORT_VIOLATIONS
@_VALIDATOR_OPTION
@_WAIT_OPTION
@click.pass_obj
def import_twin_cities_command(
    settings: Settings,
    path: Path,
    report_path: Path | None,
    allow_violations: bool,
    validator: Validator,
    wait: float,
) -> None:
    """Import Wikipedia's twin towns and sister cities (twin_cities.csv or _raw.csv)."""
    from paradiplo.importers.twin_cities import import_csv

    _import(settings, lambda root: import_csv(path, root, progress=True), report_path,
            allow_violations, validator, wait)  # fmt: skip


@import_group.command("wikidata-gexf")
@_IMPORT_PATH
@_REPORT_OPTION
@_IMPORT_VIOLATIONS
@_VALIDATOR_OPTION
@_WAIT_OPTION
@click.pass_obj
def import_wikidata_command(
    settings: Settings,
    path: Path,
    report_path: Path | None,
    allow_violations: bool,
    validator: Validator,
    wait: float,
) -> None:
    """Import Wikidata's P190 (twinned administrative body) graph (sister_cities.gexf)."""
    from paradiplo.importers.wikidata_gexf import import_gexf

    _import(settings, lambda root: import_gexf(path, root, progress=True), report_path,
            allow_violations, validator, wait)  # fmt: skip


def _import(
    settings: Settings,
    read: Any,
    report_path: Path | None,
    allow_violations: bool,
    validator: Validator,
    wait: float = 0.0,
) -> None:
    """Reconcile a registry, print and save its report, then commit it with a build."""
    if settings.remote is not None:
        raise ParadiploError("import writes the embedded store: drop --store")
    with data_dir_lock(settings.data_dir, wait):  # fail before minutes of reconciling
        _import_locked(settings, read, report_path, allow_violations, validator, wait)


def _import_locked(
    settings: Settings,
    read: Any,
    report_path: Path | None,
    allow_violations: bool,
    validator: Validator,
    wait: float,
) -> None:
    """``_import`` once the data directory is ours."""
    from paradiplo.importers import registry_import

    console = _stderr()
    imported = read(find_root(settings.root))
    report = imported.report
    for line in report.summary_lines():
        console.print(line, markup=False, soft_wrap=True)
    if report_path is not None:
        report.write_json(report_path)
    try:
        with steps("build", total=len(BUILD_PHASES), console=console) as bar:
            result = registry_import.commit(
                imported,
                settings.data_dir,
                settings.root,
                allow_violations=allow_violations,
                on_phase=bar.step,
                validator=validator,
                wait=wait,
            )
    except ViolationsError as exc:
        console.print(exc.report.render_text(), markup=False, soft_wrap=True)
        raise
    report.seconds.update(result.seconds)
    if report_path is not None:
        report.write_json(report_path)
        console.print(f"report written to {report_path}", markup=False)
    console.print(_summary(result), markup=False, soft_wrap=True)


for _command in cli.commands.values():
    add_global_options(_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="paradiplo")
