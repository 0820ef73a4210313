"""Training recipes: the format each tensor is stored in, and how its range is set.

A training run quantises four kinds of tensor at every matrix product (see
:mod:`~dojosim.numerics.qops`): the activations and weights on the way in, and the
incoming gradient and the weight gradient on the way out. A :class:`Recipe` says
which format the forward tensors (activations, weights) and the backward tensors
(gradients) use, and how each tensor's range is fitted:

* ``"bias"``: Tesla's configurable bias, one per tensor (WP p4); ``"auto"`` chooses
  it from the tensor's range at every step, ``"first"`` chooses it once, at the
  tensor's first use, and keeps it; an integer fixes it;
* ``"amax"``: a per-tensor scale ``max_format / amax`` applied before the cast and
  divided out after it, computed from the current tensor ("dynamic tensorwise"
  scaling, as in pytorch/ao ``torchao/float8/float8_utils.py``: ``amax_to_scale``,
  ``to_fp8_saturated``);
* ``"none"``: the format as it is (FP32, BF16, or one fixed-bias format).

Nothing here imports torch, so the CLI can check its options first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dojosim.errors import FormatError, nearest
from dojosim.numerics.formats import FORMATS, check_bias, get_format

Scaling = Literal["none", "bias", "amax"]
#: ``"auto"``, ``"first"``, or the fixed biases of the (forward, backward) tensors.
Bias = str | tuple[int, int]
GRAD_ROUNDINGS = ("nearest", "stochastic")
BIAS_MODES = ("auto", "first")
BIAS_TEXT = "'auto', 'first', N or N,M (0..63)"


@dataclass(frozen=True)
class Recipe:
    """How one training run stores its tensors.

    ``forward``/``backward`` are format names (``None``: FP32, not rounded);
    ``grad_rounding`` applies to the backward tensors only; the forward pass always
    rounds to nearest (WP p7 asks conversions to offer both modes).
    """

    name: str
    title: str
    forward: str | None
    backward: str | None
    scaling: Scaling
    bias: Bias = "auto"
    grad_rounding: str = "nearest"

    @property
    def label(self) -> str:
        """A short unique label: ``cfp8 bias=auto``, ``cfp8 bias=7,15 sr``, ``fp8 amax``."""
        text = self.name
        if self.scaling == "bias":
            b = self.bias
            shown = b if isinstance(b, str) else (str(b[0]) if b[0] == b[1] else f"{b[0]},{b[1]}")
            text += f" bias={shown}"
        elif self.scaling == "amax":
            text += " amax"
        if self.grad_rounding == "stochastic":
            text += " sr"
        return text

    @property
    def description(self) -> str:
        """One line: formats, range setting and rounding."""
        if self.forward is None:
            return f"{self.title}: nothing rounded"
        fw, bw = self.forward, self.backward
        where = (
            f"every operand and gradient in {fw}" if fw == bw else f"{fw} forward, {bw} gradients"
        )
        how = ""
        if self.scaling == "amax":
            how = "; per-tensor amax scaling each step"
        elif self.scaling == "bias":
            b = self.bias
            how = {
                "auto": "; per-tensor bias chosen each step",
                "first": "; per-tensor bias chosen at its first use, then fixed",
            }.get(str(b), "")
            if isinstance(b, tuple):
                how = f"; fixed bias {b[0]}" + (
                    f" forward, {b[1]} gradients" if b[0] != b[1] else ""
                )
        sr = "; stochastic rounding of gradients" if self.grad_rounding == "stochastic" else ""
        return f"{self.title}: {where}{how}{sr}"


#: name: (title, forward format, backward format, scaling). Any single format name in
#: FORMATS is a recipe too: every tensor in that format.
NAMED: dict[str, tuple[str, str | None, str | None, Scaling]] = {
    "fp32": ("FP32", None, None, "none"),
    "bf16": ("BF16", "bf16", "bf16", "none"),
    "cfp8": ("CFP8 (Dojo)", "cfp8_143", "cfp8_152", "bias"),
    "fp8": ("OCP FP8", "fp8_e4m3", "fp8_e5m2", "amax"),
    "cfp16": ("CFP16 (SHP)", "cfp16_shp", "cfp16_shp", "bias"),
}


def recipe_names() -> list[str]:
    """Every name ``--format`` accepts in training."""
    return [*NAMED, *(n for n in FORMATS if n not in NAMED)]


def make_recipe(
    name: str, bias: object = "auto", grad_rounding: str = "nearest", denormals: str = "ieee"
) -> Recipe:
    """The recipe called ``name`` with a bias setting; FormatError for bad settings.

    ``bias`` is ``"auto"``, ``"first"``, an integer (every CFP tensor at that bias)
    or a pair ``(forward, backward)``. For fixed-bias formats (BF16, FP16, OCP) ``"auto"`` means
    their own bias and an integer must equal it; the ``fp8`` recipe scales instead.
    """
    if not isinstance(name, str):
        raise FormatError(f"a training format is a name such as 'cfp8', got {name!r}")
    key = name.strip().lower()
    if key in NAMED:
        title, fw, bw, scaling = NAMED[key]
    else:
        try:
            fmt = get_format(key)
        except FormatError:
            hint = nearest(key, recipe_names())
            raise FormatError(
                f"unknown number format {name!r}{hint}; training formats: {', '.join(recipe_names())}"
            ) from None
        key, title, fw, bw = fmt.name, fmt.title, fmt.name, fmt.name
        scaling = "bias" if fmt.configurable_bias else "none"
    if grad_rounding not in GRAD_ROUNDINGS:
        raise FormatError(f"rounding must be 'nearest' or 'stochastic', got {grad_rounding!r}")
    checked = _check_bias(key, scaling, fw, bw, bias, denormals)
    return Recipe(key, title, fw, bw, scaling, checked, grad_rounding)


def _check_bias(
    name: str,
    scaling: Scaling,
    fw: str | None,
    bw: str | None,
    bias: object,
    denormals: str,
) -> Bias:
    if denormals not in ("ieee", "literal"):
        raise FormatError(f"denormals must be 'ieee' or 'literal', got {denormals!r}")
    cfp = [f for f in (fw, bw) if f is not None and get_format(f).is_cfp]
    if denormals == "literal" and not cfp:
        raise FormatError(f"denormals='literal' applies to Tesla CFP formats only, not {name}")
    if isinstance(bias, str):
        if bias not in BIAS_MODES:
            raise FormatError(f"bias must be {BIAS_TEXT}, got {bias!r}")
        return bias if scaling == "bias" else "auto"
    pair = bias if isinstance(bias, tuple) else (bias, bias)
    if len(pair) != 2:
        raise FormatError(f"bias must be {BIAS_TEXT}, got {bias!r}")
    if scaling == "amax":
        raise FormatError(f"{name} scales each tensor by its amax; --bias applies to CFP formats")
    if scaling == "none":
        # Fixed-bias formats accept their own bias only (FP32: anything is moot, refuse).
        if fw is None:
            raise FormatError("fp32 has no bias to set; use --bias auto")
        for f, b in ((fw, pair[0]), (bw, pair[1])):
            check_bias(get_format(str(f)), b)
        return "auto"
    return (check_bias(get_format(str(fw)), pair[0]), check_bias(get_format(str(bw)), pair[1]))


def parse_bias(text: str | None) -> str | int | tuple[int, int] | None:
    """``--bias`` text: ``auto``, ``first``, ``N`` or ``N,M`` (forward, backward)."""
    if text is None:
        return None
    t = text.strip().lower()
    if t in BIAS_MODES:
        return t
    parts = [p.strip() for p in t.split(",")]
    try:
        values = [int(p) for p in parts]
    except ValueError:
        raise FormatError(f"--bias must be {BIAS_TEXT}, got {text!r}") from None
    if len(values) == 1:
        return values[0]
    if len(values) == 2:
        return (values[0], values[1])
    raise FormatError(f"--bias must be {BIAS_TEXT}, got {text!r}")
