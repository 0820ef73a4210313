"""Schema of a network (catalog kind ``network``): a builder, its config and published counts.

A network entry names a plain-torch builder (``dojosim.workload.builders``), the
architecture numbers it needs (``config:``), the input shape of one sample, and the
forward counts its paper or reference implementation published, each with a tolerance
the traced count must meet (``dojosim.workload.published``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from annotated_types import Ge, Gt, Le
from pydantic import BeforeValidator, Field, PositiveInt, model_validator

from dojosim.spec.base import CatalogEntry, Frozen
from dojosim.units import to_si


def _count(value: Any) -> float:
    if isinstance(value, dict):
        if "value" not in value:
            raise ValueError("expected a mapping with 'value:' and 'source:'")
        value = value["value"]
    return to_si(value, "dimensionless")


def _flop(value: Any) -> float:
    if isinstance(value, dict):
        if "value" not in value:
            raise ValueError("expected a mapping with 'value:' and 'source:'")
        value = value["value"]
    return to_si(value, "flop")


Count = Annotated[float, BeforeValidator(_count), Gt(0)]
FlopCount = Annotated[float, BeforeValidator(_flop), Gt(0)]
Tolerance = Annotated[float, Ge(0), Le(1)]

BUILDERS = ("vit", "vivit", "videomae", "resnet", "occupancy3d", "fsd_multicam")


class PublishedCount(Frozen):
    """One published figure for a network: forward multiply-adds *or* FLOPs, and/or params.

    ``multiply_adds`` is for papers whose "FLOPs" are multiply-adds (most vision papers,
    fvcore, torchvision's "GFLOPS"); ``flops`` counts a multiply-add as 2. Both are per
    sample (one image, one clip, one multi-camera sequence), forward only. ``tolerance``
    is the relative error the traced count may have.
    """

    multiply_adds: Count | None = None
    flops: FlopCount | None = None
    params: Count | None = None
    tolerance: Tolerance = 0.02
    params_tolerance: Tolerance | None = None
    source: str
    notes: str = ""

    @model_validator(mode="after")
    def _one_count(self) -> PublishedCount:
        if self.multiply_adds is not None and self.flops is not None:
            raise ValueError("give multiply_adds or flops, not both (flops = 2 x multiply-adds)")
        if self.multiply_adds is None and self.flops is None and self.params is None:
            raise ValueError("give at least one of multiply_adds, flops, params")
        if not self.source.strip():
            raise ValueError("source must not be empty")
        return self

    @property
    def forward_flops(self) -> float | None:
        """The published forward count in FLOPs (a multiply-add is 2 FLOP), or None."""
        if self.flops is not None:
            return self.flops
        return None if self.multiply_adds is None else 2.0 * self.multiply_adds


class NetworkSpec(CatalogEntry):
    """A network the catalog can build and trace: ``builder(config)`` on ``[batch, *input]``."""

    kind: Literal["network"] = "network"
    family: str = ""
    builder: Literal["vit", "vivit", "videomae", "resnet", "occupancy3d", "fsd_multicam"]
    config: dict[str, Any]
    input: list[PositiveInt]
    published: list[PublishedCount] = Field(default_factory=list)
