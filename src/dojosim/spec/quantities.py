"""Annotated pydantic types for quantities with units.

A catalog or scenario value may be a quantity string (``"400 W"``), a bare
number already in SI units, or a mapping ``{value: "400 W", source: "..."}``
(or ``derived: "..."``) that carries its own provenance. All become SI floats.
"""

from __future__ import annotations

from typing import Annotated, Any

from annotated_types import Ge, Gt, Le
from pydantic import BeforeValidator

from dojosim.units import to_si


def _parser(kind: str) -> BeforeValidator:
    def parse(value: Any) -> float:
        if isinstance(value, dict):
            if "value" not in value:
                raise ValueError("expected a mapping with 'value:' and 'source:' (or 'derived:')")
            value = value["value"]
        return to_si(value, kind)

    return BeforeValidator(parse)


def sourced(value: Any) -> Any:
    """A value without units (a count, a name), bare or as ``{value: x, source: ...}``."""
    if isinstance(value, dict):
        if "value" not in value:
            raise ValueError("expected a mapping with 'value:' and 'source:' (or 'derived:')")
        return value["value"]
    return value


Count = Annotated[int, BeforeValidator(sourced), Gt(0)]
Seconds = Annotated[float, _parser("time"), Ge(0)]
PosSeconds = Annotated[float, _parser("time"), Gt(0)]
Bytes = Annotated[float, _parser("bytes"), Ge(0)]
PosBytes = Annotated[float, _parser("bytes"), Gt(0)]
Bandwidth = Annotated[float, _parser("bandwidth"), Gt(0)]
FlopRate = Annotated[float, _parser("flops"), Gt(0)]
Flop = Annotated[float, _parser("flop"), Gt(0)]
Watts = Annotated[float, _parser("power"), Gt(0)]
Hertz = Annotated[float, _parser("frequency"), Gt(0)]
Metres = Annotated[float, _parser("length"), Gt(0)]
Kilograms = Annotated[float, _parser("mass"), Gt(0)]
Fraction = Annotated[float, _parser("dimensionless"), Ge(0)]
PosRatio = Annotated[float, _parser("dimensionless"), Gt(0)]
Efficiency = Annotated[float, _parser("dimensionless"), Gt(0), Le(1)]
