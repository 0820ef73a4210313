"""Plain-torch builders of the catalog's networks: ``config`` mapping → ``nn.Module``.

Importing this package imports torch. Each builder reads only its ``config:`` (the
catalog holds every architecture number) and raises
:class:`~dojosim.errors.SpecError` naming the field for a bad or unknown key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import nn

from dojosim.errors import SpecError, nearest
from dojosim.workload.builders.convnets import occupancy3d, resnet
from dojosim.workload.builders.fsd import fsd_multicam
from dojosim.workload.builders.transformers import videomae, vit, vivit

BUILDERS: dict[str, Callable[[dict[str, Any]], nn.Module]] = {
    "vit": vit,
    "vivit": vivit,
    "videomae": videomae,
    "resnet": resnet,
    "occupancy3d": occupancy3d,
    "fsd_multicam": fsd_multicam,
}


def build(builder: str, config: dict[str, Any]) -> nn.Module:
    """The module ``builder`` makes from ``config`` (build it under ``torch.device("meta")``
    to allocate nothing)."""
    if builder not in BUILDERS:
        raise SpecError(
            f"unknown builder {builder!r}{nearest(builder, list(BUILDERS))}", field="builder"
        )
    return BUILDERS[builder](config)


__all__ = ["BUILDERS", "build", "fsd_multicam", "occupancy3d", "resnet", "videomae", "vit", "vivit"]
