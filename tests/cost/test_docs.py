"""docs/cost.md quotes what `dojosim site` prints (figures that do not depend on the step time)."""

from __future__ import annotations

from pathlib import Path

from dojosim.cost.pipeline import site_report

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cost.md"


def _m(x: float) -> str:
    return f"${x / 1e6:,.1f}M"


def test_docs_quote_the_builtin_scenarios() -> None:
    text = DOCS.read_text()
    earth = site_report("gpt3-175b-1024-h100-earth").to_dict()
    orbit = site_report("gpt3-175b-1024-h100-orbit").to_dict()
    for d in (earth, orbit):
        lo, hi = d["tco_usd_range"]
        assert f"**{_m(d['tco_usd'])}** ({_m(lo)}–{_m(hi)})" in text
        lo, hi = d["usd_per_chip_hour_range"]
        assert f"**{d['usd_per_chip_hour']:.2f}** ({lo:.2f}–{hi:.2f})" in text
    assert f"**{orbit['mass_per_kw_kg']:.1f} kg per kW**" in text
    assert orbit["breakeven"]["launch_usd_per_kg"] is None and "No break-even launch price" in text
    heritage = dict(orbit_doc_heritage())
    assert f"**{_m(heritage['solar_array'])}**, the TCO **{_m(heritage['tco'])}**" in text
    readme = (DOCS.parents[1] / "README.md").read_text()
    assert (
        f"{_m(earth['tco_usd'])} on Earth (${earth['usd_per_chip_hour']:.2f} per GPU-hour)"
        in readme
    )
    assert f"{_m(orbit['tco_usd'])} in orbit ({orbit['mass_per_kw_kg']:.1f} kg per kW)" in readme


def orbit_doc_heritage() -> dict[str, float]:
    """The built-in orbit scenario with today's heritage array in place of the mass-produced one."""
    from dojosim.spec.resolve import load_any

    sc = load_any("gpt3-175b-1024-h100-orbit")
    data = sc.site.model_copy(update={"solar_array": "solar-array-iii-v-flexible"})
    r = site_report(
        sc.model_copy(
            update={
                "site": data,
                "cost": sc.cost.model_copy(update={"samples": 0, "sensitivities": None}),
            }
        )
    )
    return {"solar_array": r.main.cost.capex_usd["solar_array"], "tco": r.main.cost.tco_usd}
