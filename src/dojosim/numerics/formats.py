"""Number formats as data: Tesla's CFP8/CFP16 and the IEEE/OCP formats next to them.

A :class:`Format` is a plain, frozen description (field widths, signedness, bias,
what the top codes mean). Nothing here rounds or encodes; the algorithms in
:mod:`dojosim.numerics.rounding` and :mod:`dojosim.numerics.codes` are shared by
every format. :meth:`Format.bind` fixes the two run-time choices, the exponent
bias and the denormal scale, and returns a :class:`BoundFormat` that knows the
format's value range.

Sources (WP = Tesla, "Tesla Dojo Technology — A Guide to Tesla's Configurable
Floating Point Formats & Arithmetic", 2021):

* CFloat8_1_4_3 / CFloat8_1_5_2: 1 sign bit, 4/5 exponent bits, 3/2 mantissa bits,
  bias "a 6-bit unsigned integer", 0..63 (WP p4, Table 3); every non-zero exponent
  code is a normal number (WP p5 Table 4, p6 Table 5); no Infinity or NaN encodings
  (WP p4); exponent 0 encodes zero and the denormals (WP p6).
* CFloat16 SHP: signed, 1+10 mantissa, 5 exponent bits, bias "unsigned 6-bit
  integer"; UHP: unsigned, 1+10 mantissa, 6 exponent bits, bias column "31"; overflow,
  Inf or NaN operands clamp to the maximum representable number (WP p8, Table 6).
* FP32, FP16, BF16 as in WP p1/p3 Tables 1-2 (IEEE 754 and bfloat16); FP8 E4M3 and
  E5M2 as in the OCP 8-bit floating point specification (OFP8, 2023).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from dojosim.errors import FormatError, nearest

#: What the largest exponent code means, and so what happens on overflow.
#: ``saturate``: all codes are finite numbers; overflow, Inf and NaN clamp to the
#: largest finite value of the sign (Tesla CFP, WP p4, p8).
#: ``ieee``: the top exponent code holds Inf (mantissa 0) and NaN; overflow
#: rounds to Inf (IEEE 754: FP32, FP16, BF16, OCP E5M2).
#: ``nan_only``: only the all-ones magnitude is NaN; no Inf; overflow gives NaN
#: (OCP E4M3, "fn" in ml_dtypes).
Specials = Literal["saturate", "ieee", "nan_only"]

#: The whitepaper's denormal scale is ambiguous (WP p6): ``"ieee"`` scales the
#: denormals by 2^(1-bias), continuous with the smallest normal as in IEEE 754;
#: ``"literal"`` scales them by 2^(-bias) as the text is written.
Denormals = Literal["ieee", "literal"]
DENORMAL_MODES: tuple[str, ...] = ("ieee", "literal")
DEFAULT_DENORMALS: Denormals = "ieee"

BIAS_MIN, BIAS_MAX = 0, 63  # "a 6-bit unsigned integer" (WP p4, p8)


@dataclass(frozen=True)
class Format:
    """A binary floating-point format: field widths, signedness, bias and specials.

    ``bias`` is the default bias; when ``configurable_bias`` is true any bias in
    0..63 may be chosen at run time (Tesla CFP), otherwise the bias is fixed.
    """

    name: str
    title: str
    exponent_bits: int
    mantissa_bits: int
    signed: bool
    bias: int
    configurable_bias: bool
    specials: Specials
    source: str

    @property
    def bits(self) -> int:
        """Width of one code in bits."""
        return int(self.signed) + self.exponent_bits + self.mantissa_bits

    @property
    def is_cfp(self) -> bool:
        """True for Tesla's configurable formats (the denormal switch applies)."""
        return self.specials == "saturate"

    @property
    def top_exponent_code(self) -> int:
        """The largest exponent field that encodes finite normal numbers."""
        top = (1 << self.exponent_bits) - 1
        return top - 1 if self.specials == "ieee" else top

    def bind(self, bias: int | None = None, denormals: str = DEFAULT_DENORMALS) -> BoundFormat:
        """This format with a bias (default: the format's own) and a denormal scale."""
        return BoundFormat(self, check_bias(self, bias), check_denormals(self, denormals))


