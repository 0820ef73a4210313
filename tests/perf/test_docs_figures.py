"""The figures README.md quotes are the ones their commands print (no three different numbers)."""

from __future__ import annotations

import functools
import math
import re
from pathlib import Path

import pytest

from dojosim import catalog
from dojosim.validate import Score

ROOT = Path(__file__).resolve().parents[2]


def _text(path: str) -> str:
    """A file of the repository with its line breaks and runs of spaces made single spaces."""
    return " ".join((ROOT / path).read_text().split())


README = _text("README.md")


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


@functools.cache
def _check_scores() -> tuple[Score, ...]:
    """`dojosim validate --role check`'s rows, scored once per test process (the catalog does
    not change within it; scoring every check row takes seconds)."""
    from dojosim.validate import validate

    return tuple(validate(["check"]))


def test_readme_quotes_the_fit_and_its_cross_validation() -> None:
    """`python scripts/calibrate.py nvidia-ampere --cross-validate --write` stores both."""
    cal = catalog.get("calibration", "nvidia-ampere")
    assert cal.fit_error is not None and cal.cross_validation is not None
    fit = f"mean |error| {_pct(cal.fit_error['mean'])}, max {_pct(cal.fit_error['max'])}"
    cv = f"mean {_pct(cal.cross_validation['mean'])}, max {_pct(cal.cross_validation['max'])}"
    text = README
    assert fit in text and cv in text
    assert cal.fit_error["mean"] <= 0.02 and cal.fit_error["max"] <= 0.04  # the targets


@pytest.mark.slow
def test_readme_quotes_the_check_rows_and_the_coverage() -> None:
    from dojosim.validate import summary, validate
    from dojosim.validate.coverage import coverage

    scores = validate(["calibration", "check"])
    st = summary(scores)["check"]
    cover = coverage(scores)
    text = README
    count = re.search(r"a `check` row, never fitted: (\d+) rows", text)
    assert count is not None and int(count.group(1)) == st["count"]
    figures = (
        f"mean |error| {100 * st['mean_abs_error']:.1f}%, median "
        f"{100 * st['median_abs_error']:.1f}%, max {100 * st['max_abs_error']:.0f}%"
    )
    assert figures in text
    assert f"hold {100 * cover['coverage']:.0f}% of the measured steps" in text
    for band in cover["scale"]["bands"]:
        quoted = f"{band['chips']} chips {100 * band['mean_step_error']:+.1f}%".replace("+-", "-")
        assert quoted in text, quoted
    by_kind = summary(scores)
    for kind, words in (
        ("dense", "dense"),
        ("moe", "mixture of experts"),
        ("long-context", "long context"),
    ):
        k = by_kind[f"check: {kind}"]
        quoted = (
            f"{words} {k['count']} rows, mean {100 * k['mean_abs_error']:.1f}%, "
            f"max {100 * k['max_abs_error']:.0f}%"
        )
        assert quoted in text, quoted
    assert f"({cover['inside']} of {cover['rows']}," in text


def test_stored_residuals_are_current() -> None:
    """`python scripts/calibrate.py --residuals --write` was run after the last change."""
    from dojosim.validate.coverage import family_residuals, residuals_by_family

    by_family = residuals_by_family(_check_scores())
    for name in catalog.names("calibration"):
        stored = catalog.get("calibration", name).residuals
        now = family_residuals(by_family, name)
        assert stored is not None and now is not None, name
        assert stored.rows == now.rows, name
        assert stored.median == pytest.approx(now.median, abs=2e-3), name
        assert stored.p10 == pytest.approx(now.p10, abs=2e-3), name
        assert stored.p90 == pytest.approx(now.p90, abs=2e-3), name


@pytest.mark.slow
def test_estimator_doc_quotes_the_runs_predicted_over_memory() -> None:
    """docs/estimator.md's count of check rows that ran but are predicted not to fit is the one
    `dojosim validate --json --summary` prints (summary.check.not_fitting), split TPU / GPU."""
    from dojosim.validate import summary

    scores = _check_scores()
    over = summary(scores)["check"]["not_fitting"]
    chips = {s.run: s.chip for s in scores}
    tpu = sum(1 for name in over if chips[name].startswith("tpu"))
    text = _text("docs/estimator.md")
    assert f"{len(over)} of the check rows are predicted not to fit" in text
    assert f"{tpu} of them on TPU" in text and f"and {len(over) - tpu} on GPUs" in text


