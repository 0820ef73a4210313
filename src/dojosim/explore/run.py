"""Run a sweep: plan its points, skip those already stored, compute the rest, stream them out."""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from dojosim.errors import SpecError
from dojosim.explore import backends
from dojosim.explore.columns import Columns, type_of
from dojosim.explore.outputs import Outputs, plan_outputs
from dojosim.explore.points import Plan, batches
from dojosim.explore.spec import CaseAxis, RangeAxis, SweepSpec, ValuesAxis, load_sweep
from dojosim.explore.store import MemoryStore, Store, format_of, open_store

#: Rows are written at least this often (s), so a kill loses at most this much work.
FLUSH_S = 1.0


@dataclass(frozen=True)
class SweepSummary:
    """What a run did: points in the sweep, computed now, already stored; ok and error rows."""

    name: str
    hash: str
    out: str | None
    format: str
    points: int
    computed: int
    skipped: int
    ok: int
    error: int
    elapsed_s: float
    points_per_s: float
    backend: str
    workers: int
    batch: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _axis_type(axis: Any) -> str:
    if isinstance(axis, CaseAxis):
        return "string"
    if isinstance(axis, RangeAxis):
        return "int64" if axis.integer else "float64"
    assert isinstance(axis, ValuesAxis)
    return type_of(list(axis.column))


def columns_of(spec: SweepSpec, outputs: Outputs, sample: dict[str, Any]) -> Columns:
    """The results table's columns: point, reference, axes, outputs, status, error."""
    cols: Columns = [("point", "int64")]
    if spec.references:
        cols.append(("reference", "string"))
    cols += [(c, _axis_type(a)) for c, a in zip(spec.axis_columns, spec.axes, strict=True)]
    cols += [(n, type_of([sample.get(n)])) for n in outputs.names]
    cols += [("status", "string"), ("error", "string")]
    return cols


def prepare(
    spec: SweepSpec, stored_outputs: tuple[str, ...] | None = None
) -> tuple[Plan, Outputs, Columns]:
    """The plan, outputs and columns of a sweep (checks the outputs against the base scenario)."""
    plan = Plan(spec)
    outputs, sample = plan_outputs(
        spec.base,
        stored_outputs or spec.outputs,
        spec.derive,
        spec.axis_columns,
        tuple(f"vars.{k}" for k in _var_names(spec)),
        spec.file,
    )
    return plan, outputs, columns_of(spec, outputs, sample)


def _var_names(spec: SweepSpec) -> list[str]:
    names = list(spec.vars)
    for axis in spec.axes:
        paths = [p for _, a in axis.cases for p in a] if isinstance(axis, CaseAxis) else [axis.path]
        names += [p.removeprefix("vars.") for p in paths if p.startswith("vars.")]
    names += [
        p.removeprefix("vars.") for _, a in spec.references for p in a if p.startswith("vars.")
    ]
    return list(dict.fromkeys(names))


def _meta(spec: SweepSpec, plan: Plan, columns: Columns) -> dict[str, Any]:
    from dojosim import __version__

    return {
        "name": spec.name,
        "hash": spec.hash,
        "points": len(plan),
        "spec": spec.raw,
        "columns": columns,
        "dojosim": __version__,
    }


def _batch_size(todo: int, workers: int) -> int:
    """Enough batches to keep every worker busy and the bar moving, at most 200 points each."""
    return max(1, min(200, math.ceil(todo / max(1, workers * 8))))


@dataclass(frozen=True)
class RunOptions:
    """How to run a sweep (see :func:`run_sweep`)."""

    backend: str = "local"
    workers: int | None = None
    resume: bool = False
    overwrite: bool = False
    ray_address: str | None = None
    batch: int | None = None
    progress: bool = False
    flush_s: float = FLUSH_S

    def check(self) -> None:
        if self.backend not in backends.BACKENDS:
            raise SpecError(f"--backend: expected local or ray, got {self.backend!r}")
        if self.workers is not None and self.workers < 1:
            raise SpecError(f"--workers: expected a positive number, got {self.workers}")
        if self.batch is not None and self.batch < 1:
            raise SpecError(f"--batch: expected a positive number, got {self.batch}")


def run_sweep(
    source: str | Path | dict[str, Any] | SweepSpec,
    out: str | Path,
    *,
    backend: str = "local",
    workers: int | None = None,
    resume: bool = False,
    overwrite: bool = False,
    ray_address: str | None = None,
    batch: int | None = None,
    progress: bool = False,
    flush_s: float = FLUSH_S,
) -> SweepSummary:
    """Run a sweep into ``out`` (.duckdb, .parquet or .csv); return what it did.

    ``backend`` is ``local`` (``workers`` processes; 1 runs in this one) or ``ray``
    (a local Ray with ``workers`` CPUs, or the cluster at ``ray_address``); ``batch``
    is the number of points per task. With ``resume``, points already in ``out``
    are skipped (the file must hold this spec's results); ``overwrite`` replaces an
    existing file. A point that fails is stored with ``status = 'error'`` and its
    one-line message; it never stops the run. Rows are written at least every
    ``flush_s`` seconds, so a kill loses at most that much work. ``progress`` draws a
    bar on stderr.
    """
    opts = RunOptions(backend, workers, resume, overwrite, ray_address, batch, progress, flush_s)
    return _run(source, out, opts)[0]


