"""Scenario files to resolved scenarios: catalog names replaced by their specs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dojosim import catalog
from dojosim.errors import SpecError
from dojosim.spec.hardware import ChipSpec, Hierarchy, SystemSpec
from dojosim.spec.loader import parse, read_yaml
from dojosim.spec.network import NetworkSpec
from dojosim.spec.routing import RoutingSection
from dojosim.spec.scenario import NetworkScenario, Scenario, ScenarioFile
from dojosim.spec.workload import ModelSpec


def _lookup(call: Callable[[], Any], file: str | None, field: str) -> Any:
    """Run a catalog lookup; an unknown name is reported against the scenario's field."""
    try:
        return call()
    except SpecError as exc:
        if exc.file is None:
            raise SpecError(exc.detail, file=file, field=field) from None
        raise


def _entry(kind: str, value: Any, schema: type, file: str | None, field: str) -> Any:
    """A catalog name, or an inline mapping (optionally ``base:`` a catalog name plus overrides)."""
    if isinstance(value, str):
        return _lookup(lambda: catalog.get(kind, value), file, field)
    data = dict(value)
    base = data.pop("base", None)
    if base is not None:
        if not isinstance(base, str):
            raise SpecError("base must be a catalog name", file=file, field=f"{field}.base")
        merged = dict(_lookup(lambda: catalog.raw(kind, base), file, f"{field}.base"))
        merged.update(data)
        merged["name"] = data.get("name", f"{base}*")
        data = merged
    data.setdefault("name", f"inline-{kind}")
    data.setdefault("kind", kind)
    return parse(schema, data, file=file, prefix=field)


def _is_network(value: Any) -> bool:
    """True when ``model:`` names a catalog network rather than a transformer model."""
    if not isinstance(value, str) or catalog.has("model", value):
        return False
    return catalog.has("network", value)


def _validated(build: Callable[[], Any], file: str | None) -> Any:
    try:
        return build()
    except ValidationError as exc:
        msg = exc.errors()[0]["msg"].removeprefix("Value error, ")
        field, _, detail = msg.partition(": ")
        raise SpecError(detail or msg, file=file, field=field if detail else None) from None


def hierarchy(system: SystemSpec, chip: ChipSpec) -> Hierarchy | None:
    """The two-level memory of a system whose chips are backed by off-chip devices, else None.

    A system's devices are shared evenly by its chips; each device serves at the
    lesser of its memory bandwidth and its link into the chips.
    """
    off = system.offchip_memory
    if off is None:
        return None
    dev = catalog.get("device", off.device)
    chips = catalog.system_chips(system)
    return Hierarchy(
        onchip=chip.memory,
        offchip=off.count * dev.memory / chips,
        offchip_bandwidth=off.count * min(dev.memory_bandwidth, dev.link_bandwidth) / chips,
        device=dev.name,
    )


def system_chip(system: SystemSpec, file: str | None = None) -> ChipSpec:
    """A system's chip: a catalog chip, or an inline ``{base: CHIP, ...overrides}``."""
    chip: ChipSpec = _entry("chip", system.chip, ChipSpec, file, "system.chip")
    return chip


def _ingest(sf: ScenarioFile, file: str | None) -> Any:
    """A ``data:`` section's ingest entry resolved to its parts (dataset, decoders, storage)."""
    if sf.data is None:
        return None
    from dojosim.workload.ingest import resolve_ingest

    return resolve_ingest(sf.data.ingest, file=file)


def _shared(sf: ScenarioFile, file: str | None) -> dict[str, Any]:
    """The fields every resolved scenario has: system, chip, calibration, memory hierarchy and
    framework resolved from the catalog; the rest as written."""
    system: SystemSpec = _entry("system", sf.system, SystemSpec, file, "system")
    chip = system_chip(system, file)
    calibration = _lookup(
        lambda: catalog.get("calibration", chip.calibration), file, "system.chip.calibration"
    )
    return {
        "name": sf.name,
        "system": system,
        "chip": chip,
        "chips": sf.chips,
        "slices": sf.slices,
        "slice_sharding": sf.slice_sharding,
        "precision": sf.precision,
        "grad_reduce": sf.grad_reduce,
        "fp8_params": sf.fp8_params,
        "optimizer_moments": sf.optimizer_moments,
        "parallelism": sf.parallelism,
        "calibration": calibration,
        "framework": sf.framework or system.framework or "megatron",
        "hierarchy": hierarchy(system, chip),
        "collectives": (
            _lookup(lambda: catalog.get("library", system.collectives), file, "system.collectives")
            if system.collectives
            else None
        ),
        "site": sf.site,
        "cost": sf.cost,
        "data": sf.data,
        "reliability": sf.reliability,
        "routing": sf.routing,
        "ingest": _ingest(sf, file),
        "source_file": file,
    }


def _routing(section: RoutingSection | None, model: ModelSpec, file: str | None) -> RoutingSection:
    """A MoE scenario's routing, ``imbalance: auto`` resolved from the catalog's real-text
    routing measurement (the MLA row for MLA models, the MHA row otherwise)."""
    from dojosim.spec.routing import cv_from_gini

    r = section or RoutingSection()
    if r.imbalance != "auto" or r.expert_cv is not None:
        return r
    entry = _lookup(lambda: catalog.get("measurement", "dodoco-routing-h100"), file, "routing")
    want = "MLA" if model.attention == "mla" else "MHA"
    # the real-text rows: MHA on wikitext, MLA's floor over every real-text condition
    row = next(x for x in entry.rows if want in x.model and "mock" not in x.data)
    source = f"{entry.name}: {row.model} on {row.data}, Gini {row.gini}"
    return r.model_copy(update={"expert_cv": cv_from_gini(float(row.gini)), "cv_source": source})


