"""The columns of a results table, their types, and rows as Arrow tables.

Every results file has ``point`` (the point's number), ``reference`` (when the
sweep has references), one column per axis, one per output, ``status``
(``ok`` or ``error``) and ``error`` (the one-line message). Types are fixed when
the file is created, from the axis values and the base scenario's outputs.
"""

from __future__ import annotations

import json
import math
from typing import Any

TYPES = ("int64", "float64", "bool", "string")
Columns = list[tuple[str, str]]


def type_of(values: list[Any]) -> str:
    """The column type that holds every value (None allowed; mixed kinds become text)."""
    vals = [_plain(v) for v in values if v is not None]
    if not vals:
        return "float64"
    if all(isinstance(v, bool) for v in vals):
        return "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        return "int64"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
        return "float64"
    return "string"


def _plain(v: Any) -> Any:
    if hasattr(v, "item") and callable(v.item):  # NumPy scalars
        return v.item()
    return v


def coerce(v: Any, kind: str) -> Any:
    """``v`` as a value of a column of type ``kind`` (None where it cannot be)."""
    v = _plain(v)
    if v is None:
        return None
    if kind == "float64":
        return float(v) if isinstance(v, int | float) else None
    if kind == "int64":
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, int):
            return v
        return int(v) if isinstance(v, float) and math.isfinite(v) and v.is_integer() else None
    if kind == "bool":
        return bool(v) if isinstance(v, bool | int) else None
    if isinstance(v, str):
        return v
    return json.dumps(v, sort_keys=True, default=str)


def arrow_schema(columns: Columns) -> Any:
    import pyarrow as pa

    types = {
        "int64": pa.int64(),
        "float64": pa.float64(),
        "bool": pa.bool_(),
        "string": pa.string(),
    }
    return pa.schema([(name, types[kind]) for name, kind in columns])


def to_arrow(rows: list[dict[str, Any]], columns: Columns) -> Any:
    """Rows (mappings) as an Arrow table with exactly ``columns``."""
    import pyarrow as pa

    data = {name: [coerce(r.get(name), kind) for r in rows] for name, kind in columns}
    return pa.table(data, schema=arrow_schema(columns))


def duckdb_type(kind: str) -> str:
    return {"int64": "BIGINT", "float64": "DOUBLE", "bool": "BOOLEAN", "string": "VARCHAR"}[kind]
