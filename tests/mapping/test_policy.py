"""The precision/ZeRO policy: memory and traffic from one object, checked by hand."""

from __future__ import annotations

import pytest

from dojosim.mapping.policy import Policy

P, D, LAYER = 1e9, 8, 1e8  # parameters on a chip, data-parallel ranks, parameters per layer


def test_zero_0_keeps_everything_and_all_reduces_once_per_step() -> None:
    pol = Policy.of("bf16", 0)
    m = pol.memory(P, D, LAYER)
    assert (m.weights, m.gradients, m.optimizer, m.transient) == (2e9, 4e9, 12e9, 0.0)
    (ev,) = pol.comm()
    assert (ev.kind, ev.bytes_per_param, ev.per, ev.window) == (
        "all_reduce",
        4.0,
        "step",
        "backward",
    )


def test_zero_1_is_megatrons_distributed_optimizer() -> None:
    """6 + 12/d bytes per parameter (Megatron docs, dist_optimizer.md); full gradient buffer,
    reduce-scattered once per step, weights all-gathered after the update."""
    pol = Policy.of("bf16", 1)
    m = pol.memory(P, D, LAYER)
    assert m.weights + m.gradients + m.optimizer == pytest.approx(P * (6 + 12 / D))
    rs, ag = pol.comm()
    assert (rs.kind, rs.per, rs.window, rs.bytes_per_param) == (
        "reduce_scatter",
        "step",
        "backward",
        4,
    )
    assert (ag.kind, ag.per, ag.window, ag.bytes_per_param) == ("all_gather", "step", "forward", 2)


def test_zero_2_shards_gradients_and_pays_per_micro_batch() -> None:
    """DeepSpeed ZeRO-2 reduces every micro-batch (engine.py: 'ZeRO stage >= 2 communicates
    during non gradient accumulation boundaries as well'): no free lunch over ZeRO-1."""
    pol = Policy.of("bf16", 2)
    m = pol.memory(P, D, LAYER)
    assert m.gradients == 4e9 / D
    assert m.transient == 2 * LAYER * 4  # double-buffered reduce of one layer
    rs, _ = pol.comm()
    assert (rs.kind, rs.per) == ("reduce_scatter", "micro")


def test_zero_3_shards_weights_and_gathers_twice_per_micro_batch() -> None:
    pol = Policy.of("bf16", 3)
    m = pol.memory(P, D, LAYER)
    assert m.weights == 2e9 / D
    assert m.transient == 2 * LAYER * 4 + 2 * LAYER * 2  # reduce buffers + two gathered layers
    kinds = [(e.kind, e.per, e.window) for e in pol.comm()]
    assert kinds == [
        ("all_gather", "micro", "forward"),
        ("all_gather", "micro", "backward"),
        ("reduce_scatter", "micro", "backward"),
    ]


def test_one_replica_shards_nothing() -> None:
    m = Policy.of("bf16", 3).memory(P, 1, LAYER)
    assert (m.weights, m.gradients, m.optimizer, m.transient) == (2e9, 4e9, 12e9, 0.0)


def test_fp16_reduces_in_16_bits_and_fp8_keeps_weight_copies() -> None:
    assert Policy.of("fp16", 0).comm()[0].bytes_per_param == 2
    fp8 = Policy.of("fp8", 1)
    assert fp8.memory(P, 1, LAYER).weights == P * (2 + 2)  # bf16 weights + FP8 copy and transpose
    # read grad twice (update, norm), read+write master and moments, write bf16 and FP8 weights
    assert fp8.update_bytes() == 2 * 4 + 2 * 12 + 2 + 2
    assert fp8.precision.attention == "bf16"  # attention stays in 16 bits


def test_bf16_grad_reduce_halves_the_buffer_and_the_reduction() -> None:
    """Megatron-Core with grad_reduce_in_fp32 = False (NeMo's and Megatron-Bridge's performance
    recipes): 2 + 2 + 12/d bytes per parameter with the distributed optimizer, and the
    reduce-scatter sends 2 B per gradient."""
    from dojosim.mapping.policy import precision_of

    pol = Policy(precision_of("fp8", "bf16"), 1)
    m = pol.memory(P, D, LAYER)
    # weights 2 B + FP8 copies 2 B, gradients 2 B, master + moments 12 B / d
    assert m.weights + m.gradients + m.optimizer == pytest.approx(P * (4 + 2 + 12 / D))
    rs, _ = pol.comm()
    assert rs.bytes_per_param == 2
    assert precision_of("bf16", "auto") == Policy.of("bf16", 1).precision
    assert precision_of("bf16", "fp32").grad == 4
    # the optimizer update reads the 16-bit gradient twice: 2 x 2 + 2 x 12 + 2 = 30 B
    assert Policy(precision_of("bf16", "bf16"), 1).update_bytes() == 30


