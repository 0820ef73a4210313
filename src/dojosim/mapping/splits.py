"""How a framework may lay a model's layers out on pipeline stages: the standard splits, the
ones only a pipeline layout makes, and the cuts into virtual stages an interleaved schedule
needs (:mod:`dojosim.mapping.frameworks` checks layouts against them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dojosim.mapping.frameworks import Framework


def standard_splits(fw: Framework, layers: int, pipeline: int) -> list[tuple[int, ...]]:
    """The layer counts per stage ``fw`` lays out on ``pipeline`` stages without a pipeline
    layout: an even split, and where the framework allows it the split one layer shorter at
    both ends (Megatron's ``--account-for-embedding-in-pipeline-split`` and
    ``--account-for-loss-in-pipeline-split``)."""
    if pipeline == 1:
        return [(layers,)]
    out: list[tuple[int, ...]] = []
    if layers % pipeline == 0:
        out.append((layers // pipeline,) * pipeline)
    if fw.uneven_ends and pipeline > 2 and (layers + 2) % pipeline == 0:
        n = (layers + 2) // pipeline
        if n > 1:
            out.append((n - 1, *(n,) * (pipeline - 2), n - 1))
    return out


def takes_layout(fw: Framework, layout: bool = True) -> bool:
    """Whether ``fw`` runs any number of layers per stage: Tesla's compiler, which balances
    stages by time, and Megatron-Core through ``--pipeline-model-parallel-layout`` (taken,
    ``layout``, where the pipeline size is given; ``auto`` keeps to the standard splits)."""
    return fw.name == "dojo" or (fw.name == "megatron" and layout)


def stage_splits(
    fw: Framework, layers: int, pipeline: int, layout: bool = True
) -> list[tuple[int, ...]]:
    """The layer counts per stage a framework can lay out on ``pipeline`` stages: the
    standard splits, or where there is none and the framework takes a layout
    (:func:`takes_layout`), the most even split (the estimator then balances its stages by
    time, :func:`dojosim.perf.optimise.balanced_stages`).
    """
    out = standard_splits(fw, layers, pipeline)
    if takes_layout(fw, layout) and not out and pipeline <= layers:
        base, extra = divmod(layers, pipeline)
        out.append(tuple(base + (1 if i < extra else 0) for i in range(pipeline)))
    return out


def interleave_problem(fw: Framework, stage_layers: tuple[int, ...], v: int) -> str | None:
    """Why ``fw`` cannot cut each of ``stage_layers`` into ``v`` virtual stages, or None.

    Every virtual stage holds at least one slot, and the embedding and the loss are a slot
    each on the first and the last stage: Megatron's ``--account-for-embedding-in-pipeline-
    split`` and ``--account-for-loss-in-pipeline-split`` (``megatron/training/arguments.py``:
    the layers plus those two must divide by pipeline x layers per virtual stage) and its
    layouts' ``E`` and ``L`` stages; torchtitan's ``input_weight`` and ``output_weight``
    (``generate_llm_fqn_per_model_part``). A framework that splits evenly needs ``v`` to
    divide the layers of an even split, or the slots of a split one layer shorter at both
    ends; any other split comes from a pipeline layout, which cuts anywhere.
    """
    slots = list(stage_layers)
    slots[0] += 1
    slots[-1] += 1
    if min(slots) < v:
        return (
            f"{v} virtual stages need {v} layers on every stage at least (the embedding and "
            "the loss count as one on the first and last stage)"
        )
    even = stage_layers if len(set(stage_layers)) == 1 else None
    per = even or (tuple(slots) if len(set(slots)) == 1 else None)
    if fw.interleave_even and per and per[0] % v:
        what = "layers" if even else "layers (with the embedding and the loss)"
        return f"{what} per stage ({per[0]}) must be divisible by the {v} virtual stages"
    return None


__all__ = ["interleave_problem", "stage_splits", "standard_splits", "takes_layout"]
