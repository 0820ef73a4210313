"""The scenario's ``reliability:`` section: failures, recovery, checkpoints, spares, repair.

```yaml
reliability:
  failures: llama3-h100      # a catalog failure-model, or inline {causes: [{name, rate, per, action}]}
  duration: "54 d"           # wall-clock span simulated (default: the cost section's training budget)
  restart: "10 min"          # detect + reschedule + warm-up after an interruption
  checkpoint: {interval: auto, save: "30 s", restore: "5 min", asynchronous: false}
  spares: 0                  # hot spare nodes (orbit: spare chips launched)
  repair: "2 d"              # time to bring a failed node back; "never" in orbit (the default there)
  # optional:
  while_short: wait          # wait (Earth default) or shrink data parallelism (orbit default)
  fault_tolerant: {stall: "3 min"}   # only the failed data-parallel replica restarts (FT-HSDP)
  radiation: {tolerance: radiation-tolerance-tpu-v6e, upsets: mid}   # orbit: upsets and dose
```

The checkpoint's save time is given (``save``), or computed from its size and the
storage bandwidth (``size`` or ``bytes_per_param`` x the model's parameters, over
``bandwidth``); ``restore`` defaults to the save time. An ``asynchronous``
checkpoint pauses the job only for ``blocking`` (default 0 s) and becomes durable
``save`` seconds later. Values are checked here; names are checked when the plan
is built (:mod:`dojosim.sim.plan`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import NonNegativeInt, model_validator

from dojosim.spec.base import Frozen
from dojosim.spec.quantities import Bandwidth, PosBytes, PosRatio, PosSeconds, Seconds


class CheckpointSection(Frozen):
    """How the job checkpoints. Seconds, bytes, bytes/s."""

    interval: Literal["auto"] | PosSeconds = "auto"
    save: Seconds | None = None
    size: PosBytes | None = None
    bytes_per_param: PosRatio | None = None
    bandwidth: Bandwidth | None = None
    restore: Seconds | None = None
    asynchronous: bool = False
    blocking: Seconds | None = None

    @model_validator(mode="after")
    def _one_save(self) -> CheckpointSection:
        sized = self.size is not None or self.bytes_per_param is not None
        if self.save is None and not sized:
            raise ValueError(
                "save: give the save time, or size (or bytes_per_param) with bandwidth"
            )
        if self.save is not None and sized:
            raise ValueError("save: give either save or size/bytes_per_param, not both")
        if self.size is not None and self.bytes_per_param is not None:
            raise ValueError("size: give either size or bytes_per_param, not both")
        if sized and self.bandwidth is None:
            raise ValueError("bandwidth: a checkpoint size needs the storage bandwidth")
        if self.blocking is not None and not self.asynchronous:
            raise ValueError("blocking: applies only to asynchronous checkpoints")
        return self


class FaultTolerance(Frozen):
    """Replica-level fault tolerance: the rest of the job stalls ``stall`` s and carries on."""

    stall: Seconds


class RadiationSection(Frozen):
    """Orbit: the parts' radiation tolerance, which end of its upset range, the dose table."""

    tolerance: str
    upsets: Literal["low", "mid", "high"] = "mid"
    dose: str = "dose-depth-leo-550-spenvis"


class ReliabilitySection(Frozen):
    """A fleet over a whole run: what fails, how the job recovers, checkpoints, spares."""

    failures: str | dict[str, Any]
    duration: PosSeconds | None = None
    restart: Seconds
    checkpoint: CheckpointSection
    spares: NonNegativeInt = 0
    repair: Literal["never"] | PosSeconds | None = None
    while_short: Literal["wait", "shrink"] | None = None
    fault_tolerant: FaultTolerance | None = None
    radiation: RadiationSection | None = None
