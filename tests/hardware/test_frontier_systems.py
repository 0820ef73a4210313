"""The H800 and GB200/GB300 NVL72 entries: what distinguishes them from their siblings."""

from __future__ import annotations

import pytest

from dojosim import catalog


def test_h800_is_an_h100_with_less_nvlink() -> None:
    h800, h100 = catalog.get("chip", "h800"), catalog.get("chip", "h100-sxm5-80g")
    assert h800.peak_flops == h100.peak_flops and h800.memory == h100.memory
    assert h800.links["nvlink"] == pytest.approx(400e9)
    node = catalog.get("system", "dgx-h800")
    nvlink, ib = node.network
    assert (nvlink.size, nvlink.bandwidth, ib.bandwidth) == (8, 200e9, 50e9)
    # DeepSeek's "NVLink 160 GB/s, roughly 3.2 times IB (50 GB/s)"
    assert nvlink.bandwidth * nvlink.collective_efficiency == pytest.approx(160e9)


@pytest.mark.parametrize(("system", "nic"), [("gb200-nvl72", 50e9), ("gb300-nvl72", 100e9)])
def test_nvl72_is_one_72_gpu_nvlink_domain(system: str, nic: float) -> None:
    spec = catalog.get("system", system)
    assert spec.node_chips == 72 and spec.network[0].size == 72
    assert spec.network[0].bandwidth == pytest.approx(900e9)
    assert spec.network[1].bandwidth == pytest.approx(nic)
    assert catalog.get("calibration", catalog.get("chip", spec.chip).calibration)


def test_gb200_gpu_runs_faster_than_dgx_b200_and_gb300_has_more_memory() -> None:
    dgx, gb200 = catalog.get("chip", "b200"), catalog.get("chip", "b200-gb200")
    gb300 = catalog.get("chip", "b300-gb300")
    assert gb200.peak("bf16") == pytest.approx(2.5e15)
    assert gb200.peak("bf16") > dgx.peak("bf16")
    assert gb200.tdp > dgx.tdp
    assert gb300.peak("fp8") == gb200.peak("fp8") and gb300.memory > gb200.memory
    assert gb300.peak("int8") < gb200.peak("int8") / 10  # Blackwell Ultra drops INT8
