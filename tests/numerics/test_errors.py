"""Bad input: one clear FormatError (a DojosimError, a ValueError)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dojosim import numerics
from dojosim.errors import DojosimError, FormatError


def test_format_error_is_the_projects_value_error() -> None:
    assert issubclass(FormatError, DojosimError) and issubclass(FormatError, ValueError)


def test_unknown_format_suggests_the_nearest() -> None:
    with pytest.raises(FormatError, match=r"did you mean 'cfp8_143'"):
        numerics.quantize([1.0], "cfp8_134")
    with pytest.raises(FormatError, match="unknown number format"):
        numerics.decode([1], "zzz")


@pytest.mark.parametrize("bias", [-1, 64, 7.0, "7", True])
def test_bias_outside_0_63_or_not_an_integer(bias: object) -> None:
    with pytest.raises(FormatError, match="bias"):
        numerics.quantize([1.0], "cfp8_143", bias)  # type: ignore[arg-type]


def test_fixed_bias_formats_refuse_another_bias() -> None:
    with pytest.raises(FormatError, match="fixed bias of 15"):
        numerics.quantize([1.0], "fp16", 3)
    assert numerics.quantize([1.0], "fp16", 15)[0] == 1.0


@pytest.mark.parametrize("codes", [[256], [-1], np.array([70000])])
def test_codes_out_of_range(codes: object) -> None:
    with pytest.raises(FormatError, match="out of range"):
        numerics.decode(codes, "cfp8_152", 15)


def test_codes_must_be_integers() -> None:
    with pytest.raises(FormatError, match="integers"):
        numerics.decode([1.5], "cfp8_152")
    with pytest.raises(FormatError, match="integers"):
        numerics.decode(torch.tensor([1.0]), "cfp8_152")
    with pytest.raises(FormatError, match="out of range"):
        numerics.decode(torch.tensor([300]), "cfp8_152")


@pytest.mark.parametrize("x", ["abc", ["1", "x"], [1 + 2j], {"a": 1}, [object()]])
def test_non_numeric_input(x: object) -> None:
    with pytest.raises(FormatError):
        numerics.quantize(x, "cfp8_143")


def test_other_bad_arguments() -> None:
    with pytest.raises(FormatError, match="rounding"):
        numerics.quantize([1.0], "cfp8_143", rounding="up")  # type: ignore[arg-type]
    with pytest.raises(FormatError, match="denormals"):
        numerics.quantize([1.0], "cfp8_143", denormals="gap")
    with pytest.raises(FormatError, match="CFP formats only"):
        numerics.quantize([1.0], "fp16", denormals="literal")
    with pytest.raises(FormatError, match="auto"):
        numerics.quantize([1.0], "cfp8_143", "automatic")  # type: ignore[arg-type]
    with pytest.raises(FormatError):
        numerics.quantize(torch.tensor([1 + 1j]), "cfp8_143")
