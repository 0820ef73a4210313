"""Read results files: as Arrow tables, by SQL (DuckDB), and their sweep's description.

Every format is queried the same way: a view ``results`` (one row per point)
and a table ``sweep`` (name, hash, points, spec). Column names with dots are
quoted in SQL: ``SELECT chips, "system.chip.memory_bandwidth" FROM results``.
An unfinished Parquet sweep is read from its part files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dojosim.errors import SpecError
from dojosim.explore.columns import duckdb_type
from dojosim.explore.store import format_of


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _duckdb_error(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _sweep_table(con: Any, meta: dict[str, Any]) -> None:
    con.execute(
        "CREATE TABLE sweep (name VARCHAR, hash VARCHAR, points BIGINT, spec VARCHAR, meta VARCHAR)"
    )
    con.execute(
        "INSERT INTO sweep VALUES (?, ?, ?, ?, ?)",
        [
            meta.get("name"),
            meta.get("hash"),
            meta.get("points"),
            json.dumps(meta.get("spec")),
            json.dumps(meta),
        ],
    )


def connect(path: str | Path) -> Any:
    """A read-only DuckDB connection with ``results`` and ``sweep`` for any results file."""
    import duckdb

    p = Path(path)
    kind = format_of(p)
    parts = p.with_name(p.name + ".parts")
    sidecar = p.with_name(p.name + ".sweep.json")
    if not p.exists() and not (kind == "parquet" and parts.exists()):
        raise SpecError("no such results file", file=str(p))
    try:
        if kind == "duckdb":
            con = duckdb.connect(str(p), read_only=True)
            tables = {
                r[0]
                for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
            }
            if not {"results", "sweep"} <= tables:
                con.close()
                raise SpecError(
                    "is not a dojosim results file (no results and sweep tables)", file=str(p)
                )
            return con
        con = duckdb.connect()
        if kind == "parquet":
            import pyarrow.parquet as pq

            if p.exists():
                md = pq.read_schema(p).metadata or {}
                meta = json.loads(md.get(b"dojosim.sweep", b"{}"))
                source: str | None = _quote(p)
            else:
                meta = json.loads((parts / "sweep.json").read_text())
                files = sorted(parts.glob("part-*.parquet"))
                source = "[" + ", ".join(_quote(f) for f in files) + "]" if files else None
            if source is None:
                cols = ", ".join(f'NULL::{duckdb_type(t)} AS "{n}"' for n, t in meta["columns"])
                con.execute(f"CREATE VIEW results AS SELECT {cols} WHERE false")
            else:
                con.execute(f"CREATE VIEW results AS SELECT * FROM read_parquet({source})")
        else:
            if not sidecar.exists():
                raise SpecError(
                    f"has no {sidecar.name} beside it: not a dojosim results file", file=str(p)
                )
            meta = json.loads(sidecar.read_text())
            types = ", ".join(f"'{n}': '{duckdb_type(t)}'" for n, t in meta["columns"])
            con.execute(
                f"CREATE VIEW results AS SELECT * FROM read_csv({_quote(p)}, header = true, "
                f"columns = {{{types}}}, quote = '\"', escape = '\"')"
            )
        _sweep_table(con, meta)
        return con
    except duckdb.Error as exc:
        raise SpecError(f"cannot read: {_duckdb_error(exc)}", file=str(p)) from None


def query(path: str | Path, sql: str) -> Any:
    """The Arrow table a SQL query over ``results`` (and ``sweep``) returns."""
    import duckdb

    con = connect(path)
    try:
        rel = con.sql(sql)
        if rel is None:
            raise SpecError("the query returns no rows (use SELECT ...)", field="--sql")
        # DuckDB 1.x calls it arrow(), 2.x to_arrow_table().
        fetch = getattr(rel, "to_arrow_table", None) or rel.arrow
        return fetch()
    except duckdb.Error as exc:
        raise SpecError(_duckdb_error(exc), field="--sql") from None
    finally:
        con.close()


def read_table(path: str | Path) -> Any:
    """Every row, ordered by point, as an Arrow table."""
    return query(path, "SELECT * FROM results ORDER BY point")


def status_counts(path: str | Path) -> tuple[int, int]:
    """(rows with status ok, rows with status error)."""
    t = query(
        path,
        "SELECT count(*) FILTER (status = 'ok'), count(*) FILTER (status = 'error') FROM results",
    )
    return int(t.column(0)[0].as_py()), int(t.column(1)[0].as_py())


def info(path: str | Path) -> dict[str, Any]:
    """The sweep a file holds: name, hash, points planned and stored, ok and error, columns."""
    con = connect(path)
    try:
        name, digest, points, meta = con.execute(
            "SELECT name, hash, points, meta FROM sweep"
        ).fetchone()
        stored, ok = con.execute(
            "SELECT count(*), count(*) FILTER (status = 'ok') FROM results"
        ).fetchone()
    finally:
        con.close()
    meta = json.loads(meta)
    return {
        "file": str(path),
        "name": name,
        "hash": digest,
        "description": (meta.get("spec") or {}).get("description", ""),
        "points": points,
        "stored": stored,
        "ok": ok,
        "error": stored - ok,
        "complete": stored == points,
        "columns": [n for n, _ in meta.get("columns", [])],
        "axes": list(((meta.get("spec") or {}).get("axes") or {}).keys()),
    }
