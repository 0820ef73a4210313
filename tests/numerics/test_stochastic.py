"""Stochastic rounding: unbiased (the mean of many draws converges to the input) and
reproducible for a seed (WP p7), whatever the threads, chunks or array library."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dojosim import numerics
from dojosim.numerics import rounding
from dojosim.numerics.formats import FORMATS

from .conftest import same_bits

DRAWS = 200_000


def _cases() -> list[tuple[str, int, str, float]]:
    """(format, bias, denormals, input): normals, denormals, the literal gap, near max."""
    cases = []
    for name, bias in (("cfp8_143", 7), ("cfp8_152", 15), ("cfp16_shp", 15), ("cfp16_uhp", 31)):
        for mode in ("ieee", "literal"):
            b = FORMATS[name].bind(bias, mode)
            cases += [
                (name, bias, mode, 1.3),
                (name, bias, mode, -0.7 if b.fmt.signed else 0.7),
                (name, bias, mode, b.min_denormal * 2.3),
                (name, bias, mode, b.max_value * 0.97),
                (name, bias, mode, (b.max_denormal + b.min_normal) * 0.47),  # literal: gap
            ]
    return cases


@pytest.mark.parametrize(("name", "bias", "mode", "value"), _cases())
def test_mean_converges_to_the_input(name: str, bias: int, mode: str, value: float) -> None:
    x = np.full(DRAWS, value, dtype=np.float64)
    q = numerics.quantize(x, name, bias, "stochastic", seed=11, denormals=mode)
    lo, hi = float(q.min()), float(q.max())
    assert set(np.unique(q).tolist()) <= {lo, hi}
    xv = float(np.float64(value))
    if lo == hi:
        assert lo == xv
        return
    p = (xv - lo) / (hi - lo)
    sigma = (hi - lo) * math.sqrt(p * (1 - p) / DRAWS)
    assert abs(float(q.astype(np.float64).mean()) - xv) < 5 * sigma + 1e-12 * abs(xv)


def test_a_bias_free_sum() -> None:
    """Summing many tiny updates: nearest loses them all, stochastic keeps the total."""
    x = np.full(100_000, 1.0 + 1 / 64, dtype=np.float32)  # 1/8 of a cfp8_143 step above 1
    assert float(numerics.quantize(x, "cfp8_143", 7).sum()) == 100_000.0
    total = float(numerics.quantize(x, "cfp8_143", 7, "stochastic", seed=0).sum())
    assert abs(total - float(x.astype(np.float64).sum())) < 5 * 0.125 * math.sqrt(100_000 * 0.1)


def test_same_seed_same_result_other_seed_other_result() -> None:
    x = np.random.default_rng(0).standard_normal(100_000).astype(np.float32)
    a = numerics.quantize(x, "cfp8_143", 7, "stochastic", seed=42)
    b = numerics.quantize(x, "cfp8_143", 7, "stochastic", seed=42)
    c = numerics.quantize(x, "cfp8_143", 7, "stochastic", seed=43)
    assert same_bits(a, b)
    assert not same_bits(a, c)
    assert np.mean(a != c) > 0.3


def test_result_does_not_depend_on_threads_or_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    x = np.random.default_rng(1).standard_normal(3 * rounding.PARALLEL_MIN + 12345)
    x = x.astype(np.float32)
    want = numerics.quantize(x, "cfp8_152", 20, "stochastic", seed=7)
    monkeypatch.setattr(rounding, "CHUNK", 1000)
    for threads in ("1", "3"):
        monkeypatch.setenv("DOJOSIM_NUM_THREADS", threads)
        got = numerics.quantize(x, "cfp8_152", 20, "stochastic", seed=7)
        assert same_bits(got, want), threads
    # Element i's random bits depend only on (seed, i): a prefix rounds the same way.
    assert same_bits(numerics.quantize(x[:1000], "cfp8_152", 20, "stochastic", seed=7), want[:1000])


def test_nearest_threads_and_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    x = np.random.default_rng(2).standard_normal(2 * rounding.PARALLEL_MIN + 7).astype(np.float32)
    want = numerics.quantize(x, "cfp8_143", 5)
    monkeypatch.setattr(rounding, "CHUNK", 777)
    monkeypatch.setenv("DOJOSIM_NUM_THREADS", "2")
    assert same_bits(numerics.quantize(x, "cfp8_143", 5), want)


def test_random_bits_are_uniform() -> None:
    from dojosim.numerics.rng import random_bits

    bits = random_bits(1_000_000, 0, 8)
    counts = np.bincount(bits, minlength=256)
    expected = 1_000_000 / 256
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 255 + 5 * math.sqrt(2 * 255)  # ~5 sigma
