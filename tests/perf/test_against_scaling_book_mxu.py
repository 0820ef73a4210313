"""A TPU's MXU is a weight-stationary systolic array, 128 x 128 (256 x 256 on TPU v6e), and a
matmul's weight dimensions are padded up to its side (Austin et al., "How to Scale Your Model",
Part 2: "weight matrices need to be padded to at least size 128 (256 on TPU v6) in both
dimensions to fill up the MXU"). Checked by hand: the padded share, and what it does to a
matmul, to fused attention and to the array timing of catalog networks."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from dojosim import catalog
from dojosim.mapping.policy import PRECISIONS
from dojosim.perf.compute import ComputeModel, fill
from dojosim.workload.ops import Op


def _v6e(side: int | None = None) -> ComputeModel:
    chip = catalog.get("chip", "tpu-v6e")
    cm = ComputeModel.of(chip, PRECISIONS["bf16"], catalog.get("calibration", "google-tpu"))
    return cm if side is None else dataclasses.replace(cm, matrix_unit=side)


def test_the_catalog_names_each_tpu_mxu() -> None:
    sides = {c: catalog.get("chip", c).matrix_unit for c in ("tpu-v4", "tpu-v5e", "tpu-v5p")}
    assert sides == {"tpu-v4": 128, "tpu-v5e": 128, "tpu-v5p": 128}
    assert catalog.get("chip", "tpu-v6e").matrix_unit == 256
    assert catalog.get("chip", "h100-sxm5-80g").matrix_unit is None  # a GPU pads nothing here


def test_padded_share_by_hand() -> None:
    assert fill(128, 256) == 0.5  # a 128-wide head on v6e's 256-wide MXU
    assert fill(192, 128) == 0.75  # DeepSeek-V3's 192-wide q/k heads padded to 256 on v5p
    assert fill(4096, 256) == 1.0
    assert fill(300, 256) == pytest.approx(300 / 512)
    assert fill(100, 128) == pytest.approx(100 / 128)
    assert fill(128, 0) == 1.0  # no systolic array: no padding
    assert fill(0, 256) == 1.0  # dimension not known: no factor
    got = fill(np.array([128, 256, 0, 640]), 256)
    assert list(got) == pytest.approx([0.5, 1.0, 1.0, 640 / 768])


def test_a_matmul_pays_for_its_padded_weight_dimensions() -> None:
    padded, bare = _v6e(), _v6e(side=0)
    for m, n, k in ((8192, 4096, 4096), (8192, 1024, 4096), (8192, 128, 4096), (8192, 96, 200)):
        ratio = padded.matmul_efficiency_of(m, n, k) / bare.matmul_efficiency_of(m, n, k)
        assert ratio == pytest.approx(fill(n, 256) * fill(k, 256))
    # the token dimension streams through the array: never padded
    assert padded.matmul_efficiency_of(100, 4096, 4096) == pytest.approx(
        bare.matmul_efficiency_of(100, 4096, 4096)
    )


def test_fused_attention_at_head_dim_128_runs_at_half_rate_on_v6e() -> None:
    padded, bare = _v6e(), _v6e(side=0)
    op = Op("fa", "attention", 1e12, 1e6, m=8192, n=8192, k=128)
    busy = padded.op_time(op) - padded.kernel_overhead
    assert busy == pytest.approx(2 * (bare.op_time(op) - bare.kernel_overhead))
    wide = Op("fa", "attention", 1e12, 1e6, m=8192, n=8192, k=256)
    assert padded.op_time(wide) == pytest.approx(bare.op_time(wide))


def test_v5e_fills_its_128_wide_mxu_with_128_wide_heads() -> None:
    chip = catalog.get("chip", "tpu-v5e")
    cm = ComputeModel.of(chip, PRECISIONS["bf16"], catalog.get("calibration", "google-tpu"))
    bare = dataclasses.replace(cm, matrix_unit=0)
    assert cm.attention_efficiency(8192, 128) == pytest.approx(bare.attention_efficiency(8192, 128))
    assert cm.attention_efficiency(8192, 64) == pytest.approx(
        0.5 * bare.attention_efficiency(8192, 64)
    )


def test_the_array_timing_shares_the_padding() -> None:
    padded = _v6e()
    m, n, k = np.array([8192.0, 8192.0]), np.array([128.0, 4096.0]), np.array([4096.0, 4096.0])
    got = padded.matmul_efficiency_of(m, n, k)
    for i in range(2):
        assert got[i] == pytest.approx(padded.matmul_efficiency_of(int(m[i]), int(n[i]), int(k[i])))
