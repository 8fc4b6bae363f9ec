"""Benchmark paradiplo against the plain rdflib + owlrl + pyshacl pipeline, side by side.

    python benchmarks/run.py                      # every workload, writes benchmarks/results.md
    python benchmarks/run.py --workloads W1 W2    # a subset
    python benchmarks/run.py --cap 600 --out /tmp/bench

Each pipeline runs in a child process of its own, so its peak memory (``ru_maxrss``) is
its own; the child reports its timings as JSON lines, so a phase that outlives the time cap
is recorded as "> cap" and the child is killed. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (benchmarks/generate.py, next to this file)

SHARED = REPO.parent / "shared" / "data"
TWIN_CITIES = SHARED / "wikipedia-twin-cities" / "twin_cities.csv"
WIKIDATA = SHARED / "wikidata-sister-cities" / "sister_cities.gexf"
W2_STAND_IN = 500_000  # synthetic quads standing in for both registries
QUERY_RUNS = 5
CLIENTS = 8
THROUGHPUT_SECONDS = 10.0
LOOKUP = (
    "SELECT ?label WHERE { <https://w3id.org/paradiplo/id/city/cn-harbin> "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label }"
)
PHASES = ("load", "reason", "validate", "store", "build")
PLAIN_PHASES = ("load", "reason", "validate", "build")
QUERY_BUDGET = 600.0  # seconds for all query-pack queries of the plain pipeline
PLAIN_QUERY_CAP = 10.0  # seconds for one plain query: a slower one is stopped, "> cap"
OURS_QUERY_BUDGET = 600.0  # the same for paradiplo

# --- the child processes -----------------------------------------------------------------


def _emit(key: str, value: object) -> None:
    print(json.dumps({key: value}), flush=True)


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _query_files(root: Path) -> list[Path]:
    return sorted((root / "queries").glob("*/*.rq"))


def _median_ms(run: Callable[[], object]) -> float | str:
    """Median of QUERY_RUNS runs; a query slower than 5 s is run once only."""
    times = []
    for _ in range(QUERY_RUNS):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
        if times[0] > 5000:
            return f"{times[0]:.0f} (1 run)"
    return round(statistics.median(times), 2)


class _Stopped(Exception):
    """The query ran past its cap (raised by SIGALRM inside rdflib's Python code)."""


def _capped(run: Callable[[], object], cap: float) -> float | str:
    """``_median_ms`` with each run stopped after ``cap`` seconds (rdflib is pure Python,
    so an alarm can interrupt it): one slow query does not eat the whole budget."""

    def stop(signum: int, frame: object) -> None:
        raise _Stopped

    def one_run() -> object:
        signal.setitimer(signal.ITIMER_REAL, cap)
        try:
            return run()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    previous = signal.signal(signal.SIGALRM, stop)
    try:
        return _median_ms(one_run)
    except _Stopped:
        return f"> {cap * 1000:g} ms (stopped)"  # ms, like the other query cells
    finally:
        signal.signal(signal.SIGALRM, previous)


def child_ours(root: Path, data_dir: Path) -> None:
    """paradiplo's pipeline: build (load, reason, validate, store), then the query packs."""
    from paradiplo.build import build
    from paradiplo.query import run_query
    from paradiplo.store import DataDir

    start = time.perf_counter()
    result = build(data_dir, root, allow_violations=True)
    _emit("build", round(time.perf_counter() - start, 3))
    for phase, seconds in result.seconds.items():
        _emit(phase, seconds)
    _emit("violations", len(result.report.violations))
    _emit("quads", sum(result.quads.values()))
    deadline = time.monotonic() + OURS_QUERY_BUDGET
    with DataDir(data_dir).open() as store:
        for path in _query_files(root):
            if time.monotonic() > deadline:
                _emit(f"query:{path.parent.name}/{path.name}", "not run (query budget)")
                continue
            text = path.read_text(encoding="utf-8")
            try:
                _emit(
                    f"query:{path.parent.name}/{path.name}",
                    _median_ms(lambda text=text: run_query(store, text)),
                )
            except Exception as exc:  # a broken pack query is reported, not fatal
                _emit(f"query:{path.parent.name}/{path.name}", f"error: {exc}")
    _emit("rss_mb", _peak_mb())


def child_plain(root: Path, extra: list[Path], skip: list[str]) -> None:
    """What a user would write: rdflib parse, owlrl closure, pyshacl, rdflib SPARQL."""
    from owlrl import DeductiveClosure, OWLRL_Semantics
    from pyshacl import validate
    from rdflib import Dataset, Graph, URIRef

    from paradiplo.namespaces import PREFIXES

    total = time.perf_counter()
    start = time.perf_counter()
    dataset, shapes = Dataset(), Graph()
    for path in sorted((root / "shapes").glob("*.ttl")):
        shapes.parse(path, format="turtle")
    files = [*sorted((root / "ontology").glob("*.ttl")), *sorted((root / "data").rglob("*"))]
    for path in [*files, *extra]:
        fmt = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".nt": "nt"}.get(path.suffix)
        if fmt in ("turtle", "nt"):
            dataset.graph(path.as_uri()).parse(path, format=fmt)
        elif fmt:
            dataset.parse(path, format=fmt)
    graph = Graph()
    for s, p, o, _ in dataset.quads():
        graph.add((s, p, o))
    _emit("load", round(time.perf_counter() - start, 3))
    if "reason" not in skip:
        start = time.perf_counter()
        DeductiveClosure(OWLRL_Semantics).expand(graph)
        _emit("reason", round(time.perf_counter() - start, 3))
    if "validate" not in skip:
        start = time.perf_counter()
        validate(graph, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
        _emit("validate", round(time.perf_counter() - start, 3))
    if "reason" not in skip and "validate" not in skip:
        _emit("build", round(time.perf_counter() - total, 3))
    if "queries" not in skip:
        # The packs query named graphs (GRAPH ?g) and the merged default graph, so the
        # plain pipeline queries the Dataset with its union as default graph, the closure
        # added as one more graph, and the project's prefixes, as a user would set up.
        dataset.default_union = True  # before the test below, which then sees every graph
        entailed = dataset.graph(URIRef("urn:x-plain:closure"))
        for triple in graph:
            if triple not in dataset:
                entailed.add(triple)
        deadline = time.monotonic() + QUERY_BUDGET
        for path in _query_files(root):
            if time.monotonic() > deadline:
                _emit(f"query:{path.parent.name}/{path.name}", "not run (query budget)")
                continue
            # PREFIX lines for the prefixes the text mentions, not all of them: rdflib keeps
            # one prefix per namespace, so declaring ``assertion:`` after ``pda:`` (the same
            # IRI) loses ``pda:``.
            text = path.read_text(encoding="utf-8")
            text = (
                "".join(
                    f"PREFIX {name}: <{iri}>\n"
                    for name, iri in PREFIXES.items()
                    if re.search(rf"(?<![\w-]){re.escape(name)}:", text)
                )
                + text
            )
            try:
                _emit(
                    f"query:{path.parent.name}/{path.name}",
                    _capped(lambda text=text: list(dataset.query(text)), PLAIN_QUERY_CAP),
                )
            except Exception as exc:
                _emit(f"query:{path.parent.name}/{path.name}", f"error: {exc}")
    _emit("rss_mb", _peak_mb())


# --- the parent: running children with a time cap --------------------------------------


@dataclass
class Outcome:
    """What one pipeline reported on one workload; a value is seconds, ms or a note."""

    values: dict[str, Any] = field(default_factory=dict)
    capped: str | None = None  # the phase that exceeded the cap


def run_child(args: list[str], cap: float, phases: tuple[str, ...]) -> Outcome:
    """Run a child, reading its JSON lines; kill it when one phase outlives ``cap``."""
    outcome = Outcome()
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child", *args],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")))
    reader.start()
    last, seen = time.monotonic(), 0
    while process.poll() is None:
        time.sleep(0.5)
        if len(lines) > seen:
            seen, last = len(lines), time.monotonic()
        if time.monotonic() - last > cap:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            break
    reader.join()
    for line in lines:
        outcome.values.update(json.loads(line))
    if process.returncode not in (0, None) and process.returncode != -signal.SIGKILL:
        outcome.values["error"] = f"exit {process.returncode}"
    if process.returncode == -signal.SIGKILL:
        outcome.capped = next((p for p in phases if p not in outcome.values), "queries")
    return outcome


