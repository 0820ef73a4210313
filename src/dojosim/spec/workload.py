"""Schema of a model (catalog kind ``model``): a dense or MoE decoder transformer."""

from __future__ import annotations

from typing import Literal

from pydantic import PositiveInt, model_validator

from dojosim.spec.base import CatalogEntry


class ModelSpec(CatalogEntry):
    """A decoder-only transformer.

    ``kv_heads`` defaults to ``heads`` (multi-head attention; fewer means GQA),
    ``ffn_hidden`` to ``4 * hidden``; ``gated_mlp`` selects a SwiGLU-style MLP
    with three weight matrices. ``experts > 1`` makes every ``moe_every``-th
    layer a mixture of experts with ``top_k`` experts per token.
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
    experts: PositiveInt = 1
    top_k: PositiveInt = 1
    moe_every: PositiveInt = 1
    params_published: float | None = None

    @model_validator(mode="after")
    def _shapes(self) -> ModelSpec:
        if self.head_dim is None and self.hidden % self.heads:
            raise ValueError(f"hidden ({self.hidden}) must be divisible by heads ({self.heads})")
        if self.heads % self.n_kv_heads:
            raise ValueError(
                f"heads ({self.heads}) must be divisible by kv_heads ({self.kv_heads})"
            )
        if self.top_k > self.experts:
            raise ValueError(f"top_k ({self.top_k}) exceeds experts ({self.experts})")
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
