"""The step time of one concrete layout: pipeline schedule, communication, optimizer.

One training step on one chip of pipeline stage ``i`` is ``m`` micro-batches,
each running the stage's layers forward and backward (plus recomputation) with
their tensor-parallel collectives and the point-to-point sends to neighbouring
stages. With 1F1B (and interleaved 1F1B over ``v`` virtual stages) the step is

    m * max_i T_i + (p - 1) / v * mean_i T_i

(the pipeline bubble of Narayanan et al. 2021, Section 2.2, with the slowest
stage setting the pace), followed by the part of the data-parallel gradient
reduction not hidden behind the last backward pass, and the optimizer update.
"""

from __future__ import annotations

from dataclasses import dataclass

from dojosim.hardware.collectives import Fabric, collective_time, p2p_time
from dojosim.mapping.layout import Layout
from dojosim.mapping.memory import stage_params
from dojosim.perf.compute import ComputeModel
from dojosim.spec.workload import ModelSpec
from dojosim.workload.ops import Op
from dojosim.workload.transformer import (
    LayerShape,
    attention_core_forward,
    backward,
    embedding_forward,
    layer_forward,
    logits_forward,
)

# Adam update traffic per parameter on the local shard: read fp32 gradient, master weight,
# momentum and variance (16 B), write master, momentum, variance (12 B) and the 16-bit
# weight (2 B), plus one read of the gradient for the global norm (4 B).
OPTIMIZER_BYTES_PER_PARAM = 34.0


@dataclass(frozen=True, slots=True)
class LayerTimes:
    """Seconds for one layer and one micro-batch on one chip."""

    forward: float
    backward: float
    recompute: float
    comm_forward: float
    comm_backward: float
    comm_recompute: float

    @property
    def total(self) -> float:
        return (
            self.forward
            + self.backward
            + self.recompute
            + self.comm_forward
            + self.comm_backward
            + self.comm_recompute
        )


@dataclass(frozen=True, slots=True)
class StepTimes:
    """The step of a layout, split so the parts add up to ``step``."""

    step: float
    forward: float
    backward: float
    recompute: float
    tensor_comm: float
    pipeline_comm: float
    pipeline_bubble: float
    data_comm: float
    optimizer: float
    stage_time: float  # slowest stage, one micro-batch
    offchip: float = 0.0  # streaming to off-chip memory not hidden behind compute (Dojo's DIPs)
    # With ``record=True``: seconds each tier carried, per kind of traffic ("tensor", "pipeline",
    # "data"), for one layer, one send and one step's reduction respectively.
    network: dict[str, dict[str, float]] | None = None

    def breakdown(self) -> dict[str, float]:
        return {
            "forward_s": self.forward,
            "backward_s": self.backward,
            "recompute_s": self.recompute,
            "tensor_comm_s": self.tensor_comm,
            "pipeline_comm_s": self.pipeline_comm,
            "pipeline_bubble_s": self.pipeline_bubble,
            "data_comm_s": self.data_comm,
            "optimizer_s": self.optimizer,
            "offchip_stream_s": self.offchip,
        }


def layer_times(
    model: ModelSpec, shape: LayerShape, recompute: str, cm: ComputeModel, fab: Fabric
) -> LayerTimes:
    """Compute and tensor-parallel communication of one layer, one micro-batch."""
    fwd_ops = layer_forward(model, shape)
    fwd = cm.ops_time(fwd_ops)
    bwd = cm.ops_time(backward(fwd_ops))
    if recompute == "full":
        rec = fwd
    elif recompute == "selective" and not shape.flash:
        rec = cm.ops_time(attention_core_forward(model, shape))
    else:
        rec = 0.0
    t = shape.t
    if t > 1:
        nbytes = shape.b * shape.s * model.hidden * shape.e
        if shape.sp:
            gather = collective_time(fab, "all_gather", nbytes, t)
            one = gather + collective_time(fab, "reduce_scatter", nbytes, t)
            # Backward gathers each block's input again for the weight gradient, since
            # sequence parallelism stores only the shard (Korthikanti et al. 2022, Section 4.2.2).
            back = one + gather
        else:
            one = back = collective_time(fab, "all_reduce", nbytes, t)
        # two collectives per layer and direction: after attention and after the MLP
        comm, comm_back = 2 * one, 2 * back
    else:
        comm = comm_back = 0.0
    return LayerTimes(fwd, bwd, rec, comm, comm_back, comm if recompute == "full" else 0.0)


