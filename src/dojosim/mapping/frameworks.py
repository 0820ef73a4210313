"""The layouts each training framework can run, written down once.

``auto`` may only choose a layout that the scenario's framework accepts, and a
layout the user writes out is checked against the same rules (an error names the
field). Rules, with where each framework states them:

Megatron-LM / Megatron-Core (``megatron``; NVIDIA/Megatron-LM,
``megatron/training/arguments.py`` and ``megatron/core``):

* tensor parallelism divides the attention heads, the key/value groups
  (``num_query_groups % tensor_model_parallel_size``) and the MLP width (column- and
  row-parallel linear layers ``divide()`` their output/input size);
* sequence parallelism needs tensor > 1 and a sequence length divisible by it;
* pipeline stages hold equal numbers of layers (``num_layers`` divisible by the
  pipeline size), or the first and last stage one layer fewer each, the embedding
  and the loss counted as a layer (``--account-for-embedding-in-pipeline-split``,
  ``--account-for-loss-in-pipeline-split``), or, where neither divides, the most even
  split (``--pipeline-model-parallel-layout`` takes any layer counts), or a list the
  user gives;
* the interleaved schedule needs a pipeline > 2, or > 1 with ``--overlap-p2p-comm``
  (on in NeMo's and Megatron-Bridge's recipes, so taken here), layers per stage divisible by
  the virtual stages (``num_layers_per_virtual_pipeline_stage``) and micro-batches
  divisible by the pipeline size (``forward_backward_pipelining_with_interleaving``);
* data parallelism with ZeRO stage 0, 1 (the distributed optimizer) or 3
  (Megatron-FSDP, ``megatron/core/distributed/fsdp``, sharding optimizer state,
  gradients and parameters), the last without pipeline parallelism.

DeepSpeed (``deepspeed``; deepspeedai/DeepSpeed): ZeRO 0-3, but "ZeRO-2 and ZeRO-3
are incompatible with pipeline parallelism" (``deepspeed/runtime/pipe/engine.py``);
its pipeline schedule (``TrainSchedule``) is 1F1B without interleaving; tensor
parallelism as Megatron's (Megatron-DeepSpeed).

PyTorch FSDP / torchtitan (``fsdp``): FSDP2 shards gradients and optimizer state
(``reshard_after_forward=False``, like ZeRO-2) or also weights (ZeRO-3), with DDP as
stage 0; tensor and sequence parallelism through DTensor; pipeline schedules from
``torch.distributed.pipelining`` including interleaved 1F1B, whose virtual stages are
arbitrary module chunks (so a stage's layers need not split evenly over them), with
key/value heads replicated when tensor exceeds them. Meta's Llama 3 training
(FSDP with an interleaved pipeline and first and last stages one layer shorter,
arXiv 2407.21783 Section 3.3.2) is of this kind.

MaxText on TPU (``maxtext``): data, FSDP (ZeRO-3) and tensor axes of the device
mesh (``ici_fsdp_parallelism``, ``ici_tensor_parallelism``), no interleaving, and
``remat_policy: minimal`` as ``recompute: dots`` (``jax.checkpoint_policies.
checkpoint_dots_with_no_batch_dims``, ``MaxText/layers/models.py``); the
residual stream's embedding dimension is sharded over the tensor axis
(``MaxText/configs/base.yml``, ``logical_axis_rules``: ``activation_embed`` ->
``tensor``), which is sequence parallelism's memory and traffic (the width, not the
sequence, must divide by the tensor size). Its collectives are
asynchronous and XLA schedules them under independent compute: the benchmark scripts set
``--xla_enable_async_all_gather``, ``--xla_tpu_enable_async_collective_fusion`` and
``--xla_tpu_overlap_compute_collective_tc`` (``MaxText/configs/v5p/*.sh``,
``MaxText/configs/v5e/*.sh``), so in the backward pass an exchange overlaps the other
gradient GEMM of its layer, as Megatron's ``backward`` (below); the forward exchanges feed
the next GEMM and wait.

Tesla's Dojo compiler (``dojo``): a model slice laid spatially on the mesh:
tensor groups are rectangles of dies inside a tile (their element-wise work split
by position, which is what sequence parallelism is), pipeline stages neighbouring
regions, replicas tiling the rest (Hot Chips 34; :mod:`dojosim.mapping.spatial`);
no interleaving, ZeRO 0 or 1.

Tensor-parallel exchanges under GEMMs (``overlap_tensor_parallel``): ``none`` waits for
every exchange; ``backward`` runs a column-parallel layer's backward exchanges
asynchronously, the input all-gather (sequence parallelism) under its data-gradient
GEMM and the data gradient's reduce-scatter or all-reduce under its weight-gradient GEMM
(Megatron-LM's ``LinearWithGradAccumulationAndAsyncCommunication``: the all-reduce since
commit cf7efd4f5a of 2021-08-30, "allreduce overlap with wgrad gemm", on by default since
3f65246911 of 2021-09-02 (``--no-async-tensor-model-parallel-allreduce`` turns it off), the
sequence-parallel pair since 02bb1f5c86 of 2022-03-02, ``megatron/mpu/layers.py``;
Transformer Engine's ``Linear`` does the same). Megatron and MaxText default to
``backward``, the others to ``none``. Pipelining the remaining exchanges in chunks with their GEMMs (``--tp-comm-overlap``,
Transformer Engine's userbuffers) is not modelled (docs/estimator.md, Known limits).

Gradient and weight traffic goes in buckets: Megatron-Core's default bucket is
``max(40e6, 1e6 x data)`` parameters (``megatron/core/distributed/
distributed_data_parallel.py``), DeepSpeed's reduce bucket 5e8 elements
(``reduce_bucket_size``); FSDP and XLA's FSDP gather and reduce one layer (one
wrapped unit) at a time. Every collective pays its latency once.

A mixture-of-experts layer's grouped GEMM: Megatron-Core runs it through Transformer
Engine's ``GroupedLinear``, one cuBLAS GEMM per local expert on several streams
(``--moe-grouped-gemm``: "launch multiple local GEMM kernels in multiple streams",
``megatron/core/transformer/moe/README.md``; NVIDIA/TransformerEngine PR 853), and
DeepSpeed loops over its local experts (``deepspeed/moe/experts.py``): one launch per
expert (``per_expert_gemm``; Megatron-Core with Transformer Engine's fused grouped MLP,
``routing.fused_grouped_mlp``, runs one grouped kernel). torchtitan's experts call ``torch._grouped_mm``
(``torchtitan/models/moe.py``), MaxText's a Megablox grouped matmul: one kernel.

Every framework: tensor x pipeline x data chips, the global batch divisible by
data x micro-batch, no more stages than layers, stage layer counts summing to the
model's layers.
"""

