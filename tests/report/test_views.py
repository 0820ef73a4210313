"""Tables and figures of results: every field optional, units beside numbers, layouts in words."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dojosim.report import figures, site_figures, views
from dojosim.report.tables import layout_text
from tests.conftest import BASE

NETWORK_LAYOUT = {
    "tensor": 10,
    "spatial_split": 10,
    "pipeline": 1,
    "data": 300,
    "micro_batch": 1,
    "global_batch": 3000,
    "recompute": "none",
    "zero": 1,
    "stage_layers": [329],
    "micro_batches": 10,
}


def test_a_network_layout_without_interleave_is_described() -> None:
    """The fsd-multicam-dojo-exapod traceback: a network's layout has no interleave or SP."""
    text = layout_text(NETWORK_LAYOUT)
    assert text.startswith("TP 10 x PP 1 x DP 300") and "interleave" not in text
    assert layout_text(NETWORK_LAYOUT, short=True) == "TP10 PP1 DP300 mb1 none"
    grid = figures.layout_grid({"layout": NETWORK_LAYOUT})
    assert "spatial split" in grid["layout"]["title"]["text"]


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    from dojosim import estimate

    return estimate(copy.deepcopy(BASE)).as_dict()


def test_estimate_rows_follow_the_document(doc: dict[str, Any]) -> None:
    doc = dict(doc, step_time_interval_s=None)
    rows = {r["label"]: r for r in views.estimate_rows(doc)}
    assert rows["step time"]["values"] == [site_figures.number(doc["step_time_s"])]
    assert rows["MFU"]["unit"] == "%" and "step time, likely range" not in rows
    with_interval = dict(doc, step_time_interval_s=[1.0, 2.0], chips_used=60, idle_chips=4)
    rows = {r["label"]: r for r in views.estimate_rows(with_interval)}
    assert rows["step time, likely range"]["values"] == ["1.00 .. 2.00"]
    assert rows["idle chips"]["values"] == ["4"]
    assert "likely 1 .. 2 s" in figures.step_breakdown(with_interval)["layout"]["title"]["text"]


def test_step_figure_adds_up_to_the_step(doc: dict[str, Any]) -> None:
    bars = figures.step_breakdown(doc)["data"][0]
    assert sum(bars["x"]) == pytest.approx(doc["step_time_s"])
    waiting = dict(
        doc, step_time_s=doc["step_time_s"] * 3, ingest={"exposed_ingest_s_per_step": 1.0}
    )
    bars = figures.step_breakdown(waiting)["data"][0]
    assert bars["y"][-1] == "waiting for data (ingest)"
    assert sum(bars["x"]) == pytest.approx(waiting["step_time_s"])


def test_compare_marks_the_best(doc: dict[str, Any]) -> None:
    slower = dict(doc, scenario="slower", step_time_s=doc["step_time_s"] * 2, mfu=doc["mfu"] / 2)
    table = views.compare_table([doc, slower])
    rows = {r["label"]: r for r in table["rows"]}
    assert rows["step time"]["best"] == 0 and rows["MFU"]["best"] == 0


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2939.0, "2,940"),
        (20.0, "20.0"),
        (0.03, "0.0300"),
        (1.0, "1.00"),
        (189345600.0, "189,000,000"),
        (0.0, "0"),
    ],
)
def test_numbers_read_the_same_everywhere(value: float, text: str) -> None:
    assert site_figures.number(value) == text


def test_tornado_labels_base_and_earth_line() -> None:
    doc = {
        "site_type": "orbit",
        "usd_per_pflop_day": 350.0,
        "earth_equivalent": {"usd_per_pflop_day": 44.0},
        "sensitivities": [
            {
                "parameter": "launch_price",
                "low": 20.0,
                "high": 2939.0,
                "base": 200.0,
                "usd_per_pflop_day_low": 330.0,
                "usd_per_pflop_day_high": 660.0,
            },
            {
                "parameter": "electricity_price",
                "low": 0.04 / 3.6e6,
                "high": 0.15 / 3.6e6,
                "base": 0.08 / 3.6e6,
                "usd_per_pflop_day_low": 300.0,
                "usd_per_pflop_day_high": 400.0,
            },
        ],
    }
    fig = site_figures.tornado(doc)
    labels = fig["data"][0]["y"]
    assert labels[0] == "launch price: 20.0 .. 2,940 USD/kg (now 200)"
    assert labels[1] == "electricity: 0.0400 .. 0.150 USD/kWh (now 0.0800)"
    notes = [a["text"] for a in fig["layout"]["annotations"]]
    assert notes == ["base 350", "Earth equivalent 44.0"]
    assert [s["x0"] for s in fig["layout"]["shapes"]] == [350.0, 44.0]
