"""Read YAML into specs with errors that name the file and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from dojosim.errors import SpecError, nearest

M = TypeVar("M", bound=BaseModel)

# libyaml's C loader where PyYAML was built with it (about ten times faster), else Python's.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file; a missing file or malformed YAML is a :class:`SpecError`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError("no such file", file=str(p)) from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read: {exc}", file=str(p)) from None
    try:
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SpecError(f"malformed YAML: {where}{problem}", file=str(p)) from None


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(x) for x in loc if not str(x).startswith(("function-", "literal["))]
    return ".".join(parts)


def _message(err: dict[str, Any]) -> str:
    msg = str(err.get("msg", "invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if err.get("type") == "missing":
        return "missing (this field is required)"
    if err.get("type") == "extra_forbidden":
        return "unknown field"
    if "input" in err and err.get("type") not in ("value_error",):
        value = err["input"]
        if not isinstance(value, dict | list):
            msg += f" (got {value!r})"
    return msg


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside a field's annotation (``X | None``, ``list[X]``), if any."""
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names the model accepts at ``loc`` (a location inside it); [] when unknown."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        info = current.model_fields.get(str(part))
        current = _model_in(info.annotation) if info is not None else None
    return list(current.model_fields) if current is not None else []


def _suggestion(model: type[BaseModel], errors: list[Any]) -> tuple[dict[str, Any], str] | None:
    """An unknown field with the name it was probably meant to be (``global_bach``).

    A misspelled field shows up twice: as an unknown field and, when required, as
    a missing one beside it; the missing names there (else the model's fields at
    that place) are the candidates.
    """
    for err in errors:
        if err.get("type") != "extra_forbidden":
            continue
        loc = tuple(err["loc"])
        parent, wrong = loc[:-1], str(loc[-1])
        missing = [
            str(e["loc"][-1])
            for e in errors
            if e.get("type") == "missing" and tuple(e["loc"][:-1]) == parent
        ]
        hint = nearest(wrong, missing) or nearest(wrong, _fields_at(model, parent))
        if hint:
            return dict(err), hint
    return None


def parse(model: type[M], data: Any, *, file: str | None = None, prefix: str = "") -> M:
    """Validate ``data`` as ``model``; the first problem becomes one :class:`SpecError`."""
    if not isinstance(data, dict):
        what = "empty file" if data is None else f"a {type(data).__name__}"
        raise SpecError(
            f"expected a mapping of fields, got {what}", file=file, field=prefix or None
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # Union members each report the same location; keep the most specific one.
        errors = exc.errors()
        suggested = _suggestion(model, list(errors))
        if suggested is not None:
            err, hint = suggested
            message = "unknown field" + hint
        else:
            err = dict(max(errors, key=lambda e: len(_field(e["loc"]))))
            message = _message(err)
        field = ".".join(p for p in (prefix, _field(err["loc"])) if p)
        raise SpecError(message, file=file, field=field or None) from None
