"""The Hopper compute model against OpenXLA's measured H100 GEMM table.

``catalog/measurements/openxla-gemm-h100.yaml`` holds the 375 BF16 products (1, 2 or 4 of
them per call, every m, n and k from 256 to 4,096) that OpenXLA's GPU cost model measured on an
H100 SXM. The nvidia-hopper constants were never fitted to it: its matmul efficiency and half
size come from the Ampere fit on whole training steps, carried over by the ratio of best-shape
matmul rates. ``dojosim.validate.gemm_table`` scores the model on the table and fits the same
shape law to the table alone; docs/estimator.md (Known limits) quotes both, and
``python scripts/calibrate.py --micro`` prints them.
"""

from __future__ import annotations

from pathlib import Path
from statistics import median

import pytest

from dojosim import catalog
from dojosim.validate.gemm_table import (
    LARGE_FLOPS,
    batch_gain,
    fit_rms,
    flops,
    model_over_measured,
    table_fit,
)

NAME = "openxla-gemm-h100"
RATIOS = model_over_measured(NAME)
LARGE = [(row, r) for row, r in RATIOS if flops(row) >= LARGE_FLOPS]
DOC = " ".join((Path(__file__).resolve().parents[2] / "docs" / "estimator.md").read_text().split())


def _median(batch: int | None = None) -> float:
    return median(r for row, r in LARGE if batch is None or row.groups == batch)


def test_the_table_is_whole() -> None:
    """Every (b, m, n, k) of {1, 2, 4} x {256, ..., 4096}^3 once, as the source holds them."""
    sizes = (256, 512, 1024, 2048, 4096)
    shapes = {(r.groups, r.m_per_group, r.n, r.k) for r, _ in RATIOS}
    assert len(RATIOS) == len(shapes) == 3 * len(sizes) ** 3
    row = next(r for r, _ in RATIOS if (r.groups, r.m_per_group, r.n, r.k) == (1, 4096, 4096, 4096))
    assert row.flop_rate == pytest.approx(783.3e12)  # the table's 783328793548203 FLOP/s


def test_large_products_run_slower_than_measured() -> None:
    """Products of 20 GFLOP or more, where a few microseconds per kernel do not decide the
    rate: the model is slower on every one, never faster."""
    assert len(LARGE) == 65
    assert all(0.5 < r < 0.95 for _, r in LARGE), [r for _, r in LARGE]


def test_batches_lose_more_than_single_products() -> None:
    """The model takes a batch's products one by one in its shape factor, so the more of them
    in a call, the further it falls behind: the measured table gains from the batch."""
    assert _median(4) < _median(2) < _median(1)
    assert median(batch_gain(NAME, 4)) > median(batch_gain(NAME, 2)) > 1.0


def test_counting_the_batch_as_rows_closes_the_gap() -> None:
    """Taken as one product of b m rows, a batch comes within 0.02 of a single product's
    ratio: what the model misses is the batch filling the chip, not the shapes."""
    rows = [(row, r) for row, r in model_over_measured(NAME, batch_as_rows=True)
            if flops(row) >= LARGE_FLOPS]  # fmt: skip
    by_batch = {b: median(r for row, r in rows if row.groups == b) for b in (1, 2, 4)}
    assert by_batch[1] == pytest.approx(_median(1))
    assert abs(by_batch[2] - by_batch[1]) < 0.02 and abs(by_batch[4] - by_batch[1]) < 0.02
    assert f"brings batches of two and four to {by_batch[2]:.2f} and {by_batch[4]:.2f}" in DOC


def test_the_table_fits_the_shape_law_with_a_smaller_half_size() -> None:
    """Fitted alone, the table keeps the calibration's asymptotic efficiency within 0.02 but
    wants a half size under a third of the one the Ampere fit carries."""
    e, h, t0 = table_fit(NAME)
    cal = catalog.get("calibration", "nvidia-hopper")
    assert abs(e - cal.matmul_efficiency) < 0.02
    assert h < cal.matmul_half_size / 3
    assert 1e-6 < t0 < 10e-6
    assert fit_rms(NAME) < 0.10


def test_estimator_doc_quotes_the_figures() -> None:
    e, h, t0 = table_fit(NAME)
    lo, hi = min(r for _, r in LARGE), max(r for _, r in LARGE)
    assert f"median {_median():.2f} of the measured rate ({lo:.2f}-{hi:.2f})" in DOC
    assert f"single products at {_median(1):.2f}, batches of four at {_median(4):.2f}" in DOC
    assert f"efficiency {e:.3f}, half size {h:.0f} and {t0 * 1e6:.1f} us per kernel" in DOC
    assert f"root mean square error {fit_rms(NAME):.1%}" in DOC