@dataclass(frozen=True)
class BoundFormat:
    """A format with its bias and denormal scale fixed: a concrete set of values.

    Values (m = mantissa bits, e = exponent code, f = mantissa field):
    normal ``(1 + f/2^m) * 2^(e - bias)`` for ``1 <= e <= top_exponent_code``;
    denormal ``(f/2^m) * 2^(1 - bias)`` (``"ieee"``) or ``(f/2^m) * 2^(-bias)``
    (``"literal"``, WP p6 as written) for ``e == 0``.
    """

    fmt: Format
    bias: int
    denormals: Denormals

    @property
    def emax(self) -> int:
        """Unbiased exponent of the largest finite value."""
        return self.fmt.top_exponent_code - self.bias

    @property
    def emin(self) -> int:
        """Unbiased exponent of the smallest normal value."""
        return 1 - self.bias

    @property
    def denormal_exponent(self) -> int:
        """log2 of the denormal step (the smallest denormal)."""
        scale = self.emin if self.denormals == "ieee" else -self.bias
        return scale - self.fmt.mantissa_bits

    @property
    def max_value(self) -> float:
        """The largest finite value."""
        m = self.fmt.mantissa_bits
        top_mantissa = (1 << m) - (2 if self.fmt.specials == "nan_only" else 1)
        return math.ldexp(1.0 + top_mantissa / (1 << m), self.emax)

    @property
    def min_normal(self) -> float:
        return math.ldexp(1.0, self.emin)

    @property
    def min_denormal(self) -> float:
        return math.ldexp(1.0, self.denormal_exponent)

    @property
    def max_denormal(self) -> float:
        return math.ldexp((1 << self.fmt.mantissa_bits) - 1, self.denormal_exponent)

    def describe(self) -> str:
        f = self.fmt
        sign = "1 sign, " if f.signed else "unsigned, "
        return (
            f"{f.name} ({f.title}): {sign}{f.exponent_bits} exponent, {f.mantissa_bits} mantissa "
            f"bits; bias {self.bias}" + (" (configurable 0..63)" if f.configurable_bias else "")
        )


_WP = "Tesla Dojo CFP whitepaper (2021)"

CFP8_143 = Format(
    "cfp8_143", "CFloat8_1_4_3", 4, 3, True, 7, True, "saturate", f"{_WP}, p4-p6, Tables 3-4"
)
CFP8_152 = Format(
    "cfp8_152", "CFloat8_1_5_2", 5, 2, True, 15, True, "saturate", f"{_WP}, p4-p6, Tables 3, 5"
)
CFP16_SHP = Format(
    "cfp16_shp", "CFloat16 SHP", 5, 10, True, 15, True, "saturate", f"{_WP}, p8, Table 6"
)
# Table 6 prints "31" as UHP's bias while the text on the same page credits both
# SHP and UHP with "the configurable bias": 31 is the default, 0..63 are allowed.
CFP16_UHP = Format(
    "cfp16_uhp", "CFloat16 UHP", 6, 10, False, 31, True, "saturate", f"{_WP}, p8, Table 6"
)
BF16 = Format("bf16", "BFloat16", 8, 7, True, 127, False, "ieee", f"{_WP}, p3, Table 2")
FP16 = Format("fp16", "IEEE binary16", 5, 10, True, 15, False, "ieee", f"{_WP}, p3, Table 2")
FP32 = Format("fp32", "IEEE binary32", 8, 23, True, 127, False, "ieee", f"{_WP}, p1, Table 1")
FP8_E4M3 = Format(
    "fp8_e4m3", "OCP FP8 E4M3", 4, 3, True, 7, False, "nan_only", "OCP OFP8 spec v1.0 (2023)"
)
FP8_E5M2 = Format(
    "fp8_e5m2", "OCP FP8 E5M2", 5, 2, True, 15, False, "ieee", "OCP OFP8 spec v1.0 (2023)"
)

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (CFP8_143, CFP8_152, CFP16_SHP, CFP16_UHP, BF16, FP16, FP32, FP8_E4M3, FP8_E5M2)
}

