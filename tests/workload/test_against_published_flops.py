"""Every catalog network against the forward counts its paper or reference implementation published."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from dojosim.catalog import get, names
from dojosim.workload import checks, network

PUBLISHED = [n for n in names("network") if get("network", n).published]


def test_the_catalog_has_the_video_families() -> None:
    builders = {get("network", n).builder for n in names("network")}
    assert builders >= {"vit", "vivit", "videomae", "resnet", "occupancy3d", "fsd_multicam"}
    for n in names("network"):
        assert get("network", n).sources, n


@pytest.mark.parametrize("name", PUBLISHED)
def test_within_the_stated_tolerance(name: str) -> None:
    found = checks(name)
    assert found, name
    for c in found:
        assert abs(c.error) <= c.tolerance, (
            f"{name} {c.quantity}: measured {c.measured:.6g} vs published {c.published:.6g} "
            f"({100 * c.error:+.2f}%, tolerance {100 * c.tolerance:g}%) - {c.source}"
        )


def test_vit_b16_is_17_6_g_multiply_adds() -> None:
    w = network("vit-b16-224")
    assert w.forward_multiply_adds == pytest.approx(17.56e9, rel=0.005)
    assert w.forward_flops == pytest.approx(35.1e9, rel=0.005)  # a multiply-add is 2 FLOP
    assert w.params == 86_567_656


def test_resnet50_counts_exactly_like_torchvision() -> None:
    w = network("resnet50-224")
    assert w.params == 25_557_032
    assert w.forward_multiply_adds == pytest.approx(4.089e9, rel=5e-4)


def test_fsd_network_structure() -> None:
    spec = get("network", "fsd-multicam-8cam")
    w = network("fsd-multicam-8cam")
    assert w.input_shape == (8, 8, 3, 960, 1280)
    attention = [op for op in w.forward_ops(1) if op.kind == "attention"]
    # BEV queries (100 x 100) attend to 8 cameras x the 20 x 15 level, every time step
    grid = spec.config["bev"]["grid"]
    assert {(op.m, op.n) for op in attention} == {(grid[0] * grid[1], 8 * 15 * 20)}
    assert all(op.batch == 8 * spec.config["bev"]["heads"] for op in attention)
    assert w.layer("video.gates").calls == spec.config["frames"]  # the spatial RNN runs per step
    kinds = {layer.kind for layer in w.layers}
    assert {"conv", "attention", "linear", "norm"} <= kinds
    # per time step within the FSD computer's 144 TOPS at 36 Hz (a plausibility bound)
    per_step = w.forward_flops / spec.config["frames"]
    assert per_step * 36 < 144e12


def test_network_is_cached_and_errors_name_the_entry() -> None:
    from dojosim.errors import CatalogError

    assert network("r3d18-16x112") is network("r3d18-16x112")
    with pytest.raises(CatalogError, match="did you mean"):
        network("vit-b16-22")
