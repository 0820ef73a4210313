"""Units at the edges: parse quantity strings like ``"400 W"`` into SI floats.

Inside dojosim every number is a plain float in SI units (s, B, FLOP, W, m, kg,
USD). This module is the only place that knows about pint; it is imported
lazily so that code paths that do not parse text stay fast.
"""

from __future__ import annotations

import functools
from typing import Any

# The SI unit each kind of quantity is converted to, and an example for errors.
KINDS: dict[str, tuple[str, str]] = {
    "time": ("s", "'2 us'"),
    "bytes": ("B", "'80 GiB'"),
    "bandwidth": ("B/s", "'600 GB/s' or '200 Gb/s'"),
    "flops": ("FLOP/s", "'312 TFLOP/s'"),
    "flop": ("FLOP", "'3.1e23 FLOP'"),
    "power": ("W", "'400 W'"),
    "energy": ("J", "'1.2 kWh'"),
    "length": ("m", "'650 km'"),
    "area": ("m^2", "'2.5 m^2'"),
    "mass": ("kg", "'135 kg'"),
    "frequency": ("Hz", "'2 GHz'"),
    "temperature": ("K", "'20 degC'"),
    "dimensionless": ("", "'0.95'"),
}


@functools.cache
def registry() -> Any:
    """The project's pint registry, with FLOP and bit-rate prefixes defined."""
    import pint

    ureg: Any = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    ureg.define("FLOP = [computation] = flop = FLOPs")
    # pint reads 'Gb' as giga-gilbert; in this field 'Gb' always means gigabit.
    for prefix, factor in (("k", "1e3"), ("M", "1e6"), ("G", "1e9"), ("T", "1e12"), ("P", "1e15")):
        ureg.define(f"{prefix}b = {factor} * bit")
    ureg.define("USD = [currency] = usd = dollar")
    return ureg


def to_si(value: Any, kind: str) -> float:
    """Convert ``value`` (a quantity string, or a bare number already in SI) to an SI float.

    Raises ``ValueError`` with a message saying what was expected; callers add the
    file and field.
    """
    example = KINDS[kind][1]
    if isinstance(value, bool):
        raise ValueError(f"expected a {kind} such as {example}, got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a {kind} such as {example}, got {value!r}")
    return _text_to_si(value, kind)


@functools.lru_cache(maxsize=65536)
def _text_to_si(value: str, kind: str) -> float:
    """:func:`to_si` of a quantity string; cached, since sweeps parse the same strings again
    for every scenario they build and pint takes about a millisecond per string."""
    unit, example = KINDS[kind]
    text = value.strip().replace("°C", "degC").replace("²", "^2")
    ureg = registry()
    try:
        q = ureg.Quantity(text)
    except Exception as exc:  # pint raises several unrelated types for bad text
        raise ValueError(f"expected a {kind} such as {example}, got {value!r} ({exc})") from None
    try:
        if kind == "dimensionless":
            return float(q.to("dimensionless").magnitude)
        return float(q.to(unit).magnitude)
    except Exception:
        raise ValueError(
            f"expected a {kind} such as {example}, got {value!r} (wrong units)"
        ) from None


def format_si(value: float, unit: str, digits: int = 3) -> str:
    """Format an SI float with an engineering prefix, e.g. ``format_si(3.1e14, 'FLOP/s')``."""
    if value == 0 or value != value:
        return f"{value:g} {unit}".strip()
    prefixes = [(1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1, "")]
    small = [(1e-3, "m"), (1e-6, "µ"), (1e-9, "n")]
    for scale, p in prefixes + small:
        if abs(value) >= scale:
            return f"{value / scale:.{digits}g} {p}{unit}".strip()
    return f"{value:.{digits}g} {unit}".strip()
