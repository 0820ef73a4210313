"""Collectives under computation, checked by hand: the slowdown they cause (Lee et al. 2025,
arXiv 2507.03114) and Megatron's asynchronous tensor-parallel backward
(``megatron/mpu/layers.py``, commits cf7efd4f5a and 02bb1f5c86)."""

from __future__ import annotations

from typing import Any

import pytest

from dojosim import catalog, estimate
from dojosim.errors import SpecError
from dojosim.perf.compute import under
from dojosim.perf.parallel_comm import half_block_tensor_comm


def test_under_by_hand() -> None:
    # 1 s of traffic under 4 s of work slowed 25%: the work does 0.8 s in that second
    assert under(1.0, 4.0, 0.25) == pytest.approx(0.2)
    # traffic outlasting the slowed work: only the excess shows
    assert under(6.0, 4.0, 0.25) == pytest.approx(2.0)
    # no slowdown: hidden entirely, or the excess
    assert under(1.0, 4.0, 0.0) == 0.0
    assert under(5.0, 4.0, 0.0) == pytest.approx(1.0)
    assert under(0.0, 4.0, 0.25) == 0.0


def test_half_block_with_sequence_parallelism_by_hand() -> None:
    gather, scatter, first, t = 0.3, 0.4, 1.0, 8
    # none: forward gather + scatter; backward the gradient's gather, the input's gather again
    # and the input gradient's scatter
    assert half_block_tensor_comm("none", True, t, gather, scatter, first) == pytest.approx(
        (0.7, 1.0)
    )
    # backward: the input's gather under the data-gradient GEMM, the scatter under the weight
    # gradient's, each costing slowdown / (1 + slowdown) of itself
    f, b = half_block_tensor_comm("backward", True, t, gather, scatter, first, 0.25)
    assert f == pytest.approx(0.7)
    assert b == pytest.approx(0.3 + 0.2 * 0.3 + 0.2 * 0.4)


def test_half_block_without_sequence_parallelism_by_hand() -> None:
    ar, first = 0.5, 0.2  # an all-reduce longer than the weight-gradient GEMM
    assert half_block_tensor_comm("none", False, 4, 0.0, ar, first) == (0.5, 0.5)
    f, b = half_block_tensor_comm("backward", False, 4, 0.0, ar, first, 0.25)
    assert (f, b) == pytest.approx((0.5, 0.3))
    assert half_block_tensor_comm("backward", False, 1, 0.0, ar, first) == (0.0, 0.0)


BASE: dict[str, Any] = {
    "model": "gpt3-175b",
    "system": "dgx-a100-80g",
    "chips": 64,
    "parallelism": {"tensor": 8, "pipeline": 8, "data": 1, "global_batch": 64,
                    "micro_batch": 1, "sequence_parallel": True, "recompute": "selective"},
}  # fmt: skip


def _with(**par: Any) -> Any:
    return estimate(BASE | {"parallelism": BASE["parallelism"] | par})


def test_megatron_overlaps_the_backward_by_default() -> None:
    default, sync = _with(), _with(overlap_tensor_parallel="none")
    back = _with(overlap_tensor_parallel="backward")
    assert default.breakdown["tensor_comm_s"] == pytest.approx(back.breakdown["tensor_comm_s"])
    assert 0 < default.breakdown["tensor_comm_s"] < sync.breakdown["tensor_comm_s"]
    assert default.step_time_s < sync.step_time_s


def test_a_framework_without_it_refuses_it() -> None:
    with pytest.raises(SpecError, match="overlap_tensor_parallel"):
        estimate(BASE | {"framework": "deepspeed",
                         "parallelism": BASE["parallelism"] | {"pipeline": 8,
                                                               "overlap_tensor_parallel":
                                                               "backward"}})  # fmt: skip


def test_the_slowdown_is_a_sourced_range_carried_to_newer_gpus() -> None:
    ampere = catalog.get("calibration", "nvidia-ampere")
    assert ampere.overlap_slowdown == pytest.approx(0.189)
    assert ampere.ranges["overlap_slowdown"] == (0.0, 0.40)
    for family in ("nvidia-hopper", "nvidia-blackwell"):
        assert catalog.get("calibration", family).overlap_slowdown == pytest.approx(0.189)


def test_eight_bit_matmuls_gather_eight_bit_inputs() -> None:
    """Transformer Engine quantizes a column-parallel input before the sequence-parallel
    all-gather (``gather_along_first_dim`` with the input quantizer); the reduce-scatter of the
    row-parallel output stays 16-bit. One block, exchanges waiting (mode none), by hand."""
    from dojosim.hardware.collectives import collective_time
    from dojosim.perf.context import context
    from dojosim.perf.parallel_comm import Groups
    from dojosim.perf.units import block
    from dojosim.spec.resolve import load_any
    from dojosim.workload.transformer import LayerShape

    sc = load_any({"model": "gpt3-175b", "system": "dgx-h100", "chips": 8, "precision": "fp8",
                   "parallelism": {"tensor": 8, "global_batch": 8}})  # fmt: skip
    ctx = context(sc)
    m, t, e = sc.model, 8, 2.0
    n = 1 * m.seq_len * m.hidden * e  # one sequence's hidden states, 16-bit
    g = Groups(tensor_overlap="none")
    fp8 = block(m, LayerShape(1, m.seq_len, t, True, True, e, 1.0), "none", ctx.cm, ctx.fab, g)
    bf16 = block(m, LayerShape(1, m.seq_len, t, True, True, e, 0.0), "none", ctx.cm, ctx.fab, g)
    ag8, ag16 = (collective_time(ctx.fab, "all_gather", x, t) for x in (n / 2, n))
    rs = collective_time(ctx.fab, "reduce_scatter", n, t)
    assert fp8.comm_forward == pytest.approx(2 * (ag8 + rs))
    assert fp8.comm_backward == pytest.approx(2 * (2 * ag8 + rs))
    assert bf16.comm_forward == pytest.approx(2 * (ag16 + rs))


def test_maxtext_overlaps_the_backward_by_default() -> None:
    """XLA runs MaxText's collectives asynchronously under independent compute (the TPU
    benchmark scripts' --xla_enable_async_all_gather, --xla_tpu_enable_async_collective_fusion,
    --xla_tpu_overlap_compute_collective_tc): the same backward overlap as Megatron's."""
    tpu: dict[str, Any] = {
        "model": "gpt3-175b", "system": "tpu-v5p-pod", "chips": 64, "framework": "maxtext",
        "parallelism": {"tensor": 16, "data": 4, "global_batch": 64, "micro_batch": 16,
                        "sequence_parallel": True, "recompute": "full", "zero": 3},
    }  # fmt: skip
    default = estimate(tpu)
    sync = estimate(tpu | {"parallelism": tpu["parallelism"] | {"overlap_tensor_parallel": "none"}})
    assert 0 < default.breakdown["tensor_comm_s"] < sync.breakdown["tensor_comm_s"]
    assert default.step_time_s < sync.step_time_s
    from dojosim.mapping.frameworks import FRAMEWORKS

    assert {n: f.tensor_overlap for n, f in FRAMEWORKS.items()} == {
        "megatron": "backward", "deepspeed": "none", "fsdp": "none", "maxtext": "backward",
        "dojo": "none",
    }  # fmt: skip
