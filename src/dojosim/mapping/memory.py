"""Memory per chip of a pipeline stage: weights, gradients, optimizer, activations, buffers.

Parameters are held as the layout's :class:`~dojosim.mapping.policy.Policy` says
(precision and ZeRO stage; the same object sizes the data-parallel traffic).
Activations are the stage's layers' saved bytes per micro-batch times the
micro-batches in flight at the stage's peak (:func:`dojosim.perf.schedule.in_flight`).
Transient buffers are the largest working buffer of any of the stage's layers
(a recomputed layer's activations, the logits of the last stage) plus the
policy's gathered weights and gradient reduce buffers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from dojosim.mapping.policy import Policy


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


def stage_memory(
    policy: Policy,
    *,
    params: float,
    largest_layer_params: float,
    data: int,
    activations_per_micro_batch: float,
    in_flight: float,
    work: float,
    stage: int,
) -> MemoryBreakdown:
    """One stage's memory per chip (B).

    ``params`` are the stage's parameters on one chip before ZeRO sharding over a
    data-parallel group of ``data``; ``largest_layer_params`` is the unit ZeRO-3 gathers.
    """
    pm = policy.memory(params, data, largest_layer_params)
    return MemoryBreakdown(
        pm.weights,
        pm.gradients,
        pm.optimizer,
        activations_per_micro_batch * in_flight,
        work + pm.transient,
        stage,
    )


__all__ = ["MemoryBreakdown", "stage_memory"]
