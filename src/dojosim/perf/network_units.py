"""The cost of one layer of a network given as layers (a catalog network, a traced
``torch.nn.Module``), one micro-batch, on one chip: the units the schedule engine composes
for networks, as :mod:`dojosim.perf.units` gives them for transformers.

Every forward op of the network is held as arrays affine in the batch
(:class:`OpTable`), so a whole network is timed with NumPy for any micro-batch and
spatial split. A spatial split of ``t`` chips exchanges halos (convolutions), gathers
(attention) or statistics (norms) per layer (:func:`_spatial_comm`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dojosim.hardware.collectives import Fabric, collective_time, p2p_time
from dojosim.perf.compute import ComputeModel
from dojosim.perf.units import FP32, UnitCost
from dojosim.workload.graph import Layer, Workload
from dojosim.workload.ops import ATTENTION_BACKWARD_FLOPS


def _spatial_comm(layer: Layer, positions: float, b: int, t: int, fab: Fabric) -> float:
    """Seconds of one layer's exchanges inside a spatial split of ``t`` chips, one direction.

    A convolution swaps a one-position halo with its neighbours: about
    ``4 / sqrt(positions / t)`` of its output share for a square split, ``positions``
    being its output positions per sample (its GEMM's rows). Attention mixes all
    positions, so it gathers the whole output. A norm reduces its statistics: a mean
    and a variance per channel in fp32.
    """
    if t == 1:
        return 0.0
    out = layer.output_bytes * b
    if layer.kind == "conv":
        halo = out / t * min(1.0, 4.0 / math.sqrt(max(max(positions, 1.0) / t, 1.0)))
        return p2p_time(fab, halo, 1)
    if layer.kind == "attention":
        return collective_time(fab, "all_gather", out, t, 1)
    if layer.kind == "norm":
        channels = max(layer.params / 2, 1.0)  # a norm's weight and bias: one of each per channel
        return collective_time(fab, "all_reduce", 2 * channels * FP32, t, 1)
    return 0.0


@dataclass(frozen=True)
class OpTable:
    """Every forward op of a network as arrays, affine in the batch (``fixed + per_sample * b``),
    so a whole network is timed with NumPy for any micro-batch and split."""

    layer: Any  # layer index of each op
    kind: Any  # 0 matmul, 1 attention, 2 element-wise
    coef: Any  # [ops, 12]: flops, bytes, m, n, k, batch as (fixed, per_sample) pairs
    layers: int

    @classmethod
    def of(cls, w: Workload) -> OpTable:
        import numpy as np

        codes = {"matmul": 0, "attention": 1, "elementwise": 2}
        rows, layer, kind = [], [], []
        for i, lay in enumerate(w.layers):
            for t in lay.templates:
                layer.append(i)
                kind.append(codes[t.kind])
                rows.append(
                    [
                        v
                        for a in (t.flops, t.bytes, t.m, t.n, t.k, t.batch)
                        for v in (a.fixed, a.per_sample)
                    ]
                )
        return cls(
            np.array(layer, dtype=int),
            np.array(kind, dtype=int),
            np.array(rows, dtype=float).reshape(-1, 12),
            len(w.layers),
        )

    def times(self, cm: ComputeModel, b: int, t: int) -> tuple[Any, Any, Any]:
        """Forward and backward seconds per layer, and each layer's largest matmul ``m`` per
        sample, for micro-batch ``b`` split ``t`` ways (as :func:`_split` splits one op)."""
        import numpy as np

        c = self.coef
        flops = np.maximum(c[:, 0] + c[:, 1] * b, 0.0)
        nbytes = np.maximum(c[:, 2] + c[:, 3] * b, 0.0)
        m = np.maximum(np.rint(c[:, 4] + c[:, 5] * b), 0.0)
        n = np.maximum(np.rint(c[:, 6] + c[:, 7] * b), 0.0)
        k = np.maximum(np.rint(c[:, 8] + c[:, 9] * b), 0.0)
        batch = np.maximum(np.rint(c[:, 10] + c[:, 11] * b), 1.0)
        mm = self.kind == 0
        positions = np.where(mm, m / max(b, 1), 0.0)
        if t > 1:
            rows = mm & (m >= batch)
            m = np.where(rows, np.ceil(m / t), m)
            batch = np.where(rows, batch, np.ceil(batch / t))
            flops, nbytes = flops / t, nbytes / t
        mem = nbytes / (cm.memory_bandwidth * cm.memory_efficiency)

        def matrix_time(gradient: bool, weight: bool = False) -> Any:
            """Compute-bound seconds of each matmul row, forward or as a backward-pass GEMM
            (``weight``: the weight gradient)."""
            eff = cm.matmul_efficiency_of(m, n, k, gradient=gradient, weight_gradient=weight)
            with np.errstate(divide="ignore", invalid="ignore"):
                t = np.where(eff > 0, flops / (cm.peak_flops * eff), np.inf)
            if cm.vector_flops > 0:
                t = np.minimum(t, flops / cm.vector_flops)
            return np.where(flops > 0, t, 0.0)

        matrix = matrix_time(False)
        # attention rows: n the keys each query attends to, k the head dim
        attn_eff = cm.attention_efficiency(n, k)
        attn = flops / ((cm.attention_peak_flops or cm.peak_flops) * attn_eff)
        ovh = cm.kernel_overhead
        fwd = np.where(
            mm, np.maximum(matrix, mem), np.where(self.kind == 1, np.maximum(attn, mem), mem)
        )
        # backward: two matmuls of the same FLOPs, traffic and shape factor per matmul, at the
        # backward-pass GEMM rate; ATTENTION_BACKWARD_FLOPS x the FLOPs and twice the traffic for
        # fused attention; twice the traffic otherwise
        attn_bwd = np.maximum(ATTENTION_BACKWARD_FLOPS * attn, 2 * mem)
        dgrad = np.maximum(matrix_time(True), mem)
        # the weight gradient runs at the input gradient's rate unless wgrad_ratio says otherwise
        wgrad = np.maximum(matrix_time(True, True), mem) if cm.wgrad_ratio != 1.0 else dgrad
        mm_bwd = dgrad + wgrad
        bwd = np.where(mm, mm_bwd + ovh, np.where(self.kind == 1, attn_bwd, 2 * mem))
        fwd = fwd + ovh
        bwd = bwd + ovh
        per_f = np.bincount(self.layer, weights=fwd, minlength=self.layers)
        per_b = np.bincount(self.layer, weights=bwd, minlength=self.layers)
        widest = np.zeros(self.layers)
        np.maximum.at(widest, self.layer, positions)
        return per_f, per_b, widest


def network_layers(
    w: Workload,
    b: int,
    t: int,
    recompute: str,
    cm: ComputeModel,
    fab: Fabric,
    e: float,
    table: OpTable | None = None,
) -> list[UnitCost]:
    """Every layer of a network for micro-batch ``b`` split spatially ``t`` ways.

    ``e`` is the activation bytes per element of the training precision; the
    workload's byte counts assume ``w.element_bytes``. Full recomputation
    checkpoints segments of ``ceil(sqrt(n))`` layers (``torch.utils.checkpoint.
    checkpoint_sequential``; Chen et al. 2016, arXiv 1604.06174): only each
    segment's input is kept, and the backward pass reruns one segment at a time, so
    its activations are a working buffer (carried on the segment's first layer).
    """
    table = table or OpTable.of(w)
    per_f, per_b, widest = table.times(cm, b, t)
    scale = e / w.element_bytes
    full = recompute == "full"
    segment = math.ceil(math.sqrt(len(w.layers)))
    acts = [layer.activation_bytes * b / t * scale for layer in w.layers]
    outs = [layer.output_bytes * b / t * scale for layer in w.layers]
    out: list[UnitCost] = []
    for i, layer in enumerate(w.layers):
        comm = _spatial_comm(layer, float(widest[i]), b, t, fab)
        fwd = float(per_f[i])
        kept, work = acts[i], 0.0
        if full:
            first = i % segment == 0
            kept = (outs[i - 1] if i else 0.0) if first else 0.0
            work = sum(acts[i : i + segment]) if first else 0.0
        out.append(
            UnitCost(
                fwd,
                float(per_b[i]),
                fwd if full else 0.0,
                comm,
                comm,
                comm if full else 0.0,
                layer.params,
                kept,
                outs[i],
                work,
                layer.params,
            )
        )
    return out


# UnitCost fields in the column order of a network's prefix sums (see :func:`prefix_sums`).
FIELDS = ("forward", "backward", "recompute", "comm_forward", "comm_backward", "comm_recompute",
          "params", "activations", "work", "largest_matrix")  # fmt: skip


def prefix_sums(costs: list[UnitCost]) -> tuple[Any, Any, list[float]]:
    """A network's layer costs as columns (:data:`FIELDS`), their cumulative sums (a zero row
    first) and each layer's output bytes: any run of layers is then added up in O(1)."""
    import numpy as np

    cols = np.array([[getattr(u, f) for f in FIELDS] for u in costs])
    cum = np.vstack([np.zeros(len(FIELDS)), np.cumsum(cols, axis=0)])
    return cols, cum, [u.output for u in costs]


def stage_rows(
    prefix: tuple[Any, Any, list[float]], stage_layers: tuple[int, ...]
) -> list[tuple[float, ...]]:
    """Each stage of ``stage_layers`` consecutive layers added up, in the field order of
    :class:`dojosim.perf.context.StageSum`: the eight sums, then the largest working buffer,
    the largest unit's parameters and the largest weight matrix, and the stage's output bytes."""
    cols, cum, outputs = prefix
    out, start = [], 0
    for n in stage_layers:
        end = start + n
        total = cum[end] - cum[start]
        block = cols[start:end]
        sums = tuple(float(x) for x in total[:8])
        largest = (float(block[:, 8].max()), float(block[:, 6].max()), float(block[:, 9].max()))
        out.append((*sums, *largest, outputs[end - 1]))
        start = end
    return out


__all__ = ["FIELDS", "OpTable", "network_layers", "prefix_sums", "stage_rows"]
