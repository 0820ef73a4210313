"""Dotted paths into a scenario (``system.chip.memory_bandwidth``): check them, parse their values.

A path walks the scenario's schema: :class:`~dojosim.spec.scenario.ScenarioFile`,
then the catalog schemas for ``model`` (a transformer), ``system`` and
``system.chip``; list fields take an index (``system.network.0.bandwidth``) and
mapping fields a key (``system.chip.peak_flops.bf16``). ``vars.NAME`` is not a
scenario field but a sweep variable that ``derive:`` expressions can use.
A path that names no field is a :class:`SpecError` suggesting the nearest.
"""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, TypeAdapter, ValidationError

from dojosim.errors import SpecError, nearest

#: Fields that hold a catalog name or an inline ``{base: NAME, ...}`` entry: (parent path) -> kind.
ENTRY_FIELDS: dict[tuple[str, ...], str] = {
    ("model",): "model",
    ("system",): "system",
    ("system", "chip"): "chip",
}


@dataclass(frozen=True)
class Field:
    """Where a path leads: its annotation (for parsing values) and whether it is a number."""

    path: str
    annotation: Any
    numeric: bool
    integer: bool
    is_var: bool = False


def _schema_of_entry(kind: str) -> type[BaseModel]:
    from dojosim.spec.hardware import ChipSpec, SystemSpec
    from dojosim.spec.workload import ModelSpec

    schemas: dict[str, type[BaseModel]] = {
        "model": ModelSpec,
        "system": SystemSpec,
        "chip": ChipSpec,
    }
    return schemas[kind]


def _annotation(field: Any) -> Any:
    """A pydantic field's annotation with its validators (units, bounds) put back."""
    if field.metadata:
        return Annotated[(field.annotation, *field.metadata)]
    return field.annotation


def _strip(tp: Any) -> Any:
    """The type inside ``Annotated[...]``."""
    while typing.get_origin(tp) is Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _members(tp: Any) -> list[Any]:
    """The members of a union (``X | None``), or ``[tp]``."""
    tp = _strip(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [_strip(a) for a in typing.get_args(tp)]
    return [tp]


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _step(tp: Any, seg: str, walked: tuple[str, ...], path: str) -> Any:
    """The annotation one segment below ``tp``; a SpecError naming the nearest field otherwise."""
    entry = ENTRY_FIELDS.get(walked)
    members = [_schema_of_entry(entry)] if entry else _members(tp)
    for m in members:
        if _is_model(m):
            fields = m.model_fields
            if seg in fields:
                return _annotation(fields[seg])
            hint = nearest(seg, [f for f in fields if f not in ("kind",)])
            where = ".".join(walked) or "a scenario"
            raise SpecError(f"{where} has no field {seg!r}{hint}", field=path)
        origin = typing.get_origin(m)
        if origin is list:
            if not seg.isdigit():
                raise SpecError(
                    f"{'.'.join(walked)} is a list: expected an index, got {seg!r}", field=path
                )
            return typing.get_args(m)[0]
        if origin is dict:
            key, value = typing.get_args(m)
            allowed = (
                typing.get_args(_strip(key)) if typing.get_origin(_strip(key)) is Literal else ()
            )
            if allowed and seg not in allowed:
                hint = nearest(seg, list(allowed))
                raise SpecError(
                    f"{'.'.join(walked)} has no key {seg!r}{hint}; expected one of {list(allowed)}",
                    field=path,
                )
            return value
    raise SpecError(f"{'.'.join(walked)} is a value, not a group of fields", field=path)


def _numeric(tp: Any) -> tuple[bool, bool]:
    """(is a number, is an integer) for a leaf annotation."""
    nums = [m for m in _members(tp) if m in (int, float)]
    return bool(nums), bool(nums) and all(m is int for m in nums)


@functools.cache
def field(path: str) -> Field:
    """The field a dotted path names; a :class:`SpecError` with a did-you-mean if none."""
    from dojosim.spec.scenario import ScenarioFile

    segs = path.split(".")
    if not path or any(not s for s in segs):
        raise SpecError(
            f"expected a dotted field path such as 'parallelism.global_batch', got {path!r}"
        )
    if segs[0] == "vars":
        if len(segs) != 2 or not segs[1].isidentifier():
            raise SpecError(f"a sweep variable is vars.NAME with NAME an identifier, got {path!r}")
        return Field(path, float, True, False, is_var=True)
    tp: Any = ScenarioFile
    for i, seg in enumerate(segs):
        tp = _step(tp, seg, tuple(segs[:i]), path)
    numeric, integer = _numeric(tp)
    return Field(path, tp, numeric, integer)


@functools.cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def var_value(value: Any) -> float:
    """A sweep variable: a number, or a quantity string in any unit (converted to SI)."""
    from dojosim.units import KINDS, registry

    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a number or a quantity such as '20000 USD', got {value!r}")
    if not isinstance(value, str):
        return float(value)
    ureg = registry()
    try:
        q = ureg.Quantity(value.strip())
    except Exception as exc:
        raise ValueError(f"expected a number or a quantity, got {value!r} ({exc})") from None
    if q.dimensionless:
        return float(q.to("dimensionless").magnitude)
    for unit in [u for u, _ in KINDS.values() if u] + ["USD", "USD/kg", "USD/W", "USD/J"]:
        try:
            return float(q.to(unit).magnitude)
        except Exception:  # pint's DimensionalityError: try the next SI unit
            continue
    return float(q.to_base_units().magnitude)


def parse_value(f: Field, value: Any, where: str) -> Any:
    """A value for a field, parsed as the scenario would (quantities to SI floats).

    A value of the wrong unit or type is a :class:`SpecError` at ``where``.
    """
    try:
        if f.is_var:
            return var_value(value)
        out = _adapter(f.annotation).validate_python(value)
    except ValidationError as exc:
        msg = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        got = "" if repr(value) in msg else f" (got {value!r})"
        raise SpecError(msg + got, field=where) from None
    except ValueError as exc:
        raise SpecError(str(exc), field=where) from None
    if isinstance(out, BaseModel):
        return value  # a section given whole: keep it as written
    return out
