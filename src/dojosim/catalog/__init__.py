"""The catalog: YAML files of chips, systems, models, published runs and calibrations.

Each entry lives in ``<kind-folder>/<name>.yaml`` and its ``name:`` equals the
file stem, so a name can be found without reading every file. Every number in
an entry is a quantity with units and the entry names its ``source:``.

A name is only ever a name: :func:`check_name` refuses anything that could
reach outside the catalog folders (``../``, ``/etc/hosts``, a drive letter), so a
scenario sent to the web app cannot make the library read a file it names.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from dojosim.errors import CatalogError, SpecError, nearest

ROOT = Path(__file__).resolve().parent

# kind -> (folder, "module:Class" of its schema); imported lazily to keep start-up fast.
KINDS: dict[str, tuple[str, str]] = {
    "chip": ("chips", "dojosim.spec.hardware:ChipSpec"),
    "system": ("systems", "dojosim.spec.hardware:SystemSpec"),
    "device": ("devices", "dojosim.spec.hardware:DeviceSpec"),
    "model": ("models", "dojosim.spec.workload:ModelSpec"),
    "run": ("runs", "dojosim.spec.run:RunSpec"),
    "calibration": ("calibrations", "dojosim.spec.calibration:Calibration"),
    "site": ("sites", "dojosim.site.schema:SiteEntry"),
    "network": ("networks", "dojosim.spec.network:NetworkSpec"),
    "data": ("data", "dojosim.spec.data:DataEntry"),
    "price": ("prices", "dojosim.cost.spec:PriceEntry"),
    "library": ("libraries", "dojosim.spec.collectives:CollectiveLibrary"),
    "measurement": ("measurements", "dojosim.spec.measurement:MeasurementEntry"),
    "failure-model": ("failure-models", "dojosim.sim.failure_model:FailureModelEntry"),
}


#: Kinds ``catalog list`` shows: the catalog's own, then the built-in scenarios.
LISTABLE: tuple[str, ...] = (*KINDS, "scenario")

# Letters, digits and . _ + - only, starting with a letter or digit: no separators, no "..".
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,199}")


def check_name(name: object, kind: str = "entry") -> str:
    """``name`` if it is a plain catalog name; a :class:`CatalogError` for anything path-like.

    Catalog (and built-in scenario) names map to files inside the package, so a
    name that could leave its folder is refused before any file is looked at.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name) or ".." in name:
        raise CatalogError(
            f"{name!r} is not a valid {kind} name: names use letters, digits, '.', '_', '+' and '-' "
            "(never a path)"
        )
    return name


def _schema(kind: str) -> type[BaseModel]:
    import importlib

    module, cls = KINDS[kind][1].split(":")
    schema: type[BaseModel] = getattr(importlib.import_module(module), cls)
    return schema


def check_kind(kind: str) -> str:
    """Accept a kind in singular or plural form; raise with a suggestion otherwise."""
    plural = {folder: k for k, (folder, _) in KINDS.items()}
    kind = plural.get(kind, kind)
    if kind not in KINDS:
        raise CatalogError(
            f"unknown catalog kind {kind!r}{nearest(kind, list(KINDS))}; kinds: {', '.join(KINDS)}",
            field="kind",
        )
    return kind


def names(kind: str) -> list[str]:
    """Sorted names of every entry of a kind (``scenario``: the built-in scenarios)."""
    if kind in ("scenario", "scenarios"):
        from dojosim import scenarios

        return scenarios.names()
    folder = ROOT / KINDS[check_kind(kind)][0]
    return sorted(p.stem for p in folder.glob("*.yaml"))


def has(kind: str, name: str) -> bool:
    """Whether the catalog has an entry ``name`` of ``kind`` (one file lookup, no listing)."""
    folder, safe = KINDS[check_kind(kind)][0], isinstance(name, str) and "/" not in name
    return bool(safe and name and (ROOT / folder / f"{name}.yaml").is_file())


def path(kind: str, name: str) -> Path:
    """The file of an entry; an unknown name raises :class:`CatalogError` naming the nearest."""
    kind = check_kind(kind)
    check_name(name, kind)
    p = ROOT / KINDS[kind][0] / f"{name}.yaml"
    if not p.is_file():
        raise CatalogError(f"unknown {kind} {name!r}{nearest(name, names(kind))}")
    return p


@functools.cache
def raw(kind: str, name: str) -> dict[str, Any]:
    """The entry's YAML mapping, unvalidated."""
    from dojosim.spec.loader import read_yaml

    p = path(kind, name)
    data = read_yaml(p)
    if not isinstance(data, dict):
        raise SpecError("expected a mapping of fields", file=str(p))
    return data


# Fields a calibration may take from the calibration it names as ``base:``.
INHERITED = (
    "matmul_efficiency",
    "matmul_half_size",
    "memory_efficiency",
    "kernel_overhead",
    "flash_attention_efficiency",
    "fp8_matmul_efficiency",
    "flash_attention_1_efficiency",
    "flash_attention_1_half_seq",
    "flash_attention_1_head_dim_64_ratio",
    "attention_half_seq",
    "attention_head_dim_64_ratio",
    "newest_attention_half_seq",
    "straggler_cv",
    "network_efficiency_scale",
    "expert_gemm_launch",
    "overlap_slowdown",
    "combined_1f1b_hidden_share",
    "fp8_attention_speedup",
    "mxfp8_matmul_ratio",
    "backward_matmul_ratio",
    "fp8_backward_matmul_ratio",
)


