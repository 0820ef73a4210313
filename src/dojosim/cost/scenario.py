"""The scenario's ``cost:`` section: prices, the lifetime, and a training budget.

```yaml
cost:
  system_price: dgx-h100-price      # a price catalog entry (default: the one naming the system)
  node_price: "250000 USD"          # or a price per node directly (overrides system_price)
  lifetime: "6 year"                # default: the data centre's IT life
  node_price: {low: "230000 USD", base: "270000 USD", high: "317000 USD"}  # or a range
  earth_cost: earth-cost-gpu-fat-tree   # network, storage, maintenance, staff (default: the price's)
  orbit_cost: orbit-cost-leo        # spacecraft, array fallback, operations, insurance, ... (orbit)
  replacement_fraction: 0.05        # failed satellites replaced over the lifetime (default: from
                                    # the orbit-cost entry's annual failure rate)
  sensitivities: sensitivity-ranges # choices swept with the catalog's ranges (null: no sweep)
  samples: 400                      # Monte Carlo draws over the ranges (0: none)
  seed: 2026
  train:
    tokens: 300e9                   # a token budget, or
    # epochs: 2
    # dataset_tokens: 1.5e12        # an epoch budget (epochs x dataset tokens)
```
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Gt
from pydantic import Field, model_validator

from dojosim.site.quantity import Duration, Fraction, Usd
from dojosim.site.ranged import RangedModel
from dojosim.spec.base import Frozen

Positive = Annotated[float, Gt(0)]


class TrainBudget(Frozen):
    """How much training to cost: a token budget, or epochs over a dataset of tokens."""

    tokens: Positive | None = None
    epochs: Positive | None = None
    dataset_tokens: Positive | None = None

    @model_validator(mode="after")
    def _one_budget(self) -> TrainBudget:
        epoch = self.epochs is not None or self.dataset_tokens is not None
        if (self.tokens is not None) == epoch:
            raise ValueError("give either tokens, or epochs and dataset_tokens")
        if epoch and (self.epochs is None or self.dataset_tokens is None):
            raise ValueError("an epoch budget needs both epochs and dataset_tokens")
        return self

    @property
    def total_tokens(self) -> float:
        """Tokens to train on."""
        if self.tokens is not None:
            return self.tokens
        assert self.epochs is not None and self.dataset_tokens is not None
        return self.epochs * self.dataset_tokens


class CostSection(RangedModel):
    """Prices and horizon of a scenario's cost; names are ``price`` catalog entries. USD, s.

    ``node_price`` may be a ``{low, base, high}`` range (no per-end sources needed here).
    """

    range_sources_required = False

    system_price: str | None = None
    node_price: Usd | None = None
    lifetime: Duration | None = None
    earth_cost: str | None = None
    orbit_cost: str = "orbit-cost-leo"
    replacement_fraction: Fraction | None = None
    sensitivities: str | None = "sensitivity-ranges"
    samples: int = Field(default=400, ge=0, le=100_000)
    seed: int = 2026
    train: TrainBudget | None = None