@pytest.mark.slow
def test_estimator_doc_quotes_the_nemo_launcher_rows() -> None:
    """docs/estimator.md's errors for the NeMo launcher's table versions are the ones
    `dojosim validate` prints for those rows."""
    from dojosim.validate import score

    early = [
        "nemo2205-gpt3-5b-8-a100",
        "nemo2205-gpt3-5b-160-a100",
        "nemo2206-gpt3-175b-128-a100",
        "nemo2206-gpt3-175b-1024-a100",
    ]
    errs = [score(n).error for n in early]
    late = [score(n).error for n in ("nemo-gpt3-175b-64-a100", "nemo-gpt3-175b-1024-a100")]
    text = _text("docs/estimator.md")
    low, high = f"{100 * min(errs):+.1f}%", f"{100 * max(errs):+.1f}%"
    assert f"between {low} and {high} of the June and July tables" in text
    assert f"{100 * min(late):.0f}-{100 * max(late):.0f}% above the September 175B" in text


@pytest.mark.slow
def test_estimator_quotes_the_mlperf_gpt3_rows() -> None:
    """docs/estimator.md quotes the range of the MLPerf GPT-3 175B step errors, round by round."""
    scores = _check_scores()
    text = _text("docs/estimator.md")
    for prefixes, count, words in (
        (("mlperf31-", "mlperf40-"), 11, "eleven"),
        (("mlperf30-",), 5, "five"),
        (("mlperf41-",), 5, "five"),
        (("mlperf50-",), 14, "fourteen"),
        (("mlperf51-",), 12, "twelve"),
        (("mlperf60-",), 9, "nine"),
    ):
        errs = [s.error for s in scores if s.run.startswith(prefixes)]
        assert len(errs) == count
        low, high = f"{100 * min(errs):+.1f}%", f"{100 * max(errs):+.1f}%"
        assert f"between {low} and {high} of these {words} steps" in text


@pytest.mark.slow
def test_moe_doc_quotes_the_gpt_oss_rows() -> None:
    """docs/moe.md's errors for gpt-oss-120b are the ones `dojosim validate` prints."""
    from dojosim.validate import score

    text = _text("docs/moe.md")
    b200 = score("bridge-gpt-oss-120b-64-b200-bf16").error
    b300 = score("mbridge2606-gpt-oss-120b-64-b300-mxfp8").error
    assert f"from 103% to {100 * b200:.0f}% too fast" in text
    assert f"from 70% to {100 * b300:.0f}%" in text
    nvl = [score(f"mbridge{v}-gpt-oss-120b-64-{s}-mxfp8").error
           for v in ("2606", "2608") for s in ("gb200", "gb300")]  # fmt: skip
    assert f"(26.06, 26.08) {100 * min(nvl):.0f}-{100 * max(nvl):.0f}%" in text
    h100 = score("mbvc-gpt-oss-120b-64-h100-bf16").error
    assert f"GPT-OSS 120B on 64 H100 by {-100 * h100:.0f}%" in text


@pytest.mark.slow
def test_moe_doc_quotes_the_deepseek_v3_report_rows() -> None:
    """docs/moe.md's bound on DeepSeek-V3's two H800 rows is the one `dojosim validate` prints."""
    from dojosim.validate import score

    worst = max(
        abs(score(r).error) for r in ("deepseek-v3-2048-h800", "deepseek-v3-2048-h800-mpft")
    )
    assert f"comes within {100 * worst:.1f}% on both of its rows" in _text("docs/moe.md")


def _step_error(run: str) -> float:
    """A row's predicted step over its measured one, less 1 (+: the prediction is slower)."""
    from dojosim.validate import score
    from dojosim.validate.coverage import log_step_error

    s = score(run)
    assert s.predicted is not None
    return math.expm1(log_step_error(s.metric, s.measured, s.predicted))


def _range(errors: list[float]) -> str:
    return f"{100 * min(errors):.0f}-{100 * max(errors):.0f}%"


