"""Schema of a collective library's cost model (catalog kind ``library``).

NCCL picks, for every collective, the algorithm (ring, tree) and protocol (LL,
LL128, Simple) its own cost model predicts fastest: a base latency, a latency per
hop inside a node and per hop between nodes, and a bandwidth that each protocol
reaches a fraction of. The entry holds those constants as the library's source
states them; :mod:`dojosim.hardware.collectives` evaluates the same model.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dojosim.spec.base import CatalogEntry, Frozen
from dojosim.spec.quantities import Fraction, Seconds

PROTOCOLS = ("LL", "LL128", "Simple")


class AlgorithmLatency(Frozen):
    """Seconds per protocol (LL, LL128, Simple) for one algorithm."""

    ring: list[Seconds] = Field(min_length=3, max_length=3)
    tree: list[Seconds] = Field(min_length=3, max_length=3)


class CollectiveLibrary(CatalogEntry):
    """A collective library's cost model: latencies (s) and protocol bandwidth fractions."""

    kind: Literal["library"] = "library"
    base_latency: AlgorithmLatency
    intra_hop_latency: AlgorithmLatency  # a hop inside a node (NVLink)
    inter_hop_latency: AlgorithmLatency  # a hop between nodes (the network)
    protocol_bandwidth: list[Fraction] = Field(min_length=3, max_length=3)
    tree_bandwidth: Fraction = 1.0  # tree all-reduce bandwidth as a fraction of the ring's
    simple_flush: bool = True  # Simple pays the network hop latency twice (a flush)


__all__ = ["PROTOCOLS", "AlgorithmLatency", "CollectiveLibrary"]
