"""Schemas of the ``measurement`` catalog kind: published kernel and routing measurements.

These are the measured figures a mixture-of-experts step model needs and no datasheet gives;
each entry is one published table, each row one measured point, every value a quantity with
units (``"153 GB/s"``, ``"1233 TFLOP/s"``, ``"77 us"``). ``type`` picks the schema:

- ``alltoall``: expert-parallel dispatch and combine kernels (DeepEP, HybridEP, ...): the
  bandwidth per GPU they achieve against the EP size, intranode (NVLink) or internode (RDMA),
  for the stated tokens per rank, hidden size, top-k and precisions. ``bandwidth_definition``
  says what the publisher's GB/s means (DeepEP's "bottleneck bandwidth" of the slowest link,
  HybridEP's "algorithm bandwidth"), because the two are not the same quantity.
- ``grouped-gemm``: grouped (per-expert) matrix multiplies: groups x (m per group, n, k) and
  the FLOP rate measured; :meth:`GroupedGemmEntry.efficiency` divides it by the chip's dense
  peak in the entry's precision.
- ``layer-gemms``: the matrix multiplies of one layer's linear layers in one recipe (BF16 or an
  FP8 scaling recipe) and one pass (forward, input gradient, weight gradient): the time of all of
  them together (or of one linear), with the operands quantized before the clock starts
  (``kernel``) or on the fly (``autocast``).
- ``attention``: fused attention kernels (FlashAttention, cuDNN): FLOP rate against sequence
  length and head dim, causal or not, of the forward pass, the backward pass or both together.
- ``step-profile``: kernel times of a profiled training step, by part of the layer (attention,
  MoE MLP), pass (forward, backward, weight gradients) and kind of kernel (GEMMs, attention, the
  rest), with the profiled job as a scenario mapping.
- ``routing-imbalance``: how unevenly a trained router spreads real text over experts: the
  max/mean tokens per expert (the straggler factor an EP step waits for) and/or the Gini
  coefficient of tokens per expert, with the model and data they were measured on.

Every entry names its ``source:``; rows may carry their own ``source`` or ``notes``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, NonNegativeInt, PositiveInt, model_validator

from dojosim.spec.base import Frozen, Registry, TypedEntry
from dojosim.spec.hardware import Precision
from dojosim.spec.quantities import Bandwidth, FlopRate, Fraction, PosRatio, PosSeconds
from dojosim.spec.scenario import Fp8Recipe


class MeasurementEntry(TypedEntry):
    """Base of every measurement entry; validating it returns the schema named by ``type``."""

    kind: Literal["measurement"] = "measurement"
    chip: str  # catalog chip the measurement ran on
    system: str | None = None  # catalog system, where one matches the testbed

    @classmethod
    def registry(cls) -> Registry:
        return MEASUREMENT_TYPES


class AllToAllRow(Frozen):
    """One measured EP size: bandwidth per GPU of dispatch and combine (B/s), optionally the
    communication SMs used and the latency per call (s)."""

    ep: PositiveInt
    scope: Literal["intranode", "internode", "mnnvl"]
    dispatch_bandwidth: Bandwidth | None = None
    combine_bandwidth: Bandwidth | None = None
    dispatch_precision: Literal["fp8", "bf16"] | None = None  # overrides the entry's
    bottleneck: Literal["nvlink", "rdma"] | None = None
    sms: PositiveInt | None = None
    dispatch_latency: PosSeconds | None = None
    combine_latency: PosSeconds | None = None
    api: Literal["kernel", "torch"] | None = None  # kernel time alone, or through the torch API
    notes: str = ""

    @model_validator(mode="after")
    def _some_figure(self) -> AllToAllRow:
        if self.dispatch_bandwidth is None and self.combine_bandwidth is None:
            raise ValueError("give dispatch_bandwidth and/or combine_bandwidth")
        return self


class AllToAllEntry(MeasurementEntry):
    """Expert-parallel all-to-all kernels of one library on one testbed."""

    type: Literal["alltoall"] = "alltoall"
    library: str
    tokens_per_rank: PositiveInt
    hidden: PositiveInt
    top_k: PositiveInt
    dispatch_precision: Literal["fp8", "bf16"]
    combine_precision: Literal["fp8", "bf16"]
    routing: str  # "DeepSeek-V3 group-limited gating (top-4 groups)", "random uniform", ...
    # How the kernels send a token: once per routed expert (alltoall), or once per destination
    # node and rank, forwarded over NVLink (deepep, hybridep: spec.routing.dispatch_shares);
    # the latter count their bytes that way too (one copy per destination node on RDMA rows,
    # per destination rank on NVLink rows, the sender's own included).
    dispatcher: Literal["alltoall", "deepep", "hybridep"] = "alltoall"
    node_limit: PositiveInt | None = None  # the benchmark's routing reaches at most this many nodes
    nic: str | None = None
    bandwidth_definition: str
    rows: list[AllToAllRow] = Field(min_length=1)


class GroupedGemmRow(Frozen):
    """One grouped GEMM: ``groups`` experts, each an (m_per_group x k) @ (k x n) multiply
    (``groups``/``m_per_group`` are ``None`` where the publisher gives only N and K)."""

    groups: PositiveInt | None = None
    m_per_group: PositiveInt | None = None
    n: PositiveInt
    k: PositiveInt
    flop_rate: FlopRate
    memory_bandwidth: Bandwidth | None = None
    # batched: ``groups`` independent products of the same shape in one call (a strided batch)
    layout: Literal["contiguous", "masked", "dense", "multi-stream", "batched"] = "contiguous"
    notes: str = ""


class GroupedGemmEntry(MeasurementEntry):
    """Grouped (per-expert) GEMM throughput of one library on one chip, in one precision."""

    type: Literal["grouped-gemm"] = "grouped-gemm"
    library: str
    precision: Precision
    rows: list[GroupedGemmRow] = Field(min_length=1)

    def efficiency(self, row: GroupedGemmRow) -> float:
        """The row's FLOP rate as a fraction of the chip's dense peak in this precision."""
        from dojosim import catalog

        return row.flop_rate / catalog.get("chip", self.chip).peak(self.precision)


class RoutingRow(Frozen):
    """Routing imbalance of one model on one data condition (and EP size, where scanned)."""

    model: str
    data: str
    ep: PositiveInt | None = None
    layers: str = "all"
    max_over_mean: PosRatio | None = None
    gini: Fraction | None = None
    tokens: NonNegativeInt | None = None
    notes: str = ""

    @model_validator(mode="after")
    def _some_figure(self) -> RoutingRow:
        if self.max_over_mean is None and self.gini is None:
            raise ValueError("give max_over_mean and/or gini")
        if self.max_over_mean is not None and self.max_over_mean < 1:
            raise ValueError("max_over_mean is at least 1 (the busiest expert against the mean)")
        return self


class RoutingEntry(MeasurementEntry):
    """Published routing-imbalance measurements (max/mean or Gini of tokens per expert)."""

    type: Literal["routing-imbalance"] = "routing-imbalance"
    rows: list[RoutingRow] = Field(min_length=1)


class AttentionRow(Frozen):
    """One fused-attention measurement: sequence length, head dim, causal mask, the passes
    timed and the FLOP rate (FLOP/s; causal FLOPs halved, the backward counted as 2.5 times
    the forward, as FlashAttention's benchmarks count them). ``window``: a causal band of that
    many keys per query, whose rate counts the keys each query sees in it (``window``, fewer at
    the start of the sequence), not half the sequence (None: the whole sequence)."""

    seq_len: PositiveInt
    head_dim: PositiveInt
    causal: bool
    window: PositiveInt | None = None
    passes: Literal["forward", "backward", "forward+backward"]
    flop_rate: FlopRate
    notes: str = ""


class AttentionEntry(MeasurementEntry):
    """Fused attention kernel throughput of one library on one chip, in one precision."""

    type: Literal["attention"] = "attention"
    library: str
    precision: Precision
    rows: list[AttentionRow] = Field(min_length=1)


GemmPass = Literal["fprop", "dgrad", "wgrad"]


class LayerGemmRow(Frozen):
    """The time (s) of a layer's GEMMs of one pass (``fprop``: input x weight; ``dgrad``: the
    output gradient x the weight; ``wgrad``: the input x the output gradient) in one ``recipe``
    (``bf16`` or an FP8 scaling recipe), all of the layer's linears or only ``linear``."""

    recipe: Literal["bf16"] | Fp8Recipe
    gemm: GemmPass
    time: PosSeconds
    quantized: Literal["kernel", "autocast"] = "kernel"
    linear: str | None = None
    notes: str = ""


