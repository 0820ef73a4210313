"""The figures README.md quotes are the ones their commands print (no three different numbers)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dojosim import catalog

ROOT = Path(__file__).resolve().parents[2]


def _text(path: str) -> str:
    """A file of the repository with its line breaks and runs of spaces made single spaces."""
    return " ".join((ROOT / path).read_text().split())


README = _text("README.md")


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


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
    from dojosim.validate import validate
    from dojosim.validate.coverage import family_residuals, residuals_by_family

    by_family = residuals_by_family(validate(["check"]))
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
    from dojosim.validate import summary, validate

    scores = validate(["check"])
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
