"""What a training precision and a ZeRO stage keep in memory and send: one object for both.

A :class:`Policy` is the training precision (bytes of weights, gradients, master
weights, optimizer moments and activations; which precision the matmuls and the
attention kernel run in) combined with a ZeRO stage. Both the memory planner and
the step schedule ask the same object, so the bytes a stage keeps and the bytes
it sends can never disagree.

Precisions, per parameter (Megatron-LM mixed precision; Micikevicius et al. 2018,
arXiv 1710.03740; Rajbhandari et al. 2020, "ZeRO", arXiv 1910.02054, Section 3.1):

* bf16: 2 B weights, 4 B gradients (Megatron-LM forces fp32 gradient accumulation
  and reduction for bf16: ``megatron/training/arguments.py``, "bfloat16 requires
  gradient accumulation and all-reduce to be performed in fp32"), 4 B fp32 master
  weights, 8 B Adam moments: 18 B.
* fp16: 2 B weights and 2 B gradients reduced in fp16 (the default without
  ``--accumulate-allreduce-grads-in-fp32``), 4 B master, 8 B Adam: 16 B.
* fp8 (Transformer Engine, Hopper/Blackwell): as bf16, plus an FP8 copy of each
  weight and of its transpose kept for the forward and backward GEMMs (1 B each;
  NVIDIA Transformer Engine keeps ``_fp8_weight`` and a transpose cache). Matmuls run
  in FP8; attention and element-wise kernels stay in bf16. With ``fp8_params`` (FP8
  primary weights, which NeMo's and Megatron-Bridge's FP8 presets turn on) the 16-bit copy
  goes: 1 B weight and 1 B transpose, all-gathered in FP8 (:func:`precision_of`). The output
  layer (the logits over the vocabulary) stays in bf16 (``wide``, as do the MoE router and
  unfused attention's products, which are no Transformer Engine modules): Megatron-Core builds it as a plain
  ``ColumnParallelLinear``, not a Transformer Engine module, unless ``fp8_output_proj`` (default
  False, MXFP8 only) is set (megatron/core/models/gpt/gpt_model.py at Megatron-LM d98e8a64);
  DeepSeek-V3 keeps "the output head" in its original precision (arXiv 2412.19437, Section
  3.3.1), and torchtitan's float8 recipes filter out ``output``.
* cfp8 (Dojo): as fp8 (the output layer in cfp16) with one CFP8 copy per weight (the 8-bit matmul inputs are cast
  from 16-bit activations; whether Tesla also stores activations for backward in CFP8
  is not published, so they are counted at 16 bits).
* fp32/tf32: 4 B weights and gradients, no master copy, 8 B Adam.

A scenario's ``grad_reduce: bf16`` keeps the gradient buffer and its reduction in 16 bits
instead (Megatron-Core's ``DistributedDataParallelConfig.grad_reduce_in_fp32 = False``, which
NeMo's and Megatron-Bridge's performance recipes set): 2 B gradients, 16 B for bf16.

ZeRO stages (what each framework's implementation does, per step of ``m``
micro-batches over a data-parallel group of ``d``):

* 0: replicated; gradients accumulate over the micro-batches and are all-reduced
  once per step, hidden behind the last micro-batch's backward pass where the
  framework overlaps it (PyTorch DDP, Megatron ``--overlap-grad-reduce``).
* 1: Megatron's distributed optimizer: the full gradient buffer accumulates, is
  reduce-scattered once per step; each rank updates its shard of the fp32 master
  weights and optimizer state, then the updated 16-bit weights are all-gathered,
  which can only overlap the next step's forward pass (``--overlap-param-gather``).
* 2: DeepSpeed ZeRO-2: gradients are reduce-scattered into the rank's fp32 shard
  after every micro-batch's backward pass (no full gradient buffer), then the
  updated weights are all-gathered once per step.
* 3: DeepSpeed ZeRO-3 / FSDP ``FULL_SHARD``: weights are sharded too; every
  micro-batch all-gathers each layer's weights for its forward and again for its
  backward pass (two layers resident with prefetching) and reduce-scatters its
  gradients.

Stages 2 and 3 also hold a double buffer of one layer's unsharded gradients while
they are reduced (DeepSpeed's reduce buckets, FSDP's per-unit reduce-scatter).

Hybrid sharding (``replicas > 1``): the data-parallel group is ``replicas`` copies of a shard
group of ``d / replicas`` ranks. A stage shards over the shard group only, and each rank's
reduced gradient shard is then all-reduced across the replicas. This is what MaxText does on
several TPU slices (the ``fsdp`` mesh axis inside a slice, ``dcn_data_parallelism`` across
slices) and what PyTorch FSDP's ``HYBRID_SHARD`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from dojosim.hardware.collectives import Collective
from dojosim.mapping.quantization import Quantization, quantization

# When a data-parallel collective runs and what can hide it.
Per = Literal["step", "micro"]
Window = Literal["backward", "forward", "none"]
# Which ranks a collective spans: the shard group, or one rank of each replica of it.
Group = Literal["shard", "replica"]


@dataclass(frozen=True, slots=True)
class Precision:
    """Bytes per element of everything training keeps, and the precisions kernels run in."""

    name: str
    weight: float  # B per parameter: the weights the kernels read
    fp8_copy: float  # B per parameter: low-precision weight copies kept for FP8 GEMMs
    grad: float  # B per parameter: the gradient accumulation buffer
    grad_comm: float  # B per gradient element in the data-parallel reduction
    master: float  # B per parameter: fp32 master weights (0 when the weights are fp32)
    optimizer: float  # B per parameter: Adam's two moments
    activation: float  # B per activation element kept for backward
    matmul: str  # precision the matmuls run in (a chip peak key)
    attention: str  # precision the attention kernel runs in
    wide: str = ""  # precision of the matmuls that stay wide (output layer, router; "": matmul)
    quant: Quantization | None = None  # casts of the 8-bit matmuls' operands (None: not 8-bit)


def _mixed(
    name: str, *, grad: float, matmul: str, fp8_copy: float = 0.0, wide: str = ""
) -> Precision:
    return Precision(name, 2.0, fp8_copy, grad, grad, 4.0, 8.0, 2.0, matmul, "bf16", wide)


PRECISIONS: dict[str, Precision] = {
    "fp32": Precision("fp32", 4.0, 0.0, 4.0, 4.0, 0.0, 8.0, 4.0, "fp32", "fp32"),
    "tf32": Precision("tf32", 4.0, 0.0, 4.0, 4.0, 0.0, 8.0, 4.0, "tf32", "tf32"),
    "bf16": _mixed("bf16", grad=4.0, matmul="bf16"),
    "fp16": Precision("fp16", 2.0, 0.0, 2.0, 2.0, 4.0, 8.0, 2.0, "fp16", "fp16"),
    "cfp16": _mixed("cfp16", grad=4.0, matmul="cfp16"),
    "fp8": _mixed("fp8", grad=4.0, matmul="fp8", fp8_copy=2.0, wide="bf16"),
    "int8": _mixed("int8", grad=4.0, matmul="int8", fp8_copy=2.0, wide="bf16"),
    "cfp8": _mixed("cfp8", grad=4.0, matmul="cfp8", fp8_copy=1.0, wide="cfp16"),
}


def precision_of(
    name: str,
    grad_reduce: str = "auto",
    fp8_params: bool = False,
    optimizer_moments: str = "fp32",
    fp8_recipe: str = "delayed",
    fp8_arch: str | None = None,
) -> Precision:
    """The precision ``name`` with its gradient buffer and data-parallel reduction in
    ``grad_reduce`` (``auto``: the precision's own; ``bf16``: 2 B, as Megatron-Core's DDP keeps
    them with ``grad_reduce_in_fp32 = False``; ``fp32``: 4 B).

    ``fp8_params``: FP8 primary weights. Megatron-Core's ``fp8_param_gather`` "keep[s] the
    compute param in fp8 (do not use any other intermediate dtype) and perform[s] the param
    all-gather in fp8" (``DistributedDataParallelConfig``,
    megatron/core/distributed/distributed_data_parallel_config.py at Megatron-LM d98e8a64; with
    MXFP8 the gather reuses the gradient buffer, ``reuse_grad_buf_for_mxfp8_param_ag``): the
    16-bit weight goes, the FP8 weight and its transpose (or column-wise copy) stay, 1 B each,
    and the all-gather after the optimizer step sends 1 B per parameter. The fp32 master weights
    in the optimizer are unchanged.

    ``optimizer_moments: bf16``: Adam's first and second moments in bf16, 2 B each instead of 4
    (Megatron-Core's precision-aware optimizer, ``OptimizerConfig.exp_avg_dtype`` and
    ``exp_avg_sq_dtype``; DeepSeek-V3, arXiv 2412.19437 Section 3.3.2, and Megatron-Bridge's
    DeepSeek-V3 recipe keep them so); the fp32 master weights stay.

    ``fp8_recipe`` on a chip of ``fp8_arch``: the casts of the 8-bit matmuls' operands
    (:func:`dojosim.mapping.quantization.quantization`)."""
    p = PRECISIONS[name]
    if p.fp8_copy:  # 8-bit matmuls: their operands are cast
        p = replace(p, quant=quantization(p.matmul, fp8_recipe, fp8_arch))
    if fp8_params:
        p = replace(p, weight=1.0, fp8_copy=1.0)
    if optimizer_moments == "bf16":
        p = replace(p, optimizer=4.0)
    if grad_reduce == "auto":
        return p
    size = {"bf16": 2.0, "fp32": 4.0}[grad_reduce]
    return replace(p, grad=size, grad_comm=size)


@dataclass(frozen=True, slots=True)
class CommEvent:
    """One data-parallel collective of a ZeRO stage: ``kind`` over the DP group, ``bytes_per_param``
    times the stage's parameters per rank, once per ``per``; ``window`` names the compute
    that can hide it (the backward or forward pass it overlaps), ``none`` if nothing can.
    ``group``: ``shard`` runs over the shard group; ``replica`` over the replicas, on the shard
    of each parameter a rank holds (``bytes_per_param`` / shard group size)."""

    kind: Collective
    bytes_per_param: float
    per: Per
    window: Window
    group: Group = "shard"


@dataclass(frozen=True, slots=True)
class ParamMemory:
    """Bytes per chip for a stage's parameters: weights, gradients, optimizer (master + moments),
    and transient buffers (gathered weights, gradient reduce buffers)."""

    weights: float
    gradients: float
    optimizer: float
    transient: float


@dataclass(frozen=True, slots=True)
class Policy:
    """A precision and a ZeRO stage: the memory and the data-parallel traffic they imply.

    ``replicas``: copies of the shard group in the data-parallel group (hybrid sharding; 1:
    the stage shards over the whole group)."""

    precision: Precision
    zero: int
    replicas: int = 1

    @classmethod
    def of(cls, precision: str, zero: int, replicas: int = 1) -> Policy:
        return cls(PRECISIONS[precision], zero, replicas)

    @property
    def hybrid(self) -> bool:
        """Whether the stage shards over a group smaller than the data-parallel group."""
        return self.zero >= 1 and self.replicas > 1

    def shard(self, data: int) -> int:
        """Ranks a ZeRO stage shards over in a data-parallel group of ``data``."""
        return max(data // self.replicas, 1) if self.hybrid else max(data, 1)

    def memory(self, params: float, data: int, layer_params: float) -> ParamMemory:
        """Memory for ``params`` parameters on one chip (before sharding), a DP group of
        ``data`` and layers of ``layer_params`` parameters per chip (the gather unit)."""
        p, z = self.precision, self.zero
        d = self.shard(data)
        weights = params * (p.weight + p.fp8_copy) / (d if z >= 3 else 1)
        grads = params * p.grad / (d if z >= 2 else 1)
        opt = params * (p.master + p.optimizer) / (d if z >= 1 else 1)
        transient = 0.0
        if z >= 2 and d > 1:
            transient += 2 * layer_params * p.grad_comm  # double-buffered reduce of one layer
        if z >= 3 and d > 1:
            transient += 2 * layer_params * (p.weight + p.fp8_copy)  # this layer and the next
        return ParamMemory(weights, grads, opt, transient)

    def comm(self) -> tuple[CommEvent, ...]:
        """The data-parallel collectives of one step (see the module docstring)."""
        p = self.precision
        if self.zero == 0:
            return (CommEvent("all_reduce", p.grad_comm, "step", "backward"),)
        gather = CommEvent("all_gather", p.weight, "step", "forward")
        reduce: Per = "step" if self.zero == 1 else "micro"
        scatter: tuple[CommEvent, ...] = (
            CommEvent("reduce_scatter", p.grad_comm, reduce, "backward"),
        )
        if self.hybrid:  # the reduced shard, all-reduced across the replicas
            scatter += (CommEvent("all_reduce", p.grad_comm, reduce, "backward", "replica"),)
        if self.zero <= 2:
            return (*scatter, gather)
        return (
            CommEvent("all_gather", p.weight, "micro", "forward"),
            CommEvent("all_gather", p.weight, "micro", "backward"),
            *scatter,
        )

    def update_bytes(self) -> float:
        """Memory traffic of the optimizer update per local parameter (B): read the gradient
        (and once more for the global norm), read and write master weights and Adam moments,
        write the 16-bit weights and any FP8 copies."""
        p = self.precision
        return 2 * p.grad + 2 * (p.master + p.optimizer) + p.weight + p.fp8_copy


__all__ = ["PRECISIONS", "CommEvent", "Group", "ParamMemory", "Policy", "Precision", "precision_of"]