from __future__ import annotations

from dataclasses import dataclass

from dojosim.mapping.eager import PATHS as EAGER_PATHS
from dojosim.mapping.splits import interleave_problem, stage_splits, takes_layout

RankOrder = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Framework:
    """What a framework can run. ``order`` lists the parallel dimensions innermost first
    (a tensor group is ``tensor`` neighbouring chips; the next dimension strides over it)."""

    name: str
    zero: tuple[int, ...]
    interleave: bool
    sequence_parallel: bool
    uneven_ends: bool  # first and last stage may hold one layer fewer
    zero_with_pipeline: int  # highest ZeRO stage allowed with pipeline > 1
    partial_recompute: bool  # recompute only some layers of a stage in full
    interleave_even: bool = True  # virtual stages must split each stage's layers evenly
    kv_divisible: bool = True  # tensor must divide the key/value heads (no replication)
    order: RankOrder = ("tensor", "context", "data", "pipeline")
    # How gradients and gathered weights travel: in buckets of ``bucket`` parameters (plus
    # ``bucket_per_rank`` per data-parallel rank), or one collective per layer (``per_layer``).
    bucket: float = 40e6
    bucket_per_rank: float = 1e6
    per_layer: bool = False
    # A grouped (per-expert) GEMM launches one GEMM per local expert, not one kernel.
    per_expert_gemm: bool = False
    # Tensor-parallel exchanges under GEMMs by default: none | backward.
    tensor_overlap: str = "none"
    # torchtitan's per-op selective activation checkpointing (recompute: op).
    op_recompute: bool = False
    # JAX's checkpoint_dots_with_no_batch_dims (recompute: dots, MaxText's remat_policy minimal).
    dots_recompute: bool = False
    # ZeRO shards inside one slice and replicates across slices (hybrid sharding), as MaxText
    # lays its mesh: ici_fsdp_parallelism inside a slice, dcn_data_parallelism across them.
    shard_in_slice: bool = False
    # What sequence parallelism splits over the tensor group between its matmuls: the sequence
    # (Megatron) or the model width (MaxText's activation_embed -> tensor); it must divide.
    sp_splits: str = "sequence"
    # Megatron-Core's combined 1F1B schedule (overlap_expert_parallel).
    combined_1f1b: bool = False
    # Megatron-Core's selective recomputation by module (--recompute-modules).
    recompute_modules: bool = False
    # Model features the framework runs as eager kernels (:mod:`dojosim.mapping.eager`).
    eager_paths: frozenset[str] = frozenset()

    def overlap(self, asked: str | None) -> str:
        """The tensor-parallel overlap a run gets: ``asked``, or the framework's default."""
        return asked if asked is not None else self.tensor_overlap

    def calls(self, params: float, layers: int, data: int) -> int:
        """Collectives one data-parallel transfer of ``params`` parameters takes."""
        if self.per_layer:
            return max(layers, 1)
        size = max(self.bucket, self.bucket_per_rank * data)
        return max(1, -(-int(params) // int(size)))


FRAMEWORKS: dict[str, Framework] = {
    "megatron": Framework(
        "megatron",
        (0, 1, 3),
        True,
        True,
        True,
        1,
        True,
        per_expert_gemm=True,
        tensor_overlap="backward",
        combined_1f1b=True,
        recompute_modules=True,
        eager_paths=frozenset(EAGER_PATHS),
    ),
    "deepspeed": Framework(
        "deepspeed",
        (0, 1, 2, 3),
        False,
        True,
        False,
        1,
        True,
        bucket=5e8,
        bucket_per_rank=0.0,
        per_expert_gemm=True,
    ),
    "fsdp": Framework(
        "fsdp",
        (0, 2, 3),
        True,
        True,
        True,
        3,
        False,
        False,
        False,
        per_layer=True,
        op_recompute=True,
    ),
    "maxtext": Framework(
        "maxtext",
        (0, 3),
        False,
        True,
        False,
        3,
        False,
        kv_divisible=False,
        per_layer=True,
        tensor_overlap="backward",
        shard_in_slice=True,
        sp_splits="hidden",
        dots_recompute=True,
    ),
    "dojo": Framework(
        "dojo",
        (0, 1),
        False,
        True,
        False,
        1,
        False,
        order=("tensor", "context", "pipeline", "data"),
    ),
}


def expert_strides(
    fw: Framework, tensor: int, context: int, expert: int, etp: int
) -> tuple[int, int]:
    """Rank strides of the expert-parallel group and of the expert-data-parallel group.

    Megatron-Core lays experts out with their own rank generator, expert-tensor innermost,
    then expert, then expert-data, pipeline outermost (``initialize_model_parallel`` in
    ``megatron/core/parallel_state.py``: ``RankGenerator(tp=expert_tensor_parallel_size,
    ep=expert_model_parallel_size, dp=expert_data_parallel_size, ...)``, same ``order``): an
    expert group is ``expert`` neighbours ``etp`` apart, whatever the attention's tensor and
    context sizes. A framework whose pipeline is not outermost folds the expert group over the
    data ranks beyond ``tensor x context``.
    """
    if fw.order[-1] == "pipeline":
        return etp, etp * expert
    inner = tensor * context
    return inner, tensor * expert * etp


def framework(name: str) -> Framework:
    return FRAMEWORKS[name]


def _shape_problems(fw: Framework, t: int, heads: int, kv: int, ffn: int) -> list[tuple[str, str]]:
    out = []
    if heads % t:
        out.append(("tensor", f"heads ({heads}) must be divisible by tensor ({t})"))
    if fw.kv_divisible and kv % t:
        out.append(("tensor", f"kv_heads ({kv}) must be divisible by tensor ({t})"))
    elif kv % t and t % kv:
        out.append(("tensor", f"kv_heads ({kv}) and tensor ({t}) must divide one another"))
    if ffn % t:
        out.append(("tensor", f"ffn_hidden ({ffn}) must be divisible by tensor ({t})"))
    return out


def problems(
    fw: Framework,
    *,
    tensor: int,
    pipeline: int,
    interleave: int,
    micro_batches: int,
    sequence_parallel: bool,
    zero: int,
    stage_layers: tuple[int, ...],
    partial_recompute: bool,
    heads: int,
    kv_heads: int,
    ffn: int,
    seq_len: int,
    given_stage_layers: bool,
    hidden: int = 0,
    tensor_overlap: str | None = None,
) -> list[tuple[str, str]]:
    """Why ``fw`` cannot run a layout: (field, message) pairs, empty when it can."""
    out: list[tuple[str, str]] = []
    t, p, v = tensor, pipeline, interleave
    if tensor_overlap == "backward" and t > 1 and fw.tensor_overlap != "backward":
        why = f"{fw.name} runs its tensor-parallel exchanges synchronously"
        out.append(("overlap_tensor_parallel", why))
    if heads:  # a network given as layers has none: its tensor splits feature maps
        out += _shape_problems(fw, t, heads, kv_heads, ffn)
    if sequence_parallel and not fw.sequence_parallel:
        out.append(("sequence_parallel", f"{fw.name} has no sequence parallelism"))
    split = (hidden, "hidden") if fw.sp_splits == "hidden" else (seq_len, "sequence length")
    if sequence_parallel and heads and split[0] % t:
        why = f"{split[1]} ({split[0]}) must be divisible by tensor ({t})"
        out.append(("sequence_parallel", why))
    if zero not in fw.zero:
        allowed = ", ".join(map(str, fw.zero))
        out.append(("zero", f"{fw.name} runs ZeRO stage {allowed}, not {zero}"))
    if p > 1 and zero > fw.zero_with_pipeline:
        out.append(("zero", f"{fw.name} cannot combine ZeRO-{zero} with pipeline parallelism"))
    if partial_recompute and not fw.partial_recompute:
        out.append(("recompute_layers", f"{fw.name} recomputes whole stages only"))
    runs_any = takes_layout(fw) and len(stage_layers) == p and min(stage_layers) > 0
    if not (given_stage_layers or runs_any) and stage_layers not in stage_splits(
        fw, sum(stage_layers), p
    ):
        out.append(
            (
                "pipeline",
                f"{fw.name} cannot split {sum(stage_layers)} layers into {p} stages "
                f"as {list(stage_layers)}",
            )
        )
    if v > 1:
        if not fw.interleave:
            out.append(("interleave", f"{fw.name} has no interleaved pipeline schedule"))
        if p < 2:
            out.append(("interleave", f"the interleaved schedule needs pipeline > 1 (got {p})"))
        cut = interleave_problem(fw, stage_layers, v)
        if cut:
            out.append(("interleave", cut))
        if micro_batches % p:
            out.append(
                (
                    "interleave",
                    f"the interleaved schedule needs micro-batches ({micro_batches}) divisible "
                    f"by pipeline ({p})",
                )
            )
    return out


__all__ = ["FRAMEWORKS", "Framework", "framework", "problems"]
