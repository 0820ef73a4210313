"""The Ray backend: a local Ray (at most 2 CPUs) gives the rows the local backend gives; shut down after."""

from __future__ import annotations

from pathlib import Path

import pytest

ray = pytest.importorskip("ray")


@pytest.mark.slow
def test_ray_rows_equal_local_rows(spec, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from dojosim.explore import read_table, run_sweep

    local = tmp_path / "local.duckdb"
    on_ray = tmp_path / "ray.parquet"
    run_sweep(spec, local, workers=1)
    assert not ray.is_initialized()
    try:
        s = run_sweep(spec, on_ray, backend="ray", workers=2, batch=3)
    finally:
        if ray.is_initialized():  # only if the run failed before shutting it down
            ray.shutdown()
    assert (s.backend, s.workers, s.computed, s.ok) == ("ray", 2, 12, 12)
    assert not ray.is_initialized()
    a, b = read_table(local), read_table(on_ray)
    assert a.replace_schema_metadata(None).equals(b.replace_schema_metadata(None))