# --- workloads --------------------------------------------------------------------------


@dataclass
class Workload:
    name: str
    root: Path
    extra: list[Path]  # files the plain pipeline loads besides the content root
    note: str
    data_dir: Path


def _import_registries(data_dir: Path) -> tuple[bool, str]:
    """Run the registry importers into ``data_dir`` if the command exists."""
    commands = [
        ["import", "twin-cities-csv", "--allow-violations", str(TWIN_CITIES)],
        ["import", "wikidata-gexf", "--allow-violations", str(WIKIDATA)],
    ]
    for command in commands:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "paradiplo",
                "--data-dir",
                str(data_dir),
                "--root",
                str(REPO),
                *command,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            return False, (done.stderr.strip().splitlines() or ["failed"])[-1]
    return True, "both registries imported with `paradiplo import`"


def workloads(out: Path, names: list[str]) -> Iterator[Workload]:
    if "W1" in names:
        yield Workload("W1", REPO, [], "the repository's content", out / "w1-data")
    if "W2" in names:
        data_dir = out / "w2-data"
        shutil.rmtree(data_dir, ignore_errors=True)
        imported, why = _import_registries(data_dir)
        if imported:
            extra = sorted((data_dir / "imports").glob("*.nq"))
            yield Workload("W2", REPO, extra, why, data_dir)
        else:
            root = out / "w2"
            sizes = generate.generate(root, W2_STAND_IN)
            note = (
                f"STAND-IN: the registry importers were not available ({why}); W1 plus "
                f"{W2_STAND_IN:,} generated quads ({sizes.records:,} registry records, "
                f"{sizes.cities:,} cities) in the registries' shape"
            )
            yield Workload("W2", root, [], note, data_dir)
    for name, triples in (("W3-1M", 1_000_000), ("W3-10M", 10_000_000)):
        if name in names:
            root = out / name.lower()
            sizes = generate.generate(root, triples)
            note = f"W1 plus {triples:,} generated quads ({sizes.records:,} records, {sizes.cities:,} cities, {sizes.figures:,} figures)"  # noqa: E501
            yield Workload(name, root, [], note, out / f"{name.lower()}-data")


