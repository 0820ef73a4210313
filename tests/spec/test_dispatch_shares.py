"""The share of a dispatch's copies each tier carries (spec.routing.dispatch_shares), by hand."""

from __future__ import annotations

import pytest

from dojosim.spec.routing import RoutingSection, dispatch_shares, distinct_destinations


def test_per_expert_copies_have_no_shares() -> None:
    assert dispatch_shares(None, 8, None, 2, 8) is None
    assert dispatch_shares(RoutingSection(), 8, None, 2, 8) is None


def test_two_nodes_of_eight_ranks_top_8() -> None:
    """Qwen3-30B-A3B on 16 H100 (EP 16, top-8): a token reaches 2 (1 - 1/2^8) = 1.9922
    nodes, one of them its own; each gets 8 / 1.9922 = 4.0157 experts, which reach
    8 (1 - (7/8)^4.0157) = 3.3074 of its ranks, all but the entry rank over NVLink."""
    nodes = 2 * (1 - 0.5**8)
    ranks = nodes * 8 * (1 - (7 / 8) ** (8 / nodes))
    assert nodes == pytest.approx(1.99219, abs=1e-5)
    assert ranks == pytest.approx(6.6148, abs=1e-4)
    for dispatcher in ("deepep", "hybridep"):
        shares = dispatch_shares(RoutingSection(dispatcher=dispatcher), 8, None, 2, 8)
        assert shares is not None
        assert shares.leaving == pytest.approx(nodes * 0.5 / 8)  # 0.1245 of the 8 copies
        assert shares.inner == pytest.approx(ranks * 7 / 8 / 8)  # 0.7235


def test_node_limit_caps_the_nodes_reached() -> None:
    """DeepSeek-V3 on 8 nodes: 8 (1 - (7/8)^8) = 5.25 nodes, capped at 4."""
    shares = dispatch_shares(RoutingSection(dispatcher="deepep"), 8, 4, 8, 8)
    assert shares is not None
    assert shares.leaving == pytest.approx(4 * 7 / 8 / 8)
    assert shares.inner == pytest.approx(4 * 8 * (1 - (7 / 8) ** 2) * 7 / 8 / 8)


def test_one_node_dedups_ranks_only() -> None:
    """EP 8 in one node, top-8: 8 (1 - (7/8)^8) = 5.2509 ranks, 7/8 of them not its own."""
    shares = dispatch_shares(RoutingSection(dispatcher="hybridep"), 8, None, 1, 8)
    assert shares is not None
    assert shares.inner == pytest.approx(5.2509 * 7 / 8 / 8, abs=1e-4)


def test_one_rank_per_node_puts_the_leaving_share_on_the_first_tier() -> None:
    shares = dispatch_shares(RoutingSection(dispatcher="deepep"), 4, None, 4, 1)
    assert shares is not None
    assert shares.inner == shares.leaving == pytest.approx(distinct_destinations(4, 4) * 3 / 4 / 4)