def _inherited(kind: str, name: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """The entry's mapping with constants a calibration carries over from its ``base:`` filled in."""
    data = dict(raw(kind, name))
    base = data.get("base")
    if kind != "calibration" or not base:
        return data
    if base in seen or base == name:
        raise SpecError(
            f"calibration base cycle through {base!r}", file=str(path(kind, name)), field="base"
        )
    parent = _inherited(kind, str(base), (*seen, name))
    for key in INHERITED:
        if key not in data and key in parent:
            data[key] = parent[key]
    return _scaled(data, parent, str(path(kind, name)))


def _number(value: Any) -> float:
    if isinstance(value, dict):
        value = value.get("value", value)
    return float(value)


def _scaled(data: dict[str, Any], parent: dict[str, Any], file: str) -> dict[str, Any]:
    """Resolve constants written ``{value_of: "base.FIELD" | "FIELD", times: x}``: a ratio to the
    base calibration's constant (or to one of this entry's), so a refit of the base carries
    over (a Hopper efficiency is the Ampere fit times a measured Hopper/Ampere ratio)."""
    out = dict(data)
    for _ in range(2):  # a field may refer to another scaled field of the same entry
        for key, value in list(out.items()):
            if not (isinstance(value, dict) and "value_of" in value):
                continue
            ref = str(value["value_of"])
            src, field = (parent, ref[5:]) if ref.startswith("base.") else (out, ref)
            target = src.get(field)
            if isinstance(target, dict) and "value_of" in target:
                continue  # resolved on the next pass
            if target is None:
                raise SpecError(f"value_of names no constant {ref!r}", file=file, field=key)
            out[key] = {**value, "value": _number(target) * float(value["times"])}
            out[key].pop("value_of")
    return out


@functools.cache
def get(kind: str, name: str) -> Any:
    """The validated, frozen spec of an entry."""
    from dojosim.spec.loader import parse

    kind = check_kind(kind)
    p = path(kind, name)
    data = _inherited(kind, name)
    data.setdefault("kind", kind)
    spec: Any = parse(_schema(kind), data, file=str(p))
    if getattr(spec, "name", name) != name:
        raise SpecError(
            f"name {spec.name!r} differs from the file name {name!r}", file=str(p), field="name"
        )
    if not getattr(spec, "source", None):
        raise SpecError("every catalog entry needs a source", file=str(p), field="source")
    return spec


def entries(kind: str) -> list[Any]:
    """Every validated entry of a kind, by name."""
    return [get(kind, n) for n in names(kind)]


def find(name: str, kind: str | None = None) -> str:
    """The kind of the entry called ``name`` (checked against ``kind`` when given)."""
    if kind:
        kind = check_kind(kind)
        path(kind, name)
        return kind
    check_name(name)
    found = [k for k in KINDS if (ROOT / KINDS[k][0] / f"{name}.yaml").is_file()]
    if not found:
        every = [n for k in KINDS for n in names(k)]
        raise CatalogError(f"no catalog entry {name!r}{nearest(name, every)}")
    if len(found) > 1:
        raise CatalogError(f"{name!r} names a {' and a '.join(found)}; pass --kind")
    return found[0]


def resolved(kind: str, name: str) -> dict[str, Any]:
    """An entry as a JSON-ready mapping in SI units; a system adds its chip count and peaks."""
    spec = get(kind, name)
    out: dict[str, Any] = spec.model_dump(mode="json")
    if kind == "system":
        from dojosim.spec.resolve import system_chip

        chip = system_chip(spec)
        chips = system_chips(spec)
        out["chip_count"] = chips
        out["peak_flops"] = {p: v * chips for p, v in chip.peak_flops.items()}
    return out


def system_chips(spec: Any) -> int:
    """Chips in one unit of a system: its ``chips``, else contained systems, else a node."""
    if spec.chips:
        return int(spec.chips)
    if spec.contains is not None:
        return int(spec.contains.count) * system_chips(get("system", spec.contains.system))
    return int(spec.node_chips)


def listing(kind: str | None = None) -> list[dict[str, Any]]:
    """Rows ``{kind, name, description}`` of one kind (or every listable kind, scenarios last)."""
    if kind in ("scenario", "scenarios"):
        from dojosim import scenarios

        return [
            {"kind": "scenario", "name": n, "description": scenarios.description(n)}
            for n in scenarios.names()
        ]
    if kind:
        if kind not in KINDS and kind not in {folder for folder, _ in KINDS.values()}:
            raise CatalogError(
                f"unknown catalog kind {kind!r}{nearest(kind, list(LISTABLE))}; "
                f"kinds: {', '.join(LISTABLE)}",
                field="kind",
            )
        k = check_kind(kind)
        return [
            {"kind": k, "name": n, "description": " ".join(get(k, n).description.split())}
            for n in names(k)
        ]
    return [row for k in LISTABLE for row in listing(k)]
