"""The training-step estimate: the library's main entry point.

``estimate(scenario)`` resolves every ``auto`` knob by estimating the candidate
layouts (fastest that fits in memory), then returns an :class:`Estimate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dojosim import catalog
from dojosim.errors import SpecError
from dojosim.hardware.collectives import fabric
from dojosim.mapping.layout import Layout, check
from dojosim.mapping.memory import MemoryBreakdown, memory_per_chip
from dojosim.mapping.search import candidates
from dojosim.perf.compute import ComputeModel
from dojosim.perf.step import LayerTimes, StepTimes, step_times
from dojosim.spec.calibration import Calibration
from dojosim.spec.hardware import BYTES_PER_ELEMENT
from dojosim.spec.scenario import Scenario
from dojosim.workload.transformer import LayerShape, model_flops_per_token, total_params


@dataclass(frozen=True)
class Estimate:
    """The predicted step of a training job. Times in s, memory in B, rates per second."""

    scenario: str
    system: str
    chip: str
    model: str
    chips: int
    precision: str
    step_time_s: float
    mfu: float
    hfu: float
    tokens_per_s: float
    model_tflops_per_chip: float
    hardware_tflops_per_chip: float
    memory_per_chip_bytes: float
    memory_capacity_bytes: float
    fits_in_memory: bool
    breakdown: dict[str, float]
    memory: dict[str, float]
    layout: dict[str, Any]
    chosen: dict[str, Any]
    params: float
    model_flops_per_step: float
    candidates_evaluated: int = 1
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (the ``--json`` document of ``dojosim estimate``)."""
        return {
            "scenario": self.scenario,
            "system": self.system,
            "chip": self.chip,
            "model": self.model,
            "chips": self.chips,
            "precision": self.precision,
            "step_time_s": self.step_time_s,
            "mfu": self.mfu,
            "hfu": self.hfu,
            "tokens_per_s": self.tokens_per_s,
            "model_tflops_per_chip": self.model_tflops_per_chip,
            "hardware_tflops_per_chip": self.hardware_tflops_per_chip,
            "memory_per_chip_bytes": self.memory_per_chip_bytes,
            "memory_capacity_bytes": self.memory_capacity_bytes,
            "fits_in_memory": self.fits_in_memory,
            "breakdown": self.breakdown,
            "memory": self.memory,
            "layout": self.layout,
            "chosen": self.chosen,
            "params": self.params,
            "model_flops_per_step": self.model_flops_per_step,
            "candidates_evaluated": self.candidates_evaluated,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class _Context:
    sc: Scenario
    cm: ComputeModel
    fab: Any
    e: float
    grad_bytes: float
    cache: dict[tuple[LayerShape, str], LayerTimes]


def _context(sc: Scenario, cal: Calibration | None = None) -> _Context:
    cal = cal or catalog.get("calibration", sc.chip.calibration)
    cm = ComputeModel.of(sc.chip.peak(sc.precision), sc.chip.memory_bandwidth, cal)
    fab = fabric(sc.system, sc.chips, cal.network_efficiency_scale)
    # Activations are 16-bit in mixed precision (fp8 matmuls still keep 16-bit activations between
    # kernels); fp32/tf32 training keeps 4 B.
    e = 4.0 if sc.precision in ("fp32", "tf32") else 2.0
    grad_bytes = float(max(BYTES_PER_ELEMENT[sc.precision], 2))
    return _Context(sc, cm, fab, e, grad_bytes, {})


def _shape(ctx: _Context, lay: Layout) -> LayerShape:
    return LayerShape(
        lay.micro_batch,
        ctx.sc.model.seq_len,
        lay.tensor,
        lay.sequence_parallel,
        ctx.sc.flash_attention,
        ctx.e,
    )


def _evaluate(ctx: _Context, lay: Layout) -> tuple[StepTimes, MemoryBreakdown]:
    shape = _shape(ctx, lay)
    mem = memory_per_chip(ctx.sc.model, lay, ctx.sc.precision, shape)
    st = step_times(ctx.sc.model, lay, shape, ctx.cm, ctx.fab, ctx.grad_bytes, ctx.cache)
    return st, mem


def _hardware_flops_per_step(sc: Scenario, lay: Layout, model_flops: float) -> float:
    """Model FLOPs plus what recomputation adds (Megatron's hardware-FLOP convention)."""
    if lay.recompute == "full":
        return model_flops * 4 / 3
    if lay.recompute == "selective" and not sc.flash_attention:
        m = sc.model
        s = m.seq_len
        attn = 4.0 * s * s * m.heads * m.dhead * m.layers  # QK^T and AV forward, per sequence
        return model_flops + attn * lay.global_batch
    return model_flops


def estimate(
    scenario: Scenario | str | Path | dict[str, Any], *, calibration: Calibration | None = None
) -> Estimate:
    """Predict the step of a training job.

    ``scenario`` is a resolved :class:`Scenario`, a path to a scenario YAML file,
    or a scenario mapping. ``auto`` knobs are chosen by estimating every
    candidate layout: the fastest that fits in memory wins (if none fits, the one
    needing least memory is reported with ``fits_in_memory = False``).
    ``calibration`` replaces the chip's catalog calibration (for fitting and what-ifs).
    """
    from dojosim.spec.resolve import load_scenario

    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if sc.model.experts > 1:
        raise SpecError(
            "mixture-of-experts models are described by the schema but expert parallelism is not "
            "modelled yet",
            file=sc.source_file,
            field="model.experts",
        )
    if sc.system.max_chips is not None and sc.chips > sc.system.max_chips:
        raise SpecError(
            f"system {sc.system.name!r} holds at most {sc.system.max_chips} chips, asked for {sc.chips}",
            file=sc.source_file,
            field="chips",
        )
    ctx = _context(sc, calibration)
    layouts = candidates(sc)
    if len(layouts) == 1:
        check(layouts[0], sc.model, sc.chips, sc.source_file)
    capacity = sc.chip.memory
    best: tuple[float, Layout, StepTimes, MemoryBreakdown] | None = None
    smallest: tuple[float, Layout, StepTimes, MemoryBreakdown] | None = None
    for lay in layouts:
        st, mem = _evaluate(ctx, lay)
        if mem.total <= capacity and (best is None or st.step < best[0]):
            best = (st.step, lay, st, mem)
        if smallest is None or mem.total < smallest[0]:
            smallest = (mem.total, lay, st, mem)
    chosen = best or smallest
    if chosen is None:
        raise SpecError(
            "no valid layout: check tensor, pipeline and batch sizes against the model and chips",
            file=sc.source_file,
            field="parallelism",
        )
    _, lay, st, mem = chosen
    tokens = lay.global_batch * sc.model.seq_len
    # forward + backward (the backward pass is two matmuls per forward matmul): 3x forward
    model_flops = 3 * tokens * model_flops_per_token(sc.model, sc.model.seq_len)
    peak = sc.chip.peak(sc.precision) * sc.chips
    hw_flops = _hardware_flops_per_step(sc, lay, model_flops)
    auto = {
        k: getattr(lay, k)
        for k, v in sc.parallelism.model_dump().items()
        if v == "auto" or (k == "data" and v is None)
    }
    notes = []
    if best is None:
        notes.append("no candidate layout fits in memory; the one needing least memory is shown")
    return Estimate(
        scenario=sc.name,
        system=sc.system.name,
        chip=sc.chip.name,
        model=sc.model.name,
        chips=sc.chips,
        precision=sc.precision,
        step_time_s=st.step,
        mfu=model_flops / (st.step * peak),
        hfu=hw_flops / (st.step * peak),
        tokens_per_s=tokens / st.step,
        model_tflops_per_chip=model_flops / st.step / sc.chips / 1e12,
        hardware_tflops_per_chip=hw_flops / st.step / sc.chips / 1e12,
        memory_per_chip_bytes=mem.total,
        memory_capacity_bytes=capacity,
        fits_in_memory=mem.total <= capacity,
        breakdown=st.breakdown(),
        memory=mem.as_dict(),
        layout=lay.as_dict(),
        chosen=auto,
        params=total_params(sc.model),
        model_flops_per_step=model_flops,
        candidates_evaluated=len(layouts),
        notes=notes,
    )


__all__ = ["Estimate", "estimate"]
