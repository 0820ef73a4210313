"""Schema of a scenario: a training job on a system with a parallel layout."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from annotated_types import Le
from pydantic import Field, NonNegativeInt, PositiveInt, model_validator

from dojosim.cost.scenario import CostSection
from dojosim.sim.section import ReliabilitySection
from dojosim.site.section import SiteSection
from dojosim.spec.base import Frozen
from dojosim.spec.calibration import Calibration
from dojosim.spec.collectives import CollectiveLibrary
from dojosim.spec.hardware import ChipSpec, Hierarchy, Precision, SystemSpec
from dojosim.spec.network import NetworkSpec
from dojosim.spec.routing import RoutingSection
from dojosim.spec.workload import ModelSpec

Auto = Literal["auto"]
# op: torchtitan's per-op selective checkpointing (framework fsdp, dense models)
Recompute = Literal["none", "selective", "op", "dots", "full"]
# Megatron-Core's recompute_modules that the estimator models (dojosim.workload.recompute_modules)
RecomputeModule = Literal[
    "core_attn", "layernorm", "moe_act", "mla_up_proj", "mlp", "shared_experts"
]
SliceSharding = Literal["data", "fsdp"]
Framework = Literal["megatron", "deepspeed", "fsdp", "maxtext", "dojo"]
Schedule = Literal["1f1b", "interleaved", "zero-bubble", "dualpipe"]
TensorOverlap = Literal["none", "backward"]
# The fused attention kernel: the chip family's measured one, FlashAttention-1 (or its Triton
# port, llm-foundry's ``attn_impl: triton``) with the calibration's own constants for it, or the
# family's newest measured kernel (the high end of its fused-attention range).
AttentionKernel = Literal["auto", "flash-attention-1", "newest"]
# unfused: the logits upcast to an fp32 softmax and its gradient; te: Transformer Engine's
# fused kernel, which writes the gradient over the 16-bit logits in its forward pass
CrossEntropy = Literal["unfused", "te"]
# The precision gradients accumulate and are reduced over data-parallel ranks in: the
# precision's default (fp32 for 16- and 8-bit training, Megatron's --accumulate-allreduce-grads-
# in-fp32 and grad_reduce_in_fp32), or the 16-bit one that NeMo's and Megatron-Bridge's
# performance recipes set (grad_reduce_in_fp32 = False): half the buffer and half the traffic.
GradReduce = Literal["auto", "fp32", "bf16"]
OptimizerMoments = Literal["fp32", "bf16"]
ContextComm = Literal["ring", "all_gather"]
# Transformer Engine's FP8 scaling recipes, named as Megatron-Core's fp8_recipe names them
# (dojosim.mapping.quantization: the traffic of each one's casts)
Fp8Recipe = Literal["delayed", "tensorwise", "mxfp8", "blockwise"]


def _check_grad_reduce(precision: str, grad_reduce: str, fp8_params: bool = False) -> None:
    if grad_reduce == "bf16" and precision in ("fp32", "tf32"):
        raise ValueError(
            f"grad_reduce: bf16 reduces the gradients of 16- or 8-bit training; precision "
            f"{precision} keeps fp32 weights (use grad_reduce: auto)"
        )
    if fp8_params and precision != "fp8":
        raise ValueError(
            f"fp8_params: FP8 primary weights are part of FP8 training; precision is {precision}"
        )


class Parallelism(Frozen):
    """How the job is laid out over chips. Any knob may be ``auto`` except ``global_batch``.

    ``global_batch`` and ``micro_batch`` count sequences. ``interleave`` is the
    number of virtual pipeline stages per chip (1 = plain 1F1B). ``zero`` is the
    ZeRO stage: 1 shards optimizer states, 2 also gradients, 3 also weights,
    across the data-parallel group (:mod:`dojosim.mapping.policy` says what each
    stage holds and sends). ``stage_layers`` optionally gives the number of layers
    on each pipeline stage (uneven splits). ``recompute_layers`` recomputes only
    that many layers of each stage in full (Megatron's ``--recompute-method block
    --recompute-num-layers``); the others follow ``recompute`` (default all).
    ``recompute_modules`` names what selective recomputation runs again (Megatron-Core's
    ``--recompute-modules``; :mod:`dojosim.workload.recompute_modules`).
    Omitted knobs take the values below; ``auto`` asks the search for the best.
    """

    tensor: PositiveInt | Auto = 1
    pipeline: PositiveInt | Auto = 1
    data: PositiveInt | Auto | None = None
    global_batch: PositiveInt
    micro_batch: PositiveInt | Auto = 1
    interleave: PositiveInt | Auto = 1
    sequence_parallel: bool | Auto = False
    recompute: Recompute | Auto = "selective"
    recompute_layers: PositiveInt | Auto | None = None
    # Megatron-Core's --recompute-modules under selective recomputation; unset: its default
    # (core_attn)
    recompute_modules: Annotated[list[RecomputeModule], Field(min_length=1)] | None = None
    zero: Annotated[NonNegativeInt, Le(3)] | Auto = 0
    stage_layers: list[PositiveInt] | None = None
    overlap_data_parallel: bool = True
    # Whether a column-parallel layer's backward exchanges run under its GEMMs (none |
    # backward); unset: the framework's default (mapping/frameworks.py).
    overlap_tensor_parallel: TensorOverlap | None = None
    # Megatron-Core's combined 1F1B (--overlap-moe-expert-parallel-comm): the forward of one
    # micro-batch runs beside the backward of another, each one's expert all-to-alls under the
    # other's compute (megatron/core/pipeline_parallel/combined_1f1b.py).
    overlap_expert_parallel: bool = False
    # Mixture of experts and long context (Megatron-Core's definitions): ``expert`` (EP) splits
    # the routed experts over ranks folded from data x context x tensor; ``expert_tensor`` (ETP)
    # splits each expert; ``context`` (CP) splits every sequence over that many ranks.
    expert: PositiveInt | Auto = 1
    expert_tensor: PositiveInt = 1
    context: PositiveInt | Auto = 1
    # How the context-parallel group exchanges keys and values: ring (passed around the ring
    # under the attention, Megatron/Transformer Engine's p2p) or all_gather (gathered before the
    # attention, in the critical path, as Meta's Llama 3 training does: arXiv 2407.21783
    # Section 3.3.2)
    context_comm: ContextComm = "ring"
    # The pipeline schedule; unset: interleaved 1F1B when interleave > 1, else 1F1B.
    schedule: Schedule | Auto | None = None


class DataSection(Frozen):
    """Where the training data comes from: an ``ingest`` catalog entry (kind ``data``).

    ``epochs`` passes over its dataset give the time to train; a step is never
    faster than its samples can be read and decoded.
    """

    ingest: str
    epochs: Annotated[float, Field(gt=0)] = 1.0


class ScenarioFile(Frozen):
    """The scenario as written (catalog names not yet resolved)."""

    name: str = "scenario"
    description: str = ""
    model: str | dict[str, Any]
    system: str | dict[str, Any]
    chips: PositiveInt
    # TPU Multislice: equal slices of the system's pod tier joined over its data-centre tier
    # (data parallelism across them); unset: as few pods as the chips need
    slices: PositiveInt | None = None
    # How ZeRO treats the slices (MaxText's dcn_data_parallelism or dcn_fsdp_parallelism): a
    # replica per slice, sharded inside it (data), or sharded over every slice (fsdp)
    slice_sharding: SliceSharding = "data"
    precision: Precision = "bf16"
    framework: Framework | None = None  # default: the system's, else megatron
    parallelism: Parallelism
    flash_attention: bool = True
    attention_kernel: AttentionKernel = "auto"
    fp8_attention: bool = False
    grad_reduce: GradReduce = "auto"
    # Transformer Engine's FP8 primary weights (Megatron's --fp8-param-gather)
    fp8_params: bool = False
    # Adam's two moments in bf16 (Megatron's precision-aware optimizer, --exp-avg-dtype bf16)
    optimizer_moments: OptimizerMoments = "fp32"
    # Transformer Engine's FP8 scaling recipe (Megatron-Core's fp8_recipe); None: delayed
    fp8_recipe: Fp8Recipe | None = None
    cross_entropy: CrossEntropy = "unfused"
    seq_len: PositiveInt | None = None
    site: SiteSection | None = None
    cost: CostSection | None = None
    data: DataSection | None = None
    routing: RoutingSection | None = None
    reliability: ReliabilitySection | None = None

    @model_validator(mode="after")
    def _fp8_recipe(self) -> ScenarioFile:
        if self.fp8_recipe not in (None, "delayed") and self.precision != "fp8":
            raise ValueError(f"fp8_recipe: a recipe of FP8 training; precision is {self.precision}")
        return self


class Scenario(Frozen):
    """A fully resolved scenario: every catalog name replaced by its spec.

    Resolution happens once (:mod:`dojosim.spec.resolve`): the chip's calibration,
    the system's memory hierarchy and the framework are carried here, so the
    estimator never reads the catalog.

    ``flash_attention`` selects fused attention that neither stores nor
    re-reads the score matrix and skips the masked half of causal attention;
    ``attention_kernel`` which fused kernel (``auto``: the chip family's measured one;
    ``flash-attention-1``: FlashAttention-1 or its Triton port; ``newest``: the family's newest
    measured kernel, the high end of its fused-attention range).
    ``fp8_attention`` runs fused attention with FP8 inputs and outputs (Transformer Engine's
    ``fp8_dot_product_attention``; FP8 training only) at the calibration's measured
    ``fp8_attention_speedup``.
    ``grad_reduce`` the precision of the gradient buffer and its data-parallel reduction
    (``auto``: the precision's; see :func:`dojosim.mapping.policy.precision_of`).
    ``fp8_params`` keeps the matmul weights only in FP8 (no 16-bit copy) and all-gathers them in
    FP8 (:func:`dojosim.mapping.policy.precision_of`).
    ``optimizer_moments: bf16`` keeps Adam's two moments in bf16 instead of fp32, 4 B per
    parameter less (:func:`dojosim.mapping.policy.precision_of`).
    ``fp8_recipe`` names how FP8 training scales its tensors (Megatron-Core's ``fp8_recipe``,
    default ``delayed``), which sets the memory traffic of its casts
    (:mod:`dojosim.mapping.quantization`).
    ``cross_entropy`` how the loss over the vocabulary runs: ``unfused`` holds the 16-bit logits,
    their fp32 softmax and its gradient (10 B per logit in bf16); ``te``, Transformer Engine's
    fused kernel (Megatron-Core's ``cross_entropy_fusion_impl: te``), writes the gradient over the
    logits in its forward pass and holds only them (2 B per logit in bf16).
    ``slices`` cuts the job into that many equal slices of the system's pod tier, joined over
    the tier beyond it (TPU Multislice); None: as few pods as the chips need.
    ``slice_sharding``: under a framework that shards inside a slice (MaxText), ``data`` keeps a
    replica per slice (``dcn_data_parallelism``), ``fsdp`` shards over every slice
    (``dcn_fsdp_parallelism``).
    """

    name: str
    model: ModelSpec
    system: SystemSpec
    chip: ChipSpec
    chips: PositiveInt
    slices: PositiveInt | None = None
    slice_sharding: SliceSharding = "data"
    precision: Precision
    parallelism: Parallelism
    calibration: Calibration
    framework: Framework = "megatron"
    hierarchy: Hierarchy | None = None
    collectives: CollectiveLibrary | None = None
    # (MFU, run) of the best published run of a transformer on this chip (spec.published)
    published_best_mfu: tuple[float, str] | None = None
    flash_attention: bool = True
    attention_kernel: AttentionKernel = "auto"
    fp8_attention: bool = False
    grad_reduce: GradReduce = "auto"
    fp8_params: bool = False
    optimizer_moments: OptimizerMoments = "fp32"
    fp8_recipe: Fp8Recipe = "delayed"
    cross_entropy: CrossEntropy = "unfused"
    site: SiteSection | None = None
    cost: CostSection | None = None
    data: DataSection | None = None
    routing: RoutingSection | None = None
    ingest: Any = Field(default=None, exclude=True)  # resolved data: section (IngestParts)
    reliability: ReliabilitySection | None = None
    source_file: str | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _grad_reduce(self) -> Scenario:
        _check_grad_reduce(self.precision, self.grad_reduce, self.fp8_params)
        return self

    @model_validator(mode="after")
    def _fp8_recipe(self) -> Scenario:
        if self.fp8_recipe == "mxfp8" and self.chip.fp8_arch != "blackwell":
            raise ValueError(
                f"fp8_recipe: mxfp8 runs on Blackwell only (Megatron-Core's fp8_recipe); chip "
                f"{self.chip.name!r} is {self.chip.fp8_arch or 'not a Blackwell part'}"
            )
        return self

    @model_validator(mode="after")
    def _fused_grouped_mlp(self) -> Scenario:
        if self.routing is None or not self.routing.fused_grouped_mlp:
            return self
        if self.fp8_recipe != "mxfp8" or not self.model.gated_mlp:
            raise ValueError(
                "routing.fused_grouped_mlp: Transformer Engine fuses a gated MLP's experts under "
                f"the mxfp8 recipe only (fp8_recipe is {self.fp8_recipe!r}, precision "
                f"{self.precision})"
            )
        return self

    @model_validator(mode="after")
    def _fp8_attention(self) -> Scenario:
        if not self.fp8_attention:
            return self
        if self.precision != "fp8":
            raise ValueError(
                f"fp8_attention: FP8 attention is part of FP8 training; precision is {self.precision}"
            )
        if not self.flash_attention:
            raise ValueError("fp8_attention: needs fused attention (flash_attention: true)")
        if self.calibration.fp8_attention_speedup is None:
            raise ValueError(
                f"fp8_attention: calibration {self.calibration.name!r} has no measured "
                "fp8_attention_speedup (FP8 fused attention is measured on Blackwell only)"
            )
        return self

    @model_validator(mode="after")
    def _combined_1f1b(self) -> Scenario:
        if self.parallelism.overlap_expert_parallel and self.model.mtp_depth > 1:
            raise ValueError(
                "parallelism.overlap_expert_parallel: Megatron-Core's combined 1F1B runs at most "
                f"one multi-token-prediction layer (the model has {self.model.mtp_depth})"
            )
        return self

    @model_validator(mode="after")
    def _attention_kernel(self) -> Scenario:
        if self.attention_kernel == "auto":
            return self
        if not self.flash_attention:
            raise ValueError(
                f"attention_kernel: {self.attention_kernel} is a fused attention kernel; "
                "set flash_attention: true or attention_kernel: auto"
            )
        if self.attention_kernel == "newest":
            cal = self.calibration
            if "flash_attention_efficiency" not in cal.ranges or not cal.newest_attention_half_seq:
                raise ValueError(
                    f"attention_kernel: calibration {cal.name!r} has no newest measured fused "
                    "attention kernel (flash_attention_efficiency with a high end and "
                    "newest_attention_half_seq); use attention_kernel: auto"
                )
            return self
        if self.calibration.flash_attention_1_efficiency is None:
            raise ValueError(
                f"attention_kernel: calibration {self.calibration.name!r} has no "
                "flash_attention_1_efficiency (FlashAttention-1 is measured on NVIDIA GPUs only); "
                "use attention_kernel: auto"
            )
        return self

    @model_validator(mode="after")
    def _precision_supported(self) -> Scenario:
        if self.precision not in self.chip.peak_flops:
            have = ", ".join(self.chip.peak_flops)
            raise ValueError(
                f"precision: chip {self.chip.name!r} has no {self.precision} peak (it has {have})"
            )
        return self


class NetworkScenario(Frozen):
    """A resolved scenario whose model is a catalog network (a conv net, a video transformer).

    ``global_batch`` and ``micro_batch`` count samples (images, clips). Networks
    run data- and pipeline-parallel (layers placed on stages of chips or, on
    Dojo, regions of the mesh); ``tensor`` must be 1 or ``auto``.
    """

    name: str
    network: NetworkSpec
    workload: Any = Field(exclude=True)  # dojosim.workload.graph.Workload, traced once
    system: SystemSpec
    chip: ChipSpec
    chips: PositiveInt
    slices: PositiveInt | None = None
    slice_sharding: SliceSharding = "data"
    precision: Precision
    parallelism: Parallelism
    calibration: Calibration
    framework: Framework = "megatron"
    hierarchy: Hierarchy | None = None
    collectives: CollectiveLibrary | None = None
    grad_reduce: GradReduce = "auto"
    fp8_params: bool = False
    optimizer_moments: OptimizerMoments = "fp32"
    site: SiteSection | None = None
    cost: CostSection | None = None
    data: DataSection | None = None
    routing: RoutingSection | None = None
    ingest: Any = Field(default=None, exclude=True)  # resolved data: section (IngestParts)
    reliability: ReliabilitySection | None = None
    source_file: str | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _supported(self) -> NetworkScenario:
        _check_grad_reduce(self.precision, self.grad_reduce, self.fp8_params)
        if self.precision not in self.chip.peak_flops:
            have = ", ".join(self.chip.peak_flops)
            raise ValueError(
                f"precision: chip {self.chip.name!r} has no {self.precision} peak (it has {have})"
            )
        return self