# --- endpoint throughput ----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_command(data_dir: Path, port: int) -> list[str] | None:
    probe = subprocess.run(
        [sys.executable, "-m", "paradiplo", "serve", "--help"], capture_output=True, text=True
    )
    if probe.returncode == 0 and "--port" in probe.stdout:
        return [
            sys.executable,
            "-m",
            "paradiplo",
            "--data-dir",
            str(data_dir),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
    code = (
        "import sys; from pathlib import Path; from paradiplo.server import ServerConfig, serve; "
        "serve(ServerConfig(data_dir=Path(sys.argv[1])), '127.0.0.1', int(sys.argv[2]), 'warning')"
    )
    probe = subprocess.run([sys.executable, "-c", "import paradiplo.server"], capture_output=True)
    if probe.returncode == 0:
        return [sys.executable, "-c", code, str(data_dir), str(port)]
    return None


def throughput(data_dir: Path) -> tuple[str, str]:
    """Simple lookups per second at 8 concurrent clients over loopback, and how it ran."""
    port = _free_port()
    command = _server_command(data_dir, port)
    if command is None:
        return "not available yet", "no server in the package"
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": LOOKUP})
    try:
        if not _wait_for(url, 60):
            return "not available yet", "server did not answer within 60 s"
        count, errors = _hammer(url)
        return f"{count / THROUGHPUT_SECONDS:.0f}", f"{errors} errors" if errors else ""
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _get(url: str) -> bool:
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status == 200 and b"bindings" in response.read()


def _wait_for(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if _get(url):
                return True
        except OSError:
            time.sleep(0.5)
    return False


def _hammer(url: str) -> tuple[int, int]:
    """CLIENTS threads send lookups for THROUGHPUT_SECONDS; count the good answers."""
    deadline = time.monotonic() + THROUGHPUT_SECONDS
    counts, errors = [0] * CLIENTS, [0] * CLIENTS

    def client(i: int) -> None:
        while time.monotonic() < deadline:
            try:
                counts[i] += _get(url)
            except OSError:
                errors[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts), sum(errors)


# --- results ----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    import importlib.metadata as md

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    versions = ", ".join(
        f"{name} {md.version(name)}"
        for name in ("paradiplo", "pyoxigraph", "rdflib", "owlrl", "pyshacl")
    )
    return {
        "cores": str(os.cpu_count()),
        "ram": f"{int(mem) / 1024 / 1024:.1f} GiB",
        "cpu": cpu,
        "python": platform.python_version(),
        "libraries": versions,
        "os": platform.platform(),
    }


def _cell(outcome: Outcome | None, key: str, cap: float, note: str = "") -> str:
    if outcome is None:
        return note or "not run"
    value = outcome.values.get(key)
    if value is None:
        if outcome.capped and (
            outcome.capped == key or key == "build" or _after(outcome.capped, key)
        ):
            return (
                f"> cap ({cap:.0f} s)"
                if outcome.capped == key or key == "build"
                else "not run (cap)"
            )
        return note or "—"
    return str(value)


def _after(capped: str, key: str) -> bool:
    order = ["load", "reason", "validate", "build", "queries"]
    position = order.index(key) if key in order else len(order)
    return position > order.index(capped) if capped in order else False


def _ratio(ours: str, plain: str) -> str:
    """plain / ours; "> N" when plain was stopped at a cap; "—" when either is missing."""
    mine, theirs = _measured(ours), _measured(plain)
    if mine is not None and theirs is not None:
        return f"{theirs / mine:.0f}x"
    # "> cap (300 s)" for a phase, "> 10000 ms (stopped)" for a query: same unit as ours
    capped = re.match(r">\s*(?:cap \()?([\d.]+) m?s\b", plain)
    if capped and mine is not None and float(capped.group(1)) >= mine:
        return f"> {float(capped.group(1)) / mine:.0f}x"
    return "—"  # missing, or plain stopped sooner than ours finished: no bound either way


def _measured(cell: str) -> float | None:
    """The number of a cell such as "12.5" or "15543 (1 run)"; None for notes."""
    number = re.fullmatch(r"([\d.]+)(?: \(1 run\))?", cell.strip())
    return float(number.group(1)) if number and float(number.group(1)) > 0 else None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


ORDER = ("W1", "W2", "W3-1M", "W3-10M")


def render(results: list[dict[str, Any]], info: dict[str, str], cap: float) -> str:
    results = sorted(results, key=lambda r: ORDER.index(r["name"]) if r["name"] in ORDER else 9)
    lines = [
        "# Benchmark results",
        "",
        "Generated by `python benchmarks/run.py` (see `benchmarks/README.md`); do not edit.",
        "",
        "## Machine",
        "",
        *(f"- {k}: {v}" for k, v in info.items()),
        f"- time cap per phase of the plain pipeline: {cap:.0f} s",
        "",
    ]
    for r in results:
        ours, plain = r["ours"], r["plain"]
        lines += [f"## {r['name']}", "", r["note"], ""]
        if plain is not None and plain.values.get("note"):
            lines += [f"Plain pipeline: {plain.values['note']}.", ""]
        if ours and "quads" in ours.values:
            lines += [
                f"Quads in the built store's named graphs: {ours.values['quads']:,}; "
                f"SHACL violations: {ours.values.get('violations')}.",
                "",
            ]
        lines += [
            "| measure | paradiplo | plain (rdflib + owlrl + pyshacl) | ratio |",
            "|---|---|---|---|",
        ]
        for key, label in (
            ("load", "load (s)"),
            ("reason", "reasoning (s)"),
            ("validate", "validation (s)"),
            ("store", "store write (s)"),
            ("build", "whole build (s)"),
        ):
            a = _cell(ours, key, cap)
            b = "—" if key == "store" else _cell(plain, key, cap, r.get("plain_note", ""))
            lines.append(f"| {label} | {a} | {b} | {_ratio(a, b) if key != 'store' else ''} |")
        lines.append(
            f"| peak RSS (MB) | {_cell(ours, 'rss_mb', cap)} | "
            f"{_cell(plain, 'rss_mb', cap, r.get('plain_note', ''))} | |"
        )
        lines.append(
            f"| endpoint, simple lookups/s at {CLIENTS} clients | {r['throughput']} "
            "| n/a (no endpoint) | |"
        )
        queries = sorted(k for k in (ours.values if ours else {}) if k.startswith("query:"))
        if queries:
            lines += [
                "",
                "Query packs, median ms over 5 runs:",
                "",
                "| query | paradiplo | plain | ratio |",
                "|---|---|---|---|",
            ]
            for key in queries:
                a = _cell(ours, key, cap)
                b = (
                    _cell(plain, key, cap, r.get("plain_note", ""))
                    if plain
                    else r.get("plain_note", "not run")
                )
                lines.append(f"| {key.removeprefix('query:')} | {a} | {b} | {_ratio(a, b)} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", nargs="+", default=["W1", "W2", "W3-1M", "W3-10M"])
    parser.add_argument("--cap", type=float, default=600.0, help="seconds per plain phase")
    parser.add_argument("--out", type=Path, default=Path("/tmp/paradiplo-bench"))
    parser.add_argument("--results", type=Path, default=HERE / "results.json")
    parser.add_argument(
        "--keep", action="store_true", help="keep the other workloads' results from --results"
    )
    parser.add_argument(
        "--render", action="store_true", help="only rewrite results.md from --results"
    )
    parser.add_argument("--child", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child)
        return
    info = machine()
    if args.render:
        kept = _kept(args.results, [])
        write_results(HERE / "results.md", render(kept, info, args.cap) + _targets(kept, args.cap))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = _kept(args.results, args.workloads) if args.keep else []
    exceeded: dict[str, str] = {}  # plain phase -> workload where it exceeded the cap
    for r in results:
        for phase in ("reason", "validate"):
            if r["plain"] is not None and r["plain"].capped == phase:
                exceeded.setdefault(phase, r["name"])
    for w in workloads(args.out, args.workloads):
        print(f"== {w.name}: {w.note}", flush=True)
        shutil.rmtree(w.data_dir / "builds", ignore_errors=True)
        ours = run_child(["ours", str(w.root), str(w.data_dir)], 3600, PHASES)
        print(f"   paradiplo: {ours.values}", flush=True)
        rate, how = throughput(w.data_dir)
        print(f"   endpoint: {rate} {how}", flush=True)
        plain, plain_note = None, ""
        if w.name == "W3-10M":
            plain_note = "not run (cap)"
        else:
            skip = [p for p in ("reason", "validate") if p in exceeded]
            if skip:
                plain_note = f"not run: exceeded the cap on {exceeded[skip[0]]}"
            extra = [str(p) for p in w.extra]
            plain = run_child(
                ["plain", str(w.root), ",".join(skip), *extra], args.cap, PLAIN_PHASES
            )
            if plain.capped:
                exceeded.setdefault(plain.capped, w.name)
            if plain.capped == "reason" or "reason" in skip:
                _validate_without_closure(plain, w, skip, args.cap, exceeded)
            for phase in skip:
                plain.values.setdefault(phase, f"> cap (on {exceeded[phase]})")
            print(f"   plain: {plain.values} capped={plain.capped}", flush=True)
        results.append(
            {
                "name": w.name,
                "note": w.note,
                "ours": ours,
                "plain": plain,
                "plain_note": plain_note,
                "throughput": f"{rate} {how}".strip(),
            }
        )
        write_results(
            HERE / "results.md", render(results, info, args.cap) + _targets(results, args.cap)
        )
        args.results.write_text(
            json.dumps(
                [
                    {
                        **r,
                        "ours": r["ours"].values,
                        "ours_capped": r["ours"].capped,
                        "plain": r["plain"].values if r["plain"] else None,
                        "plain_capped": r["plain"].capped if r["plain"] else None,
                    }
                    for r in results
                ],
                indent=1,
            )
        )


BEGIN, END = "<!-- benchmarks/run.py: begin -->", "<!-- benchmarks/run.py: end -->"


def write_results(path: Path, text: str) -> None:
    """Put ``text`` between this script's markers in ``path``, keeping the rest of the file.

    Other scripts (benchmarks/load.py) append their own sections to the same file.
    """
    block = f"{BEGIN}\n{text.rstrip()}\n{END}\n"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in old and END in old:
        rest = old[old.index(END) + len(END) :].lstrip("\n")
        new = old[: old.index(BEGIN)] + block + ("\n" + rest if rest else "")
    else:
        new = block + ("\n" + old if old else "")
    path.write_text(new, encoding="utf-8")


def _validate_without_closure(
    plain: Outcome, w: Workload, skip: list[str], cap: float, exceeded: dict[str, str]
) -> None:
    """owlrl did not finish: time pyshacl (and the queries) on the asserted data instead.

    That graph is smaller than the closure pyshacl would get, so the figure is a lower bound
    of the plain pipeline's validation time.
    """
    if "validate" in skip:
        return
    phases = ("load", "validate", "build")
    extra = [str(p) for p in w.extra]
    second = run_child(["plain", str(w.root), ",".join({*skip, "reason"}), *extra], cap, phases)
    for key, value in second.values.items():
        if key == "validate" or key.startswith("query:") or key == "rss_mb":
            plain.values[key] = value
    if second.capped == "validate":
        exceeded.setdefault("validate", w.name)
        plain.values["validate"] = f"> cap ({cap:.0f} s)"
        # pyshacl was stopped before the queries: run them on their own
        third = run_child(["plain", str(w.root), "reason,validate", *extra], cap, ("load",))
        plain.values.update((k, v) for k, v in third.values.items() if k.startswith("query:"))
    plain.values["note"] = (
        "owlrl exceeded the cap, so pyshacl and the queries ran on the asserted data "
        "without the closure (a lower bound for the plain pipeline)"
    )


def _kept(path: Path, rerun: list[str]) -> list[dict[str, Any]]:
    """Earlier results (from results.json) of the workloads not run again."""
    if not path.exists():
        return []
    kept = []
    for r in json.loads(path.read_text()):
        if r["name"] in rerun:
            continue
        ours = Outcome(r["ours"], r.get("ours_capped"))
        plain = None if r["plain"] is None else Outcome(r["plain"], r.get("plain_capped"))
        kept.append({**r, "ours": ours, "plain": plain})
    return kept


def _child(argv: list[str]) -> None:
    kind, root = argv[0], Path(argv[1])
    if kind == "ours":
        child_ours(root, Path(argv[2]))
    else:
        skip = [s for s in argv[2].split(",") if s]
        child_plain(root, [Path(p) for p in argv[3:]], skip)


# --- targets ----------------------------------------------------------------------------


def _number(outcome: Outcome | None, key: str) -> float | None:
    if outcome is None:
        return None
    value = outcome.values.get(key)
    return float(value) if isinstance(value, int | float) else None


def _targets(results: list[dict[str, Any]], cap: float) -> str:
    by = {r["name"]: r for r in results}
    rows = []

    def add(target: str, measured: str, met: bool | None) -> None:
        verdict = "not measured" if met is None else ("met" if met else "missed")
        rows.append(f"| {target} | {measured} | {verdict} |")

    def speedup(w: dict[str, Any], key: str, factor: int) -> None:
        target = f"{key} ≥ {factor}x faster than the plain pipeline on W2"
        ours, plain = _number(w["ours"], key), _number(w["plain"], key)
        capped = w["plain"] is not None and (
            w["plain"].capped == key or str(w["plain"].values.get(key, "")).startswith(">")
        )
        if ours and plain:
            add(target, f"{plain / ours:.0f}x ({plain} s vs {ours} s)", plain / ours >= factor)
        elif ours and capped:
            bound = cap / ours
            add(
                target,
                f"> {bound:.0f}x (plain > {cap:.0f} s cap, ours {ours} s)",
                True if bound >= factor else None,
            )
        else:
            add(target, "—", None)

    w2, w3 = by.get("W2"), by.get("W3-1M")
    if w2:
        build = _number(w2["ours"], "build")
        add("W2 full build ≤ 20 s", f"{build} s", None if build is None else build <= 20)
        speedup(w2, "reason", 100)
        speedup(w2, "validate", 20)
    if w3:
        build = _number(w3["ours"], "build")
        add("W3-1M build ≤ 60 s", f"{build} s", None if build is None else build <= 60)
        times = {
            k.removeprefix("query:"): t
            for k, v in w3["ours"].values.items()
            if k.startswith("query:") and (t := _measured(str(v))) is not None
        }
        if times:
            slowest = max(times, key=lambda k: times[k])
            over = sum(t > 50 for t in times.values())
            add(
                "W3-1M every query-pack query ≤ 50 ms median",
                f"{over} of {len(times)} over 50 ms; slowest {slowest} {times[slowest]:.0f} ms",
                over == 0,
            )
        rss = _number(w3["ours"], "rss_mb")
        add("memory ≤ 2 GB at W3-1M", f"{rss} MB", None if rss is None else rss <= 2048)
    rates = [r["throughput"].split()[0] for r in results if _is_number(r["throughput"].split()[0])]
    if rates:
        best = max(float(x) for x in rates)
        add("endpoint ≥ 300 simple queries/s", f"{best:.0f}/s", best >= 300)
    return (
        "\n## Targets\n\n| target | measured | verdict |\n|---|---|---|\n" + "\n".join(rows) + "\n"
    )


if __name__ == "__main__":
    main()
