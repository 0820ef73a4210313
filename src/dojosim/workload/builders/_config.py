"""Reading a builder's ``config:`` mapping with errors that name the field."""

from __future__ import annotations

from typing import Any

from dojosim.errors import SpecError, nearest

_REQUIRED = object()


class Config:
    """A builder's configuration: typed look-ups, and unknown keys reported by name."""

    def __init__(self, data: Any, where: str = "config"):
        if not isinstance(data, dict):
            raise SpecError(f"expected a mapping, got {type(data).__name__}", field=where)
        self.data = data
        self.where = where
        self.used: set[str] = set()

    def _get(self, key: str, default: Any) -> Any:
        self.used.add(key)
        if key not in self.data:
            if default is _REQUIRED:
                raise SpecError("missing (this field is required)", field=f"{self.where}.{key}")
            return default
        return self.data[key]

    def integer(self, key: str, default: Any = _REQUIRED, *, minimum: int = 1) -> int:
        """A whole number at least ``minimum``."""
        v = self._get(key, default)
        if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
            raise SpecError(
                f"expected a whole number >= {minimum}, got {v!r}", field=f"{self.where}.{key}"
            )
        return v

    def number(self, key: str, default: Any = _REQUIRED) -> float:
        """A positive number."""
        v = self._get(key, default)
        if isinstance(v, bool) or not isinstance(v, int | float) or not v > 0:
            raise SpecError(f"expected a positive number, got {v!r}", field=f"{self.where}.{key}")
        return float(v)

    def flag(self, key: str, default: Any = _REQUIRED) -> bool:
        v = self._get(key, default)
        if not isinstance(v, bool):
            raise SpecError(f"expected true or false, got {v!r}", field=f"{self.where}.{key}")
        return v

    def choice(self, key: str, options: tuple[str, ...], default: Any = _REQUIRED) -> str:
        v = self._get(key, default)
        if v not in options:
            raise SpecError(
                f"expected one of {', '.join(options)}, got {v!r}{nearest(str(v), options)}",
                field=f"{self.where}.{key}",
            )
        return str(v)

    def integers(
        self, key: str, default: Any = _REQUIRED, *, length: int | None = None
    ) -> list[int]:
        """A list of positive whole numbers (of ``length`` items when given)."""
        v = self._get(key, default)
        ok = isinstance(v, list) and all(
            isinstance(x, int) and not isinstance(x, bool) and x > 0 for x in v
        )
        if not ok or not v or (length is not None and len(v) != length):
            n = f"{length} " if length is not None else ""
            raise SpecError(
                f"expected a list of {n}positive whole numbers, got {v!r}",
                field=f"{self.where}.{key}",
            )
        return list(v)

    def mapping(self, key: str, default: Any = _REQUIRED) -> Config:
        return Config(self._get(key, default), f"{self.where}.{key}")

    def int_mapping(self, key: str) -> dict[str, int]:
        """A mapping of names to positive whole numbers."""
        v = self._get(key, _REQUIRED)
        if (
            not isinstance(v, dict)
            or not v
            or not all(isinstance(x, int) and not isinstance(x, bool) and x > 0 for x in v.values())
        ):
            raise SpecError(
                f"expected a mapping of names to positive whole numbers, got {v!r}",
                field=f"{self.where}.{key}",
            )
        return {str(k): int(x) for k, x in v.items()}

    def done(self) -> None:
        """Raise for any key no look-up asked for (a typo, or a field of another builder)."""
        extra = sorted(set(self.data) - self.used)
        if extra:
            raise SpecError(
                f"unknown field{nearest(extra[0], sorted(self.used))}",
                field=f"{self.where}.{extra[0]}",
            )
