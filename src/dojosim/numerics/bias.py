"""Choosing a per-tensor exponent bias from the tensor's range.

WP p4: weights, gradients and activations "have different precision and dynamic
range requirements"; the configurable bias meets them "instead of increasing the
number of exponent bits", "only a small number of such exponent biases are used in
any given execution step, and the appropriate bias values can be learnt during the
training". The rule here is the simplest such choice: the **largest** bias (the
finest resolution near zero) whose largest finite value still holds the tensor's
largest magnitude, optionally leaving ``margin`` binades of headroom.
"""

from __future__ import annotations

import math

import numpy as np

from dojosim.numerics.formats import BIAS_MAX, BIAS_MIN, Format


def bias_for_amax(fmt: Format, amax: float, margin: int = 0, denormals: str = "ieee") -> int:
    """The largest bias in 0..63 with ``max_value(bias) >= amax * 2^margin``.

    Fixed-bias formats return their bias. ``amax`` of 0 (or not finite) returns the
    format's default bias; an ``amax`` too large even for bias 0 returns 0.
    """
    if not fmt.configurable_bias:
        return fmt.bias
    if not math.isfinite(amax) or amax <= 0:
        return fmt.bias
    target = math.ldexp(amax, margin)
    # max_value(b) = max_value(0) * 2^-b, so the answer is a floor of a log2, but
    # checked exactly to avoid off-by-one from float log2.
    top = fmt.bind(BIAS_MIN, denormals).max_value
    guess = math.floor(math.log2(top / target)) if target > 0 else BIAS_MAX
    for b in (guess + 1, guess, guess - 1):
        if BIAS_MIN <= b <= BIAS_MAX and math.ldexp(top, -b) >= target:
            return b
    return BIAS_MAX if math.ldexp(top, -BIAS_MAX) >= target else BIAS_MIN


def amax_numpy(x: np.ndarray) -> float:
    """Largest finite magnitude of ``x`` (0.0 if none)."""
    if x.size == 0:
        return 0.0
    a = np.abs(x[np.isfinite(x)]) if not np.isfinite(x).all() else np.abs(x)
    return float(a.max()) if a.size else 0.0
