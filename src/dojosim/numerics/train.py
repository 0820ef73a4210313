"""Train a learning problem with its tensors stored in a format, next to a baseline.

``train(TrainConfig(model=..., format=...))`` trains the baseline (FP32 for the
MLP, BF16 for video and the character LM) and the format's run from the same initial
weights on the same batches, and returns one document: final held-out losses, loss
curves, seconds, the biases or scales used. The problems are
:mod:`~dojosim.numerics.mlp`, :mod:`~dojosim.numerics.video` and
:mod:`~dojosim.numerics.charlm`; what "stored in a format" means is in
:mod:`~dojosim.numerics.qops` and :mod:`~dojosim.numerics.recipes`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from dojosim.numerics import runner
from dojosim.numerics.recipes import Recipe
from dojosim.numerics.train_config import TrainConfig, default_jobs, resolve

Log = Callable[[str], None]


def jobs_for(cfg: TrainConfig, recipes: list[Recipe], verbose: bool) -> tuple[Any, list[Any]]:
    """The task of ``cfg.model`` and one :class:`runner.Job` per recipe."""
    options = runner.task_options(cfg)
    task = runner.build_task(cfg.model, options)
    steps, every = runner.schedule(cfg, task)
    jobs = [
        runner.Job(cfg.model, options, r, steps, every, cfg.seed, cfg.denormals, verbose)
        for r in recipes
    ]
    return task, jobs


def problem(cfg: TrainConfig, task: Any, steps: int) -> dict[str, Any]:
    """What every result says about the problem it ran."""
    doc: dict[str, Any] = {
        "model": cfg.model,
        "dataset": task.dataset,
        "description": task.description,
        "steps": steps,
        "seed": cfg.seed,
    }
    if hasattr(task, "steps_per_epoch"):
        doc["steps_per_epoch"] = task.steps_per_epoch
    if hasattr(task, "copy_last_loss"):
        doc["copy_last_loss"] = task.copy_last_loss
    return doc


def train(
    cfg: TrainConfig | None = None, log: Log | None = None, verbose: bool = False
) -> dict[str, Any]:
    """Train the baseline and the format run; return settings, curves and final figures.

    ``log`` receives a line when each run ends; ``verbose`` adds a line per
    evaluation point (on stderr, from whichever process runs it).
    """
    cfg = cfg or TrainConfig()
    run_recipe, base_recipe = resolve(cfg)
    wall = time.perf_counter()
    task, jobs = jobs_for(cfg, [base_recipe, run_recipe], verbose)
    processes = cfg.jobs or default_jobs(cfg.model)
    if run_recipe == base_recipe:  # the same run twice gives the same numbers
        base = run = runner.run_jobs(jobs[:1], 1, log)[0]
    else:
        base, run = runner.run_jobs(jobs, processes, log)
    doc = problem(cfg, task, jobs[0].steps)
    doc |= {
        "config": asdict(cfg),
        "format": run["label"],
        "format_description": run["recipe"],
        "baseline": base["label"],
        "final_loss": run["final_loss"],
        "baseline_final_loss": base["final_loss"],
        "relative_gap": run["final_loss"] / base["final_loss"] - 1.0,
        "loss_curve": run["loss_curve"],
        "baseline_loss_curve": base["loss_curve"],
        "biases": run["biases"],
        "scales": run["scales"],
    }
    if cfg.model == "mlp":
        doc |= {
            "final_accuracy": run["metrics"]["accuracy"][-1],
            "baseline_final_accuracy": base["metrics"]["accuracy"][-1],
            "accuracy_gap_points": 100.0
            * (base["metrics"]["accuracy"][-1] - run["metrics"]["accuracy"][-1]),
        }
        for r in (base, run):  # the per-epoch names of the MLP's first release
            r["test_loss"], r["test_accuracy"] = r["metrics"]["loss"], r["metrics"]["accuracy"]
    doc["curves"] = {"baseline": base, "format": run}
    doc["seconds"] = round(time.perf_counter() - wall, 2)
    doc["cpu_seconds"] = round(
        base["cpu_seconds"] + (run["cpu_seconds"] if run is not base else 0), 2
    )
    return doc


def plot(result: dict[str, Any], path: str) -> None:
    """Write the held-out loss curves of both runs (and accuracy for the MLP) to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mlp = result["model"] == "mlp"
    fig, axes = plt.subplots(1, 2 if mlp else 1, figsize=(10 if mlp else 6, 4), squeeze=False)
    ax1 = axes[0][0]
    for key in ("baseline", "format"):
        c = result["curves"][key]
        steps = [p["step"] for p in c["loss_curve"]]
        ax1.plot(steps, [p["loss"] for p in c["loss_curve"]], label=c["label"])
        if mlp:
            axes[0][1].plot(steps, [100 * a for a in c["metrics"]["accuracy"]], label=c["label"])
    if "copy_last_loss" in result:
        ax1.axhline(result["copy_last_loss"], color="grey", ls="--", label="copy last frame")
    ax1.set(xlabel="step", ylabel="held-out loss", yscale="log", title="Loss")
    if mlp:
        axes[0][1].set(xlabel="step", ylabel="test accuracy (%)", title="Accuracy")
    for ax in axes[0]:
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(f"dojosim numerics train --model {result['model']}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
