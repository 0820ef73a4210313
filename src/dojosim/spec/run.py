"""Schema of a published run (catalog kind ``run``): a measurement to score the model against."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from annotated_types import Gt
from pydantic import PositiveFloat

from dojosim.spec.base import CatalogEntry

Metric = Literal[
    "step_time_s", "mfu", "hfu", "model_tflops_per_chip", "hardware_tflops_per_chip", "tokens_per_s"
]


class RunSpec(CatalogEntry):
    """A published measurement of a training job.

    ``role`` says how it is used: ``calibration`` rows may be fitted on,
    ``check`` rows are held out and never fitted, ``claim`` rows are vendor
    statements scored with a wide ``tolerance``. ``scenario`` is a scenario
    mapping (as in a scenario file) describing the job.
    """

    kind: Literal["run"] = "run"
    role: Literal["calibration", "check", "claim"]
    metric: Metric
    measured: Annotated[float, Gt(0)]
    tolerance: PositiveFloat | None = None
    scenario: dict[str, Any]
