"""Shared base for every frozen spec model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


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
