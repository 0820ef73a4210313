"""The training-step estimate: the library's main entry point.

``estimate(scenario)`` resolves every ``auto`` knob by estimating the candidate
layouts (fastest that fits in memory), then returns an :class:`Estimate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dojosim import catalog
from dojosim.errors import SpecError
from dojosim.hardware.collectives import fabric
from dojosim.mapping.hierarchy import Hierarchy, Placement, hierarchy_of, place, stream_time
from dojosim.mapping.layout import Layout, check
from dojosim.mapping.memory import MemoryBreakdown, in_flight, memory_per_chip, stage_params
from dojosim.mapping.search import candidates
from dojosim.mapping.spatial import check_slice, slice_of
from dojosim.perf.bottleneck import bottleneck, parts
from dojosim.perf.compute import ComputeModel, vector_rate
from dojosim.perf.step import OPTIMIZER_BYTES_PER_PARAM, LayerTimes, StepTimes, step_times
from dojosim.spec.calibration import Calibration
from dojosim.spec.hardware import BYTES_PER_ELEMENT
from dojosim.spec.scenario import DataSection, NetworkScenario, Scenario
from dojosim.workload.transformer import (
    LayerShape,
    model_flops_per_token,
    total_params,
)


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
    bottleneck: str = "compute"
    limits: dict[str, float] = field(default_factory=dict)
    network: dict[str, float] = field(default_factory=dict)  # exposed seconds per tier
    memory_placement: dict[str, Any] | None = None
    samples_per_s: float = 0.0  # sequences (transformers) or samples/clips (networks) per second
    ingest: dict[str, Any] | None = None

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
            "bottleneck": self.bottleneck,
            "limits": self.limits,
            "network": self.network,
            "memory_placement": self.memory_placement,
            "samples_per_s": self.samples_per_s,
            "ingest": self.ingest,
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
    hier: Hierarchy | None


def _context(sc: Scenario, cal: Calibration | None = None) -> _Context:
    cal = cal or catalog.get("calibration", sc.chip.calibration)
    cm = ComputeModel.of(
        sc.chip.peak(sc.precision),
        sc.chip.memory_bandwidth,
        cal,
        vector_rate(sc.chip, sc.precision),
    )
    fab = fabric(sc.system, sc.chips, cal.network_efficiency_scale)
    # Activations are 16-bit in mixed precision (fp8 matmuls still keep 16-bit activations between
    # kernels); fp32/tf32 training keeps 4 B.
    e = 4.0 if sc.precision in ("fp32", "tf32") else 2.0
    grad_bytes = float(max(BYTES_PER_ELEMENT[sc.precision], 2))
    return _Context(sc, cm, fab, e, grad_bytes, {}, hierarchy_of(sc.system, sc.chip))


def _shape(ctx: _Context, lay: Layout) -> LayerShape:
    return LayerShape(
        lay.micro_batch,
        ctx.sc.model.seq_len,
        lay.tensor,
        lay.sequence_parallel,
        ctx.sc.flash_attention,
        ctx.e,
    )


def _evaluate(
    ctx: _Context, lay: Layout, *, record: bool = False
) -> tuple[StepTimes, MemoryBreakdown, Placement | None]:
    shape = _shape(ctx, lay)
    mem = memory_per_chip(ctx.sc.model, lay, ctx.sc.precision, shape)
    st = step_times(
        ctx.sc.model, lay, shape, ctx.cm, ctx.fab, ctx.grad_bytes, ctx.cache, record=record
    )
    if ctx.hier is None:
        return st, mem, None
    # Two-level memory (Dojo): what does not fit in SRAM streams from the DIPs' HBM.
    m = ctx.sc.model
    # Weights stream one matrix at a time (explicit DMA), so the largest matrix sets the buffer.
    largest = max(m.hidden * m.ffn, m.hidden * (m.heads + 2 * m.n_kv_heads) * m.dhead)
    pl = place(
        mem,
        ctx.hier,
        lay.micro_batches,
        in_flight(lay, mem.stage),
        lay.recompute,
        largest / lay.tensor * ctx.e,
    )
    exposed = stream_time(pl, ctx.hier, lay.micro_batches * st.stage_time)
    local = stage_params(ctx.sc.model, lay, mem.stage) / (lay.data if lay.zero >= 1 else 1)
    update = local * OPTIMIZER_BYTES_PER_PARAM * pl.optimizer_offchip_fraction
    extra = exposed + update / ctx.hier.offchip_bandwidth
    return replace(st, step=st.step + extra, offchip=extra), mem, pl


def _fits(ctx: _Context, mem: MemoryBreakdown, pl: Placement | None) -> bool:
    return pl.fits if pl is not None else mem.total <= ctx.sc.chip.memory


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
    scenario: Scenario | NetworkScenario | str | Path | dict[str, Any],
    *,
    calibration: Calibration | None = None,
) -> Estimate:
    """Predict the step of a training job.

    ``scenario`` is a resolved :class:`Scenario`, a path to a scenario YAML file,
    or a scenario mapping; its ``model:`` may name a transformer model or a catalog
    network (a conv net, a video transformer). ``auto`` knobs are chosen by estimating every
    candidate layout: the fastest that fits in memory wins (if none fits, the one
    needing least memory is reported with ``fits_in_memory = False``).
    ``calibration`` replaces the chip's catalog calibration (for fitting and what-ifs).
    """
    from dojosim.spec.resolve import load_any

    loaded = scenario if isinstance(scenario, Scenario | NetworkScenario) else load_any(scenario)
    if isinstance(loaded, NetworkScenario):
        return _estimate_network(loaded, calibration)
    sc = loaded
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
    check_slice(sc.system, sc.chips, sc.parallelism.tensor, sc.parallelism.pipeline, sc.source_file)
    ctx = _context(sc, calibration)
    layouts = candidates(sc)
    if len(layouts) == 1:
        check(layouts[0], sc.model, sc.chips, sc.source_file)
    capacity = sc.chip.memory + (ctx.hier.offchip if ctx.hier else 0.0)
    best: tuple[float, Layout, StepTimes, MemoryBreakdown] | None = None
    smallest: tuple[float, Layout, StepTimes, MemoryBreakdown] | None = None
    for lay in layouts:
        st, mem, pl = _evaluate(ctx, lay)
        if _fits(ctx, mem, pl) and (best is None or st.step < best[0]):
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
    _, lay, _, _ = chosen
    # Replay the chosen layout recording which tier carried which traffic.
    st, mem, pl = _evaluate(ctx, lay, record=True)
    fits = _fits(ctx, mem, pl)
    limits = parts(st)
    network = {k.removeprefix("network: "): v for k, v in limits.items() if k.startswith("network")}
    dojo_like = ctx.hier is not None
    limit = bottleneck(
        st,
        fits=fits,
        capacity_name="SRAM capacity" if dojo_like else "memory capacity",
        offchip_name=f"{ctx.hier.device} bandwidth" if ctx.hier else "off-chip bandwidth",
    )
    layout = lay.as_dict()
    spatial = slice_of(sc.system, lay)
    if spatial is not None:
        layout["slice"] = spatial
    st, ingest, limit = _with_ingest(sc.data, sc.chips, lay.global_batch, st, limit, sc.source_file)
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
        fits_in_memory=fits,
        breakdown=st.breakdown(),
        memory=mem.as_dict(),
        layout=layout,
        chosen=auto,
        params=total_params(sc.model),
        model_flops_per_step=model_flops,
        candidates_evaluated=len(layouts),
        notes=notes,
        bottleneck=limit,
        limits=limits,
        network=network,
        memory_placement=pl.as_dict() if pl is not None else None,
        samples_per_s=lay.global_batch / st.step,
        ingest=ingest,
    )


def _with_ingest(
    data: DataSection | None,
    chips: int,
    samples: int,
    st: StepTimes,
    limit: str,
    file: str | None,
) -> tuple[StepTimes, dict[str, Any] | None, str]:
    """Stretch the step when reading and decoding its samples takes longer than computing them."""
    if data is None:
        return st, None, limit
    from dojosim.workload.ingest import estimate_ingest, resolve_ingest

    parts = resolve_ingest(data.ingest, file=file)
    ie = estimate_ingest(
        parts, chips=chips, samples_per_step=samples, step_time_s=st.step, epochs=data.epochs
    )
    if ie.seconds_per_step > st.step:
        st = replace(st, step=ie.seconds_per_step)
        limit = f"ingest ({ie.limit})"
    return st, ie.as_dict(), limit


def _estimate_network(sc: NetworkScenario, calibration: Calibration | None) -> Estimate:
    """The estimate of a catalog network (see :mod:`dojosim.perf.network`)."""
    from dojosim.perf.network import search
    from dojosim.workload.networks import network

    w = network(sc.network.name)
    ev, n_cands, hier = search(sc, w, calibration)
    st, lay = ev.times, ev.layout
    limit = bottleneck(
        st,
        fits=ev.fits,
        capacity_name="SRAM capacity" if hier else "memory capacity",
        offchip_name=f"{hier.device} bandwidth" if hier else "off-chip bandwidth",
    )
    limits = parts(st)
    st, ingest, limit = _with_ingest(sc.data, sc.chips, lay.global_batch, st, limit, sc.source_file)
    if ingest is not None and st.step > sum(limits.values()):
        limits["ingest"] = st.step - sum(limits.values())
    model_flops = 3.0 * w.forward_flops * lay.global_batch
    hw_flops = model_flops + (w.forward_flops * lay.global_batch if lay.recompute == "full" else 0)
    peak = sc.chip.peak(sc.precision) * sc.chips
    layout = lay.as_dict()
    spatial = slice_of(sc.system, lay)
    if spatial is not None:
        layout["slice"] = spatial
    capacity = sc.chip.memory + (hier.offchip if hier else 0.0)
    par = sc.parallelism.model_dump()
    chosen = {
        k: layout[k]
        for k, v in par.items()
        if k in layout and (v == "auto" or (k == "data" and v is None))
    }
    return Estimate(
        scenario=sc.name,
        system=sc.system.name,
        chip=sc.chip.name,
        model=sc.network.name,
        chips=sc.chips,
        precision=sc.precision,
        step_time_s=st.step,
        mfu=model_flops / (st.step * peak),
        hfu=hw_flops / (st.step * peak),
        tokens_per_s=0.0,
        model_tflops_per_chip=model_flops / st.step / sc.chips / 1e12,
        hardware_tflops_per_chip=hw_flops / st.step / sc.chips / 1e12,
        memory_per_chip_bytes=ev.memory.total,
        memory_capacity_bytes=capacity,
        fits_in_memory=ev.fits,
        breakdown=st.breakdown(),
        memory=ev.memory.as_dict(),
        layout=layout,
        chosen=chosen,
        params=w.params,
        model_flops_per_step=model_flops,
        candidates_evaluated=n_cands,
        notes=[
            "a network's batch counts samples (images or clips): see samples_per_s; "
            "tokens_per_s does not apply"
        ]
        + ([] if ev.fits else ["no candidate layout fits in memory; the smallest is shown"]),
        bottleneck=limit,
        limits=limits,
        network={k.removeprefix("network: "): v for k, v in limits.items() if k.startswith("net")},
        memory_placement=ev.placement.as_dict() if ev.placement is not None else None,
        samples_per_s=lay.global_batch / st.step,
        ingest=ingest,
    )


__all__ = ["Estimate", "estimate"]
