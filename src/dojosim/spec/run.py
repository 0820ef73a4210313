"""Schema of a published run (catalog kind ``run``): a measurement to score the model against."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from annotated_types import Gt
from pydantic import PositiveFloat, model_validator

from dojosim.spec.base import CatalogEntry

Metric = Literal[
    "step_time_s", "mfu", "hfu", "model_tflops_per_chip", "hardware_tflops_per_chip", "tokens_per_s"
]


class RunSpec(CatalogEntry):
    """A published measurement of a training job.

    ``role`` says how it is used: ``calibration`` rows may be fitted on,
    ``check`` rows are held out and never fitted, ``claim`` rows are vendor
    statements scored with a wide ``tolerance``. A ``regression`` row is a check
    row that its publisher reports was measured under a software regression (the
    same job ran much faster on the release before or after): scored and shown,
    never fitted, summarised on its own and kept out of the check rows' figures and
    intervals; ``regression:`` cites that report. ``scenario`` is a scenario
    mapping (as in a scenario file) describing the job.
    """

    kind: Literal["run"] = "run"
    role: Literal["calibration", "check", "regression", "claim"]
    # The publisher's own report of the regression (issue or release note, with its words);
    # required with role regression, refused with any other role.
    regression: str | None = None
    metric: Metric
    measured: Annotated[float, Gt(0)]
    tolerance: PositiveFloat | None = None
    scenario: dict[str, Any]

    @model_validator(mode="after")
    def _regression_cited(self) -> RunSpec:
        if self.role == "regression" and not self.regression:
            raise ValueError(
                "role regression needs regression: the publisher's report of the regression"
            )
        if self.role != "regression" and self.regression:
            raise ValueError(
                f"regression: only a row with role regression cites one, not {self.role}"
            )
        return self
