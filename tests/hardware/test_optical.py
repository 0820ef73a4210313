"""The free-space optical link model against hand calculations and the Suncatcher paper's figures.

Paper figures (arXiv:2511.19468, section 2.1, as catalogued in systems/suncatcher-tpu-v6e-81):
5 W EDFA, 10 cm apertures, 1.55 um, 105.1 dB gain per end, -3 dB other losses, 400G PM-16QAM at
about -20 dBm per channel (196 photons/bit), 24 channels = 9.6 Tbps needing 0.24 mW, confocal
near-field limit about 5 km; bench demo 800 Gbps each way with one transceiver pair.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from dojosim import catalog
from dojosim.errors import SpecError
from dojosim.hardware import optical as o

LAMBDA = 1.55e-6


@pytest.fixture(scope="module")
def link():  # type: ignore[no-untyped-def]
    """The Suncatcher terminal as catalogued (the single source of the parameters)."""
    tier = catalog.get("system", "suncatcher-tpu-v6e-81").network[-1]
    return tier.isl.link


def test_catalog_link_is_the_papers(link) -> None:  # type: ignore[no-untyped-def]
    assert link.transmit_power == 5.0
    assert link.aperture == pytest.approx(0.10)
    assert link.wavelength == pytest.approx(LAMBDA)
    assert link.line_rate * 8 == pytest.approx(400e9)
    assert link.wdm_channels == 24


def test_photons_per_bit_reproduce_the_papers_sensitivity(link) -> None:  # type: ignore[no-untyped-def]
    # -20 dBm per 400G channel <-> ~196 photons/bit; 24 channels need 0.24 mW.
    per_channel = link.photons_per_bit * o.photon_energy(LAMBDA) * 400e9
    assert 10 * math.log10(per_channel / 1e-3) == pytest.approx(-20.0, abs=0.05)
    total = link.photons_per_bit * o.photon_energy(LAMBDA) * 24 * 400e9
    assert total == pytest.approx(0.24e-3, rel=0.02)


def test_near_field_limit_is_about_5_km(link) -> None:  # type: ignore[no-untyped-def]
    # pi a^2 / lambda for a = 5 cm: 5.07 km; the paper rounds to 5 km.
    assert o.near_field_distance(link.aperture, link.aperture, LAMBDA) == pytest.approx(
        math.pi * 0.05**2 / LAMBDA
    )
    assert o.near_field_distance(0.1, 0.1, LAMBDA) == pytest.approx(5000, rel=0.02)
    # one spatial mode there
    assert float(o.spatial_modes(5067.08, 0.1, 0.1, LAMBDA)) == pytest.approx(1.0, rel=1e-4)


def test_far_field_is_the_papers_db_budget(link) -> None:  # type: ignore[no-untyped-def]
    # 37 dBm + 2 x 105.1 dB - 3 dB - FSPL(d), FSPL = 20 log10(4 pi d / lambda)
    for d in (50e3, 400e3, 2000e3):
        fspl = 20 * math.log10(4 * math.pi * d / LAMBDA)
        expected_dbm = 10 * math.log10(5e3) + 2 * 105.1 - 3.0 - fspl
        got = o.received_power(
            d, 5.0, 0.1, 0.1, LAMBDA, link.optics_efficiency, link.pointing_efficiency
        )
        assert 10 * math.log10(float(got) / 1e-3) == pytest.approx(expected_dbm, abs=0.05)


def test_far_field_is_friis_by_hand() -> None:
    # 1000 km: the Gaussian's waist term (z_R/d)^2 ~ 6e-6 and 1 - exp(-x) ~ x - x^2/2 (x ~ 2e-5)
    # separate it from Friis by ~1.5e-5 relative.
    d = 1.0e6
    friis = (math.pi * 0.1 * 0.08 / (4 * LAMBDA * d)) ** 2
    assert float(o.collected_fraction(d, 0.1, 0.08, LAMBDA)) == pytest.approx(friis, rel=1e-4)


def test_collected_fraction_saturates_close_in() -> None:
    # Gaussian waist D/(2 sqrt 2): at zero range the aperture keeps 1 - exp(-4).
    assert float(o.collected_fraction(1e-3, 0.1, 0.1, LAMBDA)) == pytest.approx(
        1 - math.exp(-4), rel=1e-6
    )
    f = o.collected_fraction(np.array([10.0, 100.0, 1e3, 1e4, 1e5]), 0.1, 0.1, LAMBDA)
    assert np.all(np.diff(f) < 0)  # monotone in distance
    assert np.all(f <= 1)


def test_rate_falls_as_inverse_square_in_the_power_limited_far_field(link) -> None:  # type: ignore[no-untyped-def]
    kw = o.link_params(link)
    d = np.array([1e6, 2e6, 4e6])
    r = o.link_rate_bps(d, **kw)
    assert r[1] / r[0] == pytest.approx(0.25, rel=1e-4)
    assert r[2] / r[1] == pytest.approx(0.25, rel=1e-4)
    # and equals received power / (photons per bit x photon energy)
    p = o.received_power(1e6, 5.0, 0.1, 0.1, LAMBDA, link.optics_efficiency)
    assert r[0] == pytest.approx(float(p) / (196 * o.photon_energy(LAMBDA)), rel=1e-9)


def test_rate_saturates_at_short_range_and_steps_down_with_spatial_modes(link) -> None:  # type: ignore[no-untyped-def]
    kw = o.link_params(link)
    aperture_bundle = 24 * 400e9  # 9.6 Tbps: the paper's per-aperture figure
    spatial = link.spatial_channels
    near = o.link_rate_bps(np.array([100.0, 150.0, 200.0, 1000.0, 2500.0]), **kw)
    assert np.allclose(near, spatial * aperture_bundle)
    # beyond the near-field distance one spatial mode remains: 9.6 Tbps until power runs out
    assert float(o.link_rate_bps(6e3, **kw)) == pytest.approx(aperture_bundle)
    assert float(o.link_rate_bps(300e3, **kw)) == pytest.approx(aperture_bundle)
    assert float(o.link_rate_bps(500e3, **kw)) < aperture_bundle
    # between: floor(N) spatial channels, N = (5067 / d)^2
    assert float(o.link_rate_bps(3000.0, **kw)) == pytest.approx(2 * aperture_bundle)


def test_bench_demo_one_transceiver_pair(link) -> None:  # type: ignore[no-untyped-def]
    # 800 Gbps each way, 1.6 Tbps total, with one transceiver pair on the bench.
    kw = o.link_params(link) | {"line_rate_bps": 800e9, "wdm_channels": 1, "spatial_channels": 1}
    one_way = float(o.link_rate_bps(1.0, **kw))
    assert one_way == pytest.approx(800e9)
    assert 2 * one_way == pytest.approx(1.6e12)


def test_broadcasts_over_distance(link) -> None:  # type: ignore[no-untyped-def]
    d = np.geomspace(10.0, 1e7, 24).reshape(4, 6)
    r = o.link_rate_bps(d, **o.link_params(link))
    assert r.shape == (4, 6)
    assert np.all(np.diff(r.ravel()) <= 0)


def test_ground_downlink_by_hand() -> None:
    r_e = 6.371e6
    assert float(o.slant_range(650e3, math.pi / 2, r_e)) == pytest.approx(650e3)
    horizon = math.sqrt((r_e + 650e3) ** 2 - r_e**2)
    assert float(o.slant_range(650e3, 0.0, r_e)) == pytest.approx(horizon)
    # TBIRD-like: 200 Gb/s cap; a 1 m ground telescope, 5 cm space aperture, 1 W, 50% atmosphere
    rng = float(o.slant_range(500e3, math.radians(30), r_e))
    kw = {
        "transmit_power": 1.0,
        "aperture_tx": 0.05,
        "aperture_rx": 1.0,
        "wavelength": LAMBDA,
        "photons_per_bit": 196,
        "line_rate_bps": 100e9,
        "wdm_channels": 2,
    }
    rate = float(o.ground_downlink_rate_bps(rng, atmospheric_transmission=0.5, **kw))
    p_r = 0.5 * (math.pi * 0.05 * 1.0 / (4 * LAMBDA * rng)) ** 2
    assert rate == pytest.approx(min(200e9, p_r / (196 * o.photon_energy(LAMBDA))), rel=1e-3)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: o.spatial_modes(-5.0, 0.1, 0.1, LAMBDA), "distance"),
        (lambda: o.collected_fraction(100.0, 0.0, 0.1, LAMBDA), "aperture"),
        (lambda: o.collected_fraction(100.0, 0.1, -0.1, LAMBDA), "receive_aperture"),
        (lambda: o.received_power(100.0, 5.0, 0.1, 0.1, LAMBDA, 1.5), "optics_efficiency"),
        (lambda: o.received_power(100.0, 5.0, 0.1, 0.1, LAMBDA, 0.5, 0.0), "pointing_efficiency"),
        (lambda: o.photon_energy(0.0), "wavelength"),
        (lambda: o.slant_range(650e3, -0.1, 6.371e6), "elevation"),
    ],
)
def test_bad_input_is_a_spec_error(call, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SpecError) as exc:
        call()
    assert exc.value.field == field
