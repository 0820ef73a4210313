"""Results files that survive a crash: DuckDB, Parquet or CSV, chosen by the file's suffix.

Rows are appended in batches, each batch either wholly stored or not at all:

* ``.duckdb``: one INSERT (one transaction) per batch into ``results``, whose
  ``point`` is the primary key; the ``sweep`` table holds the spec and its hash.
* ``.parquet``: each batch is a part file written beside the target
  (``FILE.parts/``) and renamed into place; the parts are merged into ``FILE``
  (spec and hash in its metadata) when the sweep completes.
* ``.csv``: rows are appended and flushed to disk; a torn last line (a kill in
  mid-write) is cut off on resume. The spec is the sidecar ``FILE.sweep.json``.

A file written for another spec is refused, and never modified.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Protocol

from dojosim.errors import SpecError
from dojosim.explore.columns import Columns, duckdb_type, to_arrow

FORMATS = (".duckdb", ".parquet", ".csv")


class Store(Protocol):
    columns: Columns

    def done(self) -> set[int]: ...
    def append(self, rows: list[dict[str, Any]]) -> None: ...
    def finish(self) -> None: ...
    def close(self) -> None: ...


def format_of(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise SpecError(
            f"a results file ends in .duckdb, .parquet or .csv, got {suffix or 'no suffix'!r}",
            file=str(path),
        )
    return suffix[1:]


def _check_meta(path: Path, stored: dict[str, Any], meta: dict[str, Any]) -> Columns:
    """The stored columns, after checking the file belongs to this spec."""
    if "hash" not in stored:
        raise SpecError("is not a dojosim results file (it holds no sweep spec)", file=str(path))
    if stored.get("hash") != meta["hash"]:
        raise SpecError(
            f"holds results of another sweep spec (hash {stored.get('hash')}, "
            f"{stored.get('name')!r}); this spec is {meta['hash']} ({meta['name']!r}), "
            "changed since the file was written: use another --out",
            file=str(path),
        )
    return [(str(n), str(t)) for n, t in stored["columns"]]


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _refuse_existing(path: Path, resume: bool, overwrite: bool, others: list[Path]) -> bool:
    """Whether earlier results exist to resume; removes them on ``overwrite``."""
    present = [p for p in [path, *others] if p.exists()]
    if not present:
        return False
    if overwrite:
        for p in present:
            shutil.rmtree(p) if p.is_dir() else p.unlink()
        return False
    if not resume:
        raise SpecError(
            "already exists: pass --resume to finish it, or --overwrite to replace it",
            file=str(path),
        )
    return True


class DuckDBStore:
    """Results in a DuckDB database: tables ``results`` and ``sweep``."""

    def __init__(self, path: Path, meta: dict[str, Any], *, resume: bool, overwrite: bool):
        import duckdb

        self.path = path
        wal = path.with_name(path.name + ".wal")
        if overwrite and wal.exists():
            wal.unlink()
        existing = _refuse_existing(path, resume, overwrite, [])
        if existing:
            with open(path, "rb") as f:
                head = f.read(12)
            if len(head) >= 12 and head[8:12] != b"DUCK":
                raise SpecError("is not a DuckDB database", file=str(path))
        elif wal.exists():
            wal.unlink()  # a log left by a database that no longer exists
        try:
            self.con = duckdb.connect(str(path))
        except duckdb.Error as exc:
            raise SpecError(f"cannot open: {' '.join(str(exc).split())}", file=str(path)) from None
        tables = {
            r[0]
            for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        if existing and "sweep" in tables:
            row = self.con.execute("SELECT meta FROM sweep").fetchone()
            self.columns = _check_meta(path, json.loads(row[0]) if row else {}, meta)
            return
        if existing and tables - {"sweep", "results"}:
            self.con.close()
            raise SpecError("is a DuckDB database but not a dojosim results file", file=str(path))
        self.columns = meta["columns"]
        cols = ", ".join(f'"{n}" {duckdb_type(t)}' for n, t in self.columns)
        self.con.execute("BEGIN TRANSACTION")
        self.con.execute("DROP TABLE IF EXISTS results")
        self.con.execute(f"CREATE TABLE results ({cols}, PRIMARY KEY (point))")
        self.con.execute(
            "CREATE TABLE sweep (name VARCHAR, hash VARCHAR, points BIGINT, spec VARCHAR, meta VARCHAR)"
        )
        self.con.execute(
            "INSERT INTO sweep VALUES (?, ?, ?, ?, ?)",
            [
                meta["name"],
                meta["hash"],
                meta["points"],
                json.dumps(meta["spec"]),
                json.dumps(meta),
            ],
        )
        self.con.execute("COMMIT")
        self.con.execute("CHECKPOINT")  # the tables in the file itself; the log holds only rows

    def done(self) -> set[int]:
        return {int(r[0]) for r in self.con.execute("SELECT point FROM results").fetchall()}

    def append(self, rows: list[dict[str, Any]]) -> None:
        self.con.register("batch", to_arrow(rows, self.columns))
        try:
            self.con.execute("INSERT INTO results SELECT * FROM batch")
        finally:
            self.con.unregister("batch")

    def finish(self) -> None:
        self.con.execute("CHECKPOINT")

    def close(self) -> None:
        self.con.close()


class ParquetStore:
    """Results in one Parquet file, built from part files as batches complete."""

    def __init__(self, path: Path, meta: dict[str, Any], *, resume: bool, overwrite: bool):
        self.path, self.meta = path, meta
        self.parts = path.with_name(path.name + ".parts")
        existing = _refuse_existing(path, resume, overwrite, [self.parts])
        self.final: set[int] | None = None
        if existing and path.exists():
            import pyarrow.parquet as pq

            try:
                md = pq.read_schema(path).metadata or {}
            except Exception:
                raise SpecError("is not a Parquet file", file=str(path)) from None
            stored = json.loads(md.get(b"dojosim.sweep", b"{}"))
            self.columns = _check_meta(path, stored, meta)
            self.final = {
                int(p) for p in pq.read_table(path, columns=["point"])["point"].to_pylist()
            }
            return
        spec_file = self.parts / "sweep.json"
        if existing and spec_file.exists():
            self.columns = _check_meta(path, json.loads(spec_file.read_text()), meta)
            return
        self.columns = meta["columns"]
        self.parts.mkdir(parents=True, exist_ok=True)
        _write_atomic(spec_file, json.dumps(meta))

    def _part_files(self) -> list[Path]:
        return sorted(self.parts.glob("part-*.parquet"))

    def done(self) -> set[int]:
        if self.final is not None:
            return self.final
        import pyarrow.parquet as pq

        out: set[int] = set()
        for p in self._part_files():
            out.update(int(x) for x in pq.read_table(p, columns=["point"])["point"].to_pylist())
        return out

    def append(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow.parquet as pq

        first = min(int(r["point"]) for r in rows)
        part = self.parts / f"part-{first:012d}-{len(rows):06d}.parquet"
        tmp = part.with_name(part.name + ".tmp")
        pq.write_table(to_arrow(rows, self.columns), tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, part)

    def finish(self) -> None:
        """Merge the parts, in point order, into the target file; then drop them."""
        if self.final is not None:
            if self.parts.exists():
                shutil.rmtree(self.parts)
            return
        import pyarrow.parquet as pq

        from dojosim.explore.columns import arrow_schema

        schema = arrow_schema(self.columns).with_metadata({"dojosim.sweep": json.dumps(self.meta)})
        tmp = self.path.with_name(self.path.name + ".tmp")
        with pq.ParquetWriter(tmp, schema) as writer:
            for p in self._part_files():
                writer.write_table(pq.read_table(p).cast(schema))
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        shutil.rmtree(self.parts)

    def close(self) -> None:
        pass


class CsvStore:
    """Results in a CSV file (header first); the spec in ``FILE.sweep.json``."""

    def __init__(self, path: Path, meta: dict[str, Any], *, resume: bool, overwrite: bool):
        self.path = path
        self.sidecar = path.with_name(path.name + ".sweep.json")
        existing = _refuse_existing(path, resume, overwrite, [self.sidecar])
        if existing and self.sidecar.exists():
            self.columns = _check_meta(path, json.loads(self.sidecar.read_text()), meta)
        elif existing:
            raise SpecError(
                f"has no {self.sidecar.name} beside it, so its sweep is unknown: use another --out",
                file=str(path),
            )
        else:
            self.columns = meta["columns"]
            _write_atomic(self.sidecar, json.dumps(meta))
        self._repair()

    def _header(self) -> str:
        import csv
        import io

        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([n for n, _ in self.columns])
        return buf.getvalue()

    def _repair(self) -> None:
        """Cut a torn last line (a kill in mid-write); write the header if it is missing."""
        header = self._header().encode()
        if not self.path.exists() or self.path.stat().st_size < len(header):
            with open(self.path, "wb") as f:
                f.write(header)
                f.flush()
                os.fsync(f.fileno())
            return
        with open(self.path, "rb+") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            pos = size
            while pos > 0:
                step = min(65536, pos)
                f.seek(pos - step)
                chunk = f.read(step)
                nl = chunk.rfind(b"\n")
                if nl >= 0:
                    pos = pos - step + nl + 1
                    break
                pos -= step
            if pos < size:
                f.truncate(pos)

    def done(self) -> set[int]:
        import csv

        with open(self.path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            next(reader, None)
            return {int(r[0]) for r in reader if r}

    def append(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow.csv as pcsv

        opts = pcsv.WriteOptions(include_header=False)
        with open(self.path, "ab") as f:
            pcsv.write_csv(to_arrow(rows, self.columns), f, write_options=opts)
            f.flush()
            os.fsync(f.fileno())

    def finish(self) -> None:
        pass

    def close(self) -> None:
        pass


class MemoryStore:
    """Rows kept in memory (a sweep run from Python without a file)."""

    def __init__(self, columns: Columns):
        self.columns = columns
        self.tables: list[Any] = []

    def done(self) -> set[int]:
        return set()

    def append(self, rows: list[dict[str, Any]]) -> None:
        self.tables.append(to_arrow(rows, self.columns))

    def finish(self) -> None:
        pass

    def close(self) -> None:
        pass


def open_store(path: str | Path, meta: dict[str, Any], *, resume: bool, overwrite: bool) -> Store:
    """The store for ``path``'s format, created or (``resume``) reopened after checking its spec."""
    p = Path(path)
    kind = format_of(p)
    if p.parent and not p.parent.exists():
        raise SpecError(f"the folder {str(p.parent)!r} does not exist", file=str(p))
    if kind == "duckdb":
        return DuckDBStore(p, meta, resume=resume, overwrite=overwrite)
    if kind == "parquet":
        return ParquetStore(p, meta, resume=resume, overwrite=overwrite)
    return CsvStore(p, meta, resume=resume, overwrite=overwrite)
