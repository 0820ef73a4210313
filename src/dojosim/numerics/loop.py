"""One training loop for every learning problem: same seed, data and initial weights.

A :class:`Task` (the MLP on digits, next-frame video, the character LM) builds its
model around a quantizer, hands out batches and evaluates held-out loss. :func:`run`
trains one recipe from given initial weights and returns a :class:`Run`: held-out
loss at every evaluation point, wall and CPU seconds, and the last bias or scale of
every tensor.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch

from dojosim.numerics.qops import Quantizer
from dojosim.numerics.quantizer import TensorQuantizer, identity
from dojosim.numerics.recipes import Recipe

Log = Callable[[str], None]


class Task(Protocol):
    """A learning problem. Held-out metrics come from :meth:`evaluate` (``loss`` and
    any others); :meth:`batches` is deterministic for a seed."""

    name: str

    def build(self, q: Quantizer) -> torch.nn.Module: ...

    def batches(self, seed: int) -> Iterator[Any]: ...

    def loss(self, model: torch.nn.Module, batch: Any) -> torch.Tensor: ...

    def evaluate(self, model: torch.nn.Module) -> dict[str, float]: ...

    def optimizer(
        self, params: Any, steps: int
    ) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler | None]: ...


@dataclass
class Run:
    """What one recipe's training produced. ``metrics`` holds held-out figures per
    evaluation point (``loss`` always); ``train_loss`` is the mean training loss since
    the previous point."""

    label: str
    recipe: str
    steps: list[int] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    train_loss: list[float] = field(default_factory=list)
    biases: dict[str, int] = field(default_factory=dict)
    scales: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    @property
    def final_loss(self) -> float:
        return self.metrics["loss"][-1]

    def loss_curve(self) -> list[dict[str, float]]:
        """``[{"step": s, "loss": l}, ...]`` at every evaluation point."""
        return [
            {"step": s, "loss": v} for s, v in zip(self.steps, self.metrics["loss"], strict=True)
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "recipe": self.recipe,
            "final_loss": self.final_loss,
            "steps": self.steps,
            "loss_curve": self.loss_curve(),
            "metrics": self.metrics,
            "train_loss": self.train_loss,
            "biases": dict(sorted(self.biases.items())),
            "scales": dict(sorted(self.scales.items())),
            "seconds": round(self.seconds, 2),
            "cpu_seconds": round(self.cpu_seconds, 2),
        }


def initial_weights(task: Task, seed: int) -> dict[str, torch.Tensor]:
    """The weights every run starts from: the task's model built after seeding torch."""
    torch.manual_seed(seed)
    return {k: v.clone() for k, v in task.build(identity).state_dict().items()}


def eval_points(steps: int, every: int) -> list[int]:
    """Steps after which to evaluate: every ``every`` steps, and the last step."""
    points = list(range(every, steps + 1, every))
    return points if points and points[-1] == steps else [*points, steps]


def run(
    task: Task,
    recipe: Recipe,
    init: dict[str, torch.Tensor],
    steps: int,
    eval_every: int,
    seed: int,
    denormals: str = "ieee",
    log: Log | None = None,
    threads: int = 1,
) -> Run:
    """Train ``task`` for ``steps`` steps in ``recipe`` from ``init``.

    torch runs on ``threads`` threads (restored afterwards). One thread is the
    default: results then do not depend on the machine's core count, and runs can go
    side by side in separate processes.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return _train(task, recipe, init, steps, eval_every, seed, denormals, log)
    finally:
        torch.set_num_threads(previous)


def _train(task: Task, recipe: Recipe, init: Any, *args: Any) -> Run:
    steps, eval_every, seed, denormals, log = args
    wall, cpu = time.perf_counter(), time.process_time()
    q: Quantizer = identity
    if recipe.forward or recipe.backward:
        q = TensorQuantizer(recipe, seed, denormals)
    model = task.build(q)
    model.load_state_dict(init)
    opt, sched = task.optimizer(model.parameters(), steps)
    out = Run(recipe.label, recipe.description)
    points = set(eval_points(steps, eval_every))
    batches = task.batches(seed)
    total, count = 0.0, 0
    for step in range(1, steps + 1):
        model.train()
        loss = task.loss(model, next(batches))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        total, count = total + float(loss.detach()), count + 1
        if step in points:
            model.eval()
            with torch.no_grad():
                metrics = task.evaluate(model)
            out.steps.append(step)
            out.train_loss.append(total / count)
            for k, v in metrics.items():
                out.metrics.setdefault(k, []).append(v)
            total, count = 0.0, 0
            if log:
                shown = "  ".join(f"{k} {v:.4f}" for k, v in metrics.items())
                log(f"{recipe.label:>18s} step {step:5d}/{steps}  {shown}")
    if isinstance(q, TensorQuantizer):
        out.biases, out.scales = dict(q.biases), dict(q.scales)
    out.seconds = time.perf_counter() - wall
    out.cpu_seconds = time.process_time() - cpu
    return out


def adam_cosine(
    params: Any, steps: int, lr: float, warmup: int, weight_decay: float = 0.0
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    """AdamW with a linear warm-up over ``warmup`` steps, then a cosine decay to lr/10."""
    import math

    opt = torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.99), weight_decay=weight_decay)

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        t = (step - warmup) / max(1, steps - warmup)
        return 0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * min(1.0, t)))

    return opt, torch.optim.lr_scheduler.LambdaLR(opt, factor)