ALIASES: dict[str, str] = {
    "cfloat8_1_4_3": "cfp8_143",
    "cfloat8_1_5_2": "cfp8_152",
    "shp": "cfp16_shp",
    "uhp": "cfp16_uhp",
    "bfloat16": "bf16",
    "float16": "fp16",
    "half": "fp16",
    "float32": "fp32",
    "float8_e4m3fn": "fp8_e4m3",
    "float8_e5m2": "fp8_e5m2",
}


#: Family names (as a scenario's ``precision:`` writes them) and the member they stand
#: for when one format is meant: the forward format of each 8-bit pair.
FAMILIES: dict[str, tuple[str, str]] = {
    "cfp8": (
        "cfp8_143",
        "cfp8 is read as cfp8_143 (CFloat8_1_4_3, Dojo's format for weights "
        "and activations); gradients use cfp8_152 (CFloat8_1_5_2)",
    ),
    "cfp16": (
        "cfp16_shp",
        "cfp16 is read as cfp16_shp (CFloat16 SHP, signed); cfp16_uhp is the unsigned variant",
    ),
    "fp8": (
        "fp8_e4m3",
        "fp8 is read as fp8_e4m3 (OCP E4M3, weights and activations); gradients use fp8_e5m2",
    ),
}


def resolve_family(name: str) -> tuple[Format, str | None]:
    """A format name or a family name (``cfp8``, ``cfp16``, ``fp8``); the note says which
    member a family name was read as (``None`` for a plain format name)."""
    key = name.strip().lower() if isinstance(name, str) else name
    if isinstance(key, str) and key in FAMILIES:
        member, note = FAMILIES[key]
        return FORMATS[member], note
    return get_format(name), None


def get_format(fmt: str | Format) -> Format:
    """The :class:`Format` called ``fmt`` (case-insensitive; a few aliases accepted)."""
    if isinstance(fmt, Format):
        return fmt
    if not isinstance(fmt, str):
        raise FormatError(f"a format is a name such as 'cfp8_143', got {type(fmt).__name__}")
    key = fmt.strip().lower()
    key = ALIASES.get(key, key)
    if key in FORMATS:
        return FORMATS[key]
    if key in FAMILIES:
        members = [n for n in FORMATS if n.startswith(key + "_")]
        raise FormatError(
            f"{fmt!r} names a family of formats: pick one of {', '.join(members)} "
            f"({FAMILIES[key][1]})"
        )
    hint = nearest(key, [*FORMATS, *ALIASES])
    known = ", ".join(FORMATS)
    raise FormatError(f"unknown number format {fmt!r}{hint}; known formats: {known}")


def check_bias(fmt: Format, bias: object) -> int:
    """Validate ``bias`` for ``fmt``: an integer 0..63 for CFP, the fixed bias otherwise."""
    if bias is None:
        return fmt.bias
    if isinstance(bias, bool) or not hasattr(bias, "__index__"):
        raise FormatError(f"bias must be an integer 0..63, got {bias!r}")
    value = int(bias.__index__())
    if fmt.configurable_bias:
        if not BIAS_MIN <= value <= BIAS_MAX:
            raise FormatError(
                f"bias {value} is outside 0..63 (the bias is a 6-bit unsigned integer) "
                f"for {fmt.name}"
            )
    elif value != fmt.bias:
        raise FormatError(f"{fmt.name} has a fixed bias of {fmt.bias}, got bias={value}")
    return value


def check_denormals(fmt: Format, denormals: object) -> Denormals:
    """Validate the denormal-scale switch; ``"literal"`` only exists for Tesla CFP formats."""
    if denormals == "ieee":
        return "ieee"
    if denormals == "literal":
        if not fmt.is_cfp:
            raise FormatError(
                f"denormals='literal' applies to Tesla CFP formats only, not {fmt.name}"
            )
        return "literal"
    raise FormatError(f"denormals must be 'ieee' or 'literal', got {denormals!r}")
