"""The built-in chip-design-space sweep: its reference prices follow the catalog, its points run."""

from __future__ import annotations

from pathlib import Path

import pytest

from dojosim import catalog
from dojosim.cost.spec import SystemPriceEntry, system_price_for
from dojosim.explore.backends import evaluate_points
from dojosim.explore.run import prepare
from dojosim.explore.spec import CaseAxis, RangeAxis, load_sweep, names


def test_builtin_sweeps_load() -> None:
    assert {"chip-design-space", "gpt3-h100-scaling"} <= set(names())
    for name in names():
        load_sweep(name)


def test_reference_prices_are_the_catalog_prices_per_chip() -> None:
    spec = load_sweep("chip-design-space")
    refs = dict(spec.references)
    for ref, assign in refs.items():
        system = assign.get("system")
        if system is None:
            continue
        entry = system_price_for(system)
        assert isinstance(entry, SystemPriceEntry) and entry.per == "node"
        per_chip = entry.price / catalog.get("system", system).node_chips
        assert assign["vars.usd_per_chip"] == pytest.approx(per_chip), ref
    tile = catalog.get("price", "dojo-tile-price").price / 25  # 25 D1 per tile
    assert refs["ai5-board"]["vars.usd_per_chip"] == pytest.approx(tile)


def test_ranges_span_the_chips_they_are_drawn_around() -> None:
    spec = load_sweep("chip-design-space")
    ranges = {a.path: a for a in spec.axes if isinstance(a, RangeAxis)}
    chips = {
        n: catalog.get("chip", n)
        for n in ("d1", "d2", "ai5", "a100-sxm4-80g", "h100-sxm5-80g", "b200")
    }
    peak = ranges["system.chip.peak_flops.bf16"]
    assert all(peak.low <= c.peak("bf16") <= peak.high for c in chips.values())
    tdp = ranges["system.chip.tdp"]
    assert all(tdp.low <= c.tdp <= tdp.high for c in chips.values())
    bw = ranges["system.chip.memory_bandwidth"]
    hbm = [c for n, c in chips.items() if n not in ("d1", "d2")]  # D1 and D2 have no HBM
    assert all(bw.low <= c.memory_bandwidth <= bw.high for c in hbm)
    sram = ranges["system.chip.sram"]
    assert sram.low <= chips["h100-sxm5-80g"].sram and chips["d1"].sram <= sram.high
    workloads = next(a for a in spec.axes if isinstance(a, CaseAxis))
    assert [n for n, _ in workloads.cases] == ["gpt3-175b", "fsd-multicam-8cam"]


@pytest.mark.slow
def test_points_and_references_run_with_consistent_derived_outputs() -> None:
    spec = load_sweep("chip-design-space")
    plan, outputs, _ = prepare(spec)
    samples = spec.samples or 0
    picks = [0, samples, plan.design + 2, plan.design + 3]  # a design point per workload; h100 refs
    rows = evaluate_points(plan, outputs, picks)
    assert [r["status"] for r in rows] == ["ok"] * 4, [r["error"] for r in rows]
    assert [r["workload"] for r in rows] == ["gpt3-175b", "fsd-multicam-8cam"] * 2
    assert [r["reference"] for r in rows] == [None, None, "h100", "h100"]
    h100 = catalog.get("chip", "h100-sxm5-80g")
    for r in rows:
        tdp = h100.tdp if r["reference"] else r["system.chip.tdp"]
        assert r["flops_per_usd_per_w"] == pytest.approx(
            r["model_tflops_per_chip"] * 1e12 / r["vars.usd_per_chip"] / tdp
        )
        assert r["time_to_train_days"] == pytest.approx(r["time_to_train_s"] / 86400)
    assert rows[2]["chip"] == "h100-sxm5-80g" and rows[0]["chip"] == "what-if-chip"


def _with(base: dict, path: str, value: float) -> float:  # type: ignore[type-arg]
    import dojosim
    from dojosim.explore.apply import set_path

    return dojosim.estimate(set_path(base, path, value)).step_time_s


@pytest.mark.parametrize(
    ("path", "low", "high"), [("system.chip.sram", 50e6, 500e6), ("system.chip.tdp", 200.0, 1000.0)]
)
def test_docs_claim_sram_and_power_do_not_move_the_step(path: str, low: float, high: float) -> None:
    """docs/explore.md section 7 says so; if the estimator starts to use them, update the page."""
    base = load_sweep("chip-design-space").base
    assert _with(base, path, low) == _with(base, path, high)


DOC = (Path(__file__).resolve().parents[2] / "docs" / "explore.md").read_text(encoding="utf-8")


def test_docs_table_quotes_the_catalog() -> None:
    """The chip values docs/explore.md section 7 quotes are the catalog's (dojosim catalog show)."""
    tera = {
        n: catalog.get("chip", n).peak("bf16") / 1e12
        for n in ("d1", "h100-sxm5-80g", "ai5", "b200", "d2")
    }
    row = next(line for line in DOC.splitlines() if line.startswith("| dense bf16 peak"))
    for label, name in (
        ("D1", "d1"),
        ("H100", "h100-sxm5-80g"),
        ("AI5", "ai5"),
        ("B200", "b200"),
        ("D2", "d2"),
    ):
        assert f"{label} {round(tera[name]):,}" in row
    row = next(line for line in DOC.splitlines() if line.startswith("| HBM bandwidth"))
    for label, name in (("AI5", "ai5"), ("H100", "h100-sxm5-80g"), ("B200", "b200")):
        assert f"{label} {catalog.get('chip', name).memory_bandwidth / 1e12:g}" in row
    row = next(line for line in DOC.splitlines() if line.startswith("| power"))
    for label, name in (("AI5", "ai5"), ("D1", "d1"), ("H100", "h100-sxm5-80g"), ("B200", "b200")):
        assert f"{label} {catalog.get('chip', name).tdp:,.0f}" in row
    row = next(line for line in DOC.splitlines() if line.startswith("| price per chip"))
    refs = dict(load_sweep("chip-design-space").references)
    for label, ref in (
        ("D1 at most", "ai5-board"),
        ("A100", "a100"),
        ("H100", "h100"),
        ("B200", "b200"),
    ):
        assert f"{label} {refs[ref]['vars.usd_per_chip']:,.0f}" in row


def test_docs_claim_cheaper_launches_alone_do_not_break_even() -> None:
    """docs/explore.md section 5: the launch-price solve finds no value in its range."""
    from dojosim.explore import solve

    assert '--range "1 USD/kg,10000 USD/kg"' in DOC
    s = solve(
        "gpt3-175b-1024-h100-orbit",
        "site.launch_price",
        "usd_per_pflop_day / earth.usd_per_pflop_day = 1",
        low="1 USD/kg",
        high="10000 USD/kg",
    )
    assert not s.found
