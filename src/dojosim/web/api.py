"""The JSON API: the CLI's documents over HTTP, the pages' views, and jobs for long work.

Paths are part of the public contract: ``POST /api/estimate`` returns exactly the
``dojosim estimate --json`` document, ``POST /api/site`` the ``dojosim site --json``
document (with optional what-if values), ``GET /api/orbit`` the ``dojosim orbit
--json`` document, ``GET /api/catalog/{kind}[/{name}]`` and ``GET /api/validate``
the catalog and the validation rows, ``GET /api/validate/groups`` the ``dojosim validate --by
--json`` document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dojosim.errors import CatalogError, SpecError
from dojosim.site.query import DEFAULT_YEAR
from dojosim.web import views
from dojosim.web.inputs import ScenarioRef, check_bounds, mapping_of

router = APIRouter(prefix="/api")


class NotFound(SpecError):
    """A catalog entry or job that does not exist: answered with 404."""


class ErrorBody(BaseModel):
    """A refused request: the CLI's one line, and the field (and file) it names."""

    error: str
    field: str | None = None
    file: str | None = None
    detail: str | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "Bad input: the field and what was expected."}
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such catalog entry (with a did-you-mean)."},
    **ERRORS,
}

EXAMPLE = {
    "name": "gpt3-175b-64-a100",
    "model": "gpt3-175b",
    "system": "dgx-a100-80g",
    "chips": 64,
    "precision": "bf16",
    "parallelism": {"tensor": 8, "pipeline": 8, "global_batch": 64, "recompute": "selective"},
}

Scenario = Annotated[
    dict[str, Any],
    Body(
        description="A scenario mapping, as the YAML file would be (catalog names only).",
        examples=[EXAMPLE],
    ),
]


DOCUMENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The document the CLI prints with --json.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
    **ERRORS,
}


#: Estimates computed at once. The work is pure Python (one core at a time): two threads taking
#: requests in turn answer a burst sooner than one thread per request sharing the GIL, and one
#: long layout search still leaves a lane for the short requests behind it.
COMPUTE_THREADS = 2


def _limiter(request: Request) -> anyio.CapacityLimiter:
    """The app's limiter, made in its event loop on first use."""
    state = request.app.state
    if getattr(state, "compute", None) is None:
        state.compute = anyio.CapacityLimiter(COMPUTE_THREADS)
    limiter: anyio.CapacityLimiter = state.compute
    return limiter


@router.post("/estimate", responses=DOCUMENT, response_class=JSONResponse, tags=["api"])
async def api_estimate(scenario: Scenario, request: Request) -> JSONResponse:
    """The step estimate: exactly the ``dojosim estimate --json`` document."""
    doc = await anyio.to_thread.run_sync(
        views.estimate_doc, check_bounds(scenario), limiter=_limiter(request)
    )
    # Answered as is: the document is already plain JSON data (no re-encoding per request).
    return JSONResponse(doc)


class WhatIf(BaseModel):
    """Values that replace the scenario's (SI units, as in the ``sensitivities`` rows)."""

    model_config = ConfigDict(extra="forbid")

    launch_price: float | None = Field(None, description="USD/kg (orbit)")
    array_cost_per_watt: float | None = Field(None, description="USD/W (orbit)")
    array_specific_power: float | None = Field(None, description="W/kg (orbit)")
    spacecraft_cost_per_kg: float | None = Field(None, description="USD/kg (orbit)")
    electricity_price: float | None = Field(None, description="USD/J (the data centre)")
    pue: float | None = Field(None, description="facility / IT power (the data centre)")
    lifetime: float | None = Field(None, description="s")
    system_price: float | None = Field(None, description="USD per priced unit (node or chip)")

    def values(self) -> dict[str, float]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


@router.post("/site", responses=ERRORS, tags=["api"])
def api_site(scenario: Scenario, what_if: Annotated[WhatIf, Query()]) -> dict[str, Any]:
    """Where the job runs and what it costs: the ``dojosim site --json`` document.

    Query parameters set what-if values (the Site & cost page's sliders); the
    document then also holds them under ``overrides``.
    """
    return views.site_doc(check_bounds(scenario), what_if.values())


class OrbitQuery(BaseModel):
    """A circular orbit: sun-synchronous at an LTAN, or inclined; and the year sampled."""

    model_config = ConfigDict(extra="forbid")

    altitude_km: float = Field(description="circular altitude, km", examples=[650])
    sun_synchronous: bool = Field(False, description="sun-synchronous plane (needs ltan)")
    ltan: str | None = Field(None, max_length=16, description="HH:MM, e.g. 18:00 (dawn-dusk)")
    inclination_deg: float | None = Field(None, description="inclination, deg (not with SSO)")
    raan_deg: float = Field(0.0, description="RAAN on 1 January, deg (inclined orbits)")
    year: int = Field(DEFAULT_YEAR, description="calendar year (1950-2100); a fixed default")
    step_s: float = Field(60.0, ge=10, le=3600, description="sampling step, s (10-3600)")
    spherical_earth: bool = Field(False, description="a sphere of R_eq, not WGS-84")

    def params(self) -> dict[str, Any]:
        d = self.model_dump()
        d["spherical"] = d.pop("spherical_earth")
        return d


