"""Collective communication time on a system's network tiers.

A communication group is ``size`` ranks spaced ``stride`` apart in the global
rank order (chips are numbered node by node). The group is split across the
network's tiers, innermost first: ``n_k`` members talk over tier ``k``, and a
hierarchical algorithm runs one ring/torus phase per tier, each on the data
left over from the inner phases (reduce-scatter inward, all-gather outward),
as NCCL's hierarchical and Megatron's rail-aligned collectives do.

The alpha-beta cost of one phase over ``n`` members moving ``S`` bytes:
``latency * 2 * ceil(log2 n) + S * f(n) / B``, where ``f = 2(n-1)/n`` for an
all-reduce and ``(n-1)/n`` for reduce-scatter, all-gather and all-to-all, and
``B`` is the effective per-chip bandwidth of the tier (see :func:`tier_bandwidth`).
Latency grows with log2 n because large rings are run as pipelined trees for
small messages; bandwidth terms dominate for the sizes in training. On a 2D
mesh (Dojo) there is no switch to shortcut a ring, so a phase pays one
latency per ring step: dimension-ordered rings take ``d - 1`` steps along each
dimension ``d`` the group spans (twice for an all-reduce).

A tier's ``shared_by`` divides its bandwidth among the chips that use it at
once (a Dojo tile edge carries the traffic of all 25 dies of the tile). A
``shortcut`` tier (Dojo's Ethernet Z-plane) offers a second route for the
phases of the tier before it; each phase takes the faster route.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from dojosim.spec.collectives import CollectiveLibrary
from dojosim.spec.hardware import NetworkTier, SystemSpec
from dojosim.spec.routing import DispatchShares

Collective = Literal["all_reduce", "reduce_scatter", "all_gather", "all_to_all"]

_FACTOR = {"all_reduce": 2.0, "reduce_scatter": 1.0, "all_gather": 1.0, "all_to_all": 1.0}


@dataclass(frozen=True, slots=True)
class Fabric:
    """A system's tiers resolved for a job of ``chips`` chips: (tier, chips per unit) innermost first.

    ``shortcuts`` maps a tier's name to the shortcut tier that can carry its phases.
    ``record``, when given, accumulates the seconds each tier (by role, else name)
    carries, to name the network bottleneck of a layout.
    """

    tiers: tuple[tuple[NetworkTier, int], ...]
    scale: float = 1.0  # calibration multiplier on collective efficiency
    shortcuts: tuple[tuple[str, NetworkTier], ...] = ()
    record: dict[str, float] | None = None
    library: CollectiveLibrary | None = None  # the collective library's cost model (NCCL)
    # chips of one slice: the unit of the outermost bounded tier that a further tier joins
    # (a TPU pod or ICI slice under the data-centre network); 0: the job is one slice
    slice_chips: int = 0

    def shortcut_for(self, tier: NetworkTier) -> NetworkTier | None:
        for name, short in self.shortcuts:
            if name == tier.name:
                return short
        return None

    def recording(self) -> Fabric:
        """A copy of this fabric that records seconds per tier."""
        return Fabric(self.tiers, self.scale, self.shortcuts, {}, self.library, self.slice_chips)

    def slices(self, chips: int) -> int:
        """Slices a job of ``chips`` chips spans (1 when it fits in one)."""
        return -(-chips // self.slice_chips) if self.slice_chips else 1


def fabric(
    system: SystemSpec,
    chips: int,
    scale: float = 1.0,
    library: CollectiveLibrary | None = None,
    slices: int | None = None,
) -> Fabric:
    """The tiers of ``system`` for a job of ``chips`` chips; an unbounded tier spans the job.

    A job larger than one unit of a bounded tier spreads evenly over as many units
    as it needs (two TPU v4 pods of 3,072 chips for 6,144), when the chips divide.
    ``slices`` (TPU Multislice) instead cuts the job into that many equal slices of the
    slice tier (:func:`slice_tier`), joined over the tier beyond it.
    """
    tiers: list[tuple[NetworkTier, int]] = []
    shortcuts: list[tuple[str, NetworkTier]] = []
    cut = slice_tier(system)
    slice_chips = 0
    for tier in system.network:
        if tier.shortcut:
            if tiers:
                shortcuts.append((tiers[-1][0].name, tier))
            continue
        unit = tier.size if tier.size is not None else chips
        if tier is cut and slices is not None:
            unit = chips // slices
        elif system.node_chips < unit < chips and not chips % -(-chips // unit):
            unit = chips // -(-chips // unit)  # equal shares of the pods the job needs
        if tier is cut and unit < chips:
            slice_chips = unit
        tiers.append((tier, max(unit, 1)))
    return Fabric(tuple(tiers), scale, tuple(shortcuts), None, library, slice_chips)


def slice_tier(system: SystemSpec) -> NetworkTier | None:
    """The outermost bounded tier that a further tier joins (a TPU pod's ICI under the DCN):
    its units are the slices a job can be cut into. None if the system has none."""
    tiers = [t for t in system.network if not t.shortcut]
    bounded = [i for i, t in enumerate(tiers[:-1]) if t.size is not None]
    return tiers[bounded[-1]] if bounded else None


def slices_problem(system: SystemSpec, chips: int, slices: int) -> str | None:
    """Why ``chips`` cannot run as ``slices`` equal slices of ``system``, or None."""
    tier = slice_tier(system)
    if tier is None or tier.size is None:
        return f"system {system.name!r} has no bounded network tier joined by a further tier"
    if chips % slices:
        return f"{slices} slices do not divide {chips} chips"
    per = chips // slices
    if per > tier.size:
        return (
            f"{slices} slices of {per} chips exceed one {tier.name} unit of {tier.size} chips "
            f"(at least {-(-chips // tier.size)} slices)"
        )
    if per % system.node_chips:
        return f"a slice of {per} chips is not whole hosts of {system.node_chips} chips"
    return None


def _label(tier: NetworkTier) -> str:
    return tier.role or tier.name


def _add(fab: Fabric, tier: NetworkTier, seconds: float) -> None:
    if fab.record is not None:
        key = _label(tier)
        fab.record[key] = fab.record.get(key, 0.0) + seconds


def tier_bandwidth(tier: NetworkTier, members: int) -> float:
    """Effective per-chip bandwidth (B/s) of a phase over ``members`` chips of ``tier``.

    Switched tiers give each chip its port bandwidth. A torus gives each dimension
    ``links_per_dim`` links and a group spanning ``d`` dimensions uses them all at
    once; a mesh without wrap-around links halves that (a ring laid on a line
    crosses each link twice).
    """
    bw = tier.bandwidth * tier.collective_efficiency / tier.shared_by
    if tier.topology in ("torus", "mesh") and tier.dims:
        used, covered = 0, 1
        for d in sorted(tier.dims, reverse=True):
            if covered >= members:
                break
            covered *= d
            used += 1
        bw *= tier.links_per_dim * max(used, 1)
        if tier.topology == "mesh":
            bw /= 2
    return bw


def split(fab: Fabric, size: int, stride: int) -> list[tuple[NetworkTier, int]]:
    """How many members of a (size, stride) group talk over each tier (product = size)."""
    out: list[tuple[NetworkTier, int]] = []
    inner = 1
    for tier, unit in fab.tiers:
        if inner >= size:
            break
        in_unit = max(1, min(size, unit // max(stride, 1)))
        n = max(1, in_unit // inner)
        if tier is fab.tiers[-1][0]:
            n = math.ceil(size / inner)
        if n > 1:
            out.append((tier, n))
        inner *= n
    return out


def _steps(tier: NetworkTier, kind: Collective, n: int) -> float:
    """Latency-bound steps of one phase over ``n`` members of ``tier``."""
    if tier.topology == "mesh" and tier.dims:
        steps, covered = 0, 1
        for d in sorted(tier.dims, reverse=True):
            if covered >= n:
                break
            span = min(d, -(-n // covered))
            steps += span - 1
            covered *= d
        return steps * (2 if kind == "all_reduce" else 1)
    return 2 * math.ceil(math.log2(n))


def _phase(
    fab: Fabric, tier: NetworkTier, kind: Collective, data: float, n: int, calls: int = 1
) -> float:
    bw = tier_bandwidth(tier, n) * fab.scale
    f = _FACTOR[kind] * (n - 1) / n
    return calls * tier.latency * _steps(tier, kind, n) + data * f / bw


def collective_time(
    fab: Fabric,
    kind: Collective,
    nbytes: float,
    size: int,
    stride: int = 1,
    calls: int = 1,
    shares: DispatchShares | None = None,
) -> float:
    """Seconds for one collective of ``nbytes`` (per rank) over a (size, stride) group.

    ``calls``: the data goes as that many collectives (gradient buckets), each paying
    the latency. ``shares`` (all-to-all only): the share of ``nbytes`` that crosses each tier,
    where a dispatcher sends a token once per destination node and rank
    (:func:`dojosim.spec.routing.dispatch_shares`). Groups on switched tiers of a system with a collective library (NCCL)
    take the library's own model (:func:`_library_time`); others the per-tier phases.
    """
    if size <= 1 or nbytes <= 0:
        return 0.0
    parts = split(fab, size, stride)
    if fab.library is not None and parts and all(_switched(t) for t, _ in parts):
        if kind == "all_to_all":
            return _all_to_all_time(fab, fab.library, nbytes, size, parts, calls, shares)
        return _library_time(fab, fab.library, kind, nbytes, size, parts, calls)
    total = 0.0
    data = nbytes
    for tier, n in parts:
        used, t = tier, _phase(fab, tier, kind, data, n, calls)
        short = fab.shortcut_for(tier)
        if short is not None:
            t_short = _phase(fab, short, kind, data, n, calls)
            if t_short < t:
                used, t = short, t_short
        _add(fab, used, t)
        total += t
        if kind != "all_to_all":
            data /= n  # the next tier works on this tier's shard
    return total


def _switched(tier: NetworkTier) -> bool:
    return tier.topology in ("switch", "fat-tree")


def _library_time(
    fab: Fabric,
    lib: CollectiveLibrary,
    kind: Collective,
    nbytes: float,
    size: int,
    parts: list[tuple[NetworkTier, int]],
    calls: int,
) -> float:
    """NCCL's cost model: the fastest (algorithm, protocol) for this group.

    The ring is pipelined through every tier the group crosses, so it runs at the
    slowest tier's bandwidth per rank, where a tier crossed by ``m`` members of one
    inner unit carries their traffic on ``m`` links at once (one NIC per GPU on a rail):
    ``B = min_k B_k * m_k``. Ring latency grows with the ranks and nodes, tree latency
    with the log of the nodes (all-reduce only); a node's switch that reduces in the
    network (NVLink SHARP) gives all-reduce its measured bandwidth.
    """
    node_tier = fab.tiers[0][0]
    members, bw, per_node, nodes = 1, math.inf, 1, 1
    bottleneck = parts[0][0]
    for tier, n in parts:
        b = tier.bandwidth * tier.collective_efficiency / tier.shared_by * fab.scale * members
        if b < bw:
            bw, bottleneck = b, tier
        if tier is node_tier:
            per_node = n
        else:
            nodes *= n
        members *= n
    reduce = kind == "all_reduce"
    passes = 2 if reduce else 1
    f = passes * (size - 1) / size
    intra_hops = passes * ((size - 1) - (nodes - 1))
    inter_hops = passes * (nodes - 1)
    best = math.inf
    for proto in range(3):
        flush = 2 if (lib.simple_flush and proto == 2 and nodes > 1) else 1
        pbw = bw * lib.protocol_bandwidth[proto]
        lat = (
            lib.base_latency.ring[proto]
            + intra_hops * lib.intra_hop_latency.ring[proto]
            + inter_hops * flush * lib.inter_hop_latency.ring[proto]
        )
        best = min(best, calls * lat + nbytes * f / pbw)
        if reduce:
            lat = lib.base_latency.tree[proto] + 2 * (
                (per_node - 1) * lib.intra_hop_latency.tree[proto]
                + math.ceil(math.log2(nodes)) * flush * lib.inter_hop_latency.tree[proto]
            )
            best = min(best, calls * lat + nbytes * f / (pbw * lib.tree_bandwidth))
    if reduce and nodes == 1 and node_tier.reduction_busbw is not None:
        nvls = node_tier.reduction_busbw * fab.scale
        best = min(best, calls * lib.base_latency.ring[2] + nbytes * f / nvls)
    _add(fab, bottleneck, best)
    return best


def _all_to_all_time(
    fab: Fabric,
    lib: CollectiveLibrary,
    nbytes: float,
    size: int,
    parts: list[tuple[NetworkTier, int]],
    calls: int,
    shares: DispatchShares | None = None,
) -> float:
    """An all-to-all on switched tiers: every rank sends ``nbytes / size`` to each member.

    Unlike a ring, nothing is pipelined through the tiers and no rail carries another
    rank's traffic: what leaves a rank's unit at tier ``k`` (a node, a pod) crosses that
    rank's own port of tier ``k``, ``nbytes x (size - inner_k) / size`` where ``inner_k``
    members share the unit below; inside the node, ``nbytes x (n_0 - 1) / size``. A
    dispatcher that sends a token once per destination node and rank (``shares``) puts
    ``shares.inner`` of ``nbytes`` on the first tier and ``shares.leaving`` on the others.
    The tiers carry their shares at once, so the slowest sets the time
    (``tests/hardware/test_against_deepep.py`` checks both against DeepEP's and HybridEP's
    published kernels).
    """
    worst, bottleneck, inner = 0.0, parts[0][0], 1
    for k, (tier, n) in enumerate(parts):
        if shares is not None:
            crossing = shares.inner if k == 0 else shares.leaving
        elif k == 0:
            crossing = (n - 1) / size
        else:
            crossing = (size - inner) / size
        bw = tier.bandwidth * tier.collective_efficiency / tier.shared_by * fab.scale
        if nbytes * crossing / bw > worst:
            worst, bottleneck = nbytes * crossing / bw, tier
        inner *= n
    hop = lib.inter_hop_latency if len(parts) > 1 else lib.intra_hop_latency
    t = calls * (lib.base_latency.ring[2] + hop.ring[2]) + worst
    _add(fab, bottleneck, t)
    return t


def _send(fab: Fabric, tier: NetworkTier, nbytes: float) -> float:
    bw = tier.bandwidth * tier.collective_efficiency / tier.shared_by * fab.scale
    return tier.latency + nbytes / bw


def p2p_time(fab: Fabric, nbytes: float, stride: int) -> float:
    """Seconds to send ``nbytes`` to the rank ``stride`` places away (a pipeline neighbour)."""
    if nbytes <= 0:
        return 0.0
    for tier, unit in fab.tiers:
        if stride < unit or tier is fab.tiers[-1][0]:
            used, t = tier, _send(fab, tier, nbytes)
            short = fab.shortcut_for(tier)
            if short is not None and _send(fab, short, nbytes) < t:
                used, t = short, _send(fab, short, nbytes)
            _add(fab, used, t)
            return t
    return 0.0  # pragma: no cover - the last tier always answers
