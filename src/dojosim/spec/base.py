"""Shared base for every frozen spec model."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator


class Frozen(BaseModel):
    """An immutable spec: unknown fields are errors, so typos are caught."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class CatalogEntry(Frozen):
    """Fields every catalog entry has: a name, a description and its sources."""

    name: str
    description: str = ""
    # Required for catalog files (the loader checks); inline specs may omit it.
    source: str | list[str] | None = None
    notes: str = ""

    @field_validator("source")
    @classmethod
    def _source_not_empty(cls, v: Any) -> Any:
        if v is not None and not v:
            raise ValueError("a source, when given, must not be empty")
        return v

    @property
    def sources(self) -> list[str]:
        if self.source is None:
            return []
        return [self.source] if isinstance(self.source, str) else list(self.source)


class TypedEntry(CatalogEntry):
    """Base of a catalog kind whose entries pick their schema by ``type:`` (sites, data, prices).

    The kind's base class overrides :meth:`registry` (type name -> schema);
    validating that base class returns the schema the entry's ``type`` names.
    """

    type: str
    estimate: bool = False  # true where the figures are our inference, not a published value

    @classmethod
    def registry(cls) -> Registry:
        return {}

    @model_validator(mode="wrap")
    @classmethod
    def _dispatch(cls, data: Any, handler: Any) -> Any:
        # Only the kind's base class (the one defining ``registry``) dispatches.
        if "registry" in cls.__dict__ and isinstance(data, dict):
            types = cls.registry()
            sub = types.get(str(data.get("type")))
            if sub is None:
                kind = cls.model_fields["kind"].default if "kind" in cls.model_fields else "entry"
                raise ValueError(
                    f"unknown {kind} type {data.get('type')!r}; expected one of {sorted(types)}"
                )
            return sub.model_validate(data)
        return handler(data)


#: Type name -> schema, as a kind's base class returns from ``registry``.
Registry = Mapping[str, builtins.type[TypedEntry]]
