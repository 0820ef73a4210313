"""Ranged values: ``{low, base, high}`` with a source for each end, on any entry field.

A catalog value may be a plain quantity (``"150 W/kg"``) or a range::

    specific_power:
      low:  {value: "100 W/kg", source: "..."}
      base: {value: "150 W/kg", source: "..."}
      high: {value: "250 W/kg", unknown: "no flown array above ...; taken as ..."}

Each end is ``{value, source}``, ``{value, derived}`` or ``{value, unknown}`` (the
value is then our placeholder and the text says why no source bounds it). The
field itself keeps the base value, so every model that reads the field is
unchanged; the range lands in the entry's ``ranges`` mapping as a :class:`Span`
in the field's SI unit. Each end is parsed like the field (its unit and its
bounds), so a wrong unit (``"5 USD/kg"`` where ``USD/W`` is expected), a negative
price or ``low > high`` is an error naming the field and the end.

Scenario sections accept ranges too, without the per-end sources
(:attr:`RangedModel.range_sources_required` is False there).
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, ClassVar

import numpy as np
from pydantic import Field, TypeAdapter, ValidationError, model_validator

from dojosim.spec.base import Frozen

ENDS = ("low", "base", "high")
_PROVENANCE = ("source", "derived", "unknown")


class Span(Frozen):
    """A value's low, base and high, in the SI unit of its field, and where each end comes from."""

    low: float
    base: float
    high: float
    sources: dict[str, str] = Field(
        default_factory=dict
    )  # end -> source, derivation or why unknown
    unknown: tuple[str, ...] = ()  # ends whose value no source bounds

    @property
    def width(self) -> float:
        return self.high - self.low

    def variance(self) -> float:
        """Variance of the triangular distribution (low, mode = base, high)."""
        a, c, b = self.low, self.base, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws from the triangular distribution (a point value when low == high)."""
        if self.high <= self.low:
            return np.full(n, self.base)
        return rng.triangular(self.low, self.base, self.high, n)


@functools.cache
def _adapter(model: type, field: str) -> TypeAdapter[Any]:
    info = model.model_fields[field]  # type: ignore[attr-defined]
    annotation: Any = info.annotation
    if info.metadata:
        annotation = Annotated[(annotation, *info.metadata)]
    return TypeAdapter(annotation)


def _reason(exc: ValidationError) -> str:
    msg = str(exc.errors()[0]["msg"])
    return msg.removeprefix("Value error, ")


def _is_range(value: Any) -> bool:
    return isinstance(value, dict) and "base" in value and ("low" in value or "high" in value)


def parse_span(model: type, field: str, raw: dict[str, Any], *, sources: bool = True) -> Span:
    """Parse ``{low, base, high}`` for ``model.field``; ``ValueError`` names the field and end."""
    extra = set(raw) - set(ENDS)
    if extra or set(raw) != set(ENDS):
        missing = [e for e in ENDS if e not in raw]
        what = f"missing {', '.join(missing)}" if missing else f"unknown keys {sorted(extra)}"
        raise ValueError(f"{field}: a range needs exactly low, base and high ({what})")
    values: dict[str, float] = {}
    provenance: dict[str, str] = {}
    unknown: list[str] = []
    for end in ENDS:
        item = raw[end]
        if isinstance(item, dict):
            given = [k for k in _PROVENANCE if k in item]
            if "value" not in item or len(given) > 1 or set(item) - {"value", *_PROVENANCE}:
                raise ValueError(
                    f"{field}.{end}: expected {{value: ..., source: ...}} (or derived: / unknown:)"
                )
            if given:
                provenance[end] = f"{given[0]}: {item[given[0]]}"
                if given[0] == "unknown":
                    unknown.append(end)
            value = item["value"]
        else:
            value = item
        if sources and end not in provenance:
            raise ValueError(
                f"{field}.{end}: each end of a range needs a source (or derived: / unknown: "
                "saying why none bounds it)"
            )
        try:
            parsed = _adapter(model, field).validate_python(value)
        except ValidationError as exc:
            raise ValueError(f"{field}.{end}: {_reason(exc)}") from None
        if parsed is None:
            raise ValueError(f"{field}.{end}: a range end must have a value")
        values[end] = float(parsed)
    lo, base, hi = values["low"], values["base"], values["high"]
    if not lo <= hi:
        raise ValueError(f"{field}: range low ({lo:g}) is above high ({hi:g})")
    if not lo <= base <= hi:
        raise ValueError(f"{field}: base ({base:g}) lies outside low..high ({lo:g}..{hi:g})")
    return Span(low=lo, base=base, high=hi, sources=provenance, unknown=tuple(unknown))


class RangedModel(Frozen):
    """A frozen model whose numeric fields may be given as ranges (see the module docstring)."""

    range_sources_required: ClassVar[bool] = True
    ranges: dict[str, Span] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _split_ranges(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "registry" in cls.__dict__:
            return data  # a dispatching base class: the concrete schema splits
        spans: dict[str, Any] = dict(data.get("ranges") or {})
        out = dict(data)
        for key, value in data.items():
            if key == "ranges" or key not in cls.model_fields or not _is_range(value):
                continue
            spans[key] = parse_span(cls, key, value, sources=cls.range_sources_required)
            base = value["base"]
            out[key] = base["value"] if isinstance(base, dict) else base
        if spans:
            out["ranges"] = spans
        return out

    def span(self, field: str) -> Span | None:
        """The range of ``field``, or None when it is a point value."""
        return self.ranges.get(field)

    def with_value(self, field: str, value: float) -> Any:
        """A copy with ``field`` set to ``value`` (its range kept, for the record)."""
        return self.model_copy(update={field: value})
