"""A multi-camera FSD-style video network after Tesla's AI Day descriptions (2021, 2022).

Per sample: ``T`` time steps × ``cameras`` images ``[3, H, W]`` → a RegNet-style
backbone (X blocks: 1×1, 3×3 group convolution, 1×1, optional squeeze-excitation) and a
BiFPN-style neck per image → a transformer whose learned bird's-eye-view (BEV) queries
cross-attend to every camera's features ("into vector space") → a video module (a
convolutional GRU over the BEV grid, the "spatial RNN") → HydraNet heads (a shared
trunk, one small head per task) on the last step. Tesla published the structure, not the
sizes: every size comes from the catalog entry's ``config:``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from dojosim.errors import SpecError
from dojosim.workload.builders._config import Config


def _conv_bn(cin: int, cout: int, k: int, stride: int = 1, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class SqueezeExcite(nn.Module):
    def __init__(self, ch: int, squeeze: int):
        super().__init__()
        self.fc1 = nn.Conv2d(ch, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, ch, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = F.adaptive_avg_pool2d(x, 1)
        return x * torch.sigmoid(self.fc2(F.relu(self.fc1(s))))


class XBlock(nn.Module):
    """RegNet's X block (Radosavovic et al. 2020), Y when ``se > 0``."""

    def __init__(self, cin: int, cout: int, stride: int, group_width: int, se: float):
        super().__init__()
        if cout % group_width:
            raise SpecError(
                f"width {cout} is not a multiple of group_width {group_width}",
                field="config.backbone",
            )
        self.a = _conv_bn(cin, cout, 1)
        self.b = _conv_bn(cout, cout, 3, stride, groups=cout // group_width)
        self.se = SqueezeExcite(cout, max(1, int(cin * se))) if se > 0 else nn.Identity()
        self.c = nn.Sequential(nn.Conv2d(cout, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.proj = (
            nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
            if stride != 1 or cin != cout
            else None
        )
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        idt = x if self.proj is None else self.proj(x)
        return self.relu(self.c(self.se(self.b(self.a(x)))) + idt)


class RegNet(nn.Module):
    """A stride-4 stem, then stages of X blocks, each halving the resolution; returns every stage."""

    def __init__(self, c: Config):
        super().__init__()
        stem = c.integer("stem")
        widths = c.integers("widths")
        depths = c.integers("depths", length=len(widths))
        gw = c.integer("group_width")
        se = c.number("se", 1.0) if "se" in c.data else 0.0
        c.done()
        self.stem = nn.Sequential(_conv_bn(3, stem // 2, 3, 2), _conv_bn(stem // 2, stem, 3, 2))
        stages = []
        cin = stem
        for w, d in zip(widths, depths, strict=True):
            stages.append(
                nn.Sequential(
                    *[XBlock(cin if i == 0 else w, w, 2 if i == 0 else 1, gw, se) for i in range(d)]
                )
            )
            cin = w
        self.stages = nn.ModuleList(stages)
        self.widths = widths

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self.stem(x)
        out = []
        for stage in self.stages:
            x = stage(x)
            out.append(x)
        return out


class SeparableConv(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.depthwise = nn.Conv2d(ch, ch, 3, 1, 1, groups=ch, bias=False)
        self.pointwise = nn.Conv2d(ch, ch, 1, bias=False)
        self.bn = nn.BatchNorm2d(ch)
        self.act = nn.SiLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.bn(self.pointwise(self.depthwise(x))))


class BiFPNLayer(nn.Module):
    """One BiFPN layer (Tan et al. 2020): top-down then bottom-up, fast normalised fusion."""

    def __init__(self, ch: int, levels: int):
        super().__init__()
        self.td = nn.ModuleList([SeparableConv(ch) for _ in range(levels - 1)])
        self.bu = nn.ModuleList([SeparableConv(ch) for _ in range(levels - 1)])
        self.w_td = nn.Parameter(torch.ones(levels - 1, 2))
        self.w_bu = nn.Parameter(torch.ones(levels - 1, 3))

    def forward(self, feats: list[torch.Tensor]) -> list[torch.Tensor]:
        n = len(feats)
        w_td = F.relu(self.w_td)
        w_td = w_td / (w_td.sum(1, keepdim=True) + 1e-4)
        td = [feats[-1]]
        for i in range(n - 2, -1, -1):  # coarse to fine
            up = F.interpolate(td[0], size=feats[i].shape[-2:], mode="nearest")
            j = n - 2 - i
            td.insert(0, self.td[j](w_td[j, 0] * feats[i] + w_td[j, 1] * up))
        w_bu = F.relu(self.w_bu)
        w_bu = w_bu / (w_bu.sum(1, keepdim=True) + 1e-4)
        out = [td[0]]
        for i in range(1, n):  # fine to coarse
            down = F.max_pool2d(out[-1], 3, 2, 1)
            down = down[..., : feats[i].shape[-2], : feats[i].shape[-1]]
            j = i - 1
            out.append(self.bu[j](w_bu[j, 0] * feats[i] + w_bu[j, 1] * td[i] + w_bu[j, 2] * down))
        return out


class BiFPN(nn.Module):
    def __init__(self, widths: list[int], c: Config):
        super().__init__()
        ch = c.integer("channels")
        layers = c.integer("layers")
        c.done()
        self.lateral = nn.ModuleList([nn.Conv2d(w, ch, 1) for w in widths])
        self.layers = nn.ModuleList([BiFPNLayer(ch, len(widths)) for _ in range(layers)])
        self.channels = ch

    def forward(self, feats: list[torch.Tensor]) -> list[torch.Tensor]:
        feats = [lat(f) for lat, f in zip(self.lateral, feats, strict=True)]
        for layer in self.layers:
            feats = layer(feats)
        return feats


class CrossAttention(nn.Module):
    """BEV queries attend to image tokens: pre-norm, SDPA, then an MLP."""

    def __init__(self, dim: int, heads: int, mlp: int):
        super().__init__()
        if dim % heads:
            raise SpecError(f"dim {dim} is not divisible by {heads} heads", field="config.bev")
        self.heads = heads
        self.norm_q = nn.LayerNorm(dim)
        self.norm_kv = nn.LayerNorm(dim)
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(dim, 2 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp), nn.GELU(), nn.Linear(mlp, dim))

    def forward(self, x: torch.Tensor, mem: torch.Tensor) -> torch.Tensor:
        n, s, d = x.shape
        h = self.heads
        q = self.q(self.norm_q(x)).reshape(n, s, h, d // h).transpose(1, 2)
        k, v = self.kv(self.norm_kv(mem)).reshape(n, -1, 2, h, d // h).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(n, s, d)
        x = x + self.proj(a)
        return x + self.mlp(self.norm2(x))


class ConvGRU(nn.Module):
    """The spatial RNN: a GRU whose gates are 3×3 convolutions over the BEV grid."""

    def __init__(self, cin: int, ch: int):
        super().__init__()
        self.inp = nn.Conv2d(cin, ch, 1)
        self.gates = nn.Conv2d(2 * ch, 2 * ch, 3, 1, 1)
        self.cand = nn.Conv2d(2 * ch, ch, 3, 1, 1)

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        x = self.inp(x)
        r, z = torch.sigmoid(self.gates(torch.cat([x, h], 1))).chunk(2, 1)
        c = torch.tanh(self.cand(torch.cat([x, r * h], 1)))
        return (1 - z) * h + z * c


class FSDMultiCam(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.cameras = c.integer("cameras")
        self.frames = c.integer("frames")
        self.image = c.integers("image", length=2)  # [H, W]
        self.backbone = RegNet(c.mapping("backbone"))
        self.neck = BiFPN(self.backbone.widths, c.mapping("neck"))
        bev = c.mapping("bev")
        self.grid = bev.integers("grid", length=2)
        dim, heads = bev.integer("dim"), bev.integer("heads")
        self.level = bev.integer("level", minimum=0)
        layers, mlp = bev.integer("layers"), bev.integer("mlp")
        bev.done()
        video = c.mapping("video")
        rnn = video.integer("channels")
        video.done()
        hydra = c.mapping("heads")
        trunk = hydra.integer("trunk")
        tasks = hydra.int_mapping("tasks")
        hydra.done()
        c.done()
        levels = len(self.backbone.widths)
        if self.level >= levels:
            raise SpecError(f"level {self.level} >= {levels} pyramid levels", field="config.bev")
        stride = 8 * (1 << self.level)  # stem 4, first stage 2, then 2 per level
        fh, fw = self.image[0] // stride, self.image[1] // stride
        if fh * stride != self.image[0] or fw * stride != self.image[1]:
            raise SpecError(f"image {self.image} is not a multiple of {stride}", field="config")
        self.mem_proj = nn.Linear(self.neck.channels, dim)
        self.camera_embedding = nn.Parameter(torch.zeros(self.cameras, 1, dim))
        self.image_pos = nn.Parameter(torch.zeros(1, fh * fw, dim))
        self.bev_queries = nn.Parameter(torch.zeros(1, self.grid[0] * self.grid[1], dim))
        self.fusion = nn.ModuleList([CrossAttention(dim, heads, mlp) for _ in range(layers)])
        self.video = ConvGRU(dim, rnn)
        self.trunk = _conv_bn(rnn, trunk, 3)
        self.heads = nn.ModuleDict(
            {
                k: nn.Sequential(_conv_bn(trunk, trunk, 3), nn.Conv2d(trunk, n, 1))
                for k, n in tasks.items()
            }
        )
        self.rnn_channels = rnn

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        expect = (self.frames, self.cameras, 3, *self.image)
        if tuple(x.shape[1:]) != expect:
            raise ValueError(f"input per sample must be {list(expect)}, got {list(x.shape[1:])}")
        n, t, cams = x.shape[0], self.frames, self.cameras
        feats = self.neck(self.backbone(x.reshape(n * t * cams, *x.shape[3:])))
        f = feats[self.level]  # [N T C, ch, h, w]
        mem = self.mem_proj(f.flatten(2).transpose(1, 2)) + self.image_pos
        mem = (mem.reshape(n * t, cams, -1, mem.shape[-1]) + self.camera_embedding).flatten(1, 2)
        q = self.bev_queries.expand(n * t, -1, -1)
        for layer in self.fusion:
            q = layer(q, mem)
        gh, gw = self.grid
        bev = q.transpose(1, 2).reshape(n, t, -1, gh, gw)
        h = bev.new_zeros(n, self.rnn_channels, gh, gw)
        for i in range(t):
            h = self.video(bev[:, i], h)
        shared = self.trunk(h)
        return tuple(head(shared) for head in self.heads.values())


def fsd_multicam(config: dict[str, object]) -> nn.Module:
    """The multi-camera video network; see the module docstring and ``fsd-multicam-8cam``."""
    return FSDMultiCam(Config(config))
