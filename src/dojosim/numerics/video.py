"""``--model video``: unsupervised next-frame prediction on moving digits.

Clips are generated on the fly from scikit-learn's bundled 8x8 digits (nothing is
downloaded), in the manner of Moving MNIST (Srivastava et al. 2015, "Unsupervised
Learning of Video Representations using LSTMs", ICML, §3): each clip places
``digits`` digit images, upscaled to 12x12 pixels, in a 32x32 frame; each moves by
its own velocity of 1 or 2 pixels per frame along each axis and bounces off the
frame's edges; overlapping digits combine by their maximum. The digit images are
split once, 80/20, into training and held-out images, so held-out clips show digits
the model never saw.

A small convolutional predictor sees the last ``context`` frames (frames <= t) and
predicts frame t+1 as a correction to frame t. The metric is the mean squared error
per pixel (pixels in [0, 1]) over every frame t+1 of a fixed set of held-out clips
that has ``context`` frames before it; copying the last frame is the baseline.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import torch
from torch.nn import functional as F

from dojosim.numerics.loop import adam_cosine
from dojosim.numerics.qops import QConv2d, Quantizer

VAL_SEED = 20_211_029  # the held-out clips are the same whatever the run's seed
SPLIT_SEED = 8


def digit_images(size: int) -> torch.Tensor:
    """scikit-learn's 1,797 digits, scaled to [0, 1] and resized to size x size (bilinear)."""
    from sklearn.datasets import load_digits

    images = torch.from_numpy(load_digits().images).float().div_(16.0)
    up = F.interpolate(images[:, None], size=(size, size), mode="bilinear", align_corners=False)
    return up[:, 0].clamp_(0.0, 1.0).contiguous()


def bounce(p: torch.Tensor, v: torch.Tensor, top: int) -> tuple[torch.Tensor, torch.Tensor]:
    """One step of positions ``p`` with velocities ``v`` (|v| <= top), reflected into 0..top."""
    p = p + v
    high, low = p > top, p < 0
    p = torch.where(high, 2 * top - p, torch.where(low, -p, p))
    return p, torch.where(high | low, -v, v)


def make_clips(
    images: torch.Tensor, n: int, frames: int, digits: int, size: int, gen: torch.Generator
) -> torch.Tensor:
    """``n`` clips of ``frames`` frames (n, frames, size, size) from random ``images``."""
    d = images.shape[-1]
    top = size - d
    which = torch.randint(len(images), (n, digits), generator=gen)
    p = torch.randint(0, top + 1, (n, digits, 2), generator=gen)
    speed = torch.randint(1, 3, (n, digits, 2), generator=gen)
    v = torch.where(torch.rand(n, digits, 2, generator=gen) < 0.5, -speed, speed)
    corners = []
    for _ in range(frames):
        corners.append(p[..., 0] * size + p[..., 1])
        p, v = bounce(p, v, top)
    corner = torch.stack(corners, dim=2)  # (n, digits, frames): flat index of the top-left
    offsets = (torch.arange(d)[:, None] * size + torch.arange(d)[None, :]).reshape(-1)
    index = corner[..., None] + offsets  # (n, digits, frames, d*d)
    src = images[which].reshape(n, digits, 1, d * d).expand(-1, -1, frames, -1)
    canvas = torch.zeros(n, frames, size * size)
    canvas.scatter_reduce_(
        2,
        index.permute(0, 2, 1, 3).reshape(n, frames, -1),
        src.permute(0, 2, 1, 3).reshape(n, frames, -1),
        reduce="amax",
    )
    return canvas.reshape(n, frames, size, size)


class FramePredictor(torch.nn.Module):
    """Frames (B, context, H, W) -> next frame (B, 1, H, W).

    Space-to-depth by 2, ``depth`` 3x3 convolutions of ``width`` channels with ReLU at
    half resolution (receptive field 4*depth+1 pixels at full resolution), depth-to-
    space back; the output is added to the last frame.
    """

    def __init__(self, q: Quantizer, context: int, width: int, depth: int):
        super().__init__()
        chans = [4 * context] + [width] * (depth - 1) + [4]
        self.convs = torch.nn.ModuleList(
            QConv2d(a, b, 3, q, f"conv{i + 1}")
            for i, (a, b) in enumerate(itertools.pairwise(chans))
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.pixel_unshuffle(x, 2)
        for i, conv in enumerate(self.convs):
            h = conv(torch.relu(h) if i else h)
        return x[:, -1:] + F.pixel_shuffle(h, 2)


class MovingDigits:
    """The video task."""

    name = "video"

    def __init__(
        self,
        size: int = 32,
        digit: int = 12,
        digits: int = 3,
        context: int = 3,
        width: int = 48,
        depth: int = 4,
        batch_size: int = 32,
        lr: float = 2e-3,
        val_clips: int = 96,
        val_frames: int = 8,
    ):
        self.size, self.digits, self.context = size, digits, context
        self.width, self.depth, self.batch_size, self.lr = width, depth, batch_size, lr
        images = digit_images(digit)
        perm = torch.randperm(len(images), generator=torch.Generator().manual_seed(SPLIT_SEED))
        cut = int(0.8 * len(images))
        self.train_images, val_images = images[perm[:cut]], images[perm[cut:]]
        clips = make_clips(
            val_images, val_clips, val_frames, digits, size, torch.Generator().manual_seed(VAL_SEED)
        )
        windows = clips.unfold(1, context + 1, 1).permute(0, 1, 4, 2, 3)  # (n, w, c+1, H, W)
        windows = windows.reshape(-1, context + 1, size, size)
        self.val_x, self.val_y = (
            windows[:, :context].contiguous(),
            windows[:, context:].contiguous(),
        )
        self.copy_last_loss = float(F.mse_loss(self.val_x[:, -1:], self.val_y))
        self.dataset = (
            f"moving digits: {digits} scikit-learn digits ({digit}x{digit}) bouncing in "
            f"{size}x{size} frames; {val_clips} held-out clips of {val_frames} frames "
            f"({len(self.val_x)} predictions) from held-out digit images"
        )
        self.description = (
            f"conv next-frame predictor: {context} frames in, {depth} 3x3 convs x {width} "
            f"channels at {size // 2}x{size // 2}, residual on the last frame; "
            f"AdamW lr {lr}, batch {batch_size}"
        )

    def build(self, q: Quantizer) -> torch.nn.Module:
        return FramePredictor(q, self.context, self.width, self.depth)

    def batches(self, seed: int) -> Iterator[Any]:
        gen = torch.Generator().manual_seed(seed)
        while True:
            clip = make_clips(
                self.train_images, self.batch_size, self.context + 1, self.digits, self.size, gen
            )
            yield clip[:, : self.context], clip[:, self.context :]

    def loss(self, model: torch.nn.Module, batch: Any) -> torch.Tensor:
        x, y = batch
        return F.mse_loss(model(x), y)

    @torch.no_grad()
    def evaluate(self, model: torch.nn.Module) -> dict[str, float]:
        total = 0.0
        for i in range(0, len(self.val_x), 256):
            x, y = self.val_x[i : i + 256], self.val_y[i : i + 256]
            total += float(F.mse_loss(model(x), y, reduction="sum"))
        return {"loss": total / self.val_y.numel()}

    def optimizer(self, params: Any, steps: int) -> tuple[Any, Any]:
        return adam_cosine(params, steps, self.lr, warmup=max(1, steps // 20))
