"""Schema of an optical inter-satellite tier (``topology: optical`` with an ``isl:`` sub-spec).

A system whose satellites talk over free-space optical links describes the links
inline in its outermost tier::

    - name: isl
      topology: optical
      isl:
        formation: suncatcher-81        # a site entry of type formation, or distance: "200 m"
        terminals: 2                    # terminals a ring collective drives at once
        link: {transmit_power: "5 W", aperture: "10 cm", wavelength: "1550 nm", ...}
      collective_efficiency: 0.85

The tier's per-chip ``bandwidth`` and ``latency`` are then computed when the
system is validated (:func:`dojosim.hardware.optical.optical_tier`), so the
collectives see an ordinary tier. Every value is SI after parsing (W, m, s,
B/s); counts may be written as ``{value: 24, source: ...}`` like any quantity.
"""

from __future__ import annotations

from pydantic import model_validator

from dojosim.spec.base import Frozen
from dojosim.spec.quantities import (
    Bandwidth,
    Count,
    Efficiency,
    Metres,
    PosRatio,
    Seconds,
    Watts,
)


class OpticalLinkSpec(Frozen):
    """One free-space optical terminal pair (identical terminals at both ends).

    * ``transmit_power``: optical power launched per terminal, all channels together, W.
    * ``aperture`` / ``receive_aperture``: transmit and receive aperture diameters, m
      (``receive_aperture`` defaults to ``aperture``).
    * ``wavelength``: carrier wavelength, m.
    * ``optics_efficiency``: every loss of the link budget but diffraction and pointing
      (aperture illumination, optics throughput, coupling), a fraction in (0, 1].
    * ``pointing_efficiency``: mean power fraction kept under pointing jitter, (0, 1].
    * ``photons_per_bit``: receiver sensitivity, photons received per bit at the design
      bit error rate (after FEC), for the modulation of ``line_rate``.
    * ``line_rate``: data rate of one transceiver channel (one wavelength on one spatial
      channel), bit/s in the YAML (``"400 Gb/s"``), B/s once parsed.
    * ``wdm_channels``: wavelengths per spatial channel (DWDM).
    * ``spatial_channels``: spatial channels (apertures or modes) the terminal multiplexes;
      usable only where the aperture pair supports that many modes (near field).
    * ``processing_latency``: transceiver latency per hop (DSP, FEC, framing), s.
    """

    transmit_power: Watts
    aperture: Metres
    receive_aperture: Metres | None = None
    wavelength: Metres
    optics_efficiency: Efficiency = 1.0
    pointing_efficiency: Efficiency = 1.0
    photons_per_bit: PosRatio
    line_rate: Bandwidth
    wdm_channels: Count = 1
    spatial_channels: Count = 1
    processing_latency: Seconds = 0.0

    @property
    def receive_diameter(self) -> float:
        """Receive aperture diameter, m."""
        return self.receive_aperture if self.receive_aperture is not None else self.aperture


class IslSpec(Frozen):
    """The optical inter-satellite links of a system's satellites.

    ``formation`` names a site entry of type ``formation`` (its largest nearest-neighbour
    distance over an orbit is used: the slowest link paces a ring), or ``distance`` gives
    the neighbour distance directly; exactly one of the two. ``terminals`` is how many
    terminals of a satellite a collective drives at once (2: a bidirectional ring sends
    to both ring neighbours). A satellite's optical bandwidth is shared by its
    ``node_chips`` chips.
    """

    link: OpticalLinkSpec
    formation: str | None = None
    distance: Metres | None = None
    terminals: Count = 2

    @model_validator(mode="after")
    def _one_distance(self) -> IslSpec:
        if (self.formation is None) == (self.distance is None):
            raise ValueError("give either formation (a site entry name) or distance")
        return self


__all__ = ["Count", "IslSpec", "OpticalLinkSpec"]
