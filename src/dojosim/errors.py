"""The project's own exceptions.

Every error a user can cause is a :class:`DojosimError` (a ``ValueError``), so
library callers can catch one type and the CLI can turn any of them into one
clear line and exit code 2.
"""

from __future__ import annotations


class DojosimError(ValueError):
    """Base class of every error caused by bad input."""


class SpecError(DojosimError):
    """A scenario, catalog entry or option is malformed.

    The message names the file (if any), the field (if any) and what was expected.
    """

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None):
        self.file = file
        self.field = field
        self.detail = message
        where = ": ".join(p for p in (file, field) if p)
        super().__init__(f"{where}: {message}" if where else message)


class CatalogError(SpecError):
    """A catalog name does not exist (the message suggests the nearest)."""


class FormatError(DojosimError):
    """A number-format request is invalid (unknown format, bias out of range, bad codes)."""


def nearest(name: str, candidates: list[str] | tuple[str, ...]) -> str:
    """A 'did you mean' suffix naming the closest candidates, or ''."""
    import difflib

    close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.5)
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"
