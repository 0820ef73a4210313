"""Collective times against the ring formulas (nccl-tests' bus-bandwidth definition)."""

from __future__ import annotations

import pytest

from dojosim import catalog
from dojosim.hardware.collectives import collective_time, fabric, p2p_time, split, tier_bandwidth
from dojosim.spec.hardware import NetworkTier


def dgx(chips: int = 64):  # type: ignore[no-untyped-def]
    return fabric(catalog.get("system", "dgx-a100-80g"), chips)


def test_all_reduce_inside_a_node_is_ring_formula() -> None:
    """t = 2(n-1)/n * S / busbw + latency term, busbw = link bandwidth x efficiency."""
    fab = dgx()
    tier = fab.tiers[0][0]
    s = 1e9
    expected = 2 * 7 / 8 * s / (tier.bandwidth * tier.collective_efficiency) + tier.latency * 2 * 3
    assert collective_time(fab, "all_reduce", s, 8) == pytest.approx(expected)


def test_reduce_scatter_plus_all_gather_moves_what_all_reduce_moves() -> None:
    """Same bytes on the wire; two collectives pay the latency twice."""
    fab = dgx()
    rs = collective_time(fab, "reduce_scatter", 1e8, 8)
    ag = collective_time(fab, "all_gather", 1e8, 8)
    ar = collective_time(fab, "all_reduce", 1e8, 8)
    latency = fab.tiers[0][0].latency * 2 * 3
    assert rs + ag == pytest.approx(ar + latency)


def test_group_split_across_tiers() -> None:
    fab = dgx(1024)
    assert [n for _, n in split(fab, 8, 1)] == [8]  # tensor group inside a node
    assert [(t.name, n) for t, n in split(fab, 16, 8)] == [("infiniband", 16)]  # one GPU per node
    assert [(t.name, n) for t, n in split(fab, 64, 2)] == [("nvlink", 4), ("infiniband", 16)]


def test_hierarchical_outer_phase_moves_the_inner_shard() -> None:
    fab = dgx(1024)
    nv, ib = fab.tiers[0][0], fab.tiers[1][0]
    s = 1e9
    got = collective_time(fab, "all_reduce", s, 64, 2)
    inner = 2 * 3 / 4 * s / tier_bandwidth(nv, 4) + nv.latency * 2 * 2
    outer = 2 * 15 / 16 * (s / 4) / tier_bandwidth(ib, 16) + ib.latency * 2 * 4
    assert got == pytest.approx(inner + outer)


def test_single_rank_costs_nothing() -> None:
    assert collective_time(dgx(), "all_reduce", 1e9, 1) == 0.0


def test_p2p_uses_the_tier_that_joins_the_pair() -> None:
    fab = dgx(64)
    nv, ib = fab.tiers[0][0], fab.tiers[1][0]
    assert p2p_time(fab, 1e6, 1) == pytest.approx(
        nv.latency + 1e6 / (nv.bandwidth * nv.collective_efficiency)
    )
    assert p2p_time(fab, 1e6, 8) == pytest.approx(
        ib.latency + 1e6 / (ib.bandwidth * ib.collective_efficiency)
    )


def test_torus_uses_links_of_every_spanned_dimension() -> None:
    torus = NetworkTier(
        name="ici",
        topology="torus",
        size=64,
        dims=[4, 4, 4],
        bandwidth=50e9,
        latency=1e-6,
        links_per_dim=2,
    )
    assert tier_bandwidth(torus, 4) == pytest.approx(2 * 50e9)
    assert tier_bandwidth(torus, 16) == pytest.approx(4 * 50e9)
    assert tier_bandwidth(torus, 64) == pytest.approx(6 * 50e9)
    mesh = torus.model_copy(update={"topology": "mesh"})
    assert tier_bandwidth(mesh, 64) == pytest.approx(3 * 50e9)


def test_slices_cut_the_pod_tier_and_the_dcn_joins_them() -> None:
    """Two v5p slices of 64 chips (MaxText's 2x v5p-128): a 128-member group splits 64 on ICI
    and 2 over the data-centre network; unset, 128 chips fit in one pod and stay on ICI."""
    v5p = catalog.get("system", "tpu-v5p-pod")
    two = fabric(v5p, 128, slices=2)
    assert two.slice_chips == 64 and two.slices(128) == 2
    assert [(t.name, n) for t, n in split(two, 128, 1)] == [("ici", 64), ("dcn", 2)]
    one = fabric(v5p, 128)
    assert one.slice_chips == 0 and one.slices(128) == 1
    assert [(t.name, n) for t, n in split(one, 128, 1)] == [("ici", 128)]
    # a v5e job over 512 chips spans two 256-chip pods without being told
    assert fabric(catalog.get("system", "tpu-v5e-pod"), 512).slices(512) == 2


def test_slices_that_cannot_be_laid_out_say_why() -> None:
    from dojosim.hardware.collectives import slices_problem

    v5e = catalog.get("system", "tpu-v5e-pod")
    assert slices_problem(v5e, 512, 2) is None
    assert "exceed one ici unit of 256 chips (at least 2 slices)" in str(
        slices_problem(v5e, 512, 1)
    )
    assert "do not divide" in str(slices_problem(v5e, 512, 3))
    assert "whole hosts of 8 chips" in str(slices_problem(v5e, 512, 128))
    dgx_h100 = catalog.get("system", "dgx-h100")
    assert slices_problem(dgx_h100, 16, 2) is None  # DGX nodes are slices of the NVLink tier
