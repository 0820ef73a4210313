"""A published count against ours: what `workload show` tables and the published-count tests use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Check:
    """One published figure against the count dojosim computes."""

    quantity: str  # "forward_flops", "params" or "active_params"
    published: float
    measured: float
    tolerance: float  # relative
    source: str
    convention: str  # how the source counts: "multiply-adds (x2 here)", "FLOPs", "parameters"

    @property
    def error(self) -> float:
        """Relative error of the measured count, (measured - published) / published."""
        return (self.measured - self.published) / self.published

    @property
    def ok(self) -> bool:
        return abs(self.error) <= self.tolerance

    def as_dict(self) -> dict[str, Any]:
        return {
            "quantity": self.quantity,
            "published": self.published,
            "measured": self.measured,
            "error": self.error,
            "tolerance": self.tolerance,
            "ok": self.ok,
            "convention": self.convention,
            "source": self.source,
        }
