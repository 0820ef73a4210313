"""Memory per chip: weights, gradients, optimizer states, activations and transient buffers.

Mixed precision as in Megatron-LM (Narayanan et al. 2021; Rajbhandari et al.
2020, "ZeRO", Section 3.1): 16-bit weights (2 B), fp32 gradient accumulation
buffers (4 B) and Adam's fp32 master weights, momentum and variance (12 B):
18 B per parameter, sharded across the data-parallel group by ZeRO stage
1 (optimizer), 2 (+ gradients) and 3 (+ weights). fp32 training keeps 4 B
weights, 4 B gradients and 8 B of Adam moments.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from dojosim.mapping.layout import Layout
from dojosim.spec.workload import ModelSpec
from dojosim.workload.transformer import (
    LayerShape,
    activation_bytes_per_layer,
    embedding_params,
    params_per_layer,
)


@dataclass(frozen=True, slots=True)
class MemoryBreakdown:
    """Bytes per chip on the most loaded pipeline stage."""

    weights: float
    gradients: float
    optimizer: float
    activations: float
    transient: float
    stage: int

    @property
    def total(self) -> float:
        return self.weights + self.gradients + self.optimizer + self.activations + self.transient

    def as_dict(self) -> dict[str, float]:
        d = asdict(self)
        d["total"] = self.total
        return d


def bytes_per_param(precision: str) -> tuple[float, float, float]:
    """(weights, gradients, optimizer) bytes per parameter for a training precision."""
    if precision in ("fp32", "tf32"):
        return 4.0, 4.0, 8.0
    return 2.0, 4.0, 12.0


def stage_params(model: ModelSpec, layout: Layout, stage: int) -> float:
    """Parameters held by one chip of a pipeline stage (before ZeRO sharding)."""
    p, t = layout.pipeline, layout.tensor
    n = layout.stage_layers[stage] * params_per_layer(model)
    if stage == 0:
        n += embedding_params(model)
    if stage == p - 1 and (p > 1 or not model.tied_embeddings):
        n += embedding_params(model)  # output projection (a copy of the tied embedding when p > 1)
    return n / t


def in_flight(layout: Layout, stage: int) -> float:
    """Micro-batches whose activations a stage holds at its peak under 1F1B.

    Stage ``i`` holds ``p - i`` micro-batches; interleaving with ``v`` virtual stages
    multiplies the first stage's by ``1 + (p - 1) / (p v)`` (Korthikanti et al. 2022, Section 4.2.3).
    """
    p, v, m = layout.pipeline, layout.interleave, layout.micro_batches
    n = float(min(p - stage, m))
    if v > 1:
        n *= 1 + (p - 1) / (p * v)
    return n


def memory_per_chip(
    model: ModelSpec, layout: Layout, precision: str, shape: LayerShape
) -> MemoryBreakdown:
    """The memory of the most loaded stage's chips."""
    wb, gb, ob = bytes_per_param(precision)
    d, z = layout.data, layout.zero
    act_layer = activation_bytes_per_layer(model, shape, layout.recompute)
    if layout.recompute == "full":
        # recomputing a layer rebuilds its full activations once, as a working buffer
        work = activation_bytes_per_layer(model, shape, "selective")
    else:
        work = 0.0
    vocab_t = -(-model.vocab // layout.tensor)
    logits = shape.b * shape.s * vocab_t * (shape.e + 8)  # logits, fp32 softmax and its gradient
    best: MemoryBreakdown | None = None
    for i in range(layout.pipeline):
        n = stage_params(model, layout, i)
        weights = n * wb / (d if z >= 3 else 1)
        grads = n * gb / (d if z >= 2 else 1)
        opt = n * ob / (d if z >= 1 else 1)
        acts = act_layer * layout.stage_layers[i] * in_flight(layout, i)
        transient = work + (logits if i == layout.pipeline - 1 else 0.0)
        if z >= 3:
            # ZeRO-3 gathers each layer's full weights before use, prefetching the next one
            # (FSDP's default): two layers of unsharded weights are resident at once.
            transient += 2 * params_per_layer(model) / layout.tensor * wb
        mb = MemoryBreakdown(weights, grads, opt, acts, transient, i)
        if best is None or mb.total > best.total:
            best = mb
    assert best is not None
    return best
