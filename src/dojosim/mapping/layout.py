"""A concrete parallel layout and the check that its framework can run it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dojosim.errors import SpecError
from dojosim.mapping.frameworks import Framework, problems

if TYPE_CHECKING:
    from dojosim.spec.workload import ModelSpec


@dataclass(frozen=True, slots=True)
class Layout:
    """Every knob of a parallel layout, with no ``auto`` left.

    ``stage_layers`` counts the layers (transformer blocks, or a network's layers)
    on each pipeline stage. ``recompute_layers`` is how many layers of each stage
    are recomputed in full (None: every layer follows ``recompute``). Ranks are
    laid out in the framework's order (:attr:`Framework.order`, innermost first).
    """

    tensor: int
    pipeline: int
    data: int
    micro_batch: int
    global_batch: int
    interleave: int
    sequence_parallel: bool
    recompute: str
    zero: int
    stage_layers: tuple[int, ...]
    overlap_data_parallel: bool = True
    overlap_tensor_parallel: str | None = None  # None: the framework's default
    recompute_layers: int | None = None
    schedule: str = "1f1b"
    context: int = 1
    expert: int = 1
    expert_tensor: int = 1
    overlap_expert_parallel: bool = False  # Megatron-Core's combined 1F1B
    recompute_modules: tuple[str, ...] = ()  # under selective; empty: Megatron's default

    @property
    def chips(self) -> int:
        """Chips the layout uses: tensor x context x pipeline x data."""
        return self.tensor * self.context * self.pipeline * self.data

    @property
    def micro_batches(self) -> int:
        """Micro-batches per pipeline per step."""
        return self.global_batch // (self.data * self.micro_batch)

    @property
    def selective_modules(self) -> frozenset[str]:
        """The recompute modules named for selective recomputation (empty: the default)."""
        return frozenset(self.recompute_modules) if self.recompute == "selective" else frozenset()

    def recomputed(self, stage: int) -> int:
        """Layers of ``stage`` recomputed in full."""
        n = self.stage_layers[stage]
        if self.recompute_layers is not None:
            return min(self.recompute_layers, n)
        return n if self.recompute == "full" else 0

    def as_dict(self) -> dict[str, object]:
        return {
            "tensor": self.tensor,
            "pipeline": self.pipeline,
            "data": self.data,
            "micro_batch": self.micro_batch,
            "global_batch": self.global_batch,
            "interleave": self.interleave,
            "sequence_parallel": self.sequence_parallel,
            "recompute": self.recompute,
            "recompute_layers": self.recompute_layers,
            "recompute_modules": (
                list(self.recompute_modules or ("core_attn",))
                if self.recompute == "selective"
                else None
            ),
            "zero": self.zero,
            "stage_layers": list(self.stage_layers),
            "micro_batches": self.micro_batches,
            "schedule": self.schedule,
            "context": self.context,
            "expert": self.expert,
            "expert_tensor": self.expert_tensor,
            "chips_used": self.chips,
        }


@dataclass(frozen=True, slots=True)
class Shape:
    """What the layout rules need of a model: heads, key/value heads, MLP width, sequence."""

    layers: int
    heads: int
    kv_heads: int
    ffn: int
    seq_len: int
    experts: int = 1
    # torchtitan's per-op checkpointing applies: a dense model with multi-head or grouped-query
    # attention through fused (SDPA) attention
    per_op_checkpoint: bool = False
    hidden: int = 0  # model width (what MaxText's sequence parallelism splits)
    mla: bool = False  # multi-head latent attention

    @classmethod
    def of(cls, m: ModelSpec, per_op_checkpoint: bool) -> Shape:
        return cls(
            m.layers,
            m.heads,
            m.n_kv_heads,
            m.ffn,
            m.seq_len,
            m.experts,
            per_op_checkpoint,
            m.hidden,
            m.mla is not None,
        )


def layout_problems(
    layout: Layout, shape: Shape, fw: Framework, *, given_stage_layers: bool = False
) -> list[tuple[str, str]]:
    """Why the layout cannot run: (field, message) pairs; empty when it can."""
    lay = layout
    out: list[tuple[str, str]] = []
    if lay.global_batch % (lay.data * lay.micro_batch):
        d, b = lay.data, lay.micro_batch
        out.append(
            (
                "global_batch",
                f"global_batch ({lay.global_batch}) must be divisible by data x micro_batch "
                f"({d} x {b} = {d * b})",
            )
        )
        return out
    if lay.pipeline > shape.layers:
        out.append(("pipeline", f"pipeline ({lay.pipeline}) exceeds the {shape.layers} layers"))
        return out
    if len(lay.stage_layers) != lay.pipeline:
        n = len(lay.stage_layers)
        out.append(("stage_layers", f"has {n} entries but pipeline = {lay.pipeline}"))
        return out
    if sum(lay.stage_layers) != shape.layers:
        total = sum(lay.stage_layers)
        out.append(("stage_layers", f"sums to {total} but the model has {shape.layers} layers"))
        return out
    if lay.interleave > 1 and lay.pipeline == 1:
        out.append(("interleave", "interleaving needs pipeline > 1"))
        return out
    out += _moe_problems(lay, shape)
    if lay.overlap_expert_parallel:
        out += [("overlap_expert_parallel", why) for why in _combined_problems(lay, fw)]
    if lay.recompute == "dots" and not fw.dots_recompute:
        why = (
            f"dots is JAX's checkpoint_dots_with_no_batch_dims (framework maxtext), not {fw.name}'s"
        )
        out.append(("recompute", why))
    elif lay.recompute == "dots" and not shape.heads:
        out.append(("recompute", "dots needs a transformer model (a network recomputes in full)"))
    out += _modules_problems(lay, shape, fw)
    if lay.recompute == "op" and not fw.op_recompute:
        why = f"op is torchtitan's per-op selective checkpointing (framework fsdp), not {fw.name}'s"
        out.append(("recompute", why))
    elif lay.recompute == "op" and not shape.per_op_checkpoint:
        why = (
            "op needs a dense model with multi-head or grouped-query attention and flash_attention"
        )
        out.append(("recompute", why))
    out += problems(
        fw,
        tensor=lay.tensor,
        pipeline=lay.pipeline,
        interleave=lay.interleave,
        micro_batches=lay.micro_batches,
        sequence_parallel=lay.sequence_parallel,
        zero=lay.zero if lay.data > 1 else min(lay.zero, max(fw.zero)),
        stage_layers=lay.stage_layers,
        partial_recompute=lay.recompute_layers is not None,
        heads=shape.heads,
        kv_heads=shape.kv_heads,
        ffn=shape.ffn,
        seq_len=shape.seq_len,
        hidden=shape.hidden,
        given_stage_layers=given_stage_layers,
        tensor_overlap=lay.overlap_tensor_parallel,
    )
    return out


def _modules_problems(lay: Layout, shape: Shape, fw: Framework) -> list[tuple[str, str]]:
    """Megatron-Core's rules for ``recompute_modules`` (``TransformerConfig``, Megatron-LM
    d98e8a64): selective granularity only, no per-layer counts, ``moe_act`` with experts and
    ``mla_up_proj`` with latent attention."""
    named = lay.recompute_modules
    if not named:
        return []
    field = "recompute_modules"
    if not fw.recompute_modules:
        return [(field, f"recompute_modules are Megatron-Core's, not {fw.name}'s")]
    out = []
    if lay.recompute != "selective":
        out.append((field, f"recompute_modules need recompute: selective (got {lay.recompute})"))
    if lay.recompute_layers is not None:
        out.append((field, "recompute_modules cannot be combined with recompute_layers"))
    if "moe_act" in named and shape.experts <= 1:
        out.append((field, "moe_act needs a mixture-of-experts model"))
    if "mla_up_proj" in named and not shape.mla:
        out.append((field, "mla_up_proj needs multi-head latent attention (attention: mla)"))
    return out


def _moe_problems(lay: Layout, shape: Shape) -> list[tuple[str, str]]:
    """Expert, context and schedule rules (Megatron-Core's parallel folding; DualPipe)."""
    out: list[tuple[str, str]] = []
    ep, etp, cp = lay.expert, lay.expert_tensor, lay.context
    if ep > 1 and shape.experts <= 1:
        out.append(("expert", f"expert ({ep}) needs a mixture-of-experts model"))
    elif shape.experts % ep:
        out.append(("expert", f"expert ({ep}) must divide the {shape.experts} experts"))
    folded = lay.data * cp * lay.tensor
    if folded % (ep * etp):
        out.append(
            (
                "expert",
                f"expert x expert_tensor ({ep} x {etp}) must divide data x context x tensor "
                f"({lay.data} x {cp} x {lay.tensor} = {folded})",
            )
        )
    if cp > 1 and shape.seq_len % (2 * cp):
        out.append(
            (
                "context",
                f"the sequence ({shape.seq_len}) must split into 2 x context ({2 * cp}) chunks "
                "(causal load balancing)",
            )
        )
    m, p = lay.micro_batches, lay.pipeline
    if lay.schedule == "dualpipe" and (p % 2 or m < 2 * p):
        out.append(
            (
                "schedule",
                f"DualPipe needs an even pipeline and at least 2 x pipeline micro-batches "
                f"(pipeline {p}, {m} micro-batches)",
            )
        )
    if lay.schedule == "zero-bubble" and m < p:
        out.append(("schedule", f"zero-bubble needs at least {p} micro-batches (has {m})"))
    return out


def _combined_problems(lay: Layout, fw: Framework) -> list[str]:
    """Why Megatron-Core's combined 1F1B cannot run the layout (its TransformerConfig checks,
    megatron/core/transformer/transformer_config.py at d98e8a64, and the schedules'
    pairing of one micro-batch's forward with another's backward)."""
    out = []
    if not fw.combined_1f1b:
        out.append(f"the combined 1F1B schedule is Megatron-Core's, not {fw.name}'s")
    if lay.expert <= 1:
        out.append("overlapping the expert all-to-alls needs expert parallelism (expert > 1)")
    if lay.schedule in ("zero-bubble", "dualpipe"):
        out.append(f"the combined 1F1B schedule replaces 1F1B, not {lay.schedule}")
    if lay.pipeline > 1 and lay.interleave <= 1:
        out.append(
            "with pipeline > 1 the combined 1F1B schedule needs virtual stages (interleave > 1)"
        )
    if lay.recompute == "full" or lay.recompute_layers is not None:
        out.append("the combined 1F1B schedule runs without full recomputation")
    return out


def check(
    layout: Layout,
    shape: Shape,
    fw: Framework,
    chips: int,
    file: str | None = None,
    *,
    given_stage_layers: bool = False,
) -> None:
    """Raise :class:`SpecError` naming the field if the framework cannot run the layout."""
    if layout.chips > chips:
        t, p, d = layout.tensor, layout.pipeline, layout.data
        raise SpecError(
            f"tensor x pipeline x data = {t} x {p} x {d} = {layout.chips}, more than the "
            f"{chips} chips",
            file=file,
            field="parallelism.data",
        )
    found = layout_problems(layout, shape, fw, given_stage_layers=given_stage_layers)
    if found:
        field, msg = found[0]
        raise SpecError(msg, file=file, field=f"parallelism.{field}")


def balanced_split(times: list[float], p: int) -> tuple[int, ...]:
    """Cut ``times`` (per layer) into ``p`` contiguous non-empty stages whose slowest is as
    fast as it can be (a pipeline runs at its slowest stage's pace); the layer count of each
    stage. The least feasible bottleneck is found by bisection, each candidate checked by
    filling stages greedily in order; stages are then cut further, the longest first, until
    there are ``p``."""
    n = len(times)
    if p > n:
        raise ValueError(f"cannot cut {n} layers into {p} stages")

    def fill(cap: float) -> tuple[list[int], float, float]:
        """Greedy stages under ``cap``; their slowest stage; the least cap that would let
        any stage take its next layer (a larger cap changes nothing below it)."""
        counts, load, worst, grow = [0], 0.0, 0.0, math.inf
        for x in times:
            if counts[-1] and load + x > cap:
                worst, grow = max(worst, load), min(grow, load + x)
                counts.append(0)
                load = 0.0
            counts[-1] += 1
            load += x
        return counts, max(worst, load), grow

    # Every cap below lo cuts too many stages and hi is a slowest stage that fits in p, so the
    # answer lies in [lo, hi]; a failed cap lifts lo to the next cap that changes the fill, a
    # feasible one lowers hi to its slowest stage, and they meet at the least feasible one.
    lo, hi = max(times), sum(times)
    counts = [n]
    while lo < hi:
        mid = (lo + hi) / 2
        cut, worst, grow = fill(mid if mid < hi else lo)  # adjacent floats: try lo itself
        if len(cut) <= p:
            counts, hi = cut, worst
        else:
            lo = grow
    while len(counts) < p:  # cutting a stage in two never slows the slowest
        i = max(range(len(counts)), key=lambda k: counts[k])
        counts[i : i + 1] = [counts[i] - counts[i] // 2, counts[i] // 2]
    return tuple(counts)


__all__ = ["Layout", "Shape", "balanced_split", "check", "layout_problems"]
