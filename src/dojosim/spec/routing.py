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
from statistics import NormalDist
from typing import Annotated, Literal

from annotated_types import Ge, Gt

from dojosim.spec.base import Frozen


class RoutingSection(Frozen):
    """How tokens reach experts (see the module docstring)."""

    balance: Literal["dropless", "forced", "capacity"] = "dropless"
    capacity_factor: Annotated[float, Gt(0)] = 1.25
    imbalance: Annotated[float, Ge(1)] | Literal["auto"] = "auto"
    # Resolved from the catalog when imbalance is auto: the per-expert load's coefficient of
    # variation and where it comes from.
    expert_cv: Annotated[float, Ge(0)] | None = None
    cv_source: str = ""


def cv_from_gini(gini: float) -> float:
    """Per-expert coefficient of variation of lognormal loads with Gini coefficient ``gini``."""
    sigma = math.sqrt(2) * NormalDist().inv_cdf((gini + 1) / 2)
    return math.sqrt(math.expm1(sigma * sigma))


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


__all__ = ["RoutingSection", "cv_from_gini", "rank_imbalance"]
