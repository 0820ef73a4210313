"""What a request may carry, and how it becomes a scenario mapping: never a file path.

A scenario reaches the app as a mapping (JSON, as the YAML would be), as YAML text
pasted into a page, or as the name of a built-in scenario; each becomes a mapping
handed to the library, which resolves only catalog names (:func:`dojosim.catalog.check_name`).
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dojosim.errors import DojosimError, SpecError

#: Largest YAML text accepted from a page, characters.
MAX_YAML = 64_000


class ScenarioRef(BaseModel):
    """One scenario: exactly one of a built-in ``name``, a ``scenario`` mapping or ``yaml`` text."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200, examples=["gpt3-175b-1024-a100"])
    scenario: dict[str, Any] | None = None
    yaml: str | None = Field(default=None, max_length=MAX_YAML)

    @model_validator(mode="after")
    def _one(self) -> ScenarioRef:
        given = [k for k in ("name", "scenario", "yaml") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of name (a built-in scenario), scenario or yaml")
        return self


def from_yaml(text: str) -> dict[str, Any]:
    """A scenario mapping from YAML text (safe loader; one document)."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SpecError(f"malformed YAML: {where}{problem}", field="yaml") from None
    if not isinstance(data, dict):
        what = "nothing" if data is None else f"a {type(data).__name__}"
        raise SpecError(f"expected a mapping of scenario fields, got {what}", field="yaml")
    return data


def mapping_of(ref: ScenarioRef) -> dict[str, Any]:
    """The scenario mapping a reference stands for (a fresh copy the caller may change)."""
    if ref.name is not None:
        from dojosim import scenarios
        from dojosim.errors import CatalogError

        try:
            return scenarios.raw(ref.name)
        except CatalogError as exc:
            raise SpecError(exc.detail, field="name") from None
    if ref.yaml is not None:
        return check_bounds(from_yaml(ref.yaml))
    assert ref.scenario is not None
    return check_bounds(copy.deepcopy(ref.scenario))


#: Parallel degrees that can never exceed the scenario's chip count.
DEGREES = ("tensor", "pipeline", "data")


def check_bounds(mapping: dict[str, Any]) -> dict[str, Any]:
    """Refuse a degree of parallelism above the chip count before any work is sized by it.

    Such a layout is always invalid; refusing it here keeps a request from making
    the server build a table as long as the number it names.
    """
    chips = mapping.get("chips")
    par = mapping.get("parallelism")
    if not isinstance(chips, int) or isinstance(chips, bool) or chips < 1:
        return mapping  # the library names a bad chip count itself
    if not isinstance(par, dict):
        return mapping
    for knob in DEGREES:
        value = par.get(knob)
        if isinstance(value, int) and not isinstance(value, bool) and value > chips:
            raise SpecError(
                f"{value:,} is more than the {chips:,} chips of the scenario",
                field=f"parallelism.{knob}",
            )
    return mapping


def error_body(exc: DojosimError) -> dict[str, Any]:
    """The JSON of a 422: the CLI's one line (``error``), and the field and file it names."""
    return {
        "error": str(exc),
        "field": getattr(exc, "field", None),
        "file": getattr(exc, "file", None),
        "detail": getattr(exc, "detail", str(exc)),
    }


def validation_body(errors: list[Any]) -> dict[str, Any]:
    """A 422 body for a request FastAPI itself refused (wrong type, missing parameter)."""
    err = dict(errors[0]) if errors else {}
    where = tuple(err.get("loc", ()))
    loc = [str(x) for x in where if x not in ("body", "query", "path")]
    field = ".".join(loc) or ("body" if where[:1] == ("body",) else None)
    msg = str(err.get("msg", "invalid request")).removeprefix("Value error, ")
    if err.get("type") == "missing":
        msg = "missing (this field is required)"
    elif field == "body" and err.get("type") in ("dict_type", "model_attributes_type"):
        msg = "expected a JSON object (a mapping of fields)"
    elif "input" in err and not isinstance(err["input"], dict | list):
        msg += f" (got {err['input']!r})"
    line = f"{field}: {msg}" if field else msg
    return {"error": line, "field": field, "file": None, "detail": msg}