@router.get("/orbit", responses=ERRORS, tags=["api"])
def api_orbit(query: Annotated[OrbitQuery, Query()]) -> dict[str, Any]:
    """A year of sunlight: the ``dojosim orbit --json`` document."""
    doc: dict[str, Any] = views.orbit_view(query.params())["doc"]
    return doc


@router.get("/catalog/{kind}", responses=ERRORS, tags=["api"])
def api_catalog_list(kind: str) -> list[dict[str, Any]]:
    """Entries of a kind (``chip``, ..., ``scenario``): name and description."""
    from dojosim import catalog

    return catalog.listing(kind)


@router.get("/catalog/{kind}/{name}", responses=NOT_FOUND, tags=["api"])
def api_catalog_entry(kind: str, name: str) -> dict[str, Any]:
    """One entry: as written (``entry``), resolved to SI units (``resolved``), its sources."""
    try:
        return views.catalog_entry(kind, name)
    except CatalogError as exc:
        raise NotFound(str(exc)) from None


@router.get("/validate", responses=ERRORS, tags=["api"])
def api_validate(
    role: Annotated[
        list[str] | None, Query(description="calibration, check, regression, claim or input")
    ] = None,
) -> list[dict[str, Any]]:
    """Every published run and claim scored: the ``dojosim validate --json`` rows."""
    return views.validate_rows(role)


@router.get("/validate/groups", responses=ERRORS, tags=["api"])
def api_validate_groups(
    by: Annotated[
        str,
        Query(description="system, chip, model, precision, framework, workload, family or chips"),
    ] = "system",
) -> dict[str, Any]:
    """The runs' errors grouped, each group with its bias: the ``dojosim validate --by BY
    --json`` document."""
    return views.validate_groups(by)


# --- the pages' views, and the same work as jobs with progress -----------------------------


class CompareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenarios: list[ScenarioRef] = Field(min_length=2, max_length=4)


class SiteRequest(ScenarioRef):
    overrides: dict[str, float] = Field(default_factory=dict)


class Empty(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _work(view: str, body: Any) -> Callable[..., Any]:
    """The function computing a view from its request (called with a progress callback)."""
    if view == "estimate":
        mapping = mapping_of(body)
        return lambda progress: views.estimate_view(mapping, progress)
    if view == "compare":
        mappings = [mapping_of(r) for r in body.scenarios]
        return lambda progress: views.compare_view(mappings, progress)
    if view == "site":
        mapping = mapping_of(body)
        return lambda progress: views.site_view(mapping, body.overrides, progress)
    if view == "orbit":
        return lambda progress: views.orbit_view(body.params(), progress)
    return lambda progress: views.validate_view(progress)


BODIES: dict[str, type[BaseModel]] = {
    "estimate": ScenarioRef,
    "compare": CompareRequest,
    "site": SiteRequest,
    "orbit": OrbitQuery,
    "validate": Empty,
}


def _add_view(view: str, model: type[BaseModel]) -> None:
    def run_view(body: Any) -> dict[str, Any]:
        result: dict[str, Any] = _work(view, body)(views.no_progress)
        return result

    def start_job(body: Any, request: Request) -> dict[str, Any]:
        work = _work(view, body)
        job = request.app.state.jobs.submit(view, work)
        out: dict[str, Any] = job.as_dict()
        return out

    # The body's model differs per view: set it as a real annotation FastAPI can read.
    run_view.__annotations__ = {"body": model, "return": dict[str, Any]}
    start_job.__annotations__ = {"body": model, "request": Request, "return": dict[str, Any]}
    run_view.__name__, start_job.__name__ = f"view_{view}", f"job_{view}"
    router.post(
        f"/views/{view}", responses=ERRORS, tags=["views"], summary=f"The {view} page's data"
    )(run_view)
    router.post(
        f"/jobs/{view}",
        responses=ERRORS,
        status_code=202,
        tags=["jobs"],
        summary=f"Start the {view} page's work as a job",
    )(start_job)


for _view, _model in BODIES.items():
    _add_view(_view, _model)


@router.get("/jobs/{job_id}", responses=NOT_FOUND, tags=["jobs"])
def get_job(job_id: str, request: Request) -> dict[str, Any]:
    """A job's state, stage, progress (done of total, where known), elapsed time, and result."""
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise NotFound("no such job (finished jobs are kept for a while only)", field="job_id")
    out: dict[str, Any] = job.as_dict()
    return out
