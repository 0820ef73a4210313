"""``recompute: dots``: JAX's ``checkpoint_dots_with_no_batch_dims``, MaxText's
``remat_policy: minimal`` (``MaxText/layers/models.py`` at 76bd53b0), checked by hand: it keeps
the outputs of the weight matmuls and runs everything else again, attention included."""

from __future__ import annotations

from typing import Any

import pytest

from dojosim import catalog, estimate
from dojosim.errors import SpecError
from dojosim.mapping.frameworks import FRAMEWORKS
from dojosim.mapping.layout import Layout, Shape, layout_problems
from dojosim.spec.workload import ModelSpec
from dojosim.workload.checkpoint import dots_kept_bytes, rerun_ops
from dojosim.workload.transformer import LayerShape, activation_bytes_per_layer, layer_forward

M = ModelSpec(name="m", layers=4, hidden=1024, heads=8, vocab=1000, seq_len=512,
              norm="rmsnorm", gated_mlp=True, ffn_hidden=2048, parallel_block=True)  # fmt: skip
SH = LayerShape(b=2, s=512, t=4, sp=True, flash=True, e=2.0)


def test_everything_but_the_weight_matmuls_runs_again() -> None:
    again = [op.name for op in rerun_ops(M, SH, "dots", layer_forward(M, SH))]
    assert again == ["norm1", "rope", "flash_attention", "mlp_swiglu", "dropout_add"]


def test_keeps_the_input_and_every_weight_matmuls_output_as_sharded() -> None:
    tok, e = 2 * 512, 2.0
    # input 1024 wide over 4 chips; q, k, v: 2 + 2 x 2 heads of 128 on this chip; proj and down
    # back to the width, split like the residual stream; up: 2 x 2048 / 4 gated columns
    by_hand = tok * e * (1024 / 4 + 6 * 128 + 1024 / 4 + 2 * 512 + 1024 / 4)
    assert dots_kept_bytes(M, SH) == pytest.approx(by_hand)
    assert activation_bytes_per_layer(M, SH, "dots") == pytest.approx(by_hand)


def test_only_maxtext_runs_it() -> None:
    shape = Shape(layers=4, heads=8, kv_heads=8, ffn=2048, seq_len=512, hidden=1024)
    lay = Layout(4, 1, 2, 2, 8, 1, True, "dots", 3, (4,))
    assert "recompute" not in {f for f, _ in layout_problems(lay, shape, FRAMEWORKS["maxtext"])}
    assert "recompute" in {f for f, _ in layout_problems(lay, shape, FRAMEWORKS["fsdp"])}
    network = Shape(layers=4, heads=0, kv_heads=0, ffn=0, seq_len=0)
    assert "recompute" in {f for f, _ in layout_problems(lay, network, FRAMEWORKS["maxtext"])}


BASE: dict[str, Any] = {
    "model": "maxtext-32b", "system": "tpu-v5p-pod", "chips": 64,
    "parallelism": {"tensor": 4, "data": 16, "global_batch": 64, "micro_batch": 4,
                    "sequence_parallel": True, "zero": 3},
}  # fmt: skip


def test_costs_the_attention_again_and_counts_it_in_hardware_flops() -> None:
    sel = estimate(BASE | {"parallelism": BASE["parallelism"] | {"recompute": "selective"}})
    dots = estimate(BASE | {"parallelism": BASE["parallelism"] | {"recompute": "dots"}})
    assert sel.breakdown["recompute_s"] == 0.0  # fused attention: selective reruns nothing
    assert dots.breakdown["recompute_s"] > 0.0
    m = catalog.get("model", "maxtext-32b")
    s = m.seq_len
    attention = 4.0 * s * s * m.heads * m.dhead * m.layers * 64  # QK^T and AV, 64 sequences

    def flops(e: Any) -> float:
        return float(e.hardware_tflops_per_chip * 1e12 * e.step_time_s * 64)

    assert flops(dots) - flops(sel) == pytest.approx(attention, rel=1e-9)


def test_megatron_refuses_it_in_one_line() -> None:
    bad = BASE | {"system": "dgx-h100", "chips": 8, "framework": "megatron",
                  "parallelism": {"tensor": 8, "global_batch": 8, "recompute": "dots"}}  # fmt: skip
    with pytest.raises(SpecError, match="recompute"):
        estimate(bad)