def _forward_backward(ops: list[Op], cm: ComputeModel) -> float:
    return cm.ops_time(ops) + cm.ops_time(backward(ops))


def step_times(
    model: ModelSpec,
    layout: Layout,
    shape: LayerShape,
    cm: ComputeModel,
    fab: Fabric,
    grad_bytes: float,
    cache: dict[tuple[LayerShape, str], LayerTimes] | None = None,
    *,
    record: bool = False,
) -> StepTimes:
    """Time one step of ``layout``; ``cache`` reuses layer times across layouts of one scenario.

    ``record`` replays the communication on recording fabrics so the result says
    which network tier carried which traffic (slower; for the chosen layout only).
    """
    p, v, t, d = layout.pipeline, layout.interleave, layout.tensor, layout.data
    m = layout.micro_batches
    fab_t, fab_p, fab_d = (
        (fab.recording(), fab.recording(), fab.recording()) if record else (fab, fab, fab)
    )
    key = (shape, layout.recompute)
    lt = cache.get(key) if cache is not None and not record else None
    if lt is None:
        lt = layer_times(model, shape, layout.recompute, cm, fab_t)
        if cache is not None and not record:
            cache[key] = lt
    # Pipeline neighbours are t * d ranks apart; each sends 1/t of the activation
    # (Megatron's scatter-gather optimisation), forward and backward, once per virtual stage.
    act_bytes = shape.b * shape.s * model.hidden * shape.e / t
    p2p = 2 * v * p2p_time(fab_p, act_bytes, t * d) if p > 1 else 0.0
    # The first stage also embeds the tokens, the last computes the logits and the loss.
    embed = _forward_backward(embedding_forward(model, shape), cm)
    head = _forward_backward(logits_forward(model, shape), cm)
    stage = [
        layout.stage_layers[i] * lt.total
        + (embed if i == 0 else 0.0)
        + (head if i == p - 1 else 0.0)
        + p2p
        for i in range(p)
    ]
    slowest = max(range(p), key=lambda i: stage[i])
    n = layout.stage_layers[slowest]
    t_max = stage[slowest]
    t_mean = sum(stage) / p
    pipeline = m * t_max + (p - 1) / v * t_mean

    # Data-parallel gradient reduction (and ZeRO's parameter gathers) on the slowest stage.
    params = stage_params(model, layout, slowest)
    data_comm = 0.0
    if d > 1:
        g = params * grad_bytes
        if layout.zero == 0:
            dp = collective_time(fab_d, "all_reduce", g, d, t)
        else:
            # Gradients are accumulated over the micro-batches and reduce-scattered once per
            # step (Megatron's distributed optimizer; FSDP without resharding, as in Llama 3).
            dp = collective_time(fab_d, "reduce_scatter", g, d, t)
            dp += collective_time(fab_d, "all_gather", params * shape.e, d, t)
        if layout.zero >= 3:
            # weights gathered again for every micro-batch's forward and backward
            dp += 2 * m * collective_time(fab_d, "all_gather", params * shape.e, d, t)
        window = n * lt.backward if layout.overlap_data_parallel else 0.0
        data_comm = max(0.0, dp - window)
    local = params / (d if layout.zero >= 1 else 1)
    optimizer = local * OPTIMIZER_BYTES_PER_PARAM / (cm.memory_bandwidth * cm.memory_efficiency)
    optimizer += 3 * cm.kernel_overhead

    extras = t_max - n * lt.total - p2p  # embedding and/or logits on the slowest stage
    step = pipeline + data_comm + optimizer
    return StepTimes(
        step=step,
        forward=m * (n * lt.forward + extras),
        backward=m * n * lt.backward,
        recompute=m * n * lt.recompute,
        tensor_comm=m * n * (lt.comm_forward + lt.comm_backward + lt.comm_recompute),
        pipeline_comm=m * p2p,
        pipeline_bubble=pipeline - m * t_max,
        data_comm=data_comm,
        optimizer=optimizer,
        stage_time=t_max,
        network=(
            {
                "tensor": fab_t.record or {},
                "pipeline": fab_p.record or {},
                "data": fab_d.record or {},
            }
            if record
            else None
        ),
    )
