"""The pipeline schedule: ``m`` micro-batches through ``p`` stages of ``v`` virtual stages each.

Given each stage's time per micro-batch (forward ``F_i`` and backward ``B_i``,
recomputation and exposed communication included), 1F1B and interleaved 1F1B take

    T = m * max_i (F_i + B_i) + (p - 1) / v * mean_i (F_i + B_i)

(Narayanan et al. 2021, arXiv 2104.04473, Section 2.2: the bubble is ``(p - 1) / v``
stage-times; the slowest stage sets the pace of the steady state).

The schedule also says how long after the end of the pipeline each stage is still
busy, which decides how much of a stage's data-parallel reduction the others hide:
the backward pass of the last micro-batch leaves stage ``i`` about ``i`` backward
chunk-times before it leaves stage 0, so stage ``i`` finishes ``i * mean(B) / v``
early; likewise stage ``i`` starts its first forward ``i * mean(F) / v`` late.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A schedule's timing: ``total`` s from the first forward to the last backward,
    its ``bubble`` (idle seconds of the slowest stage), and per stage the seconds it
    finishes before the end (``early``) and starts after the start (``late``)."""

    total: float
    bubble: float
    slowest: int
    early: tuple[float, ...]
    late: tuple[float, ...]


def pipeline(
    forward: list[float], backward: list[float], micro_batches: int, interleave: int
) -> Pipeline:
    """The 1F1B (``interleave`` 1) or interleaved 1F1B schedule of per-stage times."""
    p, m, v = len(forward), micro_batches, interleave
    stage = [f + b for f, b in zip(forward, backward, strict=True)]
    slowest = max(range(p), key=lambda i: stage[i])
    mean = sum(stage) / p
    bubble = (p - 1) / v * mean
    total = m * stage[slowest] + bubble
    mean_b = sum(backward) / p / v
    mean_f = sum(forward) / p / v
    return Pipeline(
        total,
        bubble,
        slowest,
        tuple(i * mean_b for i in range(p)),
        tuple(i * mean_f for i in range(p)),
    )


def in_flight(stage: int, pipeline_size: int, micro_batches: int, interleave: int) -> float:
    """Micro-batches whose activations a stage holds at its peak under 1F1B.

    Stage ``i`` holds ``p - i`` micro-batches; interleaving with ``v`` virtual stages
    multiplies the first stage's by ``1 + (p - 1) / (p v)`` (Korthikanti et al. 2022,
    arXiv 2205.05198, Section 4.2.3).
    """
    p, v = pipeline_size, interleave
    n = float(min(p - stage, micro_batches))
    if v > 1:
        n *= 1 + (p - 1) / (p * v)
    return n


__all__ = ["Pipeline", "in_flight", "pipeline"]
