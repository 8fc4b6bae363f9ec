"""Build the graph: find files -> load -> reason -> validate -> commit a new store.

Each phase either succeeds for the whole content or fails with every problem it found, and
nothing is committed until all phases have passed, so a failed build leaves the current
store exactly as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from paradiplo import __version__
from paradiplo.content import Content, ContentFile, Kind, Syntax, discover, find_root
from paradiplo.derivation import Derivations, derivations
from paradiplo.errors import ParadiploError
from paradiplo.judgement import judged_quads
from paradiplo.load import LoadedFile, load_all
from paradiplo.locking import data_dir_lock
from paradiplo.reason import infer_closure
from paradiplo.store import DataDir
from paradiplo.validate import ValidationReport, Validator, origins_of, validate

PhaseCallback = Callable[[str], None]

LOAD, REASON, DERIVE, VALIDATE, JUDGE, STORE = (
    "load",
    "reason",
    "derive",
    "validate",
    "judge",
    "store",
)


class ViolationsError(ParadiploError):
    """SHACL found violations; the build is refused and the report explains why."""

    def __init__(self, report: ValidationReport) -> None:
        super().__init__(f"{report.summary()}: build refused (see report; --allow-violations)")
        self.report = report


@dataclass
class BuildResult:
    """What a build (or a check) did: counts per graph kind and seconds per phase."""

    root: Path
    files: int
    quads: dict[str, int]
    inferred: int
    report: ValidationReport
    seconds: dict[str, float] = field(default_factory=dict)
    build_dir: Path | None = None

    @property
    def committed(self) -> bool:
        return self.build_dir is not None


@dataclass
class _Prepared:
    content: Content
    loaded: list[LoadedFile]
    inferred: list[ox.Quad]
    derived: Derivations
    report: ValidationReport
    seconds: dict[str, float]
    imports: tuple[ContentFile, ...] = ()
    judged: list[ox.Quad] = field(default_factory=list)

    def quads(self) -> Iterator[ox.Quad]:
        for loaded in self.loaded:
            yield from loaded.quads
        yield from self.inferred
        yield from self.derived.quads
        yield from self.judged

    def counts(self) -> dict[str, int]:
        counts = {kind.value: 0 for kind in Kind}
        for loaded in self.loaded:
            counts[loaded.file.kind.value] += len(loaded.quads)
        counts["inferred"] = len(self.inferred)
        counts["derivation"] = len(self.derived.quads)
        counts["judged"] = len(self.judged)
        return counts


IMPORTS_DIR = "imports"


def import_file(path: Path, rel: str) -> ContentFile:
    """An imported registry (N-Quads, its own named graphs) as a data file of the build."""
    return ContentFile(path, rel, Kind.DATA, Syntax.NQUADS, None)


def import_files(data_dir: Path) -> list[ContentFile]:
    """The registries imported into a data directory: ``<data-dir>/imports/*.nq``, sorted.

    ``paradiplo import`` writes them; every build loads them with the content so that
    reasoning and SHACL validation cover imported data too.
    """
    directory = data_dir / IMPORTS_DIR
    if not directory.is_dir():
        return []
    paths = sorted(p for p in directory.glob("*.nq") if p.is_file())
    return [import_file(p, f"{IMPORTS_DIR}/{p.name}") for p in paths]


@contextmanager
def _phase(name: str, seconds: dict[str, float], on_phase: PhaseCallback | None) -> Iterator[None]:
    if on_phase is not None:
        on_phase(name)
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds[name] = round(time.perf_counter() - start, 3)


def _prepare(
    root: Path | None,
    on_phase: PhaseCallback | None,
    imports: Sequence[ContentFile] = (),
    validator: Validator = "fast",
    derive: bool = True,
) -> _Prepared:
    """Load, reason, validate and (``derive``) trace derivations, touching no store."""
    seconds: dict[str, float] = {}
    content = discover(find_root(root))
    with _phase(LOAD, seconds, on_phase):
        loaded = load_all([*content.files, *imports])
    by_kind = {kind: [q for f in loaded if f.file.kind is kind for q in f.quads] for kind in Kind}
    with _phase(REASON, seconds, on_phase):
        # new triples that are shape triples stay out (the shapes graph holds them)
        inference = infer_closure(by_kind[Kind.ONTOLOGY], by_kind[Kind.DATA], by_kind[Kind.SHAPES])
        inferred = inference.quads
    with _phase(VALIDATE, seconds, on_phase):
        report = validate(
            [*by_kind[Kind.DATA], *inferred],
            shapes=by_kind[Kind.SHAPES],
            ontology=by_kind[Kind.ONTOLOGY],
            origins=origins_of(loaded),
            validator=validator,
            closure=inference.closure,
        )
    del inference  # the closure is only needed for validation
    derived = Derivations([], 0, 0)
    if derive:
        with _phase(DERIVE, seconds, on_phase):
            # which graphs each inferred triple rests on (derivation.py); not validated:
            # the triples are those of pdg:inferred, the self-descriptions the build's own
            derived = derivations(by_kind[Kind.ONTOLOGY], by_kind[Kind.DATA], inferred)
    return _Prepared(content, loaded, inferred, derived, report, seconds, tuple(imports))


def _judge(prepared: _Prepared, on_phase: PhaseCallback | None) -> None:
    """Verdicts and disagreements (pdg:verdicts, pdg:disagreements) from this content."""
    with _phase(JUDGE, prepared.seconds, on_phase):
        prepared.judged = judged_quads(prepared.quads(), prepared.content.root)


def check(
    root: Path | None = None,
    on_phase: PhaseCallback | None = None,
    validator: Validator = "fast",
) -> BuildResult:
    """Load, reason and validate the content without building a store."""
    prepared = _prepare(root, on_phase, validator=validator, derive=False)
    return _result(prepared, build_dir=None)


def build(
    data_dir: Path,
    root: Path | None = None,
    *,
    allow_violations: bool = False,
    on_phase: PhaseCallback | None = None,
    imports: Sequence[ContentFile] | None = None,
    before_commit: Callable[[], None] | None = None,
    validator: Validator = "fast",
    wait: float = 0.0,
) -> BuildResult:
    """Build the content into a new store and make it current.

    Raises ``LoadErrors`` (syntax, ill-typed literals), ``ViolationsError`` (SHACL, unless
    ``allow_violations``) or ``StoreError``; in every case the current store is unchanged.
    ``imports`` are registries imported into the data directory (default: its
    ``imports/*.nq``); ``before_commit`` runs after the new store is written and before it
    becomes current (an importer puts its registry file in place there).

    The whole build holds the data directory's lock (``paradiplo.locking``): another build
    or import waits up to ``wait`` seconds for it, then fails with ``DataDirBusyError``.
    """
    with data_dir_lock(data_dir, wait):
        imported = import_files(data_dir) if imports is None else imports
        prepared = _prepare(root, on_phase, imported, validator)
        if not prepared.report.conforms and not allow_violations:
            raise ViolationsError(prepared.report)
        _judge(prepared, on_phase)
        area = DataDir(data_dir)
        with _phase(STORE, prepared.seconds, on_phase):
            build_dir = area.write(prepared.quads(), _metadata(prepared))
            try:
                if before_commit is not None:
                    before_commit()
                area.commit(build_dir)
            except BaseException:
                if not area.is_current(build_dir):
                    area.discard(build_dir)
                raise
    return _result(prepared, build_dir)


class BuildTarget(Protocol):
    """A store that takes a whole build at once, such as a remote SPARQL server."""

    def replace(self, quads: Iterable[ox.Quad], metadata: Mapping[str, Any]) -> None:
        """Make the store hold exactly ``quads`` as the project's graphs."""
        ...


def build_into(
    target: BuildTarget,
    root: Path | None = None,
    *,
    allow_violations: bool = False,
    on_phase: PhaseCallback | None = None,
    validator: Validator = "fast",
) -> BuildResult:
    """Build the content locally, then load it into ``target`` (``paradiplo build --store``).

    Loading, reasoning and validation run here first, so when they fail nothing is written.
    """
    prepared = _prepare(root, on_phase, validator=validator)
    if not prepared.report.conforms and not allow_violations:
        raise ViolationsError(prepared.report)
    _judge(prepared, on_phase)
    with _phase(STORE, prepared.seconds, on_phase):
        target.replace(prepared.quads(), _metadata(prepared))
    return _result(prepared, build_dir=None)


def _metadata(prepared: _Prepared) -> dict[str, object]:
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "paradiplo": __version__,
        "root": str(prepared.content.root),
        "files": [f.rel for f in (*prepared.content.files, *prepared.imports)],
        "quads": prepared.counts(),
        "conforms": prepared.report.conforms,
    }


def _result(prepared: _Prepared, build_dir: Path | None) -> BuildResult:
    return BuildResult(
        root=prepared.content.root,
        files=len(prepared.content.files) + len(prepared.imports),
        quads=prepared.counts(),
        inferred=len(prepared.inferred),
        report=prepared.report,
        seconds=prepared.seconds,
        build_dir=build_dir,
    )
