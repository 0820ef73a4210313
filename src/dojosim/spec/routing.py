"""The ``routing:`` section of a mixture-of-experts scenario, and the imbalance it implies.

``balance``: ``dropless`` (every token reaches its experts; the busiest expert sets the
pace), ``forced`` (benchmarks' force-balanced routing: every expert gets the mean) or
``capacity`` (an expert takes at most ``capacity_factor`` times the mean; the rest are
dropped). ``imbalance`` is the max/mean tokens per expert, or ``auto``: derived from a
published real-text measurement (catalog kind ``measurement``, ``routing-imbalance``).

From a Gini coefficient ``G`` of tokens per expert, with loads lognormal (an assumption,
stated): ``sigma = sqrt(2) Phi^-1((G + 1) / 2)``, the coefficient of variation per expert
``c = sqrt(exp(sigma^2) - 1)``; a rank holding ``k`` experts has ``c / sqrt(k)``, and the
busiest of ``n`` ranks carries ``1 + c / sqrt(k) E[max of n]`` times the mean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Annotated, Literal

from annotated_types import Ge, Gt

from dojosim.spec.base import Frozen


class RoutingSection(Frozen):
    """How tokens reach experts (see the module docstring)."""

    balance: Literal["dropless", "forced", "capacity"] = "dropless"
    capacity_factor: Annotated[float, Gt(0)] = 1.25
    imbalance: Annotated[float, Ge(1)] | Literal["auto"] = "auto"
    # alltoall: one copy per routed expert over every tier (an NCCL all-to-all, Megatron's
    # alltoall dispatcher); deepep and hybridep (Megatron-Core's flex dispatcher with either
    # backend): one copy per destination node over the scale-out fabric, forwarded over NVLink
    # once to each rank holding the token's experts (dispatch_shares).
    dispatcher: Literal["alltoall", "deepep", "hybridep"] = "alltoall"
    # Streaming multiprocessors the dispatcher's kernels hold while they overlap compute
    # (DualPipe): the chip's other cores run the layer. None: compute keeps every core.
    dispatcher_sms: Annotated[int, Gt(0)] | None = None
    # Transformer Engine's fused grouped MLP (Megatron-Bridge's cutedsl_fused_grouped_mlp, the
    # op fuser's CuTe DSL kernels on Blackwell with MXFP8): the experts' first GEMM, their
    # activation function and its quantization in one kernel, and the backward's second-GEMM
    # input gradient, the activation's gradient and its quantization in another; every expert
    # GEMM is one grouped kernel, so no per-expert launch (``expert_gemm_launch``) is charged.
    fused_grouped_mlp: bool = False
    # Resolved from the catalog when imbalance is auto: the per-expert load's coefficient of
    # variation and where it comes from.
    expert_cv: Annotated[float, Ge(0)] | None = None
    cv_source: str = ""


def cv_from_gini(gini: float) -> float:
    """Per-expert coefficient of variation of lognormal loads with Gini coefficient ``gini``."""
    sigma = math.sqrt(2) * NormalDist().inv_cdf((gini + 1) / 2)
    return math.sqrt(math.expm1(sigma * sigma))


@dataclass(frozen=True, slots=True)
class DispatchShares:
    """Shares of a dispatch's ``top_k`` token copies (bytes) that cross each tier, for a
    dispatcher that sends a token once per destination (:func:`dispatch_shares`):
    ``inner``, the first tier the expert-parallel group spans (NVLink inside a node, or the
    scale-out fabric when the group holds one rank per node); ``leaving``, every tier above."""

    inner: float
    leaving: float


def distinct_destinations(top_k: float, groups: int) -> float:
    """Expected distinct groups (nodes, or ranks of a node) that ``top_k`` experts spread
    evenly over ``groups`` groups reach: ``groups (1 - (1 - 1/groups)^top_k)``."""
    if groups <= 1:
        return 1.0
    return groups * (1.0 - (1.0 - 1.0 / groups) ** top_k)


def dispatch_shares(
    routing: RoutingSection | None,
    top_k: int,
    node_limit: int | None,
    nodes: int,
    per_node: int,
) -> DispatchShares | None:
    """Shares of a dispatch's ``top_k`` copies per token that cross each tier, for an
    expert-parallel group of ``nodes`` x ``per_node`` ranks.

    ``None`` (one copy per routed expert: an NCCL all-to-all after the permutation) unless
    the dispatcher is ``deepep`` or ``hybridep``. Those send a token once to each destination
    node, over the scale-out fabric to the rank of the same in-node index, which forwards it
    over NVLink once to each rank holding one of its experts there (arXiv 2412.19437 Section
    3.2.2; HybridEP's hierarchical RDMA-then-NVLink dispatch). A token reaches
    :func:`distinct_destinations` ``(top_k, nodes)`` nodes, at most ``node_limit`` (DeepSeek's
    node-limited routing), ``(nodes - 1) / nodes`` of them not its own; in each, its
    ``top_k / nodes reached`` experts reach :func:`distinct_destinations` of the ``per_node``
    ranks, all but the entry rank over NVLink. Combine returns the same copies, reduced.
    """
    if routing is None or routing.dispatcher == "alltoall" or nodes * per_node <= 1:
        return None
    reached, ranks = destinations(top_k, node_limit, nodes, per_node)
    leaving = reached * (nodes - 1) / nodes / top_k
    if per_node <= 1:
        return DispatchShares(leaving, leaving)
    return DispatchShares(ranks * (per_node - 1) / per_node / top_k, leaving)


def destinations(
    top_k: int, node_limit: int | None, nodes: int, per_node: int
) -> tuple[float, float]:
    """Expected (nodes, ranks) a token's ``top_k`` experts reach over ``nodes`` x ``per_node``
    ranks, its own included: :func:`distinct_destinations` nodes, at most ``node_limit``, and
    in each of them the distinct ranks its ``top_k / nodes reached`` experts reach."""
    reached = distinct_destinations(top_k, nodes)
    if node_limit is not None:
        reached = min(reached, float(node_limit))
    return reached, reached * distinct_destinations(top_k / reached, per_node)


def rank_imbalance(routing: RoutingSection | None, experts: int, ep: int) -> float:
    """Max/mean tokens on the busiest of ``ep`` ranks holding ``experts / ep`` experts each."""
    from dojosim.perf.scale import expected_max

    r = routing or RoutingSection()
    if r.balance == "forced":
        return 1.0
    if r.imbalance != "auto":
        value = float(r.imbalance)
    else:
        cv = (r.expert_cv or 0.0) / math.sqrt(max(experts // max(ep, 1), 1))
        value = 1.0 + cv * expected_max(max(ep, 1)) if ep > 1 else 1.0 + (r.expert_cv or 0.0) * 0
    if r.balance == "capacity":
        value = min(value, r.capacity_factor)
    return value


__all__ = [
    "DispatchShares",
    "RoutingSection",
    "cv_from_gini",
    "destinations",
    "dispatch_shares",
    "distinct_destinations",
    "rank_imbalance",
]
