"""The measurement catalog kind: published all-to-all, grouped-GEMM, layer-GEMM, attention and
routing measurements."""

from __future__ import annotations

import pytest

from dojosim import catalog
from dojosim.errors import SpecError
from dojosim.spec.loader import parse
from dojosim.spec.measurement import (
    AllToAllEntry,
    GroupedGemmEntry,
    MeasurementEntry,
    RoutingEntry,
)

ENTRIES = catalog.names("measurement")


def test_every_kind_of_measurement_is_there() -> None:
    types = {catalog.get("measurement", n).type for n in ENTRIES}
    assert types == {"alltoall", "grouped-gemm", "routing-imbalance", "attention", "layer-gemms",
                     "step-profile"}  # fmt: skip


@pytest.mark.parametrize("name", ENTRIES)
def test_loads_with_units_and_known_chip(name: str) -> None:
    e = catalog.get("measurement", name)
    assert e.sources and catalog.get("chip", e.chip)
    if e.system:
        assert catalog.get("system", e.system).chip == e.chip
    if isinstance(e, AllToAllEntry):
        for row in e.rows:
            for bw in (row.dispatch_bandwidth, row.combine_bandwidth):
                # per-GPU bandwidth in B/s: below the chip's total NVLink rate
                assert bw is None or 1e9 < bw < catalog.get("chip", e.chip).links["nvlink"]
    if isinstance(e, GroupedGemmEntry):
        assert all(0 < e.efficiency(r) <= 1 for r in e.rows)


def test_deepep_h800_figures_as_published() -> None:
    e = catalog.get("measurement", "deepep-v1-h800-normal")
    assert isinstance(e, AllToAllEntry)
    by_ep = {r.ep: r for r in e.rows}
    assert by_ep[8].dispatch_bandwidth == pytest.approx(153e9)
    assert by_ep[64].combine_bandwidth == pytest.approx(50e9)
    assert by_ep[8].scope == "intranode" and by_ep[64].scope == "internode"


def test_small_expert_gemms_are_slower() -> None:
    """DeepGEMM on H800: M = 256 per expert reaches about 41-47% of FP8 peak, M = 4096 66-77%."""
    e = catalog.get("measurement", "deepgemm-h800-fp8")
    assert isinstance(e, GroupedGemmEntry)
    small = [e.efficiency(r) for r in e.rows if r.m_per_group == 256]
    large = [e.efficiency(r) for r in e.rows if r.m_per_group and r.m_per_group >= 4096]
    assert max(small) < 0.5 < min(large)


def test_routing_rows_are_bounded() -> None:
    e = catalog.get("measurement", "dodoco-routing-h100")
    assert isinstance(e, RoutingEntry)
    assert all(r.gini is not None and 0 < r.gini < 1 for r in e.rows)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "alltoall"}, "missing"),
        ({"type": "all-to-all"}, "unknown measurement type"),
        (
            {"type": "routing-imbalance", "rows": [{"model": "m", "data": "d"}]},
            "give max_over_mean and/or gini",
        ),
        (
            {
                "type": "routing-imbalance",
                "rows": [{"model": "m", "data": "d", "max_over_mean": 0.5}],
            },
            "at least 1",
        ),
        (
            {
                "type": "grouped-gemm",
                "library": "x",
                "precision": "fp8",
                "rows": [{"n": 1, "k": 1, "flop_rate": "3 furlongs"}],
            },
            "rows.0.flop_rate",
        ),
    ],
)
def test_bad_entries_name_the_field(data: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError) as err:
        parse(MeasurementEntry, {"name": "x", "chip": "h800", **data}, file="m.yaml")
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_layer_gemm_row_names_a_linear_the_entry_has() -> None:
    entry = {
        "name": "x", "type": "layer-gemms", "source": ["a paper, Table 1"], "chip": "b300",
        "library": "cuBLAS", "tokens": 1024, "linears": {"qkv": [4096, 12288]},
        "rows": [{"recipe": "bf16", "gemm": "fprop", "linear": "proj", "time": "1 ms"}],
    }  # fmt: skip
    with pytest.raises(SpecError, match="linear 'proj' is not one of"):
        parse(MeasurementEntry, entry, file="m.yaml")
