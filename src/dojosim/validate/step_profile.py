"""A profiled training step against the estimator's op times, part by part.

A ``step-profile`` measurement (``catalog/measurements/deepseek-v3-profile-h800.yaml``: the
kernel times of DeepSeek-V3's published training profile) splits one layer's GPU time by part
(``attention``: every op before the MoE MLP; ``moe``: the MoE MLP), pass (``forward``;
``backward``: input gradients, gradient casts and the recomputed ops; ``weight``: weight
gradients) and kind of kernel (``gemm``, ``attention``, ``other``). :func:`model_times` splits
the estimator's ops of one layer of the profiled job the same way
(:func:`dojosim.workload.transformer.layer_forward`, its backward pass, the ops selective
recomputation runs again), each timed by the compute model and stretched as the step model
stretches a MoE layer whose dispatcher holds SMs of its own (``Groups.compute_share``);
:func:`measured_times` divides the profile's rows by its layer count. Both are seconds per
layer, keyed ``(part, phase, kind)``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from dojosim import catalog
from dojosim.mapping.layout import Layout
from dojosim.perf.context import context
from dojosim.spec.measurement import StepProfileEntry
from dojosim.spec.resolve import load_any
from dojosim.spec.scenario import Scenario
from dojosim.workload.checkpoint import rerun_ops
from dojosim.workload.ops import Op
from dojosim.workload.transformer import backward, grad_casts, layer_forward

Key = tuple[str, str, str]
KINDS = {"matmul": "gemm", "attention": "attention", "elementwise": "other"}
#: The first op of a layer's MoE MLP; every op before it belongs to the attention part.
MOE_START = "norm2"


def _entry(name: str) -> StepProfileEntry:
    entry = catalog.get("measurement", name)
    if not isinstance(entry, StepProfileEntry):
        raise ValueError(f"measurement {name!r} is not a step profile")
    return entry


def _layout(parallelism: dict[str, Any], layers: int) -> Layout:
    """The profiled layout: every knob as the scenario names it (none may be ``auto``)."""
    p = dict(parallelism)
    modules: tuple[str, ...] = tuple(p.pop("recompute_modules", ()))
    known = {f for f in Layout.__dataclass_fields__ if f not in ("stage_layers", "interleave")}
    return Layout(
        **{k: v for k, v in p.items() if k in known},
        interleave=1,
        stage_layers=(layers,),
        recompute_modules=modules,
    )


def model_times(name: str) -> dict[Key, float]:
    """The estimator's seconds per MoE layer of the profiled job, by part, phase and kind."""
    entry = _entry(name)
    sc = load_any(entry.scenario)
    if not isinstance(sc, Scenario):
        raise ValueError(f"measurement {name!r}: the profiled job is not a transformer scenario")
    lay = _layout(entry.scenario["parallelism"], entry.layers)
    ctx = context(sc)
    cm = ctx.cm
    sh = ctx.layer_shape(lay, moe=True)
    stretch = 1.0 / ctx.groups(lay).compute_share
    forward = layer_forward(sc.model, sh)
    start = next(i for i, op in enumerate(forward) if op.name == MOE_START)
    part = {op.name: "attention" if i < start else "moe" for i, op in enumerate(forward)}

    out: dict[Key, float] = defaultdict(float)

    def add(ops: list[Op], phase: str) -> None:
        for op in ops:
            base = op.name.split(".")[0]
            pass_ = "weight" if op.name.endswith(".wgrad") else phase
            out[(part[base], pass_, KINDS[op.kind])] += cm.op_time(op) * stretch

    add(forward, "forward")
    add(backward(forward) + grad_casts(forward, sh), "backward")
    add(rerun_ops(sc.model, sh, lay.recompute, forward), "backward")
    return dict(out)


def measured_times(name: str) -> dict[Key, float]:
    """The profile's seconds per layer, by part, phase and kind (``wall`` rows left out)."""
    entry = _entry(name)
    out: dict[Key, float] = defaultdict(float)
    for row in entry.rows:
        if row.kind != "wall":
            out[(row.part, row.phase or "", row.kind)] += row.time / entry.layers
    return dict(out)


def wall_per_layer(name: str) -> float:
    """The profile's compute time per layer (s): its parts' and phases' wall rows together."""
    entry = _entry(name)
    return sum(r.time for r in entry.rows if r.kind == "wall") / entry.layers


def weight_gradient_ratio(name: str) -> float:
    """The profile's weight-gradient GEMMs' rate over its forward GEMMs' (the same GEMMs, so
    the same FLOPs): the forward GEMMs' kernel time over the weight phase's, summed over the
    parts. A weight phase counts its wall time less its other kernels, as its GEMMs may run on
    two streams at once (the MoE part's do in DeepSeek-V3's profile)."""
    entry = _entry(name)
    parts = ("attention", "moe")
    forward = sum(entry.time(p, "forward", "gemm") for p in parts)
    weight = sum(entry.time(p, "weight", "wall") - entry.time(p, "weight", "other") for p in parts)
    return forward / weight


def by_kind(times: dict[Key, float], kind: str, phase: str | None = None) -> float:
    """Seconds of ``kind`` (in ``phase``, or every phase) summed over the parts."""
    return sum(t for (_, ph, k), t in times.items() if k == kind and phase in (None, ph))


__all__ = ["by_kind", "measured_times", "model_times", "wall_per_layer", "weight_gradient_ratio"]
