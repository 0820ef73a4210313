"""``--model mlp``: a 64-128-10 MLP on scikit-learn's bundled 8x8 digits.

1,797 images, pixels scaled to [0, 1], a stratified 70/30 split (nothing is
downloaded); SGD with momentum on batches of 32, evaluated after every epoch on the
held-out 30 % (loss and accuracy).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from dojosim.numerics.qops import QLinear, Quantizer


class QuantMLP(torch.nn.Module):
    def __init__(self, sizes: tuple[int, ...], q: Quantizer):
        super().__init__()
        self.layers = torch.nn.ModuleList(
            QLinear(a, b, q, f"fc{i + 1}") for i, (a, b) in enumerate(itertools.pairwise(sizes))
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i, layer in enumerate(self.layers):
            x = layer(torch.relu(x) if i else x)
        return x


def load_digits(seed: int) -> tuple[torch.Tensor, ...]:
    """scikit-learn's bundled digits, pixels scaled to [0, 1], a stratified 70/30 split."""
    from sklearn.datasets import load_digits as _load
    from sklearn.model_selection import train_test_split

    x, y = _load(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.3, random_state=seed, stratify=y)
    return (
        torch.from_numpy(xtr),
        torch.from_numpy(ytr).long(),
        torch.from_numpy(xte),
        torch.from_numpy(yte).long(),
    )


class DigitsMLP:
    """The MLP task; one evaluation per epoch."""

    name = "mlp"

    def __init__(
        self,
        seed: int,
        hidden: int = 128,
        batch_size: int = 32,
        lr: float = 0.05,
        momentum: float = 0.9,
    ):
        self.xtr, self.ytr, self.xte, self.yte = load_digits(seed)
        self.hidden, self.batch_size, self.lr, self.momentum = hidden, batch_size, lr, momentum
        self.steps_per_epoch = -(-len(self.xtr) // batch_size)
        self.dataset = "scikit-learn digits (8x8, 1797 images), 70/30 stratified split"
        self.description = f"MLP 64-{hidden}-10, SGD momentum {self.momentum}, lr {lr}"

    def build(self, q: Quantizer) -> torch.nn.Module:
        return QuantMLP((self.xtr.shape[1], self.hidden, 10), q)

    def batches(self, seed: int) -> Iterator[Any]:
        order = torch.Generator().manual_seed(seed)
        while True:
            perm = torch.randperm(len(self.xtr), generator=order)
            for i in range(0, len(self.xtr), self.batch_size):
                idx = perm[i : i + self.batch_size]
                yield self.xtr[idx], self.ytr[idx]

    def loss(self, model: torch.nn.Module, batch: Any) -> torch.Tensor:
        x, y = batch
        return torch.nn.functional.cross_entropy(model(x), y)

    @torch.no_grad()
    def evaluate(self, model: torch.nn.Module) -> dict[str, float]:
        logits = model(self.xte)
        return {
            "loss": float(torch.nn.functional.cross_entropy(logits, self.yte)),
            "accuracy": float((logits.argmax(1) == self.yte).float().mean()),
        }

    def optimizer(self, params: Any, steps: int) -> tuple[torch.optim.Optimizer, None]:
        return torch.optim.SGD(params, lr=self.lr, momentum=self.momentum), None
