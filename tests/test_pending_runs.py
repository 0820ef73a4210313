"""The MoE and long-context check rows stay loadable and consistent (their layouts multiply out,
their expert sizes divide the experts, they cannot beat the chips' peak)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dojosim import catalog
from dojosim.spec.loader import parse, read_yaml
from dojosim.spec.run import RunSpec
from dojosim.spec.workload import ModelSpec

ROOT = Path(__file__).resolve().parents[1]
RUNS = sorted((ROOT / "src" / "dojosim" / "catalog" / "runs").glob("*.yaml"))


def _moe_or_context(path: Path) -> bool:
    sc = read_yaml(path)["scenario"]
    par = sc.get("parallelism", {})
    return "routing" in sc or par.get("context", 1) not in (1, "auto")


PENDING = [p for p in RUNS if _moe_or_context(p)]


def _model(ref: Any) -> ModelSpec:
    if isinstance(ref, str):
        return catalog.get("model", ref)
    data = {**catalog.raw("model", ref["base"]), **{k: v for k, v in ref.items() if k != "base"}}
    data.setdefault("kind", "model")
    return parse(ModelSpec, data)


def test_the_named_rows_are_there() -> None:
    names = {p.stem for p in PENDING}  # now check rows in the catalog
    assert {"deepseek-v3-2048-h800", "deepseek-v3-2048-h800-mpft", "llama3-405b-131k-h100",
            "megatron-deepseek-v3-256-gb200-mxfp8"} <= names  # fmt: skip
    assert len(PENDING) >= 20


@pytest.mark.parametrize("path", PENDING, ids=[p.stem for p in PENDING])
def test_pending_row_is_a_consistent_check(path: Path) -> None:
    run = parse(RunSpec, read_yaml(path), file=str(path))
    assert run.name == path.stem and run.role in ("check", "regression") and run.sources
    assert "flops_convention" in run.notes
    sc = run.scenario
    system = catalog.get("system", sc["system"])
    chip = catalog.get("chip", system.chip)
    m = _model(sc["model"])
    par = sc["parallelism"]
    t, p, d, c = par["tensor"], par["pipeline"], par["data"], par.get("context", 1)
    assert t * p * d * c == sc["chips"], "tensor x pipeline x data x context must be the chips"
    assert par["global_batch"] % d == 0
    if m.is_moe:
        ep = par["expert"]
        assert m.experts % ep == 0 and (d * c * t) % ep == 0, (
            "EP folds over data x context x tensor"
        )
        assert sc["routing"]["balance"] in ("dropless", "forced", "capacity")
    assert m.seq_len % c == 0
    if run.metric == "model_tflops_per_chip":
        assert run.measured * 1e12 < chip.peak(sc["precision"])
    if run.metric == "tokens_per_s":  # cannot beat the chips' peak at the model's FLOPs per token
        from dojosim.workload.accounting import training_flops_per_token

        peak = chip.peak(sc["precision"]) * sc["chips"]
        assert run.measured * training_flops_per_token(m, m.seq_len, causal=True) < peak
