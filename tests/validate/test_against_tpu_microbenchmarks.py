"""google-tpu's matmul and memory constants against the TPU micro-benchmarks they cite.

v5e: jax-ml/jax docs/pallas/tpu/matmul.ipynb @1082251c, XLA baseline, 92.2960% of 197 TFLOP/s
at 8192^3. v6e: AI-Hypercomputer/tpu-recipes microbenchmarks/README.md (device time): 840.168
TFLOP/s at 4096^3 (@af2a7cd2), 827.474 at 8192^3 and a 32 MiB HBM copy at 1359.60 GB/s
(@2a333621), 1454.54 GB/s in an earlier run (@06e51bd4).
"""

import math

import pytest

from dojosim import catalog

V5E_8192 = 0.922960
V6E_4096 = 840.168 / 918
V6E_8192 = 827.474 / 918
A100_MAMF = 271.2 / 312


def test_matmul_transfer_reaches_the_ceiling() -> None:
    tpu = catalog.get("calibration", "google-tpu")
    ampere = catalog.get("calibration", "nvidia-ampere")
    transferred = ampere.matmul_efficiency * math.sqrt(V5E_8192 * V6E_4096) / A100_MAMF
    assert transferred == pytest.approx(1.026, abs=5e-4)
    assert tpu.matmul_efficiency == min(1.0, transferred)


def test_compute_model_reproduces_the_v6e_matmul_at_8192() -> None:
    tpu = catalog.get("calibration", "google-tpu")
    g = 8192 / (8192 + tpu.matmul_half_size)
    assert tpu.matmul_efficiency * g**3 == pytest.approx(V6E_8192, rel=0.01)


def test_memory_efficiency_is_the_v6e_copy() -> None:
    tpu = catalog.get("calibration", "google-tpu")
    nominal = catalog.get("chip", "tpu-v6e").memory_bandwidth
    assert tpu.memory_efficiency == pytest.approx(1359.60e9 / nominal, abs=5e-4)
    assert tpu.ranges["memory_efficiency"][1] == pytest.approx(1454.54e9 / nominal, abs=5e-4)
