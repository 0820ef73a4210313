"""choose_bias: the largest bias whose range holds the tensor (WP p4)."""

from __future__ import annotations

import numpy as np
import pytest

from dojosim import numerics
from dojosim.numerics.formats import FORMATS


@pytest.mark.parametrize("name", ["cfp8_143", "cfp8_152", "cfp16_shp", "cfp16_uhp"])
def test_chosen_bias_fits_and_the_next_does_not(name: str) -> None:
    rng = np.random.default_rng(0)
    fmt = FORMATS[name]
    for scale in (1e-12, 1e-6, 1e-3, 1.0, 1e3):
        x = np.abs(rng.standard_normal(1000)) * scale
        b = numerics.choose_bias(x, name)
        amax = float(np.abs(x).max())
        assert fmt.bind(b).max_value >= amax
        if b < 63:
            assert fmt.bind(b + 1).max_value < amax
        # Nothing saturates at the chosen bias.
        assert np.all(np.abs(numerics.quantize(x, name, b)) <= fmt.bind(b).max_value)


def test_edges() -> None:
    assert numerics.choose_bias(np.zeros(5), "cfp8_143") == 7  # default bias
    assert numerics.choose_bias([], "cfp8_143") == 7
    assert numerics.choose_bias([1e30], "cfp8_143") == 0  # too large for any bias
    assert numerics.choose_bias([1e-30], "cfp8_143") == 63  # too small for any bias
    assert numerics.choose_bias([np.inf, np.nan, 2.0], "cfp8_143") == numerics.choose_bias(
        [2.0], "cfp8_143"
    )
    assert numerics.choose_bias([480.0], "cfp8_143") == 7  # exactly the max at bias 7
    assert numerics.choose_bias([480.0001], "cfp8_143") == 6
    assert numerics.choose_bias([3.0], "bf16") == 127  # fixed-bias formats


def test_margin_and_auto() -> None:
    x = np.array([0.5, -0.25], np.float32)
    b = numerics.choose_bias(x, "cfp8_152")
    assert numerics.choose_bias(x, "cfp8_152", margin=2) == b - 2
    assert np.array_equal(
        numerics.quantize(x, "cfp8_152", "auto"), numerics.quantize(x, "cfp8_152", b)
    )
