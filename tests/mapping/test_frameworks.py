"""Runnable layouts: each framework's rules (mapping/frameworks.py), checked by hand."""

from __future__ import annotations

from dojosim.mapping.frameworks import FRAMEWORKS
from dojosim.mapping.layout import Layout, Shape, layout_problems
from dojosim.mapping.splits import stage_splits

GPT3 = Shape(layers=96, heads=96, kv_heads=96, ffn=49152, seq_len=2048)


def _lay(**kw: object) -> Layout:
    base = dict(
        tensor=8, pipeline=8, data=16, micro_batch=1, global_batch=1536, interleave=1,
        sequence_parallel=True, recompute="selective", zero=1, stage_layers=(12,) * 8,
    )  # fmt: skip
    base.update(kw)
    return Layout(**base)  # type: ignore[arg-type]


def fields(lay: Layout, fw: str = "megatron", given: bool = False) -> set[str]:
    return {f for f, _ in layout_problems(lay, GPT3, FRAMEWORKS[fw], given_stage_layers=given)}


def test_megatron_interleave_must_divide_the_layers_of_a_stage() -> None:
    """v = 7 on 12 layers per stage is what the old search picked; Megatron refuses it."""
    assert "interleave" in fields(_lay(interleave=7))
    assert "interleave" not in fields(_lay(interleave=6))  # 12 % 6 == 0 and m = 96 = 12 x 8


def test_megatron_interleave_needs_micro_batches_divisible_by_pipeline() -> None:
    lay = _lay(interleave=3, data=16, micro_batch=2)  # m = 1536 / 32 = 48, 48 % 8 == 0
    assert fields(lay) == set()
    lay = _lay(interleave=3, data=16, micro_batch=3)  # m = 32, fine too
    assert fields(lay) == set()
    lay = _lay(interleave=3, data=64, micro_batch=4)  # m = 6, not divisible by 8
    assert "interleave" in fields(lay)


def test_interleaving_needs_a_pipeline() -> None:
    lay = _lay(pipeline=1, data=128, stage_layers=(96,), interleave=2)
    assert "interleave" in fields(lay)
    lay = _lay(pipeline=2, data=64, stage_layers=(48, 48), interleave=2)  # --overlap-p2p-comm
    assert "interleave" not in fields(lay)


def test_zero_by_framework() -> None:
    assert "zero" in fields(_lay(zero=2))  # Megatron: 0, 1 or 3 (Megatron-FSDP)
    assert "zero" in fields(_lay(zero=3))  # ... and 3 only without a pipeline
    assert "zero" in fields(_lay(zero=2), "deepspeed")  # ZeRO-2/3 and pipelines do not mix
    assert "zero" not in fields(_lay(zero=2, pipeline=1, data=128, stage_layers=(96,)), "deepspeed")
    assert "zero" in fields(_lay(zero=1), "fsdp")  # FSDP has no ZeRO-1


def test_tensor_must_divide_heads_and_ffn() -> None:
    assert "tensor" in fields(_lay(tensor=5, data=24))


def test_sequence_parallelism_splits_the_sequence_in_megatron_the_width_in_maxtext() -> None:
    """PaLM 540B's 12-way model axis: 2048 tokens do not split 12 ways, 18432 channels do."""
    palm = Shape(layers=118, heads=48, kv_heads=1, ffn=73728, seq_len=2048, hidden=18432)
    lay = _lay(tensor=12, pipeline=1, data=512, micro_batch=4, global_batch=2048, zero=3,
               stage_layers=(118,))  # fmt: skip
    megatron = layout_problems(lay, palm, FRAMEWORKS["megatron"])
    assert ("sequence_parallel", "sequence length (2048) must be divisible by tensor (12)") in (
        megatron
    )
    maxtext = layout_problems(lay, palm, FRAMEWORKS["maxtext"])
    assert "sequence_parallel" not in {f for f, _ in maxtext}
    odd = Shape(layers=118, heads=48, kv_heads=1, ffn=73728, seq_len=2048, hidden=18430)
    assert ("sequence_parallel", "hidden (18430) must be divisible by tensor (12)") in (
        layout_problems(lay, odd, FRAMEWORKS["maxtext"])
    )


