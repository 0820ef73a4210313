"""The pages in a real browser (Debian's chromium through Playwright), as a person would use them.

Every page opens without a script error or a request off the app's origin; the
estimate form is filled and its result read from the page; a slider moves and
the figure changes; a report file opens offline. Screenshots go to the test's
temporary folder.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dojosim.web.pages import PAGES

TIMEOUT_MS = 120_000


def wait_done(page: Any) -> None:
    page.wait_for_function(
        "['done', 'failed'].includes(document.body.dataset.state)", timeout=TIMEOUT_MS
    )


def shot(page: Any, name: str) -> Path:
    path = Path(page.shots) / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


@pytest.mark.parametrize(("path", "name"), [(p, n) for p, n, _ in PAGES])
def test_every_page_opens_cleanly(page: Any, live_server: str, path: str, name: str) -> None:
    page.goto(live_server + path)
    assert page.title().startswith("dojosim")
    assert page.locator(f'header nav a[data-nav="{name}"]').get_attribute("class") == "active"
    page.wait_for_function("typeof Plotly === 'object'")
    if name in ("site", "orbit", "validate", "catalog"):  # these compute on opening
        wait_done(page)
        assert page.locator("#error").is_hidden(), page.locator("#error").inner_text()
    shot(page, name)
    assert not page.problems, page.problems


def _run_form(page: Any, **fields: str) -> None:
    """Fill the Estimate form's fields (a select or an input each), run it, expect no error."""
    form = page.locator("#form")
    for name, value in fields.items():
        select = form.locator(f"select[name={name}]")
        if select.count():
            select.select_option(value)
        else:
            form.locator(f"input[name={name}]").fill(value)
    page.locator("#run").click()
    wait_done(page)
    assert page.locator("#error").is_hidden(), page.locator("#error").inner_text()


def test_estimate_form_fills_and_shows_the_result(page: Any, live_server: str) -> None:
    from dojosim import estimate
    from dojosim.report.site_figures import number

    page.goto(live_server + "/")
    _run_form(
        page,
        model="gpt3-13b", system="dgx-a100-80g", chips="64", global_batch="128", tensor="8",
        pipeline="2", recompute="selective", overlap_tensor_parallel="none",
        stage_layers="18, 22", recompute_modules="core_attn, mlp",
    )  # fmt: skip
    shown = page.locator('#table tr[data-label="step time"] td[data-col="0"]').inner_text()
    expected = estimate(
        {
            "name": "web-estimate",
            "model": "gpt3-13b",
            "system": "dgx-a100-80g",
            "chips": 64,
            "precision": "bf16",
            "parallelism": {
                "global_batch": 128,
                "tensor": 8,
                "pipeline": 2,
                "recompute": "selective",
                "overlap_tensor_parallel": "none",
                "stage_layers": [18, 22],
                "recompute_modules": ["core_attn", "mlp"],
            },
        }
    )
    assert shown.strip() == number(expected.step_time_s)
    assert "tensor=8" in page.url and "model=gpt3-13b" in page.url  # the state is in the URL
    assert page.locator("#fig-step .main-svg").count() > 0
    assert page.locator('#sources li[data-entry="chip/a100-sxm4-80g"]').count() == 1
    shot(page, "estimate-form")
    # The shared URL reproduces the same result in a fresh page.
    url = page.url
    page.goto("about:blank")
    page.goto(url)
    wait_done(page)
    again = page.locator('#table tr[data-label="step time"] td[data-col="0"]').inner_text()
    assert again == shown
    assert not page.problems, page.problems


@pytest.mark.parametrize(
    ("precision", "field", "text", "value", "off", "label"),
    [
        ("fp8", "fp8_params", "true", True, False, "memory per chip"),  # FP8 primary weights
        ("bf16", "optimizer_moments", "bf16", "bf16", "fp32", "memory per chip"),  # Adam in bf16
        ("fp8", "fp8_recipe", "tensorwise", "tensorwise", "delayed", "step time"),  # amax passes
    ],
)
def test_estimate_form_sends_the_precision_choices(  # type: ignore[no-untyped-def]
    page: Any, live_server: str, precision, field, text, value, off, label
) -> None:
    from dojosim import estimate
    from dojosim.report.site_figures import number

    page.goto(f"{live_server}/estimate")
    _run_form(
        page, model="llama3-8b", system="dgx-h100", chips="8", precision=precision,
        global_batch="64", **{field: text},
    )  # fmt: skip
    shown = page.locator(f'#table tr[data-label="{label}"] td[data-col="0"]').inner_text()
    sc = {"name": "web-estimate", "model": "llama3-8b", "system": "dgx-h100", "chips": 8,
          "precision": precision, field: value, "parallelism": {"global_batch": 64}}  # fmt: skip

    def shown_of(e: Any) -> float:
        return e.memory_per_chip_bytes / 2**30 if label == "memory per chip" else e.step_time_s

    expected, plain = shown_of(estimate(sc)), shown_of(estimate(sc | {field: off}))
    assert shown.strip() == number(expected) and number(expected) != number(plain)
    assert f"{field}={text}" in page.url
    assert not page.problems, page.problems


