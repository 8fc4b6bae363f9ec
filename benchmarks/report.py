"""Time ``paradiplo report`` at world scale: seconds per step and the size of the page.

Generates a synthetic world of ties with ``benchmarks/generate.py`` (unless ``--root``
names an existing content root), builds it (unless ``--data-dir`` already holds a build),
then writes the report for each scope and prints one line per scope:

    python benchmarks/report.py --triples 480000 --work /tmp/bench-report   # ~30k ties

Nothing here asserts a time: the figures are for the README and for spotting regressions.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate as generate_world

from paradiplo.build import build
from paradiplo.report.generate import generate
from paradiplo.report.scope import SCOPE_NAMES, get_scope
from paradiplo.store import DataDir


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=480_000, help="synthetic quads")
    parser.add_argument("--work", type=Path, required=True, help="working directory")
    parser.add_argument("--root", type=Path, help="existing content root (skip generating)")
    parser.add_argument("--data-dir", type=Path, help="existing data directory (skip building)")
    parser.add_argument("--scope", choices=SCOPE_NAMES, action="append")
    parser.add_argument("--max-lines", type=int, default=2000)
    args = parser.parse_args(argv)

    data_dir = args.data_dir or args.work / "store"
    if args.data_dir is None:
        root = args.root or args.work / "content"
        if args.root is None:
            print(f"generate: {generate_world(root, args.triples)}")
        start = time.perf_counter()
        build(data_dir, root, allow_violations=True)
        print(f"build: {time.perf_counter() - start:.1f}s")
    with DataDir(data_dir).open() as store:
        for name in args.scope or ["all"]:
            start, cpu = time.perf_counter(), time.process_time()
            result = generate(
                store, args.work / f"report-{name}", get_scope(name), max_lines=args.max_lines
            )
            total, cpu = time.perf_counter() - start, time.process_time() - cpu
            steps = ", ".join(f"{step} {s:.2f}s" for step, s in result.seconds.items())
            size = result.html.stat().st_size / 1e6
            print(
                f"{name}: {result.ties} ties, {result.places} places, {result.lines_drawn} lines; "
                f"{total:.1f}s wall, {cpu:.1f}s CPU ({steps}); index.html {size:.1f} MB"
            )


if __name__ == "__main__":
    main()
