"""Which check rows a calibration family's 80% intervals draw on (validate/coverage.py)."""

from __future__ import annotations

import pytest

from dojosim.perf.interval import MIN_CONFORMAL_ROWS, quantiles
from dojosim.validate.coverage import family_residuals, variants


def _rows(prefix: str, values: list[float]) -> list[tuple[str, float]]:
    return [(f"{prefix}-{i}", v) for i, v in enumerate(values)]


def test_variants_follow_base_links() -> None:
    assert variants("nvidia-blackwell") == ("nvidia-blackwell-gb200", "nvidia-blackwell-gb300")
    assert "nvidia-blackwell-gb300" in variants("nvidia-hopper")  # a variant of a variant
    assert variants("tesla-d1") == ()


def test_a_family_with_enough_rows_uses_its_own() -> None:
    own = [0.01 * i for i in range(MIN_CONFORMAL_ROWS)]
    by_family = {
        "nvidia-hopper": _rows("h", own),
        "nvidia-blackwell": _rows("b", [5.0] * 20),  # a variant's rows are not borrowed
    }
    assert family_residuals(by_family, "nvidia-hopper") == quantiles(own)


def test_a_family_with_too_few_rows_adds_its_variants_before_pooling() -> None:
    own, gb200, gb300 = [0.1, 0.2], [0.3, 0.4, 0.5, 0.6], [0.7, 0.8, 0.9]
    by_family = {
        "nvidia-blackwell": _rows("b", own),
        "nvidia-blackwell-gb200": _rows("g2", gb200),
        "nvidia-blackwell-gb300": _rows("g3", gb300),
        "nvidia-ampere": _rows("a", [-1.0] * 9),
    }
    res = family_residuals(by_family, "nvidia-blackwell")
    assert res == quantiles(own + gb200 + gb300)
    assert res is not None and not res.pooled and res.rows == 9
    # one row left out: eight are too few, so every family's rows are pooled
    pooled = family_residuals(by_family, "nvidia-blackwell", leave_out="b-0")
    assert pooled is not None and pooled.pooled and pooled.rows == 17


@pytest.mark.parametrize("family", ["tesla-d1", "tesla-ai5"])
def test_a_family_without_check_rows_says_it_pools(family: str) -> None:
    by_family = {"nvidia-ampere": _rows("a", [0.01 * i for i in range(12)])}
    res = family_residuals(by_family, family)
    assert res is not None and res.pooled and res.rows == 12
