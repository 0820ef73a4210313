"""A fixed job (no estimator run) and site specs for the cost tests."""

from __future__ import annotations

import functools

from dojosim import catalog
from dojosim.site.plan import Job, SiteSpec, resolve_site
from dojosim.site.section import SiteSection

# 1,024 H100 at 400 TFLOP/s of model FLOPs each, 8 s per step of 1536 x 2048 tokens.
JOB = Job(
    scenario="test",
    system="dgx-h100",
    chip="h100-sxm5-80g",
    chips=1024,
    step_time_s=8.0,
    model_flops_per_step=1024 * 400e12 * 8.0,
    tokens_per_step=1536 * 2048,
    peak_flops=1024 * 989e12,
    mfu=400 / 989,
)


@functools.cache
def spec(kind: str = "earth", **kw: object) -> SiteSpec:
    system = catalog.get("system", "dgx-h100")
    chip = catalog.get("chip", system.chip)
    return resolve_site(SiteSection(type=kind, **kw), system, chip, 1024)  # type: ignore[arg-type]