class LayerGemmEntry(MeasurementEntry):
    """One layer's GEMMs timed by recipe and pass: ``tokens`` rows through each of ``linears``
    (name: ``[in_features, out_features]``)."""

    type: Literal["layer-gemms"] = "layer-gemms"
    library: str
    tokens: PositiveInt
    linears: dict[str, tuple[PositiveInt, PositiveInt]] = Field(min_length=1)
    rows: list[LayerGemmRow] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_linears(self) -> LayerGemmEntry:
        for row in self.rows:
            if row.linear is not None and row.linear not in self.linears:
                raise ValueError(
                    f"rows: linear {row.linear!r} is not one of {sorted(self.linears)}"
                )
        return self

    def gemms(self, row: LayerGemmRow) -> list[tuple[int, int, int]]:
        """``(m, n, k)`` of each GEMM the row timed: ``[m, k] @ [k, n]``."""
        names = [row.linear] if row.linear else list(self.linears)
        out = []
        for name in names:
            k_in, n_out = self.linears[name]
            t = self.tokens
            out.append({"fprop": (t, n_out, k_in), "dgrad": (t, k_in, n_out),
                        "wgrad": (k_in, n_out, t)}[row.gemm])  # fmt: skip
        return out


class StepProfileRow(Frozen):
    """Kernel time (s) of one part of a profiled layer and one pass: ``kind`` ``gemm``, ``attention``
    or ``other`` sums those kernels; ``wall`` is the time any compute kernel of the part and pass
    ran (kernels on two streams at once counted once). ``part`` ``outside``: kernels launched
    outside every annotated part."""

    part: Literal["attention", "moe", "outside"]
    phase: Literal["forward", "backward", "weight"] | None = None
    kind: Literal["gemm", "attention", "other", "wall"]
    time: PosSeconds
    notes: str = ""


class StepProfileEntry(MeasurementEntry):
    """Kernel times of a profiled training step (or part of one), by part of the layer, pass and
    kind of kernel, for ``layers`` layers of the job the ``scenario`` mapping describes (as in a
    scenario file; its layout is the profiled one)."""

    type: Literal["step-profile"] = "step-profile"
    library: str
    layers: PositiveInt
    scenario: dict[str, Any]
    rows: list[StepProfileRow] = Field(min_length=1)

    def time(self, part: str, phase: str | None, kind: str) -> float:
        """Seconds of the row for ``part``, ``phase`` and ``kind`` (0 if the profile has none)."""
        return sum(r.time for r in self.rows
                   if (r.part, r.phase, r.kind) == (part, phase, kind))  # fmt: skip


MEASUREMENT_TYPES: dict[str, type[MeasurementEntry]] = {
    "alltoall": AllToAllEntry,
    "grouped-gemm": GroupedGemmEntry,
    "routing-imbalance": RoutingEntry,
    "attention": AttentionEntry,
    "layer-gemms": LayerGemmEntry,
    "step-profile": StepProfileEntry,
}