def test_estimate_form_sends_context_parallelism(page: Any, live_server: str) -> None:
    """Context parallelism and how it exchanges keys and values, as the form sends them."""
    from dojosim import estimate
    from dojosim.report.site_figures import number

    page.goto(f"{live_server}/estimate")
    _run_form(
        page, model="llama3-8b", system="dgx-h100", chips="16", precision="bf16",
        global_batch="16", tensor="2", context="4", context_comm="all_gather",
    )  # fmt: skip
    shown = page.locator('#table tr[data-label="step time"] td[data-col="0"]').inner_text()
    par = {"global_batch": 16, "tensor": 2, "context": 4, "context_comm": "all_gather"}
    sc = {"name": "web-estimate", "model": "llama3-8b", "system": "dgx-h100", "chips": 16,
          "precision": "bf16", "parallelism": par}  # fmt: skip
    ring = estimate(sc | {"parallelism": par | {"context_comm": "ring"}}).step_time_s
    expected = estimate(sc).step_time_s
    assert shown.strip() == number(expected) and number(expected) != number(ring)
    assert "context=4" in page.url and "context_comm=all_gather" in page.url
    assert not page.problems, page.problems


def test_estimate_bad_input_is_shown_not_thrown(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.locator("input[name=tensor]").fill("seven")
    page.locator("#run").click()
    wait_done(page)
    error = page.locator("#error")
    assert error.is_visible() and "parallelism.tensor" in error.inner_text()
    assert not [p for p in page.problems if "page error" in p]


def test_a_slider_changes_the_figure(page: Any, live_server: str) -> None:
    page.goto(live_server + "/site?scenario=gpt3-175b-1024-h100-orbit")
    wait_done(page)
    before = float(page.evaluate("document.body.dataset.usdPerPflopDay"))
    tornado_before = page.locator("#fig-tornado").inner_html()
    slider = page.locator("#sl-launch_price")
    slider.focus()
    for _ in range(60):  # towards the high end of the launch price range
        slider.press("ArrowRight")
    page.wait_for_function(
        f"Number(document.body.dataset.usdPerPflopDay) > {before} && document.body.dataset.state === 'done'",
        timeout=TIMEOUT_MS,
    )
    after = float(page.evaluate("document.body.dataset.usdPerPflopDay"))
    assert after > before
    assert page.locator("#fig-tornado").inner_html() != tornado_before
    assert "launch_price=" in page.url
    shot(page, "site-slider")
    assert not page.problems, page.problems


def test_validate_filters_by_role(page: Any, live_server: str) -> None:
    page.goto(live_server + "/validate")
    wait_done(page)
    rows = page.locator("table.validate tbody tr")
    total = rows.count()
    assert total > 20
    page.locator("input[name=role][value=claim]").uncheck()
    page.locator("input[name=role][value=input]").uncheck()
    visible = page.locator("table.validate tbody tr:not([hidden])")
    assert 0 < visible.count() < total
    assert "role=calibration" in page.url and "role=claim" not in page.url
    assert not page.problems, page.problems


def test_validate_groups_the_errors(page: Any, live_server: str) -> None:
    page.goto(live_server + "/validate?by=chips")
    wait_done(page)
    table = page.locator("table.groups")
    assert table.get_attribute("data-by") == "chips"
    assert page.locator("table.groups tr[data-group='1-64']").count() == 1
    page.locator("#by").select_option("system")
    assert page.locator("table.groups").get_attribute("data-by") == "system"
    assert page.locator("table.groups tr[data-group='dgx-h100']").count() == 1
    bias = page.locator("table.groups tr[data-group='dgx-h100'] td[data-col='mean_step_error']")
    assert bias.inner_text().endswith("%")
    assert "by=system" in page.url
    assert not page.problems, page.problems


def test_a_report_file_opens_offline(page: Any, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "dojosim.cli",
            "report",
            "gpt3-175b-1024-a100",
            "gpt3-175b-1024-h100-earth",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    page.goto(out.as_uri())
    page.wait_for_function(
        "document.querySelectorAll('.plot .main-svg').length >= 6", timeout=TIMEOUT_MS
    )
    assert (
        page.locator('section#gpt3-175b-1024-a100 tr[data-label="MFU"] td.unit').inner_text() == "%"
    )
    assert page.locator("text=Catalog entries used").count() == 2
    shot(page, "report")
    assert not page.problems, page.problems