def test_stage_splits_even_or_one_shorter_at_both_ends() -> None:
    mega = FRAMEWORKS["megatron"]
    assert stage_splits(mega, 96, 8) == [(12,) * 8]
    # Llama 3 405B: 126 layers on 16 stages, the embedding and the loss counted as layers
    assert stage_splits(mega, 126, 16) == [(7, *(8,) * 14, 7)]
    # neither even nor (97 + 2) / 8: only through a pipeline layout, and never when searched
    assert stage_splits(mega, 97, 8) == [(13, *(12,) * 7)]
    assert stage_splits(mega, 97, 8, layout=False) == []
    assert stage_splits(FRAMEWORKS["deepspeed"], 126, 16) == []


def test_fsdp_interleaves_uneven_stages() -> None:
    lay = _lay(pipeline=16, data=8, stage_layers=(7, *(8,) * 14, 7), interleave=4, zero=2)
    llama = Shape(126, 128, 8, 53248, 8192)
    fw = FRAMEWORKS["fsdp"]
    assert layout_problems(lay, llama, fw, given_stage_layers=True) == []
    assert layout_problems(lay, llama, FRAMEWORKS["megatron"], given_stage_layers=True)


def test_the_embedding_and_the_loss_hold_a_virtual_stage_of_their_own() -> None:
    """Llama 3 405B on 16 stages as (7, 8 x 14, 7): eight virtual stages of one layer each,
    the first stage's first chunk only the embedding and the last stage's last chunk only the
    loss (arXiv 2407.21783 Section 3.3.2; Megatron's --account-for-embedding/loss-in-pipeline-
    split, (126 + 2) / 16 = 8 slots per stage; torchtitan's input_weight/output_weight)."""
    llama = Shape(126, 128, 8, 53248, 8192)
    split = (7, *(8,) * 14, 7)
    for fw, zero in (("fsdp", 2), ("megatron", 1)):
        ok = _lay(pipeline=16, data=8, stage_layers=split, interleave=8, zero=zero)
        assert layout_problems(ok, llama, FRAMEWORKS[fw], given_stage_layers=True) == []
        nine = _lay(pipeline=16, data=8, stage_layers=split, interleave=9, zero=zero)
        got = layout_problems(nine, llama, FRAMEWORKS[fw], given_stage_layers=True)
        assert [f for f, _ in got] == ["interleave"]


def test_megatron_bucket_sizes() -> None:
    mega = FRAMEWORKS["megatron"]
    assert mega.calls(1e9, 12, 8) == 25  # 1e9 / 40e6
    assert mega.calls(1e9, 12, 100) == 10  # bucket max(40e6, 1e6 x 100) = 100e6
    assert FRAMEWORKS["fsdp"].calls(1e9, 12, 8) == 12  # one collective per layer


def test_expert_groups_follow_megatron_cores_expert_rank_generator() -> None:
    """Megatron-Core builds expert groups with their own RankGenerator (expert-tensor
    innermost, then expert, then expert-data; parallel_state.initialize_model_parallel): with
    TP 2 and ETP 1, an EP-8 group is 8 neighbouring ranks, one DGX node, not every other rank."""
    from dojosim.mapping.frameworks import FRAMEWORKS, expert_strides

    megatron = FRAMEWORKS["megatron"]
    assert expert_strides(megatron, tensor=2, context=1, expert=8, etp=1) == (1, 8)
    assert expert_strides(megatron, tensor=2, context=2, expert=8, etp=2) == (2, 16)
    # Tesla's compiler (pipeline before data in the rank order) folds experts over data
    assert expert_strides(FRAMEWORKS["dojo"], tensor=2, context=1, expert=8, etp=1) == (2, 16)


def test_an_expert_group_inside_one_nvlink_domain_never_crosses_the_fabric() -> None:
    from dojosim import estimate

    sc = {
        "model": "qwen3-235b-a22b", "system": "gb200-nvl72", "chips": 64, "precision": "fp8",
        "parallelism": {"tensor": 2, "pipeline": 1, "data": 32, "expert": 64, "expert_tensor": 1,
                        "global_batch": 1024, "micro_batch": 1, "recompute": "none", "zero": 1},
    }  # fmt: skip
    est = estimate(sc, interval=False)
    assert "infiniband" not in est.network
