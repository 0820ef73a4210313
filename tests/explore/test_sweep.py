"""Sweeps end to end: the three formats, the API's tables, bad points, interrupts and resume."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pyarrow as pa
import pytest

import dojosim
from dojosim.errors import SpecError
from dojosim.explore import backends, info, read_table, run_sweep, sweep
from dojosim.explore.apply import set_path


def _same_rows(a: pa.Table, b: pa.Table) -> bool:
    return a.replace_schema_metadata(None).equals(b.replace_schema_metadata(None))


def test_rows_are_what_the_library_computes(spec) -> None:  # type: ignore[no-untyped-def]
    df = sweep(spec)
    assert list(df.columns) == [
        "point", "chips", "parallelism.global_batch", "system.chip.memory_bandwidth",
        "step_time_s", "mfu", "fits_in_memory", "status", "error",
    ]  # fmt: skip
    assert df.attrs["sweep"]["points"] == 12 and df.attrs["sweep"]["ok"] == 12
    row = df.iloc[9]
    m = copy.deepcopy(spec["base"])
    for path in ("chips", "parallelism.global_batch", "system.chip.memory_bandwidth"):
        m = set_path(m, path, row[path].item())
    est = dojosim.estimate(m)
    assert row["step_time_s"] == est.step_time_s and row["mfu"] == est.mfu


@pytest.mark.parametrize("suffix", [".duckdb", ".parquet", ".csv"])
def test_every_format_stores_the_same_rows(spec, tmp_path: Path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    ref = sweep(spec, table="arrow")
    out = tmp_path / f"r{suffix}"
    s = run_sweep(spec, out)
    assert (s.points, s.computed, s.ok, s.error) == (12, 12, 12, 0)
    assert _same_rows(read_table(out), ref)
    meta = info(out)
    assert meta["hash"] == s.hash and meta["complete"]
    again = run_sweep(spec, out, resume=True)
    assert (again.computed, again.skipped) == (0, 12)
    assert _same_rows(read_table(out), ref)
    if suffix == ".parquet":
        assert not (tmp_path / "r.parquet.parts").exists()


def test_a_bad_point_is_an_error_row_not_the_end(spec) -> None:  # type: ignore[no-untyped-def]
    spec["axes"] = {"chips": [64, 100, 128]}
    t = sweep(spec, table="arrow")
    assert t["status"].to_pylist() == ["ok", "error", "ok"]
    err = t["error"].to_pylist()[1]
    assert "\n" not in err and err
    assert t["step_time_s"].to_pylist()[1] is None


def test_local_workers_and_one_process_agree(spec) -> None:  # type: ignore[no-untyped-def]
    one = sweep(spec, table="arrow", workers=1, batch=5)
    two = sweep(spec, table="arrow", workers=2, batch=2)
    assert _same_rows(one, two)


@pytest.mark.parametrize("suffix", [".duckdb", ".parquet", ".csv"])
def test_interrupted_then_resumed(spec, tmp_path: Path, monkeypatch, suffix: str) -> None:  # type: ignore[no-untyped-def]
    ref = sweep(spec, table="arrow")
    out = tmp_path / f"r{suffix}"
    real = backends.evaluate_points
    calls = {"n": 0}

    def flaky(plan, outputs, indices):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(plan, outputs, indices)

    monkeypatch.setattr(backends, "evaluate_points", flaky)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, out, workers=1, batch=2)
    monkeypatch.setattr(backends, "evaluate_points", real)
    assert info(out)["stored"] == 4  # the two batches computed before the interrupt
    s = run_sweep(spec, out, resume=True, workers=1)
    assert (s.computed, s.skipped) == (8, 4)
    assert _same_rows(read_table(out), ref)


@pytest.mark.parametrize("suffix", [".duckdb", ".parquet", ".csv"])
def test_a_changed_spec_is_refused_and_the_file_kept(spec, tmp_path: Path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"r{suffix}"
    run_sweep(spec, out)
    files = sorted(p for p in tmp_path.iterdir())
    before = {p: p.read_bytes() for p in files if p.is_file()}
    changed = copy.deepcopy(spec)
    changed["axes"]["chips"] = [64, 256]
    with pytest.raises(SpecError, match="another sweep spec"):
        run_sweep(changed, out, resume=True)
    with pytest.raises(SpecError, match="already exists"):
        run_sweep(spec, out)
    assert {p: p.read_bytes() for p in files if p.is_file()} == before


def test_overwrite_replaces(spec, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.duckdb"
    run_sweep(spec, out)
    changed = copy.deepcopy(spec)
    changed["axes"]["chips"] = [64]
    s = run_sweep(changed, out, overwrite=True)
    assert info(out)["stored"] == s.points == 6


def test_derived_outputs_vars_and_scenario_fields(spec) -> None:  # type: ignore[no-untyped-def]
    spec["axes"] = {"chips": [64, 128], "vars.usd_per_chip": ["10000 USD", "20000 USD"]}
    spec["derive"] = {
        "usd_per_step": "step_time_s * chips * vars.usd_per_chip / 3e7",
        "peak_share": "model_tflops_per_chip * 1e12 / scenario.chip.peak_flops.bf16",
    }
    t = sweep(spec, table="arrow").to_pylist()
    for r in t:
        assert r["usd_per_step"] == pytest.approx(
            r["step_time_s"] * r["chips"] * r["vars.usd_per_chip"] / 3e7
        )
        assert r["peak_share"] == pytest.approx(r["mfu"], rel=1e-9)


def test_default_outputs_follow_the_estimate_and_the_site(spec) -> None:  # type: ignore[no-untyped-def]
    del spec["outputs"]
    spec["axes"] = {"chips": [64]}
    cols = sweep(spec, table="arrow").column_names
    est = dojosim.estimate(spec["base"]).as_dict()
    assert {"step_time_s", "mfu", "fits_in_memory", "layout.tensor"} <= set(cols)
    assert {k for k, v in est.items() if isinstance(v, float)} <= set(cols)
    spec["base"]["site"] = {"type": "earth"}
    cols = sweep(spec, table="arrow").column_names
    assert {"usd_per_pflop_day", "tco_usd", "it_power_w"} <= set(cols)


def test_stored_spec_is_readable(spec, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    out = tmp_path / "r.duckdb"
    s = run_sweep(spec, out)
    con = duckdb.connect(str(out), read_only=True)
    name, digest, stored = con.execute("SELECT name, hash, spec FROM sweep").fetchone()
    con.close()
    assert (name, digest) == ("test-sweep", s.hash)
    assert json.loads(stored)["axes"] == spec["axes"]
