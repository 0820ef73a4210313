"""The parallel transformer block, ``x + Attention(LN(x)) + MLP(LN(x))`` (GPT-J; PaLM, arXiv
2204.02311 Section 2; MaxText's ``DecoderLayer`` at commit 76bd53b0), checked by hand against
the sequential block it differs from: one norm, one residual add, one tensor-parallel exchange
pair per direction."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from dojosim.hardware.collectives import collective_time
from dojosim.perf.compute import ComputeModel
from dojosim.perf.units import _tensor_comm
from dojosim.spec.workload import ModelSpec
from dojosim.workload.accounting import norm_params_per_layer, total_params
from dojosim.workload.transformer import LayerShape, activation_bytes_per_layer, layer_forward

SHAPE: dict[str, Any] = {"name": "m", "layers": 4, "hidden": 1024, "heads": 8, "vocab": 1000,
                         "seq_len": 512, "norm": "rmsnorm"}  # fmt: skip
SERIAL = ModelSpec(**SHAPE)
PARALLEL = ModelSpec(**SHAPE, parallel_block=True)
SH = LayerShape(b=2, s=512, t=4, sp=True, flash=True, e=2.0)


def test_one_norm_and_one_residual_add() -> None:
    serial = {op.name: op for op in layer_forward(SERIAL, SH)}
    par = [op.name for op in layer_forward(PARALLEL, SH)]
    assert par == ["norm1", "qkv", "rope", "flash_attention", "proj", "mlp_up", "mlp_gelu",
                   "mlp_down", "dropout_add"]  # fmt: skip
    add = next(op for op in layer_forward(PARALLEL, SH) if op.name == "dropout_add")
    # reads the residual and both branches, writes the sum (2 B each), a 1-byte mask; on
    # 2 x 512 / 4 tokens (sequence parallel) x 1024 wide
    assert add.bytes == 256 * 1024 * (4 * 2 + 1)
    # the matmuls are the sequential block's
    for name in ("qkv", "proj", "mlp_up", "mlp_down"):
        op = next(o for o in layer_forward(PARALLEL, SH) if o.name == name)
        assert (op.flops, op.m, op.n, op.k) == (serial[name].flops, serial[name].m,
                                                 serial[name].n, serial[name].k)  # fmt: skip


def test_same_matmul_parameters_one_norm_fewer() -> None:
    assert norm_params_per_layer(PARALLEL) == 1024  # one RMSNorm scale
    assert norm_params_per_layer(SERIAL) == 2048
    assert total_params(SERIAL) - total_params(PARALLEL) == 4 * 1024


def test_activations_keep_one_norm_input_output_and_mask() -> None:
    # replicated region per sequence-parallel chip: 2 x 512 / 4 tokens x 1024 x (2 + 2 + 1) B
    # once for the parallel block, twice for the sequential one
    one = 256 * 1024 * 5
    diff = activation_bytes_per_layer(SERIAL, SH, "none") - activation_bytes_per_layer(
        PARALLEL, SH, "none"
    )
    assert diff == pytest.approx(one)


def test_one_exchange_pair_per_direction() -> None:
    from dojosim import catalog
    from dojosim.hardware.collectives import fabric

    fab = fabric(catalog.get("system", "dgx-h100"), 8)
    cm = ComputeModel(989e12, 3.35e12, 0.8, 300.0, 0.9, 10e-6, 0.4)
    nbytes = SH.b * SH.s * 1024 * SH.e
    gather = collective_time(fab, "all_gather", nbytes, 4)
    scatter = collective_time(fab, "reduce_scatter", nbytes, 4)
    f_par, b_par = _tensor_comm(layer_forward(PARALLEL, SH), cm, fab, SH, nbytes, "none")
    f_ser, b_ser = _tensor_comm(layer_forward(SERIAL, SH), cm, fab, SH, nbytes, "none")
    # forward: the input's gather and the output's reduce-scatter; backward: the gradient's
    # gather, the input's gather again (weight gradients) and the input gradient's scatter
    assert f_par == pytest.approx(gather + scatter)
    assert b_par == pytest.approx(2 * gather + scatter)
    assert (f_ser, b_ser) == pytest.approx((2 * f_par, 2 * b_par))


def test_needs_a_dense_mlp_and_multi_head_attention() -> None:
    with pytest.raises(ValidationError, match="parallel_block"):
        ModelSpec(**SHAPE, parallel_block=True, experts=8, top_k=2)


def test_workload_show_says_so() -> None:
    from dojosim import catalog
    from dojosim.workload.models import summary

    assert summary(catalog.get("model", "palm-540b"))["architecture"]["parallel_block"]
    assert not summary(catalog.get("model", "llama3-8b"))["architecture"]["parallel_block"]
