"""Round a training tensor into its recipe's format: per-tensor bias or amax scale.

A :class:`TensorQuantizer` is called with a tensor and its role
(``"block0.qkv.act"``, ``"...weight"``, ``"...grad"``, ``"...weight_grad"``). Roles
ending in ``grad`` are backward tensors and use the recipe's gradient format (and its
rounding); the others use the forward format. It returns the float32 values of the
format (quantise, then dequantise), so the products that follow accumulate in FP32.

Speed: a training step rounds some 10-20 M elements, so CPU tensors take the
single-threaded NumPy kernels (:mod:`.rounding`, the same bits as the torch path,
tested) and BF16 takes torch's own round-to-nearest-even cast (the same bits as
``quantize(x, "bf16")``, tested). Training runs are single-threaded so that runs
can go side by side on the cores and results do not depend on the thread count.
"""

from __future__ import annotations

import torch

from dojosim.numerics import api, torch_backend
from dojosim.numerics.formats import BF16, Format, get_format
from dojosim.numerics.kernels import make_plan
from dojosim.numerics.recipes import Recipe
from dojosim.numerics.rng import seed_keys
from dojosim.numerics.rounding import quantize_array


def is_backward(role: str) -> bool:
    """Gradient roles end in ``grad``."""
    return role.endswith("grad")


def round_tensor(
    t: torch.Tensor,
    fmt: Format,
    bias: int | None,
    rounding: api.Rounding = "nearest",
    seed: int | None = None,
    denormals: str = "ieee",
) -> torch.Tensor:
    """``quantize(t, fmt, bias, rounding, seed)`` for training: float32 out, same bits,
    faster on CPU (one thread)."""
    if t.device.type != "cpu":
        return api.quantize(t, fmt, bias, rounding, seed, denormals=denormals)
    x = t.detach().to(torch.float32)
    if fmt is BF16 and rounding == "nearest":
        return x.to(torch.bfloat16).to(torch.float32)
    flat = x.contiguous().reshape(-1).numpy()
    plan = make_plan(fmt.bind(bias, denormals), False)
    keys = seed_keys(seed) if rounding == "stochastic" else None
    out = quantize_array(flat, plan, rounding, keys, threads=1)
    return torch.from_numpy(out).reshape(t.shape)


class TensorQuantizer:
    """Quantise-dequantise tensors by role; remembers the last bias or scale of each role.

    Stochastic rounding draws a new seed for every call (a fixed one would correlate
    the rounding across steps); the sequence of seeds follows from ``seed``, so a run
    is reproducible.
    """

    def __init__(self, recipe: Recipe, seed: int = 0, denormals: str = "ieee"):
        self.recipe = recipe
        self.seed = seed
        self.denormals = denormals
        self.calls = 0
        self.biases: dict[str, int] = {}
        self.scales: dict[str, float] = {}
        self._formats: dict[bool, Format | None] = {
            False: get_format(recipe.forward) if recipe.forward else None,
            True: get_format(recipe.backward) if recipe.backward else None,
        }

    def __call__(self, t: torch.Tensor, role: str) -> torch.Tensor:
        backward = is_backward(role)
        fmt = self._formats[backward]
        if fmt is None:
            return t
        self.calls += 1
        stochastic = backward and self.recipe.grad_rounding == "stochastic"
        rounding: api.Rounding = "stochastic" if stochastic else "nearest"
        seed = self.seed * 1_000_003 + self.calls if stochastic else None
        denormals = self.denormals if fmt.is_cfp else "ieee"
        if self.recipe.scaling == "amax":
            return self._scaled(t, fmt, role, rounding, seed)
        bias: int | None = None
        if self.recipe.scaling == "bias":
            b = self.recipe.bias
            if b == "first" and role in self.biases:
                bias = self.biases[role]
            elif isinstance(b, str):
                bias = api.choose_bias(t, fmt, denormals=denormals)
            else:
                bias = b[1] if backward else b[0]
            self.biases[role] = bias
        return round_tensor(t, fmt, bias, rounding, seed, denormals)

    def _scaled(
        self, t: torch.Tensor, fmt: Format, role: str, rounding: api.Rounding, seed: int | None
    ) -> torch.Tensor:
        """OCP FP8 as frameworks run it: scale = max / amax (float64, then float32), a
        saturating cast of ``t * scale``, then division by the scale."""
        top = fmt.bind().max_value
        amax = torch_backend.amax(t)  # finite entries only
        scale = float(torch.tensor(top / max(amax, 1e-12), dtype=torch.float32))
        self.scales[role] = scale
        scaled = (t.detach() * scale).clamp_(-top, top)
        return round_tensor(scaled, fmt, None, rounding, seed) / scale


def identity(t: torch.Tensor, role: str) -> torch.Tensor:
    """The FP32 quantizer: nothing is rounded."""
    return t
