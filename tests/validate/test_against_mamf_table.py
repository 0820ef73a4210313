"""Matmul efficiencies of the NVIDIA families against the MAMF table they cite.

stas00/ml-engineering, compute/accelerator/README.md, 'Maximum Achievable Matmul FLOPS
comparison table' (best shape of a brute-force torch.matmul search): achieved TFLOP/s over
the dense peak. Each family carries its base's efficiency by the ratio of these fractions, so
a refit of nvidia-ampere moves all of them together.
"""

import pytest

from dojosim import catalog

# (achieved TFLOP/s, dense peak TFLOP/s), as the table prints them
MAMF_BF16 = {
    "a100": (271.2, 312),
    "h100": (794.5, 989),
    "b200": (1745.0, 2250),
    "gb200": (1822.0, 2500),
}
MAMF_FP8 = {"h100": (1402.6, 1979), "b200": (3432.5, 4500), "gb200": (3615.6, 5000)}


def _fraction(row: tuple[float, float]) -> float:
    achieved, peak = row
    return achieved / peak


@pytest.mark.parametrize(
    ("family", "base", "chip", "base_chip"),
    [
        ("nvidia-hopper", "nvidia-ampere", "h100", "a100"),
        ("nvidia-blackwell", "nvidia-hopper", "b200", "h100"),
        ("nvidia-blackwell-gb200", "nvidia-blackwell", "gb200", "b200"),
    ],
)
def test_bf16_matmul_efficiency_follows_the_table(
    family: str, base: str, chip: str, base_chip: str
) -> None:
    ours = catalog.get("calibration", family).matmul_efficiency
    theirs = catalog.get("calibration", base).matmul_efficiency
    expected = _fraction(MAMF_BF16[chip]) / _fraction(MAMF_BF16[base_chip])
    assert ours / theirs == pytest.approx(expected, abs=5e-4)


@pytest.mark.parametrize(
    "family, chip",
    [
        ("nvidia-hopper", "h100"),
        ("nvidia-blackwell", "b200"),
        ("nvidia-blackwell-gb200", "gb200"),
    ],
)
def test_fp8_matmul_efficiency_follows_the_table(family: str, chip: str) -> None:
    cal = catalog.get("calibration", family)
    expected = _fraction(MAMF_FP8[chip]) / _fraction(MAMF_BF16[chip])
    assert cal.fp8_matmul_efficiency / cal.matmul_efficiency == pytest.approx(expected, abs=5e-4)


def test_gb200_reaches_a_lower_fraction_of_its_higher_peak() -> None:
    # by hand: 1822.0/2500 = 0.7288 against 1745.0/2250 = 0.7756, yet 1822 > 1745 TFLOP/s
    gb200 = catalog.get("calibration", "nvidia-blackwell-gb200").matmul_efficiency
    b200 = catalog.get("calibration", "nvidia-blackwell").matmul_efficiency
    assert gb200 / b200 == pytest.approx(0.7288 / 0.7756, abs=5e-4)
    assert catalog.get("chip", "b200-gb200").calibration == "nvidia-blackwell-gb200"
