"""torchtitan's per-op selective checkpointing (``recompute: op``), checked by hand against
its policy (``torchtitan/models/llama3/parallelize_llama.py`` at e7c0cae9: keep mm, SDPA,
reduce_scatter and max outputs "except every second mm"; float8 matmuls are _scaled_mm)."""

from __future__ import annotations

from typing import Any

import pytest

from dojosim import estimate
from dojosim.errors import SpecError
from dojosim.spec.resolve import load_any
from dojosim.workload.checkpoint import kept_bytes, recomputed_ops, rerun_matmul_flops_per_token
from dojosim.workload.transformer import LayerShape, layer_forward

BASE: dict[str, Any] = {
    "model": "llama3-8b", "system": "dgx-h100", "chips": 8, "framework": "fsdp",
    "parallelism": {"data": 8, "global_batch": 32, "micro_batch": 2, "zero": 3,
                    "recompute": "op"},
}  # fmt: skip


def _shape(cast: float) -> tuple[Any, LayerShape]:
    m = load_any(BASE).model
    return m, LayerShape(1, 8192, 1, False, True, 2.0, cast)


def test_sixteen_bit_reruns_wk_wo_w3_and_every_elementwise_kernel() -> None:
    m, sh = _shape(0.0)
    fwd = layer_forward(m, sh)
    again = recomputed_ops(m, sh, fwd)
    mm = {op.name: op.flops for op in again if op.kind == "matmul"}
    s, h, kv, q, f = 8192, m.hidden, m.n_kv_heads * m.dhead, m.heads * m.dhead, m.ffn
    assert mm == pytest.approx(
        {"k": 2 * s * kv * h, "proj": 2 * s * h * q, "mlp_up_w3": 2 * s * f * h}
    )
    assert not any(op.kind == "attention" for op in again)
    assert {op.name for op in again if op.kind == "elementwise"} == {
        op.name for op in fwd if op.kind == "elementwise"
    }
    assert rerun_matmul_flops_per_token(m, False) == pytest.approx(sum(mm.values()) / s)
    assert rerun_matmul_flops_per_token(m, False) == pytest.approx(2 * h * (kv + q + f))


def test_eight_bit_reruns_every_matmul_but_not_attention() -> None:
    m, sh = _shape(1.0)
    fwd = layer_forward(m, sh)
    again = recomputed_ops(m, sh, fwd)
    assert [op.name for op in again] == [op.name for op in fwd if op.kind != "attention"]
    s = 8192
    mm = sum(op.flops for op in again if op.kind == "matmul")
    assert rerun_matmul_flops_per_token(m, True) == pytest.approx(mm / s)
    h, q, kv, f = m.hidden, m.heads * m.dhead, m.n_kv_heads * m.dhead, m.ffn
    assert rerun_matmul_flops_per_token(m, True) == pytest.approx(2 * h * (2 * q + 2 * kv + 3 * f))


def test_kept_bytes_by_hand() -> None:
    m, sh = _shape(0.0)
    s, h, e, dh = 8192, m.hidden, 2.0, m.dhead
    q, kv, f = m.heads * dh, m.n_kv_heads * dh, m.ffn
    inp, attn = s * h * e, s * q * e + s * m.heads * 4  # block input; SDPA output and its LSE
    assert kept_bytes(m, sh) == pytest.approx(inp + attn + s * (q + kv) * e + s * f * e + s * h * e)
    m8, sh8 = _shape(1.0)
    assert kept_bytes(m8, sh8) == pytest.approx(inp + attn)


def test_auto_takes_op_between_none_and_full() -> None:
    picks = {}
    for mb in (1, 2, 4):
        par = BASE["parallelism"] | {"micro_batch": mb, "recompute": "auto"}
        picks[mb] = estimate(BASE | {"parallelism": par}).as_dict()["layout"]["recompute"]
    assert picks == {1: "none", 2: "op", 4: "full"}
    op = estimate(BASE)
    full = estimate(BASE | {"parallelism": BASE["parallelism"] | {"recompute": "full"}})
    none = estimate(BASE | {"parallelism": BASE["parallelism"] | {"recompute": "none"}})
    assert none.step_time_s < op.step_time_s < full.step_time_s
    assert op.breakdown["recompute_s"] > 0


@pytest.mark.parametrize(
    "change",
    [{"framework": "megatron"}, {"flash_attention": False}, {"model": "qwen3-30b-a3b"}],
)
def test_op_needs_torchtitan_and_a_dense_fused_attention_model(change: dict[str, Any]) -> None:
    with pytest.raises(SpecError, match="recompute: op"):
        estimate(BASE | change)
