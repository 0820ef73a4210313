"""The goodput check rows: listed as `check` by `dojosim validate`, each able to fail."""

from __future__ import annotations

import functools

import pytest
import yaml

from dojosim import scenarios
from dojosim.sim import checks, goodput
from dojosim.site.schema import ClaimsEntry, site
from dojosim.validate import CLAIM_SETS, claim_scores, summary


@functools.cache
def rows() -> dict[str, object]:
    return {r.run: r for r in claim_scores(roles=["check"])}


def builtin(name: str) -> dict:  # type: ignore[type-arg]
    path = scenarios.path(name)
    assert path is not None
    return yaml.safe_load(path.read_text())


def test_every_row_is_a_check_with_a_tolerance_and_passes() -> None:
    entry = site("goodput-checks", ClaimsEntry)
    assert entry.role == "check"
    got = rows()
    assert {c.id for c in entry.claims} <= set(got)
    for c in entry.claims:
        r = got[c.id]
        assert r.role == "check" and r.kind == "goodput-checks"  # type: ignore[attr-defined]
        assert r.tolerance is not None and r.source  # type: ignore[attr-defined]
        assert r.within, (c.id, r.predicted, r.measured)  # type: ignore[attr-defined]
    assert summary(got.values())["check"]["count"] >= len(entry.claims)  # type: ignore[arg-type]


def test_a_check_set_is_not_listed_as_claims() -> None:
    only = {"goodput-checks": CLAIM_SETS["goodput-checks"]}
    assert claim_scores(only, roles=["claim"]) == []


def test_rows_can_fail() -> None:
    """Each row compares a simulated or computed output with a published figure."""
    # a 30-minute restart would take Llama 3 below 90%
    d = builtin("llama3-405b-16k-h100-goodput")
    d["reliability"]["restart"] = "30 min"
    assert goodput(d, runs=5, sweep_runs=0).ettr < 0.90
    # the Llama 3 run's rates at 100,000 GPUs leave the synchronous job far above 44%
    d = builtin("ft-hsdp-100k-h100-sync")
    d["reliability"].update(failures="llama3-h100", spares=4096)
    e = goodput(d, runs=5, sweep_runs=0).ettr
    assert abs(e / 0.44 - 1) > 0.25
    assert e == pytest.approx(0.68, abs=0.02)  # the row's note quotes this
    # Young's first-order rule misses Daly's 15-minute case by 35%
    from dojosim.sim import optimum

    assert float(optimum.young(300.0, 900.0)) / 546.0 - 1 == pytest.approx(0.35, abs=0.01)


def test_note_sensitivity_of_the_llama3_restart() -> None:
    d = builtin("llama3-405b-16k-h100-goodput")
    d["reliability"]["restart"] = "15 min"
    assert goodput(d, runs=10, sweep_runs=0).ettr == pytest.approx(0.89, abs=0.01)


def test_inputs_come_from_the_catalog() -> None:
    assert checks.inputs("kokolis-mttf-16k-gpus")["failures"] == "kokolis-rsc1-a100"
    assert set(checks.COMPUTE) == {c.id for c in site("goodput-checks", ClaimsEntry).claims}
