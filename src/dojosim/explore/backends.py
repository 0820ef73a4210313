"""Where points are computed: in this process, in worker processes, or on Ray.

Each backend takes batches of point numbers and yields each batch's rows, in
the order the batches were given, keeping a bounded number of batches in
flight. A task is a batch (tens to hundreds of points) because one point is
about a millisecond: per-task overheads would dominate single points. Workers
receive the plan once and then only point numbers.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Iterator
from typing import Any

from dojosim.errors import SpecError
from dojosim.explore.outputs import Outputs, one_line
from dojosim.explore.points import Plan, scenario_of

BACKENDS = ("local", "ray")
_STATE: tuple[Plan, Outputs] | None = None


def evaluate_points(plan: Plan, outputs: Outputs, indices: list[int]) -> list[dict[str, Any]]:
    """The rows of some points; a failing point gives an ``error`` row, never an exception."""
    rows = []
    for i in indices:
        assign, cols = plan.point(i)
        row: dict[str, Any] = {"point": i, **cols}
        try:
            mapping, variables = scenario_of(plan, assign)
            context = {k: v for k, v in cols.items() if v is not None}
            context.update(variables)
            row.update(outputs.evaluate(mapping, context))
            row["status"], row["error"] = "ok", None
        except Exception as exc:  # a bad point is recorded, never fatal
            row.update(dict.fromkeys(outputs.names))
            row["status"], row["error"] = "error", one_line(exc)
        rows.append(row)
    return rows


def _init(state: tuple[Plan, Outputs]) -> None:
    import signal

    global _STATE
    _STATE = state
    # Ctrl-C is the parent's to handle (it keeps what is done and stops the pool); a worker
    # would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _task(indices: list[int]) -> list[dict[str, Any]]:
    assert _STATE is not None
    return evaluate_points(*_STATE, indices)


def _ray_task(state: tuple[Plan, Outputs], indices: list[int]) -> list[dict[str, Any]]:
    return evaluate_points(*state, indices)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _ordered(
    submit: Any, result: Any, batches: list[list[int]], depth: int
) -> Iterator[list[dict[str, Any]]]:
    """Submit batches keeping ``depth`` in flight; yield their rows in submission order."""
    pending: collections.deque[Any] = collections.deque()
    it = iter(batches)
    for b in it:
        pending.append(submit(b))
        if len(pending) >= depth:
            break
    while pending:
        yield result(pending.popleft())
        nxt = next(it, None)
        if nxt is not None:
            pending.append(submit(nxt))


def run_local(
    plan: Plan, outputs: Outputs, batches: list[list[int]], workers: int
) -> Iterator[list[dict[str, Any]]]:
    """Worker processes on this machine (``workers`` = 1: in this process)."""
    if workers <= 1:
        for b in batches:
            yield evaluate_points(plan, outputs, b)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    # A fork server: workers start from a clean, single-threaded process (this one may run
    # DuckDB's and rich's threads), with the estimator already imported.
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(["dojosim.explore.backends", "dojosim.perf.estimate"])
    pool = ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_init, initargs=((plan, outputs),)
    )
    try:
        yield from _ordered(
            lambda b: pool.submit(_task, b), lambda f: f.result(), batches, 4 * workers
        )
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_ray(
    plan: Plan,
    outputs: Outputs,
    batches: list[list[int]],
    workers: int | None,
    address: str | None,
) -> Iterator[list[dict[str, Any]]]:
    """Tasks on Ray: a cluster at ``address``, else a local Ray with ``workers`` CPUs.

    A Ray already initialised by the caller is used as it is and left running.
    """
    try:
        import ray
    except ImportError:
        raise SpecError("--backend ray needs Ray: pip install 'dojosim[explore]'") from None
    started = not ray.is_initialized()
    if started:
        try:
            ray.init(
                address=address,
                num_cpus=None if address else workers,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise SpecError(
                f"cannot start or reach Ray at {address or 'local'}: {one_line(exc)}"
            ) from None
    try:
        state = ray.put((plan, outputs))
        remote = ray.remote(num_cpus=1, max_retries=3)(_ray_task)
        depth = 2 * max(1, int(ray.cluster_resources().get("CPU", workers or 1)))
        yield from _ordered(lambda b: remote.remote(state, b), ray.get, batches, depth)
    finally:
        if started:
            ray.shutdown()