def _run(
    source: str | Path | dict[str, Any] | SweepSpec, out: str | Path | None, opts: RunOptions
) -> tuple[SweepSummary, MemoryStore | None]:
    opts.check()
    if out is not None:
        format_of(out)
    spec = load_sweep(source)
    plan, outputs, columns = prepare(spec)
    memory = MemoryStore(columns) if out is None else None
    store: Store
    if out is None:
        store = memory  # type: ignore[assignment]
    else:
        meta = _meta(spec, plan, columns)
        store = open_store(out, meta, resume=opts.resume, overwrite=opts.overwrite)
    if store.columns != columns:  # written by a version whose default outputs differed
        names = tuple(n for n, _ in store.columns if n not in _fixed(spec))
        plan, outputs, _ = prepare(spec, names)
    start = time.perf_counter()
    try:
        done = store.done()
        todo = [i for i in range(len(plan)) if i not in done]
        small = opts.backend == "local" and len(todo) <= 64
        n_workers = opts.workers or (1 if small else backends.default_workers())
        size = opts.batch or _batch_size(len(todo), n_workers)
        chunks = batches(todo, size)
        if opts.backend == "ray":
            stream = backends.run_ray(plan, outputs, chunks, n_workers, opts.ray_address)
        else:
            stream = backends.run_local(plan, outputs, chunks, n_workers)
        _drain(stream, store, spec.name, len(plan), len(done), opts.progress, opts.flush_s)
        store.finish()
    finally:
        store.close()
    elapsed = time.perf_counter() - start
    ok, err = counts(store, out)
    summary = SweepSummary(
        name=spec.name,
        hash=spec.hash,
        out=str(out) if out is not None else None,
        format=format_of(out) if out is not None else "memory",
        points=len(plan),
        computed=len(todo),
        skipped=len(done),
        ok=ok,
        error=err,
        elapsed_s=elapsed,
        points_per_s=len(todo) / elapsed if elapsed > 0 else 0.0,
        backend=opts.backend,
        workers=n_workers,
        batch=size,
    )
    return summary, memory


def _fixed(spec: SweepSpec) -> set[str]:
    return {"point", "reference", "status", "error", *spec.axis_columns}


def _drain(
    stream: Any, store: Store, title: str, total: int, done: int, show: bool, flush_s: float
) -> None:
    """Write rows as they come, at least every ``flush_s``; on an interrupt keep what is computed."""
    from dojosim.explore.progress import bar

    buffer: list[dict[str, Any]] = []
    last = time.monotonic()
    with bar(title, total, done, show) as advance:
        try:
            for rows in stream:
                buffer += rows
                advance(len(rows))
                if time.monotonic() - last >= flush_s:
                    store.append(buffer)
                    buffer, last = [], time.monotonic()
        finally:
            if buffer:
                store.append(buffer)


def counts(store: Store, out: str | Path | None) -> tuple[int, int]:
    """Rows with status ok and error in a finished store."""
    if isinstance(store, MemoryStore):
        import pyarrow.compute as pc

        ok = sum(int(pc.sum(pc.equal(t["status"], "ok")).as_py() or 0) for t in store.tables)
        total = sum(t.num_rows for t in store.tables)
        return ok, total - ok
    from dojosim.explore.results import status_counts

    assert out is not None
    return status_counts(out)


def sweep(
    source: str | Path | dict[str, Any] | SweepSpec,
    out: str | Path | None = None,
    *,
    table: str = "pandas",
    **options: Any,
) -> Any:
    """Run a sweep and return its rows, ordered by point, as a pandas DataFrame or Arrow table.

    ``source`` is a sweep file, a built-in sweep's name, or a mapping (see
    :mod:`dojosim.explore.spec`). With ``out`` the rows are also stored there
    (and ``resume=True`` finishes an interrupted run); without, they are kept in
    memory. ``options`` are those of :func:`run_sweep` (``backend``, ``workers``,
    ``resume``, ``overwrite``, ``ray_address``, ``batch``, ``progress``).
    ``table`` is ``"pandas"`` or ``"arrow"``. The run's summary is in
    ``df.attrs["sweep"]`` (pandas) or the Arrow schema's ``dojosim.summary`` metadata.
    """
    import json

    if table not in ("pandas", "arrow"):
        raise SpecError(f"table: expected 'pandas' or 'arrow', got {table!r}")
    summary, memory = _run(source, out, RunOptions(**options))
    if memory is not None:
        import pyarrow as pa

        from dojosim.explore.columns import arrow_schema

        schema = arrow_schema(memory.columns)
        tbl = pa.concat_tables(memory.tables) if memory.tables else schema.empty_table()
        tbl = tbl.sort_by("point")
    else:
        from dojosim.explore.results import read_table

        tbl = read_table(out)  # type: ignore[arg-type]
    if table == "arrow":
        return tbl.replace_schema_metadata({"dojosim.summary": json.dumps(summary.as_dict())})
    df = tbl.to_pandas()
    df.attrs["sweep"] = summary.as_dict()
    return df
