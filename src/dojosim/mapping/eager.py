"""Model features a framework runs as eager PyTorch kernels instead of fused ones.

Megatron-Core runs three of them so (``Framework.eager_paths``; Megatron-LM at 0d8e0714, the
Megatron-Core that Megatron-Bridge 0.2.0 pins):

* ``expert_bias``: the bias of the experts' second linear layer, scaled by each token's routing
  probability, is added in a Python loop over the local experts (``TEGroupedMLP._apply_bias``,
  ``megatron/core/transformer/moe/experts.py`` lines 843-860: a multiply and an add per expert,
  then one concatenation);
* ``activation_clamp``: the clamp of a gated MLP's two halves runs before the compiled fused
  activation, as two ``clamp`` kernels and a ``cat`` (``weighted_bias_quick_geglu_impl``,
  ``megatron/core/fusions/fused_bias_geglu.py`` lines 424-432);
* ``scaled_rope``: a YaRN-scaled rotary embedding is never fused. Megatron-Core falls back to
  the unfused ``_apply_rotary_pos_emb_bshd`` when ``mscale != 1``
  (``megatron/core/models/common/embeddings/rope_utils.py`` lines 279-284), and Megatron-Bridge
  turns ``apply_rope_fusion`` off for any ``position_embedding_type`` but ``rope``
  (``src/megatron/bridge/utils/fusions.py`` at 7af9601c, ``validate_rope_fusion_compatibility``).
  The unfused function runs a multiply, a negation, two concatenations, a multiply and an add
  over each of the query and key tensors (lines 73-126).

Transformer Engine's fused grouped MLP (``routing.fused_grouped_mlp``) scales and adds the bias
and clamps inside its own kernels, so only ``scaled_rope`` remains there. What the kernels move
and how many there are: :mod:`dojosim.workload.moe_ops` and :mod:`dojosim.workload.transformer`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dojosim.mapping.frameworks import Framework
    from dojosim.spec.workload import ModelSpec

#: Every eager path a framework may name.
PATHS = ("expert_bias", "activation_clamp", "scaled_rope")


def eager_paths(fw: Framework, model: ModelSpec, moe: bool, fused_mlp: bool) -> frozenset[str]:
    """The eager paths of ``fw`` that a layer of ``model`` takes: ``moe`` for a mixture-of-experts
    layer, ``fused_mlp`` when its experts run as Transformer Engine's fused grouped MLP."""
    unfused_experts = moe and not fused_mlp
    taken = {
        "expert_bias": unfused_experts and model.has_bias,
        "activation_clamp": unfused_experts and model.activation_clamp is not None,
        "scaled_rope": model.rope_scaling == "yarn",
    }
    return frozenset(p for p in fw.eager_paths if taken[p])
