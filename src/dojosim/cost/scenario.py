"""The scenario's ``cost:`` section: prices, the lifetime, and a training budget.

```yaml
cost:
  system_price: dgx-h100-price      # a price catalog entry (default: the one naming the system)
  node_price: "250000 USD"          # or a price per node directly (overrides system_price)
  lifetime: "6 year"                # default: the data centre's IT life
  orbit_cost: orbit-cost-leo        # spacecraft $/kg, array $/W fallback (orbit only)
  sensitivities: sensitivity-ranges # ranges swept for the tornado (null: none)
  train:
    tokens: 300e9                   # a token budget, or
    # epochs: 2
    # dataset_tokens: 1.5e12        # an epoch budget (epochs x dataset tokens)
```
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Gt
from pydantic import model_validator

from dojosim.site.quantity import Duration, Usd
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


class CostSection(Frozen):
    """Prices and horizon of a scenario's cost; names are ``price`` catalog entries. USD, s."""

    system_price: str | None = None
    node_price: Usd | None = None
    lifetime: Duration | None = None
    orbit_cost: str = "orbit-cost-leo"
    sensitivities: str | None = "sensitivity-ranges"
    train: TrainBudget | None = None
