"""Failure models (catalog kind ``failure-model``): what breaks, how often, and what it costs the job.

A failure model lists **causes**. Each cause has a rate per unit of exposure
(``per: gpu | node | link | job``) and an **action**:

* ``restart``: the job stops and restarts from its last checkpoint; nothing is removed.
* ``swap``: a GPU or its node is broken; the job restarts once a spare node (on
  Earth) or a spare chip (in orbit) takes its place, or waits or shrinks without one.
* ``sdc``: silent data corruption, found ``detection`` seconds later; the job rolls
  back to the last checkpoint taken before the corruption.
* ``planned``: maintenance; the job checkpoints first, so no progress is lost.
* ``slow``: a straggler that stretches every step by ``slowdown`` for ``duration``.

A rate is given directly (``rate: "1e-9 / s"``, per unit) or as an observed
``count`` over the model's ``exposure`` (GPUs x duration): rate = count / (units x
duration), where a node has ``node_gpus`` GPUs and a GPU ``links_per_gpu`` links.
Causes marked ``upset_driven`` are memory errors that single-event upsets cause;
in orbit they scale with the ratio of the orbit's upset rate per bit to
``ground_upset_rate`` (:mod:`dojosim.sim.orbit`).

Units: seconds, 1/s.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from annotated_types import Ge
from pydantic import Field, PositiveInt, model_validator

from dojosim.site.quantity import Rate
from dojosim.spec.base import CatalogEntry, Frozen
from dojosim.spec.quantities import PosRatio, PosSeconds, Seconds

Per = Literal["gpu", "node", "link", "job"]
Action = Literal["restart", "swap", "sdc", "planned", "slow"]
#: Actions that stop the job unexpectedly (Meta's "unexpected interruptions").
INTERRUPTING: tuple[str, ...] = ("restart", "swap", "sdc")
NonNegative = Annotated[float, Ge(0)]


class Cause(Frozen):
    """One cause of failure: its rate (per unit, 1/s) or observed count, unit and action."""

    name: str
    rate: Rate | None = None
    count: NonNegative | None = None
    per: Per = "gpu"
    action: Action = "restart"
    detection: Seconds = 0.0
    slowdown: Annotated[float, Ge(1)] = 1.0
    duration: PosSeconds | None = None
    upset_driven: bool = False
    source: str | None = None
    derived: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> Cause:
        if (self.rate is None) == (self.count is None):
            raise ValueError("rate: give either rate (per unit, e.g. '1e-6 / day') or count")
        if self.action == "slow" and self.duration is None:
            raise ValueError("duration: a slow (straggler) cause needs how long it lasts")
        if self.action == "slow" and self.slowdown <= 1.0:
            raise ValueError("slowdown: a straggler stretches steps by a factor above 1")
        return self


class Exposure(Frozen):
    """What observed counts were counted over: GPUs for a duration."""

    gpus: PositiveInt
    duration: PosSeconds


class FailureModelEntry(CatalogEntry):
    """A failure model: causes with rates per GPU, node, link or job, each with its action."""

    kind: Literal["failure-model"] = "failure-model"
    chip: str | None = None
    node_gpus: PositiveInt = 8
    links_per_gpu: PosRatio = 1.0
    exposure: Exposure | None = None
    ground_upset_rate: Rate | None = None
    causes: list[Cause] = Field(min_length=1)
    estimate: bool = False

    @model_validator(mode="after")
    def _counts_need_exposure(self) -> FailureModelEntry:
        names = [c.name for c in self.causes]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"causes: names must be unique ({', '.join(sorted(dup))})")
        if any(c.count is not None for c in self.causes) and self.exposure is None:
            raise ValueError(
                "exposure: causes given as counts need the exposure they were seen over"
            )
        return self

    def units(self, per: str, gpus: float) -> float:
        """How many units of kind ``per`` a job on ``gpus`` GPUs exposes."""
        if per == "gpu":
            return float(gpus)
        if per == "node":
            return gpus / self.node_gpus
        if per == "link":
            return gpus * self.links_per_gpu
        return 1.0

    def rate(self, cause: Cause) -> float:
        """The cause's rate per unit (1/s)."""
        if cause.rate is not None:
            return cause.rate
        assert cause.count is not None and self.exposure is not None
        exposed = self.units(cause.per, self.exposure.gpus) * self.exposure.duration
        return cause.count / exposed


def resolve(value: str | dict[str, Any], file: str | None = None) -> FailureModelEntry:
    """A catalog failure model by name, or an inline ``{causes: [...]}`` mapping."""
    from dojosim import catalog
    from dojosim.errors import SpecError
    from dojosim.spec.loader import parse

    field = "reliability.failures"
    if isinstance(value, str):
        try:
            entry: FailureModelEntry = catalog.get("failure-model", value)
        except SpecError as exc:
            raise SpecError(exc.detail, file=file, field=field) from None
        return entry
    data = {"name": "inline-failure-model", **value}
    return parse(FailureModelEntry, data, file=file, prefix=field)
