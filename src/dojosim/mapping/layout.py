"""A concrete parallel layout and the checks that make it valid for a scenario."""

from __future__ import annotations

from dataclasses import dataclass

from dojosim.errors import SpecError
from dojosim.spec.workload import ModelSpec


@dataclass(frozen=True, slots=True)
class Layout:
    """Every knob of a parallel layout, with no ``auto`` left.

    Ranks are ordered tensor-innermost, then data, then pipeline (Megatron-LM's
    default order), so a tensor group is ``tensor`` neighbouring chips.
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

    @property
    def chips(self) -> int:
        return self.tensor * self.pipeline * self.data

    @property
    def micro_batches(self) -> int:
        """Micro-batches per pipeline per step."""
        return self.global_batch // (self.data * self.micro_batch)

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
            "zero": self.zero,
            "stage_layers": list(self.stage_layers),
            "micro_batches": self.micro_batches,
        }


def even_stage_layers(layers: int, pipeline: int) -> tuple[int, ...]:
    """Layers per stage, as even as possible, extra layers on the middle stages."""
    base, extra = divmod(layers, pipeline)
    counts = [base] * pipeline
    # Middle stages take the remainder: the first holds the embedding, the last the logits.
    order = sorted(range(pipeline), key=lambda i: (i in (0, pipeline - 1), abs(i - pipeline / 2)))
    for i in order[:extra]:
        counts[i] += 1
    return tuple(counts)


def check(layout: Layout, model: ModelSpec, chips: int, file: str | None = None) -> None:
    """Raise :class:`SpecError` naming the field if the layout cannot run the model on ``chips``."""

    def fail(field: str, msg: str) -> None:
        raise SpecError(msg, file=file, field=f"parallelism.{field}")

    t, p, d = layout.tensor, layout.pipeline, layout.data
    if t * p * d != chips:
        fail(
            "data", f"tensor x pipeline x data = {t} x {p} x {d} = {t * p * d}, but chips = {chips}"
        )
    if model.heads % t:
        fail("tensor", f"heads ({model.heads}) must be divisible by tensor ({t})")
    if model.n_kv_heads % t and t % model.n_kv_heads:
        fail("tensor", f"kv_heads ({model.n_kv_heads}) and tensor ({t}) must divide one another")
    if (model.ffn) % t:
        fail("tensor", f"ffn_hidden ({model.ffn}) must be divisible by tensor ({t})")
    if layout.global_batch % (d * layout.micro_batch):
        fail(
            "global_batch",
            f"global_batch ({layout.global_batch}) must be divisible by data x micro_batch "
            f"({d} x {layout.micro_batch} = {d * layout.micro_batch})",
        )
    if p > model.layers:
        fail("pipeline", f"pipeline ({p}) exceeds the model's {model.layers} layers")
    if len(layout.stage_layers) != p:
        fail("stage_layers", f"has {len(layout.stage_layers)} entries but pipeline = {p}")
    if sum(layout.stage_layers) != model.layers:
        fail(
            "stage_layers",
            f"sums to {sum(layout.stage_layers)} but the model has {model.layers} layers",
        )
    if min(layout.stage_layers) < layout.interleave:
        fail(
            "interleave",
            f"{layout.interleave} virtual stages need at least that many layers on every stage "
            f"(fewest is {min(layout.stage_layers)})",
        )
    if p == 1 and layout.interleave > 1:
        fail("interleave", "interleaving needs pipeline > 1")
    if layout.interleave > 1 and layout.micro_batches % p:
        fail(
            "interleave",
            f"the interleaved schedule needs micro-batches ({layout.micro_batches}) divisible by "
            f"pipeline ({p})",
        )
    if layout.zero and d == 1:
        return  # ZeRO over one replica shards nothing; allowed
