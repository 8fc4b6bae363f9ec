"""Progress bars for long commands (build, report, import, export), on stderr.

One helper so every command shows progress the same way: a spinner, the current step,
a bar with done/total and the elapsed time. Two shapes cover the commands:

* named steps (``build``: load, reason, validate, store; ``report``: query, measures,
  figures...): ``with steps("report", total=6) as bar: bar.step("query ties")``;
* counted items (importers reading rows, exporters writing graphs):
  ``for row in track(rows, "import rows", total=n): ...``.

On a terminal the bar updates live; when stderr is not a terminal (pipes, CI, tests)
rich draws nothing until the end and then prints the final state once, so logs stay
short. ``enabled=False`` turns everything off (e.g. for ``--quiet`` or library use).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

T = TypeVar("T")


def stderr_console() -> Console:
    """The console progress goes to: stderr, so stdout stays pipeable."""
    return Console(stderr=True, highlight=False)


def _progress(console: Console | None) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[step]}"),
        TimeElapsedColumn(),
        console=console or stderr_console(),
    )


class Steps:
    """A bar over named steps; ``step(name)`` finishes the previous step and starts ``name``.

    ``step`` has the signature of the ``on_phase`` callbacks of ``build.build`` and
    ``build.check``, so it can be passed to them directly.
    """

    def __init__(self, progress: Progress | None, task: TaskID | None) -> None:
        self._progress = progress
        self._task = task
        self._started = False
        self.names: list[str] = []

    def step(self, name: str) -> None:
        """Mark the running step done and show ``name`` as the running one."""
        self.names.append(name)
        if self._progress is None or self._task is None:
            return
        if self._started:
            self._progress.advance(self._task)
        self._started = True
        self._progress.update(self._task, step=name)

    def finish(self) -> None:
        """Mark the last step done and fill the bar."""
        if self._progress is None or self._task is None:
            return
        task = self._progress.tasks[self._task]
        total = task.total if task.total is not None else task.completed + 1
        self._progress.update(self._task, completed=total, total=total, step="done")


@contextmanager
def steps(
    description: str,
    total: int | None = None,
    *,
    console: Console | None = None,
    enabled: bool = True,
) -> Iterator[Steps]:
    """A progress bar over ``total`` named steps, finished when the block ends normally."""
    if not enabled:
        yield Steps(None, None)
        return
    with _progress(console) as progress:
        task = progress.add_task(description, total=total, step="")
        bar = Steps(progress, task)
        yield bar
        bar.finish()


def track(
    items: Iterable[T],
    description: str,
    total: int | None = None,
    *,
    console: Console | None = None,
    enabled: bool = True,
) -> Iterator[T]:
    """Yield ``items`` while a bar counts them (``total`` from ``len`` when it has one)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    if not enabled:
        yield from items
        return
    with _progress(console) as progress:
        task = progress.add_task(description, total=total, step="")
        for item in items:
            yield item
            progress.advance(task)
