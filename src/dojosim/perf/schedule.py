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
    forward: list[float],
    backward: list[float],
    micro_batches: int,
    interleave: int,
    schedule: str = "1f1b",
) -> Pipeline:
    """The schedule of per-stage times: 1F1B (``interleave`` 1), interleaved 1F1B, zero-bubble
    (ZB-H1) or DualPipe.

    The bubbles of the last two follow DualPipe's README table (deepseek-ai/DualPipe): with
    ``F`` the forward, ``B`` the backward for inputs and ``W`` the backward for weights of a
    chunk, 1F1B idles ``(p - 1)(F + B + W)``, ZB1P ``(p - 1)(F + B - 2W)`` and DualPipe
    ``(p/2 - 1)(F&B + B - 3W)`` (``F&B``: a forward and a backward chunk overlapped). A
    matmul's backward is two matmuls of equal cost, one for inputs and one for weights, so
    ``W`` is taken as half of each stage's backward pass.
    """
    p, m, v = len(forward), micro_batches, interleave
    stage = [f + b for f, b in zip(forward, backward, strict=True)]
    slowest = max(range(p), key=lambda i: stage[i])
    mean = sum(stage) / p
    f_mean, b_mean = sum(forward) / p, sum(backward) / p
    w, b_in = b_mean / 2, b_mean / 2
    if schedule == "zero-bubble":
        bubble = (p - 1) * max(0.0, f_mean + b_in - 2 * w)
    elif schedule == "dualpipe":
        bubble = max(p / 2 - 1, 0.0) * max(0.0, (f_mean + b_mean) + b_in - 3 * w)
    else:
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


def in_flight(
    stage: int,
    pipeline_size: int,
    micro_batches: int,
    interleave: int,
    schedule: str = "1f1b",
    combined: bool = False,
    layers: int = 1,
) -> float:
    """Micro-batches whose activations a stage holds at its peak.

    Under 1F1B stage ``i`` holds ``p - i`` micro-batches; interleaving with ``v`` virtual
    stages multiplies the first stage's by ``1 + (p - 1) / (p v)`` (Korthikanti et al. 2022,
    arXiv 2205.05198, Section 4.2.3); DualPipe holds ``p + 1`` on every rank (its README).
    Megatron-Core's combined 1F1B (``combined``) runs one more forward before its first
    paired step, one virtual stage's worth (``get_pp_rank_microbatches`` in
    megatron/core/pipeline_parallel/schedules.py). Without a pipeline it pairs the next
    micro-batch's forward of layer ``j`` with this one's backward of its ``j``-th layer from
    the top, freeing each backward layer as it goes (``combined_1f1b_schedule_for_no_
    pipelining`` in megatron/core/pipeline_parallel/combined_1f1b.py and ``release_state``
    after each popped layer in megatron/core/models/common/model_chunk_schedule_plan.py),
    so the two together hold one micro-batch and one layer of the stage's ``layers``.
    """
    p, v = pipeline_size, interleave
    if schedule == "dualpipe":
        return float(min(p + 1, micro_batches))
    n = float(min(p - stage, micro_batches))
    if v > 1:
        n *= 1 + (p - 1) / (p * v)
    if combined:  # one layer of the next micro-batch, or one more virtual stage's forward
        extra = 1 / max(layers, 1) if p == 1 else 1 / v
        n = min(n + extra, float(micro_batches))
    return n


__all__ = ["Pipeline", "in_flight", "pipeline"]
