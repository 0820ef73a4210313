"""Convolutional networks in plain torch: ResNet (2D) and a 3D residual encoder-decoder.

``resnet``: He et al. 2016 with the stride on the 3×3 convolution (torchvision's
"v1.5"), bottleneck or basic blocks. ``occupancy3d``: 3D residual stages over a video
clip or a voxel grid, then either a classifier (R3D-18, Tran et al. 2018) or an
upsampling decoder with skip connections and per-voxel heads (occupancy and flow, the
shape of Tesla's occupancy network). Every architecture number comes from ``config:``.
"""

from __future__ import annotations

import torch
from torch import nn

from dojosim.errors import SpecError
from dojosim.workload.builders._config import Config


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin: int, width: int, stride: int):
        super().__init__()
        cout = width * self.expansion
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = (
            nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
            if stride != 1 or cin != cout
            else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        idt = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        return self.relu(self.bn3(self.conv3(y)) + idt)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, cin: int, width: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = (
            nn.Sequential(nn.Conv2d(cin, width, 1, stride, bias=False), nn.BatchNorm2d(width))
            if stride != 1 or cin != width
            else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        idt = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(y)) + idt)


class ResNet(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        block: type[Bottleneck] | type[BasicBlock] = (
            Bottleneck if c.choice("block", ("bottleneck", "basic")) == "bottleneck" else BasicBlock
        )
        depths = c.integers("depths")
        widths = c.integers("widths", length=len(depths))
        stem = c.integer("stem")
        classes = c.integer("classes")
        c.done()
        self.conv1 = nn.Conv2d(3, stem, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin = stem
        stages = []
        for i, (d, w) in enumerate(zip(depths, widths, strict=True)):
            blocks = []
            for j in range(d):
                blocks.append(block(cin, w, 2 if (j == 0 and i > 0) else 1))
                cin = w * block.expansion
            stages.append(nn.Sequential(*blocks))
        self.layers = nn.Sequential(*stages)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        return self.fc(self.avgpool(self.layers(x)).flatten(1))


def resnet(config: dict[str, object]) -> nn.Module:
    """ResNet (He et al. 2016): block, depths, widths, stem, classes."""
    return ResNet(Config(config))


def _triple(v: list[int], where: str) -> tuple[int, int, int]:
    if len(v) == 1:
        return (v[0], v[0], v[0])
    if len(v) != 3:
        raise SpecError(f"expected 1 or 3 numbers, got {v!r}", field=where)
    return (v[0], v[1], v[2])


class Block3d(nn.Module):
    """Two 3×3×3 convolutions with batch norm and a residual (R3D's basic block)."""

    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv3d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm3d(cout)
        self.conv2 = nn.Conv3d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm3d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = (
            nn.Sequential(nn.Conv3d(cin, cout, 1, stride, bias=False), nn.BatchNorm3d(cout))
            if stride != 1 or cin != cout
            else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        idt = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(y)) + idt)


class Up3d(nn.Module):
    """×2 transposed convolution, add the encoder's skip, one residual block."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.up = nn.ConvTranspose3d(cin, cout, 2, 2, bias=False)
        self.bn = nn.BatchNorm3d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.block = Block3d(cout, cout, 1)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        return self.block(self.relu(self.bn(self.up(x))) + skip)


class Net3d(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        cin = c.integer("in_channels")
        stem = c.mapping("stem")
        sc = stem.integer("channels")
        kernel = _triple(stem.integers("kernel"), "config.stem.kernel")
        stride = _triple(stem.integers("stride"), "config.stem.stride")
        stem.done()
        channels = c.integers("channels")
        blocks = c.integers("blocks", length=len(channels))
        strides = c.integers("strides", length=len(channels))
        self.head_kind = c.choice("head", ("classify", "occupancy"))
        classes = c.integer("classes", 1)
        outputs = c.int_mapping("outputs") if self.head_kind == "occupancy" else {}
        c.done()
        pad = (kernel[0] // 2, kernel[1] // 2, kernel[2] // 2)
        self.stem = nn.Sequential(
            nn.Conv3d(cin, sc, kernel, stride, pad, bias=False),
            nn.BatchNorm3d(sc),
            nn.ReLU(inplace=True),
        )
        stages = []
        prev = sc
        for ch, nb, st in zip(channels, blocks, strides, strict=True):
            stages.append(
                nn.Sequential(
                    *[Block3d(prev if i == 0 else ch, ch, st if i == 0 else 1) for i in range(nb)]
                )
            )
            prev = ch
        self.stages = nn.ModuleList(stages)
        if self.head_kind == "classify":
            self.pool = nn.AdaptiveAvgPool3d(1)
            self.fc = nn.Linear(prev, classes)
            return
        if any(s not in (1, 2) for s in strides):
            raise SpecError("an occupancy decoder needs strides of 1 or 2", field="config.strides")
        # decoder: one ×2 up-step per stride-2 stage, back to the first stage's resolution
        self.ups = nn.ModuleList()
        skips = [sc, *channels]
        for i in range(len(channels) - 1, -1, -1):
            if strides[i] == 2:
                self.ups.append(Up3d(prev, skips[i]))
                prev = skips[i]
        self.heads = nn.ModuleDict({k: nn.Conv3d(prev, n, 1) for k, n in outputs.items()})
        self.strides = strides

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, ...]:
        x = self.stem(x)
        feats = [x]
        for stage in self.stages:
            x = stage(x)
            feats.append(x)
        if self.head_kind == "classify":
            return self.fc(self.pool(x).flatten(1))
        up = iter(self.ups)
        for i in range(len(self.strides) - 1, -1, -1):
            if self.strides[i] == 2:
                x = next(up)(x, feats[i])
        return tuple(h(x) for h in self.heads.values())


def occupancy3d(config: dict[str, object]) -> nn.Module:
    """3D residual stages over ``[C, D, H, W]``, then a classifier or an occupancy decoder."""
    return Net3d(Config(config))
