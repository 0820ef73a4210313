"""``dojosim numerics compare``: every format of the comparison on one problem.

The same seed, data and initial weights for every run; one table (final held-out
loss, the gap to BF16, seconds) and one plot of the loss curves. The table is
rendered from the result document alone (:func:`~dojosim.numerics.report.table`), so the figures quoted in
the docs can be checked against a saved result.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from dojosim.errors import FormatError
from dojosim.numerics import runner
from dojosim.numerics.recipes import Recipe, make_recipe
from dojosim.numerics.report import METRIC
from dojosim.numerics.train import jobs_for, problem
from dojosim.numerics.train_config import TrainConfig, check_count, check_model, default_jobs

Log = Callable[[str], None]

#: The rows of the comparison: (format, bias, gradient rounding). BF16 is the
#: reference. Two CFP8 rows keep the bias fixed: each tensor at the bias chosen at its
#: first use ("first"), and every tensor at the formats' defaults (7 for 1-4-3, 15 for
#: 1-5-2: the IEEE-like choice of an 8-bit format without a configurable bias).
ENTRIES: tuple[tuple[str, object, str], ...] = (
    ("fp32", "auto", "nearest"),
    ("bf16", "auto", "nearest"),
    ("cfp16", "auto", "nearest"),
    ("cfp8", "auto", "nearest"),
    ("cfp8", "auto", "stochastic"),
    ("cfp8", "first", "nearest"),
    ("cfp8", (7, 15), "nearest"),
    ("fp8", "auto", "nearest"),
)
REFERENCE = "bf16"


def recipes(names: list[str] | None = None) -> list[Recipe]:
    """The comparison's recipes, or only those whose label or name is in ``names``."""
    all_ = [make_recipe(f, b, r) for f, b, r in ENTRIES]
    if not names:
        return all_
    known = {r.label: r for r in all_} | {r.name: r for r in reversed(all_)}
    out = []
    for n in names:
        if n not in known:
            raise FormatError(
                f"not in the comparison: {n!r}; rows: {', '.join(r.label for r in all_)}"
            )
        out.append(known[n])
    if not any(r.name == REFERENCE for r in out):
        out.insert(0, known[REFERENCE])  # the gaps are measured against BF16
    return out


def compare(
    model: str = "video",
    steps: int | None = None,
    seed: int = 0,
    formats: list[str] | None = None,
    jobs: int | None = None,
    log: Log | None = None,
    verbose: bool = False,
    evals: int | None = None,
) -> dict[str, Any]:
    """Train every recipe of the comparison on ``model``; one document with every run.

    ``formats`` picks rows by label or name (BF16, the reference, is always run);
    ``evals`` sets the evaluation points per run (default: the model's).
    """
    check_model(model)
    for name, value in (("steps", steps), ("jobs", jobs), ("evals", evals)):
        check_count(name, value)
    wall = time.perf_counter()
    cfg = TrainConfig(model=model, steps=steps, seed=seed, evals=evals)
    chosen = recipes(formats)
    task, job_list = jobs_for(cfg, chosen, verbose)
    results = runner.run_jobs(job_list, jobs or default_jobs(model), log)
    ref = next(r for r in results if r["label"].split()[0] == REFERENCE)
    for r in results:
        r["vs_reference"] = r["final_loss"] / ref["final_loss"] - 1.0
    doc = problem(cfg, task, job_list[0].steps)
    doc |= {
        "reference": ref["label"],
        "runs": results,
        "seconds": round(time.perf_counter() - wall, 2),
        "cpu_seconds": round(sum(r["cpu_seconds"] for r in results), 2),
        "jobs": jobs or default_jobs(model),
    }
    return doc


def plot(doc: dict[str, Any], path: str) -> None:
    """Held-out loss against step for every run (left) and each run's gap to BF16 (right)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, gap) = plt.subplots(1, 2, figsize=(12, 4.8))
    ref = {
        p["step"]: p["loss"]
        for p in next(r for r in doc["runs"] if r["label"] == doc["reference"])["loss_curve"]
    }
    for r in doc["runs"]:
        steps = [p["step"] for p in r["loss_curve"]]
        loss = [p["loss"] for p in r["loss_curve"]]
        style = "--" if "bias=" in r["label"] and "auto" not in r["label"] else "-"
        (line,) = ax.plot(steps, loss, style, label=r["label"], lw=1.4)
        rel = [100 * (v / ref[s] - 1) for s, v in zip(steps, loss, strict=True)]
        gap.plot(steps, rel, style, color=line.get_color(), lw=1.4)
    if "copy_last_loss" in doc:
        ax.axhline(doc["copy_last_loss"], color="grey", ls=":", label="copy last frame")
    ax.set(xlabel="step", ylabel=f"held-out loss ({METRIC[doc['model']]})", yscale="log")
    ax.set_title("held-out loss", fontsize=10)
    gap.set(xlabel="step", ylabel="vs BF16 (%)", ylim=(-6, 12))
    gap.set_title("gap to BF16 (dashed rows run off the scale)", fontsize=10)
    gap.axhline(0, color="black", lw=0.8)
    for a in (ax, gap):
        a.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.suptitle(
        f"dojosim numerics compare --model {doc['model']} (seed {doc['seed']})", fontsize=11
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