@pytest.mark.slow
def test_moe_doc_quotes_the_megatron_bridge_recipe_rows() -> None:
    """docs/moe.md's figures for the combined-1F1B, weak-scaling, fused-MLP and HybridEP rows
    are the errors `dojosim validate` prints for the rows each sentence names."""
    text = _text("docs/moe.md")
    tp2 = ["mbridge2509-deepseek-v3-1024-h100-fp8-cs", "mbridge2511-qwen3-235b-a22b-256-h100-fp8-cs",
           "mbridge260401-qwen3-235b-a22b-256-h100-fp8-cs"]  # fmt: skip
    assert f"still come out {_range([-_step_error(r) for r in tp2])} faster than measured" in text
    weak = [_step_error(f"mbvc-qwen3-30b-a3b-{n}-gb300-mxfp8-weak") for n in (8, 256)]
    assert f"{100 * weak[0]:.1f}% slower at 8 GPUs and grows to +{100 * weak[1]:.1f}%" in text
    fused = [f"mbridge{v}-qwen3-30b-a3b-8-{s}-mxfp8" for v in ("2606", "2608")
             for s in ("gb200", "gb300")]  # fmt: skip
    fused += [f"mbvc-qwen3-30b-a3b-{n}-gb300-mxfp8-weak" for n in (8, 32, 128, 256)]
    fused += [f"mbvc-qwen3-30b-a3b-8-{s}-mxfp8-perf" for s in ("gb200", "gb300")]
    assert f"Qwen3-30B-A3B's step by {_range([_step_error(r) for r in fused])}" in text
    ab = -_step_error("mbvc-qwen3-30b-a3b-16-h100-bf16-overlap-off")
    functional = -_step_error("mbvc-qwen3-30b-a3b-16-h100-bf16")
    table = [-_step_error(f"mbridge{v}-qwen3-30b-a3b-16-h100-fp8-cs") for v in ("260401", "2606")]
    assert (
        f"steps come out {_range([ab, functional, *table])} shorter than measured (the BF16 A/B "
        f"baseline {100 * ab:.1f}%, the functional BF16 run {100 * functional:.1f}%, the two FP8 "
        f"table rows {_range(table)})"
    ) in text
    deepseek = abs(_step_error("mbvc-deepseek-v3-1024-h100-bf16-perf"))
    assert f"DeepSeek-V3 on 1,024 H100 comes within {100 * deepseek:.1f}%" in text


def _faster(run: str) -> float:
    """A row's predicted throughput over its measured one, less 1 (+: faster than measured)."""
    return 1.0 / (1.0 + _step_error(run)) - 1.0


def _span(runs: list[str], sign: float = 1.0) -> str:
    return _range([sign * _faster(r) for r in runs])


