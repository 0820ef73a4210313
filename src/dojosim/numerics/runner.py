"""Run several recipes of one learning problem, side by side in worker processes.

Each run is single-threaded (:func:`~dojosim.numerics.loop.run`), starts from the
same initial weights (built from the seed) and sees the same batches, so running
them one after another or in parallel processes gives the same numbers.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

from dojosim.numerics.recipes import Recipe
from dojosim.numerics.train_config import MLP_EPOCHS, MODELS, TrainConfig

Log = Callable[[str], None]


@dataclass(frozen=True)
class Job:
    """One recipe to train; everything a worker process needs, picklable."""

    model: str
    task_options: tuple[tuple[str, Any], ...]
    recipe: Recipe
    steps: int
    eval_every: int
    seed: int
    denormals: str
    verbose: bool


def task_options(cfg: TrainConfig) -> tuple[tuple[str, Any], ...]:
    """Constructor options of ``cfg.model``'s task that ``cfg`` sets."""
    opts: dict[str, Any] = {"batch_size": cfg.batch_size, "lr": cfg.lr}
    if cfg.model == "mlp":
        opts |= {"seed": cfg.seed, "hidden": cfg.hidden, "momentum": cfg.momentum}
    return tuple(sorted((k, v) for k, v in opts.items() if v is not None))


@functools.lru_cache(maxsize=4)
def build_task(model: str, options: tuple[tuple[str, Any], ...]) -> Any:
    """The task object (data loaded once per process)."""
    kwargs = dict(options)
    if model == "mlp":
        from dojosim.numerics.mlp import DigitsMLP

        return DigitsMLP(**kwargs)
    if model == "video":
        from dojosim.numerics.video import MovingDigits

        return MovingDigits(**kwargs)
    from dojosim.numerics.charlm import CharLM

    return CharLM(**kwargs)


def schedule(cfg: TrainConfig, task: Any) -> tuple[int, int]:
    """(steps, eval_every) for ``cfg``: the MLP evaluates once per epoch."""
    if cfg.model == "mlp":
        per_epoch = task.steps_per_epoch
        return cfg.steps or (cfg.epochs or MLP_EPOCHS) * per_epoch, per_epoch
    steps = cfg.steps or MODELS[cfg.model].steps or 1
    return steps, max(1, steps // (cfg.evals or MODELS[cfg.model].evals))


@functools.lru_cache(maxsize=4)
def _initial(model: str, options: tuple[tuple[str, Any], ...], seed: int) -> Any:
    from dojosim.numerics import loop

    return loop.initial_weights(build_task(model, options), seed)


def work(job: Job) -> dict[str, Any]:
    """Train one recipe (in this process); returns :meth:`Run.as_dict`."""
    from dojosim.numerics import loop

    task = build_task(job.model, job.task_options)
    init = _initial(job.model, job.task_options, job.seed)
    log = _stderr if job.verbose else None
    out = loop.run(task, job.recipe, init, job.steps, job.eval_every, job.seed, job.denormals, log)
    return out.as_dict()


def _stderr(msg: str) -> None:
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def run_jobs(jobs: list[Job], processes: int, log: Log | None = None) -> list[dict[str, Any]]:
    """Every job's result, in order; ``processes`` > 1 runs them in worker processes."""
    if processes <= 1 or len(jobs) <= 1:
        results = []
        for job in jobs:
            results.append(work(job))
            if log:
                log(_done(results[-1]))
        return results
    ctx = get_context("spawn")  # no fork of a process that holds torch's thread pools
    with ProcessPoolExecutor(max_workers=min(processes, len(jobs)), mp_context=ctx) as pool:
        futures = {pool.submit(work, job): i for i, job in enumerate(jobs)}
        done: dict[int, dict[str, Any]] = {}
        for f in as_completed(futures):
            done[futures[f]] = f.result()
            if log:
                log(_done(done[futures[f]]))
    return [done[i] for i in range(len(jobs))]


def _done(r: dict[str, Any]) -> str:
    return (
        f"  {r['label']}: final loss {r['final_loss']:.5g} "
        f"({r['seconds']:.0f} s, CPU {r['cpu_seconds']:.0f} s)"
    )