def _resolve_model(sf: ScenarioFile, file: str | None) -> Scenario:
    model: ModelSpec = _entry("model", sf.model, ModelSpec, file, "model")
    if sf.seq_len is not None:
        model = model.model_copy(update={"seq_len": sf.seq_len})
    shared = _shared(sf, file)
    from dojosim.spec.published import best_mfu

    best = best_mfu(shared["chip"].name)
    if model.is_moe:
        shared["routing"] = _routing(sf.routing, model, file)
    scenario: Scenario = _validated(
        lambda: Scenario(
            model=model,
            flash_attention=sf.flash_attention,
            attention_kernel=sf.attention_kernel,
            fp8_attention=sf.fp8_attention,
            fp8_recipe=sf.fp8_recipe or "delayed",
            cross_entropy=sf.cross_entropy,
            published_best_mfu=best,
            **shared,
        ),
        file,
    )
    return scenario


def _transformer_only(sf: ScenarioFile, file: str | None) -> None:
    """Network scenarios time attention op by op and their casts are not modelled: FP8 fused
    attention, the FP8 recipe and the fused cross-entropy are transformer knobs."""
    knobs = (
        ("fp8_attention", sf.fp8_attention),
        ("fp8_recipe", sf.fp8_recipe),
        ("cross_entropy", sf.cross_entropy != "unfused"),
    )
    for name, value in knobs:
        if value:
            raise SpecError(
                f"{name} applies to transformer models (a catalog model or an inline one)",
                file=file,
                field=name,
            )


def resolve_any(data: Any, *, file: str | None = None) -> Scenario | NetworkScenario:
    """Resolve a scenario whose ``model:`` is a transformer model or a catalog network."""
    sf = parse(ScenarioFile, data, file=file)
    if not _is_network(sf.model):
        return _resolve_model(sf, file)
    name = str(sf.model)
    network = _lookup(lambda: catalog.get("network", name), file, "model")
    from dojosim.workload.networks import network as traced

    workload = _lookup(lambda: traced(name), file, "model")
    _transformer_only(sf, file)
    shared = _shared(sf, file)
    scenario: NetworkScenario = _validated(
        lambda: NetworkScenario(network=network, workload=workload, **shared), file
    )
    return scenario


def scenario_path(ref: str | Path) -> str:
    """The file of a scenario reference: an existing path, or a built-in scenario's name.

    A name that is neither is a :class:`SpecError` suggesting the nearest built-in names.
    """
    from dojosim import scenarios
    from dojosim.errors import nearest

    path = Path(ref)
    if path.exists():
        return str(path)
    builtin = scenarios.path(str(ref))
    if builtin is not None:
        return str(builtin)
    hint = nearest(str(ref), scenarios.names())
    raise SpecError(
        "no such file, and no built-in scenario of that name"
        + (hint or " (dojosim catalog list scenario lists them)"),
        file=str(ref),
    )


def with_workload(source: str | Path | dict[str, Any], workload: Any) -> NetworkScenario:
    """A scenario whose model is ``workload`` (a traced :class:`~dojosim.workload.graph.Workload`,
    e.g. from :func:`dojosim.workload.from_torch`); the scenario's ``model:`` may be omitted."""
    data, file = _read(source)
    if not isinstance(data, dict):
        raise SpecError("expected a mapping of fields", file=file)
    data = {**data, "model": data.get("model", workload.name)}
    sf = parse(ScenarioFile, data, file=file)
    network = NetworkSpec(
        name=workload.name,
        builder="vit",
        config={},
        input=list(workload.input_shape) or [1],
        source="traced with dojosim.workload.from_torch",
    )
    _transformer_only(sf, file)
    shared = _shared(sf, file)
    scenario: NetworkScenario = _validated(
        lambda: NetworkScenario(network=network, workload=workload, **shared), file
    )
    return scenario


def _read(source: str | Path | dict[str, Any]) -> tuple[Any, str | None]:
    """A scenario mapping and the file it came from (None for a mapping given directly)."""
    if isinstance(source, dict):
        return source, None
    path = scenario_path(source)
    return read_yaml(path), path


def load_any(source: str | Path | dict[str, Any]) -> Scenario | NetworkScenario:
    """Like :func:`load_scenario`, also accepting scenarios of catalog networks."""
    data, file = _read(source)
    return resolve_any(data, file=file)


def resolve(data: Any, *, file: str | None = None) -> Scenario:
    """Resolve a scenario mapping (as read from YAML) into a :class:`Scenario`."""
    sf = parse(ScenarioFile, data, file=file)
    if _is_network(sf.model):
        raise SpecError(
            f"{sf.model!r} is a network; estimate it with dojosim.estimate (load_any)",
            file=file,
            field="model",
        )
    return _resolve_model(sf, file)


def load_scenario(source: str | Path | dict[str, Any]) -> Scenario:
    """Load a scenario from a YAML file path, a catalog run name's scenario, or a mapping."""
    data, file = _read(source)
    return resolve(data, file=file)
