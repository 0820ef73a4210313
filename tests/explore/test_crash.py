"""kill -9 at any moment loses, duplicates and tears no point: a real SIGKILL of a running sweep.

A sweep runs in a subprocess (its own process group, with its worker processes),
is killed with SIGKILL once rows have started to land, and again, and is then
finished with --resume; the file must then hold exactly the rows of an
uninterrupted run.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from dojosim.explore import info, read_table, sweep

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")

# The sweep, with a line on stdout after each batch of rows is stored (so the test knows when
# rows have started to land; the kill itself comes at a random moment after that).
RUNNER = """
import sys
from dojosim.explore import run_sweep, store
for cls in (store.DuckDBStore, store.ParquetStore, store.CsvStore):
    def append(self, rows, _orig=cls.append):
        _orig(self, rows)
        print("stored", flush=True)
    cls.append = append
run_sweep(sys.argv[1], sys.argv[2], resume=True, workers=int(sys.argv[3]), batch=8, flush_s=0.02)
"""


def _kill_while_running(sweep_file: Path, out: Path, workers: int, rng: random.Random) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(sweep_file), str(out), str(workers)],
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    proc.stdout.readline()  # the first rows are stored (or the run ended)
    time.sleep(rng.uniform(0.0, 0.5))
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()


@pytest.mark.slow
@pytest.mark.parametrize(("suffix", "workers"), [(".duckdb", 2), (".parquet", 1), (".csv", 2)])
def test_kill_9_then_resume_gives_the_uninterrupted_rows(
    spec, tmp_path: Path, suffix: str, workers: int
) -> None:  # type: ignore[no-untyped-def]
    spec["axes"]["system.chip.memory_bandwidth"] = {"low": "1 TB/s", "high": "3 TB/s", "num": 60}
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(yaml.safe_dump(spec))
    out = tmp_path / f"r{suffix}"
    rng = random.Random(suffix)
    stored = []
    for _ in range(2):
        _kill_while_running(sweep_file, out, workers, rng)
        stored.append(info(out)["stored"])
    assert 0 < stored[0] < 360, "the first kill should land while the sweep runs"
    assert stored[1] >= stored[0]
    from dojosim.explore import run_sweep

    s = run_sweep(sweep_file, out, resume=True, workers=1)
    assert s.skipped == stored[1] and s.skipped + s.computed == 360
    got = read_table(out)
    ref = sweep(sweep_file, table="arrow", workers=1)
    assert got["point"].to_pylist() == list(range(360))
    assert got.replace_schema_metadata(None).equals(ref.replace_schema_metadata(None))
