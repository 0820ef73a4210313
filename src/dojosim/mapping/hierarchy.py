"""Two-level memory: on-chip SRAM as working memory, off-chip devices behind a link.

Dojo's D1 has no DRAM: its 440 MB of SRAM is the working memory, and the HBM
on the Dojo Interface Processors (DIPs) at the tile edges holds what does not
fit, reached over the DIPs' links at a fraction of the SRAM's bandwidth. This
module decides what stays on chip and what streaming the rest costs per step.

Placement keeps on chip, in order: the transient working buffers, the 16-bit
weights (read by every micro-batch), the stashed activations, the gradient
accumulators, then the optimizer state (touched once per step). What spills is
streamed each step:

* working buffers too big for SRAM (the logits of a long sequence over a large
  vocabulary): written and read back once per micro-batch, in chunks, as a
  compiler tiles them through DRAM;
* weights: read for every micro-batch's forward and backward (and the
  recomputed forward under full recomputation);
* activations: written in the forward pass and read back in the backward;
* gradients: read and written by every micro-batch's accumulation;
* optimizer state: read and written once, in the update (charged in the
  optimizer's time, not here).

Streaming is explicit DMA that runs alongside compute, so only the part longer
than the pipeline's busy time shows in the step.
"""

from __future__ import annotations

from dataclasses import dataclass

from dojosim.mapping.memory import MemoryBreakdown
from dojosim.spec.hardware import Hierarchy


@dataclass(frozen=True, slots=True)
class Placement:
    """Where each part of a chip's memory lives, and the off-chip traffic of one step (B)."""

    onchip: dict[str, float]
    offchip: dict[str, float]
    stream_bytes: float  # weights, activations and gradients moved over the link per step
    optimizer_offchip_fraction: float
    fits_onchip: bool
    fits: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "onchip_bytes": self.onchip,
            "offchip_bytes": self.offchip,
            "stream_bytes_per_step": self.stream_bytes,
            "optimizer_offchip_fraction": self.optimizer_offchip_fraction,
            "fits_onchip": self.fits_onchip,
        }


def place(
    mem: MemoryBreakdown,
    h: Hierarchy,
    micro_batches: int,
    in_flight: float,
    recompute: str,
    matrix_weight_bytes: float = 0.0,
) -> Placement:
    """Place one chip's memory (the most loaded stage) on chip first, spilling the rest.

    ``micro_batches`` per step and ``in_flight`` (micro-batches whose activations
    are held at the peak) turn the held bytes into the bytes moved per step.
    Weights that stream need ``matrix_weight_bytes`` (the largest weight matrix
    on this chip) twice over on chip: the matrix in use and the next one arriving.
    """
    free = h.onchip
    parts = {
        "transient": mem.transient,
        "weights": mem.weights,
        "activations": mem.activations,
        "gradients": mem.gradients,
        "optimizer": mem.optimizer,
    }
    onchip: dict[str, float] = {}
    offchip: dict[str, float] = {}
    buffer = 0.0
    for key, size in parts.items():
        keep = min(size, max(free, 0.0))
        if key == "weights" and keep < size:
            # streaming weights needs a double buffer of one weight matrix on chip
            buffer = min(2 * matrix_weight_bytes, size)
            keep = max(0.0, min(size, free - buffer))
            free -= buffer
        onchip[key] = keep
        offchip[key] = size - keep
        free -= keep
    onchip["stream_buffer"] = buffer
    m = micro_batches
    weight_passes = 3 if recompute == "full" else 2
    per_micro_acts = offchip["activations"] / max(in_flight, 1.0)
    stream = (
        2 * m * offchip["transient"]
        + weight_passes * m * offchip["weights"]
        + 2 * m * per_micro_acts
        + 2 * m * offchip["gradients"]
    )
    opt_frac = offchip["optimizer"] / mem.optimizer if mem.optimizer > 0 else 0.0
    return Placement(
        onchip=onchip,
        offchip=offchip,
        stream_bytes=stream,
        optimizer_offchip_fraction=opt_frac,
        fits_onchip=mem.total <= h.onchip,
        fits=buffer <= h.onchip and mem.total + buffer <= h.onchip + h.offchip,
    )


def stream_time(p: Placement, h: Hierarchy, busy: float) -> float:
    """Seconds of streaming left exposed after overlapping it with ``busy`` seconds of work."""
    return max(0.0, p.stream_bytes / h.offchip_bandwidth - busy)


__all__ = ["Hierarchy", "Placement", "place", "stream_time"]
