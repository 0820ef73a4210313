"""The training-step estimate: the library's main entry point.

``estimate(scenario)`` resolves the scenario once (catalog, calibration, memory
hierarchy, workload), searches the layouts its framework can run for every
``auto`` knob (:mod:`dojosim.perf.optimise`), and returns an :class:`Estimate`
of the fastest that fits. Transformers, catalog networks and traced
``torch.nn.Module`` workloads take the same path.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dojosim.errors import SpecError
from dojosim.hardware.collectives import slices_problem
from dojosim.mapping.frameworks import framework
from dojosim.mapping.spatial import check_slice, slice_of
from dojosim.perf.bottleneck import bottleneck, parts
from dojosim.perf.context import Context, context
from dojosim.perf.explain import no_layout
from dojosim.perf.flops import hardware_flops_per_step, model_flops_per_step, samples_tokens
from dojosim.perf.optimise import search
from dojosim.perf.step import Evaluation, StepTimes, evaluate
from dojosim.spec.calibration import Calibration
from dojosim.spec.scenario import NetworkScenario, Scenario


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
    chips_used: int = 0
    idle_chips: int = 0
    slices: int = 1  # TPU Multislice slices or pods the job is cut into (data-parallel across them)
    framework: str = "megatron"
    step_time_interval_s: tuple[float, float] | None = None
    interval: dict[str, Any] | None = None  # how the interval was made
    search: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (the ``--json`` document of ``dojosim estimate``)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        iv = self.step_time_interval_s
        out["step_time_interval_s"] = list(iv) if iv is not None else None
        return out


def _load(
    scenario: Scenario | NetworkScenario | str | Path | dict[str, Any], workload: Any
) -> Scenario | NetworkScenario:
    from dojosim.spec.resolve import load_any, with_workload

    if isinstance(scenario, Scenario | NetworkScenario):
        loaded = scenario
    else:
        loaded = load_any(scenario) if workload is None else with_workload(scenario, workload)
    return loaded


def estimate(
    scenario: Scenario | NetworkScenario | str | Path | dict[str, Any],
    *,
    calibration: Calibration | None = None,
    workload: Any = None,
    interval: bool = True,
) -> Estimate:
    """Predict the step of a training job.

    ``scenario`` is a resolved scenario, a path to a scenario YAML file, a built-in
    scenario's name, or a scenario mapping; its ``model:`` may name a transformer
    model or a catalog network. ``workload`` (a :class:`~dojosim.workload.graph.Workload`,
    e.g. from :func:`dojosim.workload.from_torch`) replaces the scenario's model.
    ``auto`` knobs are chosen by searching every layout the framework can run: the
    fastest that fits in memory wins (if none fits, the one needing least memory is
    reported with ``fits_in_memory = False``). ``calibration`` replaces the chip's
    calibration (for fitting and what-ifs); ``interval`` adds the 80% interval.
    """
    sc = _load(scenario, workload)
    system = sc.system
    beyond = any(t.size is None and not t.shortcut for t in system.network[1:])
    if system.max_chips is not None and sc.chips > system.max_chips and not beyond:
        raise SpecError(
            f"system {system.name!r} holds at most {system.max_chips} chips and has no "
            f"network tier beyond them, asked for {sc.chips}",
            file=sc.source_file,
            field="chips",
        )
    if sc.slices is not None and (why := slices_problem(system, sc.chips, sc.slices)):
        raise SpecError(why, file=sc.source_file, field="slices")
    if sc.slice_sharding == "fsdp" and not framework(sc.framework).shard_in_slice:
        why = f"fsdp is MaxText's dcn_fsdp_parallelism; {sc.framework} shards over every data rank"
        raise SpecError(why, file=sc.source_file, field="slice_sharding")
    par = sc.parallelism
    check_slice(system, sc.chips, par.tensor, par.pipeline, sc.source_file)
    ctx = context(sc, calibration)
    found = search(ctx)
    chosen = found.best or found.smallest
    if chosen is None:
        raise no_layout(ctx)
    # which tier carried which traffic (a one-layout search recorded it already)
    ev = chosen if found.recorded else evaluate(ctx, chosen.layout, record=True)
    result = _result(ctx, ev, found.best is not None)
    result = replace(
        result,
        candidates_evaluated=found.evaluated,
        search={
            "space": found.space,
            "families": found.families,
            "evaluated": found.evaluated,
        },
    )
    if interval and calibration is None:
        from dojosim.perf.interval import step_interval

        lo_hi, how = step_interval(sc, result, ev.layout)
        result = replace(result, step_time_interval_s=lo_hi, interval=how)
    return result


def _result(ctx: Context, ev: Evaluation, fits_found: bool) -> Estimate:
    sc, lay, st = ctx.sc, ev.layout, ev.times
    hier = ctx.hier
    limits = parts(st)
    limit = bottleneck(
        st,
        fits=ev.fits,
        capacity_name="SRAM capacity" if hier else "memory capacity",
        offchip_name=f"{hier.device} bandwidth" if hier else "off-chip bandwidth",
    )
    st, ingest, limit = _with_ingest(sc, lay.global_batch, st, limit)
    if ingest is not None and st.step > sum(limits.values()):
        limits["ingest"] = st.step - sum(limits.values())
    network = {k.removeprefix("network: "): v for k, v in limits.items() if k.startswith("net")}
    layout = lay.as_dict()
    spatial = slice_of(sc.system, lay)
    if spatial is not None:
        layout["slice"] = spatial
    if ctx.is_network:
        layout["spatial_split"] = lay.tensor
    used = lay.chips
    model_flops = model_flops_per_step(sc, lay)
    hw_flops = hardware_flops_per_step(sc, lay, model_flops)
    peak = sc.chip.peak(ctx.precision.matmul) * used
    samples, tokens = samples_tokens(sc, lay)
    notes = _notes(ctx, ev, fits_found, model_flops / (st.step * peak))
    capacity = sc.chip.memory + (hier.offchip if hier else 0.0)
    return Estimate(
        scenario=sc.name,
        system=sc.system.name,
        chip=sc.chip.name,
        model=sc.model.name if isinstance(sc, Scenario) else ctx.workload.name,  # type: ignore[union-attr]
        chips=sc.chips,
        precision=sc.precision,
        step_time_s=st.step,
        mfu=model_flops / (st.step * peak),
        hfu=hw_flops / (st.step * peak),
        tokens_per_s=tokens / st.step,
        model_tflops_per_chip=model_flops / st.step / used / 1e12,
        hardware_tflops_per_chip=hw_flops / st.step / used / 1e12,
        memory_per_chip_bytes=ev.memory.total,
        memory_capacity_bytes=capacity,
        fits_in_memory=ev.fits,
        breakdown=st.breakdown(),
        memory=ev.memory.as_dict(),
        layout=layout,
        chosen=_chosen(sc, layout),
        params=_params(ctx),
        model_flops_per_step=model_flops,
        notes=notes,
        bottleneck=limit,
        limits=limits,
        network=network,
        memory_placement=ev.placement.as_dict() if ev.placement is not None else None,
        samples_per_s=samples / st.step,
        ingest=ingest,
        chips_used=used,
        idle_chips=sc.chips - used,
        slices=_slices(ctx, used),
        framework=ctx.fw.name,
    )


def _slices(ctx: Context, used: int) -> int:
    """Slices the job is cut into: the scenario's ``slices``, or the pods a framework that
    shards inside a slice (MaxText) spans; 1 for every other job (a GPU job's nodes are not
    slices)."""
    if ctx.sc.slices is None and not ctx.fw.shard_in_slice:
        return 1
    return ctx.fab.slices(used)


def _params(ctx: Context) -> float:
    from dojosim.workload.transformer import total_params

    if ctx.workload is not None:
        return float(ctx.workload.params)
    assert isinstance(ctx.sc, Scenario)
    return total_params(ctx.sc.model)


def _chosen(sc: Scenario | NetworkScenario, layout: dict[str, Any]) -> dict[str, Any]:
    """The value picked for every knob the scenario left to the search."""
    out = {}
    for k, v in sc.parallelism.model_dump().items():
        if k in layout and (v == "auto" or (k == "data" and v is None)):
            out[k] = layout[k]
    if out.get("recompute") == "selective":  # which modules the search recomputed
        out["recompute_modules"] = layout.get("recompute_modules")
    return out


# The share of a chip's memory above which a layout that fits our count may still fail: the
# CUDA context, communication buffers and the allocator's fragmentation are not counted.
# torchtitan's maintainers saw nodes fail at about 96% of an H100's memory and none at 93%
# (pytorch/torchtitan issue 1789).
TIGHT_MEMORY = 0.95


def _notes(ctx: Context, ev: Evaluation, fits_found: bool, mfu: float) -> list[str]:
    sc, lay = ctx.sc, ev.layout
    notes = []
    share = ev.memory.total / sc.chip.memory
    if ev.fits and ctx.hier is None and share > TIGHT_MEMORY:
        notes.append(
            f"the layout needs {share:.0%} of the chip's memory: the CUDA context, communication "
            "buffers and allocator fragmentation, which are not counted, may not fit beside it"
        )
    if ctx.is_network:
        notes.append(
            "a network's batch counts samples (images or clips): see samples_per_s; "
            "tokens_per_s does not apply"
        )
    if not fits_found:
        notes.append("no candidate layout fits in memory; the one needing least memory is shown")
    if lay.chips < sc.chips:
        notes.append(
            f"the layout uses {lay.chips} of the {sc.chips} chips ({sc.chips - lay.chips} idle): "
            "no runnable layout of the global batch uses them all"
        )
    best = getattr(sc, "published_best_mfu", None)
    if best is not None and mfu > best[0]:
        notes.append(
            f"MFU {mfu:.1%} is above the best published run for this chip and model class "
            f"({best[0]:.1%}, {best[1]}): treat it as optimistic"
        )
    return notes


def _with_ingest(
    sc: Scenario | NetworkScenario, samples: int, st: StepTimes, limit: str
) -> tuple[StepTimes, dict[str, Any] | None, str]:
    """Stretch the step when reading and decoding its samples takes longer than computing them."""
    if sc.data is None or sc.ingest is None:
        return st, None, limit
    from dojosim.workload.ingest import estimate_ingest

    ie = estimate_ingest(
        sc.ingest, chips=sc.chips, samples_per_step=samples, step_time_s=st.step,
        epochs=sc.data.epochs,
    )  # fmt: skip
    if ie.seconds_per_step > st.step:
        st = replace(st, step=ie.seconds_per_step)
        limit = f"ingest ({ie.limit})"
    return st, ie.as_dict(), limit


__all__ = ["Estimate", "estimate"]
