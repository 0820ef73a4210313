"""The interval formulas against hand-computed values and Daly's (2006) published optima."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dojosim.sim import optimum


def test_young_by_hand() -> None:
    # sqrt(2 x 300 s x 86,400 s) = sqrt(51,840,000) = 7,200 s
    assert float(optimum.young(300.0, 86400.0)) == pytest.approx(7200.0)


def test_daly_by_hand() -> None:
    # C = 300 s, M = 86,400 s: xi = C / 2M = 1/576; sqrt(xi) = 1/24
    # 7200 x (1 + 1/72 + 1/5184) - 300 = 7200 + 100 + 1.3889 - 300 = 7001.389 s
    assert float(optimum.daly(300.0, 86400.0)) == pytest.approx(7001.3889, rel=1e-6)
    # where C >= 2M the rule is tau = M
    assert float(optimum.daly(500.0, 200.0)) == pytest.approx(200.0)


@pytest.mark.parametrize(
    ("z", "w"),
    [(-1.0 / math.e, -1.0), (0.0, 0.0), (-0.1, -0.1118325591589630), (-0.3, -0.4894022271802149)],
)
def test_lambert_w0_known_values(z: float, w: float) -> None:
    assert float(optimum.lambert_w0(z)) == pytest.approx(w, abs=1e-9)
    assert w * math.exp(w) == pytest.approx(z, abs=1e-12)


def test_lambert_w0_outside_its_domain() -> None:
    with pytest.raises(ValueError):
        optimum.lambert_w0(-0.5)


def test_ettr_by_hand() -> None:
    # M = 1000 s, no save, no downtime, tau = M: 1 / (e - 1)
    assert float(optimum.ettr(1000.0, 0.0, 1000.0, 0.0)) == pytest.approx(1.0 / (math.e - 1.0))
    # downtime multiplies the wall time by e^{R/M}
    assert float(optimum.ettr(1000.0, 0.0, 1000.0, 1000.0)) == pytest.approx(
        1.0 / (math.e * (math.e - 1.0))
    )
    # without failures only the save costs
    assert float(optimum.ettr(90.0, 10.0, math.inf, 600.0)) == pytest.approx(0.9)


def test_exact_optimum_maximises_the_exact_ettr() -> None:
    for save, mtbf in [(300.0, 86400.0), (30.0, 3600.0), (300.0, 900.0), (5.0, 1e7)]:
        best = float(optimum.exact(save, mtbf))
        grid = best * np.linspace(0.5, 1.5, 2001)
        values = optimum.ettr(grid, save, mtbf, 600.0)
        assert grid[int(np.argmax(values))] == pytest.approx(best, rel=1e-3)
        # for C << M it approaches Young's rule
    assert float(optimum.exact(1.0, 1e8)) == pytest.approx(float(optimum.young(1.0, 1e8)), rel=1e-3)


@pytest.mark.parametrize(("mtbf_min", "published_min"), [(1440, 117), (360, 57), (15, 9.1)])
def test_daly_2006_published_optima(mtbf_min: float, published_min: float) -> None:
    """Daly 2006, Figs. 3-5: R = 10 min, delta = 5 min; the exact and higher-order optima."""
    mtbf, save = mtbf_min * 60.0, 300.0
    assert float(optimum.exact(save, mtbf)) / 60 == pytest.approx(published_min, rel=0.01)
    assert float(optimum.daly(save, mtbf)) / 60 == pytest.approx(published_min, rel=0.01)


def test_arrays_broadcast() -> None:
    out = optimum.exact([60.0, 300.0], [[3600.0], [86400.0]])
    assert out.shape == (2, 2)
    assert optimum.exact(30.0, math.inf) == math.inf
