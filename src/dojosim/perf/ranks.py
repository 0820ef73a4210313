"""What each pipeline rank holds and runs, from its stages' sums.

Every schedule but DualPipe puts one stage on a rank. DualPipe's rank ``i`` holds stages ``i``
and ``p - 1 - i`` (deepseek-ai/DualPipe README: two copies of parameters; DeepSeek-V3, arXiv
2412.19437, Section 3.2.1: the shallowest and deepest layers on one rank) and feeds micro-batches
from both ends, half each way: each direction is a 1F1B pipeline in which the rank is stage ``i``
of one and stage ``p - 1 - i`` of the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from dojosim.mapping.layout import Layout
from dojosim.perf.context import StageSum
from dojosim.perf.schedule import in_flight


@dataclass(frozen=True, slots=True)
class RankLoad:
    """One pipeline rank's stages, their parameters and bytes of activations and buffers."""

    stages: tuple[int, ...]
    params: float
    expert_params: float
    largest_params: float
    activations: float  # bytes in flight, all micro-batches together
    work: float


def rank_load(lay: Layout, sums: list[StageSum], i: int) -> RankLoad:
    """Rank ``i``'s memory: one stage with :func:`in_flight` micro-batches, or under DualPipe
    both stages' parameters with ``p - i`` micro-batches of stage ``i``'s activations and
    ``i + 1`` of stage ``p - 1 - i``'s (of ``m / 2`` each way), ``p + 1`` together as the
    README's table gives."""
    p, m, st = lay.pipeline, lay.micro_batches, sums[i]
    if lay.schedule != "dualpipe":
        n = in_flight(i, p, m, lay.interleave, lay.schedule, lay.overlap_expert_parallel,
                      lay.stage_layers[i])  # fmt: skip
        return RankLoad((i,), st.params, st.expert_params, st.largest_params,
                        st.activations * n, st.work)  # fmt: skip
    o, half = sums[p - 1 - i], m / 2
    return RankLoad(
        (i, p - 1 - i),
        st.params + o.params,
        st.expert_params + o.expert_params,
        max(st.largest_params, o.largest_params),
        min(p - i, half) * st.activations + min(i + 1, half) * o.activations,
        max(st.work, o.work),
    )


def rank_sums(lay: Layout, sums: list[StageSum]) -> tuple[list[StageSum], list[int]]:
    """What each rank runs per micro-batch, and its layers: its stage's sums, or under
    DualPipe the mean of its two stages' times (half its micro-batches run each) with both
    stages' parameters to reduce and update."""
    if lay.schedule != "dualpipe":
        return sums, list(lay.stage_layers)
    p = lay.pipeline
    out, layers = [], []
    for i in range(p):
        a, b = sums[i], sums[p - 1 - i]
        out.append(
            StageSum(
                (a.forward + b.forward) / 2,
                (a.backward + b.backward) / 2,
                (a.recompute + b.recompute) / 2,
                (a.comm_forward + b.comm_forward) / 2,
                (a.comm_backward + b.comm_backward) / 2,
                (a.comm_recompute + b.comm_recompute) / 2,
                a.params + b.params,
                (a.activations + b.activations) / 2,
                max(a.work, b.work),
                max(a.largest_params, b.largest_params),
                max(a.largest_matrix, b.largest_matrix),
                (a.output + b.output) / 2,
                a.expert_params + b.expert_params,
            )
        )
        layers.append(lay.stage_layers[i] + lay.stage_layers[p - 1 - i])
    return out, layers


__all__ = ["RankLoad", "rank_load", "rank_sums"]
