"""Schema of a model (catalog kind ``model``): a dense or mixture-of-experts decoder transformer.

Dense models give ``layers``, ``hidden``, ``heads`` (``kv_heads`` for GQA), ``ffn_hidden``
and ``gated_mlp``. A mixture of experts adds ``experts`` (routed experts per MoE layer),
``top_k``, ``shared_experts`` and ``expert_ffn_hidden``; its first ``dense_layers`` layers
keep a dense MLP of ``ffn_hidden``, and after them every ``moe_every``-th layer is a MoE
layer (layer ``i`` counted from 0 is MoE when ``i >= dense_layers`` and
``(i - dense_layers + 1) % moe_every == 0``: Llama 4 Maverick's ``interleave_moe_layer_step:
2`` makes layers 1, 3, 5, ... MoE, as its Hugging Face config does). ``attention: mla``
selects DeepSeek's multi-head latent attention with the ``mla:`` block's ranks and head
dimensions. The parameter and FLOP arithmetic is :mod:`dojosim.workload.accounting`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    NonNegativeInt,
    PositiveInt,
    field_validator,
    model_validator,
)

from dojosim.spec.base import CatalogEntry, Frozen
from dojosim.spec.quantities import Fraction, PosRatio, sourced


class MlaSpec(Frozen):
    """Multi-head latent attention (DeepSeek-V2/V3, arXiv 2412.19437 Section 2.1.1).

    Queries go through a rank-``q_lora_rank`` bottleneck (``None``: a full projection, as
    DeepSeek-V2-Lite), keys and values through a shared rank-``kv_lora_rank`` latent plus a
    decoupled rotary key of ``qk_rope_head_dim``; each head's query/key has
    ``qk_nope_head_dim + qk_rope_head_dim`` dimensions and its value ``v_head_dim``.
    """

    q_lora_rank: PositiveInt | None = None
    kv_lora_rank: PositiveInt
    qk_nope_head_dim: PositiveInt
    qk_rope_head_dim: NonNegativeInt
    v_head_dim: PositiveInt

    @property
    def qk_head_dim(self) -> int:
        return self.qk_nope_head_dim + self.qk_rope_head_dim


class LocalAttention(Frozen):
    """Layers that attend within a window: every ``global_every``-th layer (counted from 1)
    attends over the whole sequence, the others only ``window`` tokens back (``sliding``,
    gpt-oss's banded attention) or within fixed ``chunked`` blocks (Llama 4's chunked
    attention)."""

    window: PositiveInt
    kind: Literal["sliding", "chunked"] = "sliding"
    global_every: PositiveInt = 2


NOMINAL = "a nominal size, as in the model's name: 5% covers rounding to the name's precision"


class PublishedParams(Frozen):
    """A published parameter count: ``total`` and/or ``active`` (per token), each with the
    relative ``tolerance`` our count must meet and the reason in ``notes``.

    ``active_counts_embedding`` says whether the publisher counts the input embedding as
    active (DeepSeek and Mistral do; OpenAI's gpt-oss card counts only the unembedding).
    ``source`` defaults to the entry's sources.
    """

    total: float | None = Field(default=None, gt=0)
    active: float | None = Field(default=None, gt=0)
    tolerance: float = Field(default=0.03, ge=0, le=1)
    active_tolerance: float | None = Field(default=None, ge=0, le=1)
    active_counts_embedding: bool = True
    source: str | None = None
    notes: str = ""

    @model_validator(mode="after")
    def _one_count(self) -> PublishedParams:
        if self.total is None and self.active is None:
            raise ValueError("give total and/or active")
        return self


class ModelSpec(CatalogEntry):
    """A decoder-only transformer, dense or mixture of experts (see the module docstring).

    ``kv_heads`` defaults to ``heads`` (multi-head attention; fewer means GQA),
    ``ffn_hidden`` to ``4 * hidden``; ``gated_mlp`` selects a SwiGLU-style MLP with three
    weight matrices. ``bias`` puts biases on every projection (default: only a non-gated MLP
    model has them, as GPT-2/3); ``qk_norm`` adds per-head RMSNorm weights on queries and keys
    (Qwen3). ``parallel_block`` runs attention and the MLP side by side on one norm's output,
    ``x + Attention(LN(x)) + MLP(LN(x))`` (GPT-J, PaLM). ``mtp_depth`` counts DeepSeek-V3's
    multi-token-prediction modules: trained, but not part of the published model size.
    ``dropout`` is the hidden and attention dropout probability the model trains with
    (default 0.1, Megatron-Core's ``TransformerConfig.hidden_dropout`` and
    ``attention_dropout``); at 0 no dropout mask is drawn or kept, as PyTorch's dropout returns
    its input at ``p = 0`` (``aten/src/ATen/native/Dropout.cpp``, ``_dropout_impl``).
    ``activation_clamp``: a gated MLP's two halves are clamped to this value before the
    activation (gpt-oss's ``swiglu(..., limit=7.0)``). ``rope_scaling: yarn``: the rotary
    embedding's frequencies are YaRN-scaled (Peng et al. 2023, arXiv 2309.00071), as gpt-oss
    trains; ``none``: plain RoPE (or no rotary embedding at all).
    ``params_published`` is a number (the total) or one or more :class:`PublishedParams`.
    """

    kind: Literal["model"] = "model"
    family: str = ""
    layers: PositiveInt
    hidden: PositiveInt
    heads: PositiveInt
    vocab: PositiveInt
    seq_len: PositiveInt
    kv_heads: PositiveInt | None = None
    ffn_hidden: PositiveInt | None = None
    gated_mlp: bool = False
    head_dim: PositiveInt | None = None
    norm: Literal["layernorm", "rmsnorm"] = "layernorm"
    tied_embeddings: bool = False
    bias: bool | None = None
    qk_norm: bool = False
    parallel_block: bool = False
    experts: PositiveInt = 1
    top_k: PositiveInt = 1
    shared_experts: NonNegativeInt = 0
    expert_ffn_hidden: PositiveInt | None = None
    dense_layers: NonNegativeInt = 0
    moe_every: PositiveInt = 1
    node_limit: PositiveInt | None = None  # a token's routed experts span at most this many nodes
    attention: Literal["mha", "mla"] = "mha"
    mla: MlaSpec | None = None
    local_attention: LocalAttention | None = None
    mtp_depth: NonNegativeInt = 0
    activation_clamp: PosRatio | None = None
    rope_scaling: Annotated[Literal["none", "yarn"], BeforeValidator(sourced)] = "none"
    dropout: Fraction = Field(default=0.1, lt=1)
    params_published: list[PublishedParams] = Field(default_factory=list)

    @field_validator("params_published", mode="before")
    @classmethod
    def _published_list(cls, v: Any) -> Any:
        if v is None:
            return []
        if isinstance(v, int | float | str) and not isinstance(v, bool):
            # A bare number (YAML may read 22e9 as a string) is a nominal size ("7B"): 5%.
            return [{"total": v, "tolerance": 0.05, "notes": NOMINAL}]
        if isinstance(v, dict):
            return [v]
        return v

    @model_validator(mode="after")
    def _shapes(self) -> ModelSpec:
        if self.attention == "mla":
            if self.mla is None:
                raise ValueError("attention: mla needs an mla: block (kv_lora_rank, ...)")
            if self.kv_heads is not None:
                raise ValueError("kv_heads does not apply to attention: mla (keys and values "
                                 "come from the shared latent)")  # fmt: skip
        elif self.mla is not None:
            raise ValueError("an mla: block needs attention: mla")
        if self.head_dim is None and self.attention == "mha" and self.hidden % self.heads:
            raise ValueError(f"hidden ({self.hidden}) must be divisible by heads ({self.heads})")
        if self.heads % self.n_kv_heads:
            raise ValueError(
                f"heads ({self.heads}) must be divisible by kv_heads ({self.kv_heads})"
            )
        if self.parallel_block and (self.experts > 1 or self.attention == "mla"):
            raise ValueError("parallel_block needs a dense MLP and attention: mha")
        if self.activation_clamp is not None and not self.gated_mlp:
            raise ValueError("activation_clamp clamps a gated MLP's halves: it needs gated_mlp")
        if self.top_k > self.experts:
            raise ValueError(f"top_k ({self.top_k}) exceeds experts ({self.experts})")
        if self.experts == 1:
            for name in ("shared_experts", "dense_layers", "expert_ffn_hidden"):
                if getattr(self, name):
                    raise ValueError(f"{name} needs a mixture of experts (experts > 1)")
            if self.moe_every != 1:
                raise ValueError("moe_every needs a mixture of experts (experts > 1)")
        elif self.moe_layers == 0:
            raise ValueError(
                f"no MoE layer: dense_layers ({self.dense_layers}) and moe_every "
                f"({self.moe_every}) leave none of the {self.layers} layers to experts"
            )
        return self

    @property
    def n_kv_heads(self) -> int:
        return self.kv_heads or self.heads

    @property
    def ffn(self) -> int:
        return self.ffn_hidden or 4 * self.hidden

    @property
    def dhead(self) -> int:
        return self.head_dim or self.hidden // self.heads

    @property
    def is_moe(self) -> bool:
        return self.experts > 1

    @property
    def expert_ffn(self) -> int:
        """Hidden width of one routed (and shared) expert's MLP."""
        return self.expert_ffn_hidden or self.ffn

    @property
    def has_bias(self) -> bool:
        return (not self.gated_mlp) if self.bias is None else self.bias

    def is_moe_layer(self, i: int) -> bool:
        """Whether layer ``i`` (0-based) is a mixture-of-experts layer."""
        return (
            self.is_moe
            and i >= self.dense_layers
            and (i - self.dense_layers + 1) % self.moe_every == 0
        )

    @property
    def moe_layers(self) -> int:
        """How many layers are mixture-of-experts layers."""
        if not self.is_moe:
            return 0
        return max(self.layers - self.dense_layers, 0) // self.moe_every

    def is_global_layer(self, i: int) -> bool:
        """Whether layer ``i`` attends over the whole sequence (not a local-window layer)."""
        la = self.local_attention
        return la is None or (i + 1) % la.global_every == 0
