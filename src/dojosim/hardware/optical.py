"""Free-space optical links between satellites (and down to the ground).

Pure functions of SI floats (W, m, s, bit/s), NumPy-broadcastable over distance.
The link parameters live in the catalog (a system's ``isl:``, see
:mod:`dojosim.spec.optical`); nothing here is a design number.

**Received power.** A diffraction-limited Gaussian beam of waist radius
``w0 = D_t / (2√2)`` leaves the transmit aperture; at distance ``d`` its 1/e²
radius is ``w(d)² = w0² + (λ d / (π w0))²`` and a receive aperture of diameter
``D_r`` collects ``1 - exp(-D_r² / (2 w(d)²))`` of it. In the far field this is
the Friis form ``(π D_t D_r / (4 λ d))²``: the waist is chosen so that the
beam's on-axis gain equals the ideal aperture gain ``(π D / λ)²`` (its far-field
divergence half-angle is ``λ / (π w0)``); close in, the collected fraction
saturates near 1 instead of growing as 1/d². Optics and pointing losses multiply:
``P_r = P_t η_optics η_pointing × collected``.

**Spatial modes.** Two apertures ``d`` apart couple about
``N(d) = A_t A_r / (λ d)² = (π D_t D_r / (4 λ d))²`` independent spatial modes
(D. A. B. Miller, "Communicating with waves between volumes", Appl. Opt. 39,
1681 (2000)): one mode beyond the near-field distance ``π D_t D_r / (4 λ)``
(``π a² / λ`` for equal apertures of radius ``a``, the paper's confocal limit),
many at short range, which is why Suncatcher flies its satellites hundreds of
metres apart. A terminal uses ``min(spatial_channels, max(1, floor(N(d))))``
spatial channels.

**Rate.** The data rate is the smaller of the power limit
``P_r / (photons_per_bit × h c / λ)`` and the transceivers' capacity
``line_rate × wdm_channels × usable spatial channels``. In the far field the
power limit falls as 1/d²; at short range the rate saturates at the capacity.

**Ground downlink.** The same budget over the slant range to a ground
telescope, with an atmospheric transmission factor (no turbulence model).

**A system tier.** :func:`optical_tier` turns an ``isl:`` spec into a tier's
per-chip bandwidth (B/s) and latency (s): the link rate at the formation's
largest nearest-neighbour distance, times the terminals a ring drives, shared
by the satellite's chips; latency is the transceiver latency plus light time.
It runs in :class:`dojosim.spec.hardware.SystemSpec`'s validator, so
:mod:`dojosim.hardware.collectives` treats the tier like any other.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dojosim.errors import SpecError

# CODATA 2018 (exact since the 2019 SI redefinition).
SPEED_OF_LIGHT = 299_792_458.0  # m/s
PLANCK = 6.626_070_15e-34  # J s

F64 = NDArray[np.float64]


def _positive(name: str, value: ArrayLike) -> F64:
    a = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise SpecError(f"must be positive, got {value!r}", field=name)
    return a


def _fraction(name: str, value: float) -> float:
    if not 0 < value <= 1:
        raise SpecError(f"must be in (0, 1], got {value!r}", field=name)
    return float(value)


def photon_energy(wavelength: float) -> float:
    """Energy of one photon at ``wavelength`` (m), J."""
    return PLANCK * SPEED_OF_LIGHT / float(_positive("wavelength", wavelength))


def near_field_distance(aperture_tx: float, aperture_rx: float, wavelength: float) -> float:
    """Distance (m) where the aperture pair supports one spatial mode: π D_t D_r / (4 λ)."""
    d_t = float(_positive("aperture", aperture_tx))
    d_r = float(_positive("receive_aperture", aperture_rx))
    return math.pi * d_t * d_r / (4.0 * float(_positive("wavelength", wavelength)))


def spatial_modes(
    distance: ArrayLike, aperture_tx: float, aperture_rx: float, wavelength: float
) -> F64:
    """Independent spatial modes two apertures couple, (π D_t D_r / (4 λ d))² (Miller 2000)."""
    d = _positive("distance", distance)
    return (near_field_distance(aperture_tx, aperture_rx, wavelength) / d) ** 2


def collected_fraction(
    distance: ArrayLike, aperture_tx: float, aperture_rx: float, wavelength: float
) -> F64:
    """Fraction of a Gaussian beam (waist D_t/(2√2)) a receive aperture catches at ``distance``.

    Equals the Friis ratio (π D_t D_r / (4 λ d))² in the far field; tends to
    1 - exp(-4 (D_r/D_t)²) (0.98 for equal apertures) at zero range.
    """
    d = _positive("distance", distance)
    d_t = float(_positive("aperture", aperture_tx))
    d_r = float(_positive("receive_aperture", aperture_rx))
    lam = float(_positive("wavelength", wavelength))
    w0 = d_t / (2.0 * math.sqrt(2.0))
    w2 = w0**2 + (lam * d / (math.pi * w0)) ** 2
    return -np.expm1(-(d_r**2) / (2.0 * w2))


def received_power(
    distance: ArrayLike,
    transmit_power: float,
    aperture_tx: float,
    aperture_rx: float,
    wavelength: float,
    optics_efficiency: float = 1.0,
    pointing_efficiency: float = 1.0,
) -> F64:
    """Optical power (W) reaching the receiver at ``distance`` (m)."""
    p_t = float(_positive("transmit_power", transmit_power))
    eta = _fraction("optics_efficiency", optics_efficiency) * _fraction(
        "pointing_efficiency", pointing_efficiency
    )
    return p_t * eta * collected_fraction(distance, aperture_tx, aperture_rx, wavelength)


def power_limited_rate_bps(
    received_power_w: ArrayLike, wavelength: float, photons_per_bit: float
) -> F64:
    """Data rate (bit/s) the received power supports at ``photons_per_bit`` sensitivity."""
    ppb = float(_positive("photons_per_bit", photons_per_bit))
    p = np.asarray(received_power_w, dtype=float)
    if np.any(p < 0):
        raise SpecError(f"must not be negative, got {received_power_w!r}", field="received_power")
    return p / (ppb * photon_energy(wavelength))


def usable_spatial_channels(
    distance: ArrayLike,
    aperture_tx: float,
    aperture_rx: float,
    wavelength: float,
    spatial_channels: int,
) -> F64:
    """Spatial channels usable at ``distance``: min(spatial_channels, max(1, floor(modes)))."""
    if spatial_channels < 1:
        raise SpecError(f"must be at least 1, got {spatial_channels!r}", field="spatial_channels")
    modes = spatial_modes(distance, aperture_tx, aperture_rx, wavelength)
    return np.clip(np.floor(modes), 1.0, float(spatial_channels))


def link_rate_bps(
    distance: ArrayLike,
    *,
    transmit_power: float,
    aperture_tx: float,
    aperture_rx: float,
    wavelength: float,
    photons_per_bit: float,
    line_rate_bps: float,
    wdm_channels: int = 1,
    spatial_channels: int = 1,
    optics_efficiency: float = 1.0,
    pointing_efficiency: float = 1.0,
) -> F64:
    """One-way data rate (bit/s) of a terminal pair ``distance`` (m) apart.

    min(power limit, line_rate × wdm_channels × usable spatial channels).
    """
    if wdm_channels < 1:
        raise SpecError(f"must be at least 1, got {wdm_channels!r}", field="wdm_channels")
    line = float(_positive("line_rate", line_rate_bps))
    p_r = received_power(
        distance,
        transmit_power,
        aperture_tx,
        aperture_rx,
        wavelength,
        optics_efficiency,
        pointing_efficiency,
    )
    power_limit = power_limited_rate_bps(p_r, wavelength, photons_per_bit)
    spatial = usable_spatial_channels(
        distance, aperture_tx, aperture_rx, wavelength, spatial_channels
    )
    return np.minimum(power_limit, line * wdm_channels * spatial)


def link_params(link: Any) -> dict[str, Any]:
    """Keyword arguments of :func:`link_rate_bps` from an :class:`OpticalLinkSpec` (B/s → bit/s)."""
    return {
        "transmit_power": link.transmit_power,
        "aperture_tx": link.aperture,
        "aperture_rx": link.receive_diameter,
        "wavelength": link.wavelength,
        "photons_per_bit": link.photons_per_bit,
        "line_rate_bps": link.line_rate * 8.0,
        "wdm_channels": link.wdm_channels,
        "spatial_channels": link.spatial_channels,
        "optics_efficiency": link.optics_efficiency,
        "pointing_efficiency": link.pointing_efficiency,
    }


def slant_range(altitude: float, elevation: ArrayLike, earth_radius: float) -> F64:
    """Distance (m) from a ground station to a satellite at ``altitude`` seen at ``elevation`` (rad).

    Spherical Earth of radius ``earth_radius``:
    √((R + h)² − (R cos e)²) − R sin e.
    """
    h = float(_positive("altitude", altitude))
    r = float(_positive("earth_radius", earth_radius))
    e = np.asarray(elevation, dtype=float)
    if np.any(e < 0) or np.any(e > math.pi / 2):
        raise SpecError(f"must be in [0, pi/2] rad, got {elevation!r}", field="elevation")
    return np.sqrt((r + h) ** 2 - (r * np.cos(e)) ** 2) - r * np.sin(e)


def ground_downlink_rate_bps(
    slant_range_m: ArrayLike,
    *,
    atmospheric_transmission: float,
    transmit_power: float,
    aperture_tx: float,
    aperture_rx: float,
    wavelength: float,
    photons_per_bit: float,
    line_rate_bps: float,
    wdm_channels: int = 1,
    optics_efficiency: float = 1.0,
    pointing_efficiency: float = 1.0,
) -> F64:
    """Satellite-to-ground rate (bit/s) over ``slant_range_m`` to a telescope of ``aperture_rx``.

    The inter-satellite budget with the atmosphere's mean transmission folded into
    the optics; one spatial channel (turbulence breaks up higher modes).
    """
    eta_atm = _fraction("atmospheric_transmission", atmospheric_transmission)
    return link_rate_bps(
        slant_range_m,
        transmit_power=transmit_power,
        aperture_tx=aperture_tx,
        aperture_rx=aperture_rx,
        wavelength=wavelength,
        photons_per_bit=photons_per_bit,
        line_rate_bps=line_rate_bps,
        wdm_channels=wdm_channels,
        spatial_channels=1,
        optics_efficiency=_fraction("optics_efficiency", optics_efficiency) * eta_atm,
        pointing_efficiency=pointing_efficiency,
    )


def neighbour_distance(isl: Any) -> float:
    """The neighbour distance (m) an ``isl:`` spec implies: ``distance``, or its formation's
    largest nearest-neighbour distance over an orbit."""
    if isl.distance is not None:
        return float(isl.distance)
    from dojosim.site.formation import Formation, disc_lattice
    from dojosim.site.schema import FormationEntry, site

    entry: FormationEntry = site(isl.formation, FormationEntry)
    formation = Formation(
        disc_lattice(entry.disc_radius), entry.radial_spacing, entry.along_track_spacing
    )
    return formation.neighbour_distance_range_m()[1]


def optical_tier(isl: Any, satellite_chips: int) -> tuple[float, float]:
    """Per-chip, per-direction bandwidth (B/s) and per-hop latency (s) of an optical tier.

    The one-way link rate at the neighbour distance, times the ``terminals`` a ring
    collective drives at once, shared by the satellite's ``satellite_chips`` chips;
    latency = transceiver processing latency + light time over the neighbour distance.
    """
    if satellite_chips < 1:
        raise SpecError(f"must be at least 1, got {satellite_chips!r}", field="node_chips")
    d = neighbour_distance(isl)
    rate = float(link_rate_bps(d, **link_params(isl.link)))
    bandwidth = rate / 8.0 * isl.terminals / satellite_chips
    latency = isl.link.processing_latency + d / SPEED_OF_LIGHT
    return bandwidth, latency


def fill_optical_tiers(data: Any) -> Any:
    """A system mapping with ``bandwidth`` and ``latency`` computed for its optical tiers.

    Runs before the system's fields are validated. A tier whose ``isl:`` does not
    validate is left alone, so field validation reports the problem at its place.
    """
    if not isinstance(data, dict) or not isinstance(data.get("network"), list):
        return data
    from pydantic import ValidationError

    from dojosim.spec.optical import IslSpec

    network = []
    changed = False
    for i, tier in enumerate(data["network"]):
        if not isinstance(tier, dict) or tier.get("topology") != "optical":
            network.append(tier)
            continue
        if "isl" not in tier:
            raise ValueError(f"network.{i}.isl: an optical tier needs isl: (link and formation)")
        for key in ("bandwidth", "latency"):
            if key in tier:
                raise ValueError(
                    f"network.{i}.{key}: an optical tier computes its {key} from isl:; remove {key}"
                )
        try:
            isl = IslSpec.model_validate(tier["isl"])
            chips = int(data.get("node_chips", 1))
        except (ValidationError, TypeError, ValueError):
            network.append(tier)
            continue
        try:
            bandwidth, latency = optical_tier(isl, chips)
        except SpecError as exc:
            raise ValueError(f"network.{i}.isl: {exc.detail}") from None
        network.append({**tier, "bandwidth": bandwidth, "latency": latency})
        changed = True
    return {**data, "network": network} if changed else data


__all__ = [
    "PLANCK",
    "SPEED_OF_LIGHT",
    "collected_fraction",
    "fill_optical_tiers",
    "ground_downlink_rate_bps",
    "link_params",
    "link_rate_bps",
    "near_field_distance",
    "neighbour_distance",
    "optical_tier",
    "photon_energy",
    "power_limited_rate_bps",
    "received_power",
    "slant_range",
    "spatial_modes",
    "usable_spatial_channels",
]