def test_fp8_primary_weights_drop_the_16_bit_copy_and_gather_in_fp8() -> None:
    """Megatron-Core's fp8_param_gather (NeMo's and Megatron-Bridge's FP8 presets): the FP8
    weight and its transpose, 1 B each, no bf16 copy; the all-gather after the update sends
    1 B per parameter; the fp32 master and Adam moments are as before."""
    from dojosim.mapping.policy import precision_of

    pol = Policy(precision_of("fp8", "bf16", fp8_params=True), 1)
    m = pol.memory(P, D, LAYER)
    assert m.weights == P * 2  # against P * 4 without
    assert m.weights + m.gradients + m.optimizer == pytest.approx(P * (2 + 2 + 12 / D))
    rs, ag = pol.comm()
    assert (rs.bytes_per_param, ag.bytes_per_param) == (2, 1)
    # read grad twice, read+write master and moments, write the FP8 weight and its transpose
    assert pol.update_bytes() == 2 * 2 + 2 * 12 + 1 + 1
    z3 = Policy(precision_of("fp8", "bf16", fp8_params=True), 3)
    assert [e.bytes_per_param for e in z3.comm()][:2] == [1, 1]  # layers gathered in FP8


def test_hybrid_sharding_shards_inside_the_shard_group_only() -> None:
    """Two replicas of a 4-rank shard group (MaxText on two slices, FSDP HYBRID_SHARD): states
    divide by 4, not 8, and the reduced shard is all-reduced across the 2 replicas."""
    pol = Policy.of("bf16", 3, replicas=2)
    m = pol.memory(P, D, LAYER)
    assert (m.weights, m.gradients, m.optimizer) == (2e9 / 4, 4e9 / 4, 12e9 / 4)
    assert pol.shard(D) == 4
    kinds = [(e.kind, e.per, e.group) for e in pol.comm()]
    assert kinds == [
        ("all_gather", "micro", "shard"),
        ("all_gather", "micro", "shard"),
        ("reduce_scatter", "micro", "shard"),
        ("all_reduce", "micro", "replica"),
    ]
    # ZeRO-1 reduces once per step, so its replica all-reduce does too
    rs, ar, ag = Policy.of("bf16", 1, replicas=2).comm()
    assert (rs.per, ar.kind, ar.per, ar.group, ag.kind) == (
        "step",
        "all_reduce",
        "step",
        "replica",
        "all_gather",
    )


def test_replicas_do_not_change_an_unsharded_stage() -> None:
    pol = Policy.of("bf16", 0, replicas=2)
    assert not pol.hybrid and pol.shard(D) == D
    assert pol.comm() == Policy.of("bf16", 0).comm()


def test_bf16_moments_halve_adams_state_and_keep_the_fp32_master() -> None:
    """Megatron-Core's precision-aware optimizer with exp_avg_dtype = exp_avg_sq_dtype = bf16
    (DeepSeek-V3's low-precision optimizer states): 4 B master + 2 x 2 B moments, sharded by
    ZeRO-1 over the data-parallel ranks: 6 + 8/d bytes per parameter against 6 + 12/d."""
    from dojosim.mapping.policy import precision_of

    pol = Policy(precision_of("bf16", optimizer_moments="bf16"), 1)
    m = pol.memory(P, D, LAYER)
    assert m.optimizer == pytest.approx(P * 8 / D)
    assert m.weights + m.gradients + m.optimizer == pytest.approx(P * (6 + 8 / D))
    # the update reads and writes 4 B of moments less per parameter
    assert pol.update_bytes() == Policy.of("bf16", 1).update_bytes() - 2 * 4
    assert [e.bytes_per_param for e in pol.comm()] == [4, 2]  # traffic unchanged
