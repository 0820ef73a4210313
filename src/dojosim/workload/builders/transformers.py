"""Vision and video transformers in plain torch: ViT, ViViT and VideoMAE.

Shapes: images ``[N, 3, H, W]``, videos ``[N, 3, T, H, W]``. Every architecture number
comes from the catalog entry's ``config:`` (see ``catalog/networks/``).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from dojosim.errors import SpecError
from dojosim.workload.builders._config import Config


class Attention(nn.Module):
    """Multi-head self-attention: one fused QKV projection, SDPA, an output projection."""

    def __init__(self, dim: int, heads: int, qkv_bias: bool = True):
        super().__init__()
        if dim % heads:
            raise SpecError(f"width {dim} is not divisible by {heads} heads", field="config")
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, s, d = x.shape
        q, k, v = self.qkv(x).reshape(n, s, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v)
        return self.proj(out.transpose(1, 2).reshape(n, s, d))


class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    """A pre-norm transformer encoder layer (ViT)."""

    def __init__(self, dim: int, heads: int, mlp: int, qkv_bias: bool = True):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads, qkv_bias)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, mlp)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class Encoder(nn.Module):
    """``depth`` blocks, a learned position embedding (or none) and a final norm."""

    def __init__(
        self,
        tokens: int,
        dim: int,
        depth: int,
        heads: int,
        mlp: int,
        *,
        learned_pos: bool = True,
        final_norm: bool = True,
        qkv_bias: bool = True,
    ):
        super().__init__()
        self.pos_embedding = nn.Parameter(torch.zeros(1, tokens, dim)) if learned_pos else None
        self.layers = nn.Sequential(*[Block(dim, heads, mlp, qkv_bias) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6) if final_norm else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.pos_embedding is not None:
            x = x + self.pos_embedding
        return self.norm(self.layers(x))


def _sinusoid(tokens: int, dim: int) -> torch.Tensor:
    """The fixed sine-cosine position table of Vaswani et al. 2017, ``[1, tokens, dim]``."""
    pos = torch.arange(tokens, dtype=torch.float32)[:, None]
    freq = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    table = torch.zeros(tokens, dim)
    table[:, 0::2] = torch.sin(pos * freq)
    table[:, 1::2] = torch.cos(pos * freq)
    return table[None]


class ViT(nn.Module):
    """Dosovitskiy et al. 2021: patches → class token + learned positions → encoder → head."""

    def __init__(
        self, image: int, patch: int, dim: int, depth: int, heads: int, mlp: int, classes: int
    ):
        super().__init__()
        if image % patch:
            raise SpecError(f"image {image} is not a multiple of patch {patch}", field="config")
        self.conv_proj = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)
        self.class_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.encoder = Encoder((image // patch) ** 2 + 1, dim, depth, heads, mlp)
        self.head = nn.Linear(dim, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv_proj(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.class_token.expand(x.shape[0], -1, -1), x], dim=1)
        return self.head(self.encoder(x)[:, 0])


class VideoViT(nn.Module):
    """A video transformer over tubelets ``[t, p, p]``.

    ``variant="spatiotemporal"``: one encoder over every tubelet token (ViViT model 1,
    and VideoMAE with ``pool="mean"``, fixed sine-cosine positions and no class token).
    ``variant="factorised_encoder"``: a spatial encoder per temporal index, then a
    temporal encoder over the per-index class tokens (ViViT model 2).
    """

    def __init__(self, c: Config):
        super().__init__()
        self.variant = c.choice("variant", ("spatiotemporal", "factorised_encoder"))
        frames, image = c.integer("frames"), c.integer("image")
        tubelet, patch = c.integer("tubelet"), c.integer("patch")
        dim, heads, mlp = c.integer("width"), c.integer("heads"), c.integer("mlp")
        depth = c.integer("depth")
        classes = c.integer("classes")
        self.pool = c.choice("pool", ("class_token", "mean"), "class_token")
        learned = c.choice("positions", ("learned", "sinusoid"), "learned") == "learned"
        qkv_bias = c.flag("qkv_bias", True)
        temporal_depth = c.integer("temporal_depth", 0, minimum=0)
        c.done()
        if frames % tubelet or image % patch:
            raise SpecError(
                f"frames {frames} and image {image} must be multiples of tubelet {tubelet} "
                f"and patch {patch}",
                field="config",
            )
        if (self.variant == "factorised_encoder") != (temporal_depth > 0):
            raise SpecError(
                "temporal_depth is required for (and only for) the factorised_encoder variant",
                field="config.temporal_depth",
            )
        if self.variant == "factorised_encoder" and self.pool != "class_token":
            raise SpecError("the factorised encoder pools with class tokens", field="config.pool")
        self.tubelets = frames // tubelet
        patches = (image // patch) ** 2
        self.patch_embed = nn.Conv3d(3, dim, (tubelet, patch, patch), (tubelet, patch, patch))
        cls = 1 if self.pool == "class_token" else 0
        self.class_token = nn.Parameter(torch.zeros(1, 1, dim)) if cls else None
        if self.variant == "spatiotemporal":
            tokens = self.tubelets * patches + cls
            self.encoder = Encoder(
                tokens,
                dim,
                depth,
                heads,
                mlp,
                learned_pos=learned,
                final_norm=self.pool == "class_token",
                qkv_bias=qkv_bias,
            )
            self.temporal_token: nn.Parameter | None = None
            self.temporal: Encoder | None = None
        else:
            self.encoder = Encoder(patches + 1, dim, depth, heads, mlp, qkv_bias=qkv_bias)
            self.temporal_token = nn.Parameter(torch.zeros(1, 1, dim))
            self.temporal = Encoder(
                self.tubelets + 1, dim, temporal_depth, heads, mlp, qkv_bias=qkv_bias
            )
        if not learned:
            self.register_buffer("fixed_pos", _sinusoid(self.tubelets * patches + cls, dim))
        else:
            self.fixed_pos = None
        self.fc_norm = nn.LayerNorm(dim, eps=1e-6) if self.pool == "mean" else nn.Identity()
        self.head = nn.Linear(dim, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        x = self.patch_embed(x)  # [N, D, T', H', W']
        if self.variant == "spatiotemporal":
            x = x.flatten(2).transpose(1, 2)  # [N, T' H' W', D]
            if self.class_token is not None:
                x = torch.cat([self.class_token.expand(n, -1, -1), x], dim=1)
            if self.fixed_pos is not None:
                x = x + self.fixed_pos
            x = self.encoder(x)
            x = x[:, 0] if self.pool == "class_token" else self.fc_norm(x.mean(1))
            return self.head(x)
        assert self.class_token is not None and self.temporal is not None
        assert self.temporal_token is not None
        d, t = x.shape[1], x.shape[2]
        x = x.permute(0, 2, 3, 4, 1).reshape(n * t, -1, d)  # one spatial sequence per index
        x = torch.cat([self.class_token.expand(n * t, -1, -1), x], dim=1)
        x = self.encoder(x)[:, 0].reshape(n, t, d)
        x = torch.cat([self.temporal_token.expand(n, -1, -1), x], dim=1)
        return self.head(self.temporal(x)[:, 0])


def vit(config: dict[str, object]) -> nn.Module:
    """ViT (Dosovitskiy et al. 2021) for square images: image, patch, width, depth, heads, mlp, classes."""
    c = Config(config)
    model = ViT(
        c.integer("image"),
        c.integer("patch"),
        c.integer("width"),
        c.integer("depth"),
        c.integer("heads"),
        c.integer("mlp"),
        c.integer("classes"),
    )
    c.done()
    return model


def vivit(config: dict[str, object]) -> nn.Module:
    """ViViT (Arnab et al. 2021), spatio-temporal or factorised-encoder variant."""
    return VideoViT(Config(config))


def videomae(config: dict[str, object]) -> nn.Module:
    """VideoMAE's fine-tuning network (Tong et al. 2022): a ViT over 2×16×16 tubelets,
    fixed sine-cosine positions, mean pooling; the defaults set those three choices."""
    data = {"variant": "spatiotemporal", "pool": "mean", "positions": "sinusoid", **config}
    return VideoViT(Config(data))
