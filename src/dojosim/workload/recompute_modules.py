"""Megatron-Core's selective recomputation by module (``recompute_modules``).

With ``recompute_granularity: selective`` Megatron-Core recomputes the submodules its
``recompute_modules`` names, by default ``["core_attn"]`` (``TransformerConfig``,
megatron/core/transformer/transformer_config.py at d98e8a64). Each one frees what it would
keep for the backward pass and runs again there:

* ``core_attn``: the attention core (scores, softmax, dropout, weighted sum); with fused
  attention nothing is kept or rerun (Transformer Engine's kernel keeps only its inputs).
* ``layernorm``: the outputs of the *separate* norms (output-discarding checkpoints,
  ``TransformerLayer.recompute_input_layernorm`` / ``recompute_pre_mlp_layernorm``): the
  input norm of multi-head latent attention and the pre-MLP norm of a mixture-of-experts
  layer (``gpt_layer_specs.py``: elsewhere Transformer Engine fuses the norm into the next
  linear, an ``IdentityOp``, and there is nothing to discard). Under 8-bit matmuls the next
  linear keeps the original input instead of its 8-bit copy (``set_save_original_input``),
  so the copy is what is freed.
* ``moe_act``: the experts' activation-function output, the input of their down projection
  (``experts.py``: ``CheckpointWithoutOutput`` around the activation).
* ``mla_up_proj``: the queries, keys and values that latent attention's up projections and
  rotary embedding make (``multi_latent_attention.py``, ``qkv_up_checkpoint``); the latents
  and the attention output stay.
* ``mlp``: a dense layer's MLP keeps only its input (normal checkpointing); the norm fused
  into its first linear runs again with it. MoE layers ignore it.
* ``shared_experts``: the shared experts keep only their input (normal checkpointing).

``moe`` (the whole MoE layer, dispatch included) is not modelled. Everything here is for one
layer and one micro-batch on one chip, in bytes or ops of ``layer_forward``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dojosim.spec.workload import ModelSpec
    from dojosim.workload.ops import Op
    from dojosim.workload.transformer import LayerShape

MODULES = ("core_attn", "layernorm", "moe_act", "mla_up_proj", "mlp", "shared_experts")
DEFAULT = frozenset({"core_attn"})  # Megatron-Core's default recompute_modules


def modules(sh: LayerShape) -> frozenset[str]:
    """The modules a selectively recomputed layer of shape ``sh`` runs again."""
    return sh.modules or DEFAULT


def _dense_mlp(m: ModelSpec, sh: LayerShape, mods: frozenset[str]) -> bool:
    """Whether ``mlp`` checkpoints this layer's MLP (a dense layer's, not a parallel block's)."""
    return "mlp" in mods and not sh.moe and not m.parallel_block


def _rerun_norms(m: ModelSpec, sh: LayerShape, mods: frozenset[str]) -> set[str]:
    """The norms whose outputs the modules free and rerun: with ``layernorm`` those that are
    modules of their own (not fused into a linear), with ``mlp`` the one fused into the MLP's
    first linear, which runs again with it."""
    out = set()
    if "layernorm" in mods:
        out |= {"norm1"} if m.attention == "mla" else set()
        out |= {"norm2"} if sh.moe else set()
    if _dense_mlp(m, sh, mods):
        out.add("norm2")
    return out


def dropped_bytes(m: ModelSpec, sh: LayerShape) -> float:
    """Bytes the named modules (other than ``core_attn``) free from what a layer keeps."""
    mods = modules(sh)
    b, s, e = sh.b, sh.s, sh.e
    mi = sh.cast or e  # what a matmul keeps of its input (see transformer.py)
    rep = sh.t if sh.sp else 1
    gates = 2 if m.gated_mlp else 1
    out = len(_rerun_norms(m, sh, mods)) * b * s * m.hidden * mi / rep
    if _dense_mlp(m, sh, mods):
        out += b * s * (m.ffn / sh.t) * (gates * e + mi)
    if "mla_up_proj" in mods and m.mla is not None:
        a = m.mla
        out += b * s * (m.heads / sh.t) * (2 * a.qk_head_dim + a.v_head_dim) * e
    if sh.moe and "moe_act" in mods:
        from dojosim.workload.moe_ops import routed_tokens

        out += routed_tokens(m, sh) * (m.expert_ffn / sh.etp) * mi
    if sh.moe and "shared_experts" in mods and m.shared_experts:
        out += b * s * (m.shared_experts * m.expert_ffn / sh.t) * (gates * e + mi)
    return out


