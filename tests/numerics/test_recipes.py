"""Training recipes: names, biases, labels and the errors of bad settings."""

from __future__ import annotations

import pytest

from dojosim.errors import FormatError
from dojosim.numerics import compare
from dojosim.numerics.formats import get_format, resolve_family
from dojosim.numerics.recipes import make_recipe, parse_bias


def test_dojo_recipe_is_143_forward_152_backward_with_a_bias_per_tensor() -> None:
    r = make_recipe("cfp8")
    assert (r.forward, r.backward, r.scaling, r.bias) == ("cfp8_143", "cfp8_152", "bias", "auto")
    assert r.label == "cfp8 bias=auto"
    assert "per-tensor bias chosen each step" in r.description


def test_ocp_recipe_scales_e4m3_and_e5m2_by_amax() -> None:
    r = make_recipe("FP8")
    assert (r.forward, r.backward, r.scaling) == ("fp8_e4m3", "fp8_e5m2", "amax")
    assert r.label == "fp8 amax"


@pytest.mark.parametrize(
    ("bias", "label"), [(7, "cfp8 bias=7"), ((7, 15), "cfp8 bias=7,15"), ("auto", "cfp8 bias=auto")]
)
def test_fixed_biases_and_labels(bias: object, label: str) -> None:
    r = make_recipe("cfp8", bias)
    assert r.label == label
    assert make_recipe("cfp8", bias, "stochastic").label == label + " sr"


def test_single_formats_keep_the_mlp_meaning() -> None:
    r = make_recipe("cfp8_143", 9)
    assert (r.forward, r.backward, r.bias) == ("cfp8_143", "cfp8_143", (9, 9))
    assert make_recipe("bf16", 127).bias == "auto"  # BF16's own bias is accepted
    assert make_recipe("fp32").forward is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("cfp9",), "did you mean 'cfp8'"),
        (("fp8", 7), "amax"),
        (("cfp8", 64), "outside 0..63"),
        (("cfp8", (7, 99)), "outside 0..63"),
        (("bf16", 7), "fixed bias of 127"),
        (("fp32", 3), "no bias"),
        (("cfp8", "seven"), "bias must be"),
        (("cfp8", "auto", "up"), "rounding must be"),
        (("bf16", "auto", "nearest", "literal"), "CFP formats only"),
    ],
)
def test_bad_settings_raise_one_clear_error(args: tuple, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        make_recipe(*args)


def test_parse_bias() -> None:
    assert parse_bias("auto") == "auto"
    assert parse_bias(" 7 ") == 7
    assert parse_bias("7,15") == (7, 15)
    assert parse_bias(None) is None
    for bad in ("x", "1,2,3", "7;15"):
        with pytest.raises(FormatError, match="--bias must be"):
            parse_bias(bad)


def test_family_names_say_which_member_they_mean() -> None:
    fmt, note = resolve_family("cfp8")
    assert fmt.name == "cfp8_143" and note and "cfp8_152" in note
    assert resolve_family("cfp8_152") == (get_format("cfp8_152"), None)
    # The library itself does not guess: it names the members.
    with pytest.raises(FormatError, match="pick one of cfp8_143, cfp8_152"):
        get_format("cfp8")


def test_the_comparison_covers_every_format_of_the_issue() -> None:
    rows = compare.recipes()
    names = {r.name for r in rows}
    assert {"fp32", "bf16", "cfp8", "fp8", "cfp16"} <= names
    assert any(r.grad_rounding == "stochastic" for r in rows)
    assert sum(1 for r in rows if r.name == "cfp8" and r.bias != "auto") >= 1
    assert [r.label for r in compare.recipes(["cfp8"])] == ["bf16", "cfp8 bias=auto"]
    with pytest.raises(FormatError, match="not in the comparison"):
        compare.recipes(["cfp7"])
