"""Dose by orbit and shielding, upsets, failures, spares and TID lifetime."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dojosim.errors import DojosimError
from dojosim.site import constants as C
from dojosim.site.radiation import (
    dose_rate,
    expected_failures,
    spares_needed,
    tid_lifetime,
    upsets_per_day,
)
from dojosim.site.schema import DoseDepthEntry, RadiationToleranceEntry, site

TABLE: DoseDepthEntry = site("dose-depth-leo-550-spenvis", DoseDepthEntry)
TPU: RadiationToleranceEntry = site("radiation-tolerance-tpu-v6e", RadiationToleranceEntry)
FIVE_YEARS = 1825 * C.DAY_S


def test_table_nodes_are_returned_exactly() -> None:
    """SPENVIS, 550 km, 95 deg, 5 years behind 10 mm Al: 560.28 rad(Si)."""
    est = dose_rate(TABLE, math.radians(95), 10e-3)
    assert est.rate_Gy_s * FIVE_YEARS * 100 == pytest.approx(560.28, rel=1e-9)
    assert est.note == ""


@settings(max_examples=40, deadline=None)
@given(st.floats(0.5e-3, 19e-3), st.floats(0.1e-3, 5e-3), st.floats(30, 100))
def test_more_shielding_never_raises_the_dose(t: float, dt: float, inc_deg: float) -> None:
    thin = dose_rate(TABLE, math.radians(inc_deg), t).rate_Gy_s
    thick = dose_rate(TABLE, math.radians(inc_deg), min(t + dt, 20e-3)).rate_Gy_s
    assert thick <= thin * (1 + 1e-12)


def test_sso_dose_is_near_suncatchers_design_dose() -> None:
    """About 750 rad(Si) in 5 years, shielded (Suncatcher); 10 mm Al at 550 km gives ~565."""
    est = dose_rate(TABLE, math.radians(97.6), 10e-3)
    five_year_rad = est.rate_Gy_s * FIVE_YEARS * 100
    assert 0.5 * 750 < five_year_rad < 1.5 * 750
    years_to_hbm_onset = tid_lifetime(TPU.tid_onset, est.rate_Gy_s) / C.JULIAN_YEAR_S
    assert 10 < years_to_hbm_onset < 30


def test_out_of_table_is_clamped_and_said() -> None:
    est = dose_rate(TABLE, math.radians(120), 50e-3)
    assert "clamped" in est.note and "outside the table" in est.note


def test_upsets_failures_spares() -> None:
    assert upsets_per_day(8e9, 1e-9 / C.DAY_S) == pytest.approx(8.0)
    assert expected_failures(1000, 0.0, 1e9) == 0.0
    assert expected_failures(100, 1e-9, 1e9) == pytest.approx(100 * (1 - math.exp(-1)))
    assert spares_needed(0.0) == 0
    assert spares_needed(1.0, 0.95) == 3  # P(N <= 2) = 0.920, P(N <= 3) = 0.981
    with pytest.raises(DojosimError):
        spares_needed(1.0, 1.0)
    assert tid_lifetime(1.0, 0.0) == math.inf


def test_seu_range_spans_three_orders_of_magnitude() -> None:
    low, high = TPU.seu_rate_per_bit_low, TPU.seu_rate_per_bit_high
    assert low is not None and high is not None
    assert high / low == pytest.approx(1000.0)