@pytest.mark.slow
def test_estimator_doc_known_limits_quote_validate() -> None:
    """docs/estimator.md's Known limits: each figure from the rows its sentence names."""
    text = _text("docs/estimator.md")
    qwen = "qwen3-30b-a3b-8"
    capacity = -_faster(f"mbridge2509-{qwen}-b200-fp8-cs")
    dropless = _faster(f"bridge-{qwen}-b200-fp8-mx")  # a regression row
    assert f"comes out {100 * capacity:.1f}% slower than measured, against " in text
    assert f"{100 * dropless:.0f}% faster for the 25.11 dropless row" in text
    gb200 = _span([f"mbridge2509-{qwen}-gb200-fp8-cs", f"bridge-{qwen}-gb200-fp8-mx"])
    assert f"On GB200 both releases come out {gb200} faster than measured" in text
    dsv3 = _span([f"mbridge2509-deepseek-v3-256-{s}-fp8-cs" for s in ("b200", "gb200")])
    assert f"DeepSeek-V3 with capacity routing {dsv3} faster on B200 and GB200" in text
    llama = _span([f"mbridge2509-llama3-8b-8-{s}-fp8-cs" for s in ("b200", "gb200")])
    h100 = -_faster("mbridge2509-llama3-8b-8-h100-fp8-cs")
    assert f"rows come out {llama} faster than measured on B200 and GB200 and " in text
    assert f"{100 * h100:.0f}% slower on H100" in text
    dgx_gb200 = ["dgxc2505-llama3-405b-128-gb200-fp8", "dgxc2505-llama3-405b-512-gb200-fp8",
                 "dgxc2505-nemotron4-340b-128-gb200-fp8",
                 "dgxc2505-nemotron4-340b-512-gb200-gbs512-fp8"]  # fmt: skip
    dgx_h100 = ["dgxc2504-llama3-405b-2048-h100-fp8", "dgxc2505-llama3-405b-512-h100-fp8",
                "dgxc2505-nemotron4-340b-256-h100-fp8"]  # fmt: skip
    within = math.ceil(100 * max(abs(_faster(r)) for r in dgx_h100))
    assert f"come out {_span(dgx_gb200)} faster than measured on GB200 and within {within}%" in text
    v5p_small = [f"maxtext-{m}-tpu-v5p{s}" for m, s in (
        ("128b-128", ""), ("128b-256", ""), ("128b-256", "-2slice"), ("128b-512", "-2slice"),
        ("256b-1024", "-2slice"), ("256b-512", ""), ("32b-128", "-2slice"), ("32b-64", ""),
        ("64b-128", "-2slice"), ("64b-64", ""))]  # fmt: skip
    v5p_16 = [f"maxtext-{m}-tpu-v5p{s}" for m, s in (
        ("1024b-1024", ""), ("1024b-2048", ""), ("1024b-2048", "-2slice"),
        ("1024b-4096", "-2slice"), ("512b-1024", "-2slice"), ("512b-512", ""))]  # fmt: skip
    wide = [_faster(r) for r in v5p_16]
    assert f"tensor groups (8 or fewer) come out {_span(v5p_small)} faster than" in text
    assert (f"now range from {-100 * min(wide):.0f}% slower to {100 * max(wide):.0f}% faster"
            in text)  # fmt: skip
    slices = [-_faster("maxtext-128b-512-tpu-v5e"), _faster("maxtext-128b-8192-tpu-v5e"),
              _faster("maxtext-64b-512-tpu-v5e"), _faster("maxtext-64b-8192-tpu-v5e")]  # fmt: skip
    assert (
        f"(maxtext-128b from {100 * slices[0]:.0f}% slower on 2 slices to {100 * slices[1]:.0f}% "
        f"faster on 32; maxtext-64b from {100 * slices[2]:.0f}% to {100 * slices[3]:.0f}% faster)"
    ) in text
    v6e = "tpu-v6e"
    l8 = _span([f"llama3-8b-{n}-{v6e}" for n in (8, 16, 32, 64, 128, 256)])
    l70 = _span([f"llama3-70b-{n}-{v6e}" for n in (32, 64, 128, 256)])
    rest = _span([f"gpt3-175b-256-{v6e}", f"llama2-70b-256-{v6e}", f"llama3-405b-512-{v6e}-2slice"])
    assert f"8,192 tokens are now {l8} fast, the Llama 3 70B rows {l70}," in text
    assert f"smaller share, still {rest} (GPT-3 175B" in text
    l405 = _span(["mbridge2606-llama3-405b-256-gb300-fp8-cs", "mbridge2606-llama3-405b-256-gb300-mxfp8",
                  "bridge-llama3-405b-cp2-256-gb300-fp8-cs"], -1.0)  # fmt: skip
    moe = _span([f"mbridge2608-{m}-gb300-mxfp8" for m in
                 ("deepseek-v3-256", "qwen3-235b-a22b-256", "qwen3-30b-a3b-8")], -1.0)  # fmt: skip
    oss = _faster("mbridge2608-gpt-oss-120b-64-gb300-mxfp8")
    assert f"Llama 3 405B recipes come out {l405} slower" in text
    assert (
        f"26.08 MoE recipes {moe} slower for DeepSeek-V3 and Qwen3 but {100 * oss:.0f}% faster"
        in text
    )


@pytest.mark.slow
def test_moe_doc_quotes_the_mlperf_deepseek_rows() -> None:
    """docs/moe.md's ranges for MLPerf v6.0's DeepSeek-V3 rows, GB200 and GB300 apart."""
    scores = [s for s in _check_scores() if s.run.startswith("mlperf60-deepseek-v3-")]
    text = _text("docs/moe.md")
    gb200 = [s.error for s in scores if "-gb200" in s.run]
    gb300 = [s.error for s in scores if "-gb300" in s.run]
    assert len(gb200) == 4 and len(gb300) == 5
    assert f"between {100 * min(gb200):+.1f}% and {100 * max(gb200):+.1f}%" in text
    assert min(gb300) > 0
    assert f"between {100 * min(gb300):.1f}% and {100 * max(gb300):.1f}% longer" in text
    by_run = {s.run: s for s in scores}
    gb300_256, gb200_512 = (
        by_run["mlperf60-deepseek-v3-256-gb300"],
        by_run["mlperf60-deepseek-v3-512-gb200"],
    )
    measured = gb300_256.measured / gb200_512.measured
    predicted = gb300_256.predicted / gb200_512.predicted
    assert f"256 GPUs ({gb300_256.measured:.1f} s) is {measured:.2f} times" in text
    assert (
        f"at 512 ({gb200_512.measured:.1f} s)" in text and f"makes it {predicted:.2f} times" in text
    )