def transient_bytes(m: ModelSpec, sh: LayerShape) -> float:
    """What a normally checkpointed module (``mlp``, ``shared_experts``) holds again while its
    layer's backward pass reruns it: what it freed."""
    mods = modules(sh)
    normal = {"mlp", "shared_experts"} & mods
    if not normal:
        return 0.0
    from dataclasses import replace

    return dropped_bytes(m, replace(sh, modules=frozenset(normal)))


def rerun_buffers(m: ModelSpec, sh: LayerShape, recompute: str) -> float:
    """Bytes a layer's backward pass holds again while it reruns forward work: the rerun
    forward's activations (``full``, ``op``, ``dots``: what selective keeps), or what the
    normally checkpointed modules freed (``selective``)."""
    if recompute == "selective":
        return transient_bytes(m, sh)
    if recompute in ("full", "op", "dots"):
        from dojosim.workload.transformer import activation_bytes_per_layer

        return activation_bytes_per_layer(m, sh, "selective")
    return 0.0


def rerun(m: ModelSpec, sh: LayerShape, forward: list[Op]) -> list[Op]:
    """The forward ops of one layer that the named modules run again in its backward pass."""
    from dojosim.workload.transformer import attention_core_forward

    mods = modules(sh)
    again = attention_core_forward(m, sh) if "core_attn" in mods and not sh.flash else []
    names = _rerun_norms(m, sh, mods)
    prefixes: list[str] = []
    if "moe_act" in mods and sh.moe:
        names.update(("experts_clamp", "experts_act"))  # the clamp runs inside the checkpoint
    if "mla_up_proj" in mods and m.mla is not None:
        names.update(("q_norm", "q_up", "kv_norm", "kv_up", "rope"))
    if _dense_mlp(m, sh, mods):
        prefixes.append("mlp_")
    if "shared_experts" in mods and sh.moe:
        prefixes.append("shared_")
    return again + [
        op for op in forward if op.name in names or any(op.name.startswith(p) for p in prefixes)
    ]


def applicable(m: ModelSpec, flash: bool, light: bool = False) -> tuple[str, ...]:
    """Every module that frees something in ``m`` (what ``recompute: auto`` tries together, the
    most memory selective recomputation can save): the attention core when it is not fused,
    the separate norms, the experts' activation, latent attention's up projections, the dense
    layers' MLPs and the shared experts. ``light``: the attention core and the modules Megatron
    checkpoints by discarding their outputs (``layernorm``, ``moe_act``, ``mla_up_proj``), not
    the normally checkpointed MLPs and shared experts."""
    has = {
        "core_attn": not flash,
        "layernorm": m.attention == "mla" or m.is_moe,
        "moe_act": m.is_moe,
        "mla_up_proj": m.mla is not None,
        "mlp": m.layers > m.moe_layers and not m.parallel_block,
        "shared_experts": m.is_moe and bool(m.shared_experts),
    }
    heavy = ("mlp", "shared_experts") if light else ()
    return tuple(name for name in MODULES if has[name] and name not in heavy)


def rerun_matmul_flops_per_token(m: ModelSpec, named: frozenset[str], moe: bool) -> float:
    """Matmul FLOPs per token that the named modules run again in one dense (``moe`` False)
    or mixture-of-experts layer, besides the attention core (counted with ``core_attn``)."""
    from dojosim.workload.transformer import LayerShape, layer_forward

    sh = LayerShape(1, 1, 1, False, True, 2.0, moe=moe, modules=named)
    return sum(op.flops for op in rerun(m, sh, layer_forward(m, sh)) if op.kind == "matmul")


__all__ = [
    "DEFAULT",
    "MODULES",
    "applicable",
    "dropped_bytes",
    "modules",
    "rerun",
    "rerun_buffers",
    "rerun_matmul_flops_per_token",
    "transient_bytes",
]
