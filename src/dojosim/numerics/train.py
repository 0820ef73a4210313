"""Train a small model with weights, activations and gradients stored in a format.

What "stored in the format" means here (the whitepaper's mixed-precision use, WP p7:
"operands stored in CFloat8 format in memory may be operated on and expanded to
wider data types, such as Float32"):

* every linear layer quantises its input activations and its weights on the way in
  (forward), and the incoming gradient and the weight gradient on the way out
  (backward): quantise, then compute with the dequantised values;
* products are accumulated in FP32, and the optimizer updates FP32 master weights;
* each tensor gets its own bias at every step, chosen from its range
  (:func:`~dojosim.numerics.choose_bias`: WP p4, "different parameters, namely
  weights, gradients and activations, have different precision and dynamic range
  requirements"), unless a fixed bias is given.

The model is a 64-128-10 MLP on scikit-learn's bundled 8x8 digits (1,797 images;
nothing is downloaded). The baseline (FP32, or BF16 with its fixed bias) starts
from the same initial weights and sees the same batches.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch

from dojosim.numerics import api
from dojosim.numerics.formats import get_format
from dojosim.numerics.train_config import TrainConfig, check_config

Quantizer = Callable[[torch.Tensor, str], torch.Tensor]


@dataclass
class Curve:
    """Per-epoch metrics of one run (test metrics on the held-out 30 %)."""

    label: str
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    biases: dict[str, int] = field(default_factory=dict)  # last bias per tensor role


class StoredIn:
    """Quantise-dequantise into a format with a per-tensor (or fixed) bias."""

    def __init__(self, fmt: str, bias: int | str, rounding: str, denormals: str, seed: int):
        self.fmt = get_format(fmt)
        self.bias = bias
        self.rounding = rounding
        self.denormals = denormals
        self.seed = seed
        self.calls = 0
        self.biases: dict[str, int] = {}

    def __call__(self, t: torch.Tensor, role: str) -> torch.Tensor:
        if self.bias == "auto":
            b = api.choose_bias(t, self.fmt, denormals=self.denormals)
        else:
            b = int(self.bias)
        self.biases[role] = b
        self.calls += 1
        # A new seed per call: reusing one would correlate the rounding across steps.
        seed = self.seed * 1_000_003 + self.calls
        rounding: api.Rounding = "stochastic" if self.rounding == "stochastic" else "nearest"
        return api.quantize(t, self.fmt, b, rounding, seed, denormals=self.denormals)


def _identity(t: torch.Tensor, role: str) -> torch.Tensor:
    return t


class _QuantLinearFn(torch.autograd.Function):
    """y = Q(x) Q(w)^T + b; backward with Q(dy), and Q(dW) handed to the optimizer."""

    @staticmethod
    def forward(
        ctx: Any, x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, q: Any, name: str
    ) -> torch.Tensor:
        xq, wq = q(x, f"{name}.act"), q(w, f"{name}.weight")
        ctx.save_for_backward(xq, wq)
        ctx.q, ctx.name = q, name
        return xq @ wq.t() + b

    @staticmethod
    def backward(ctx: Any, gy: torch.Tensor) -> tuple[Any, ...]:
        xq, wq = ctx.saved_tensors
        q, name = ctx.q, ctx.name
        gq = q(gy, f"{name}.grad")
        gw = q(gq.t() @ xq, f"{name}.weight_grad")
        return gq @ wq, gw, gq.sum(0), None, None


class QuantMLP(torch.nn.Module):
    def __init__(self, sizes: tuple[int, ...], q: Quantizer):
        super().__init__()
        self.layers = torch.nn.ModuleList(
            torch.nn.Linear(a, b) for a, b in itertools.pairwise(sizes)
        )
        self.q = q

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i, layer in enumerate(self.layers):
            if i:
                x = torch.relu(x)
            x = _QuantLinearFn.apply(x, layer.weight, layer.bias, self.q, f"fc{i + 1}")
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


def _train_one(
    label: str,
    q: Quantizer,
    init: dict[str, torch.Tensor],
    data: tuple[torch.Tensor, ...],
    cfg: TrainConfig,
    log: Callable[[str], None] | None,
) -> Curve:
    xtr, ytr, xte, yte = data
    model = QuantMLP((xtr.shape[1], cfg.hidden, 10), q)
    model.load_state_dict(init)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)
    order = torch.Generator().manual_seed(cfg.seed)
    curve = Curve(label)
    for epoch in range(1, cfg.epochs + 1):
        perm = torch.randperm(len(xtr), generator=order)
        total, count = 0.0, 0
        for i in range(0, len(xtr), cfg.batch_size):
            idx = perm[i : i + cfg.batch_size]
            loss = torch.nn.functional.cross_entropy(model(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
            count += len(idx)
        with torch.no_grad():
            logits = model(xte)
            test_loss = float(torch.nn.functional.cross_entropy(logits, yte))
            acc = float((logits.argmax(1) == yte).float().mean())
        curve.train_loss.append(total / count)
        curve.test_loss.append(test_loss)
        curve.test_accuracy.append(acc)
        if log:
            log(f"{label:>14s} epoch {epoch:3d}  loss {test_loss:.4f}  accuracy {acc:.4f}")
    if isinstance(q, StoredIn):
        curve.biases = dict(sorted(q.biases.items()))
    return curve


def train(cfg: TrainConfig | None = None, log: Callable[[str], None] | None = None) -> dict:
    """Train the baseline and the format run; return settings, curves and final figures."""
    cfg = cfg or TrainConfig()
    check_config(cfg)
    start = time.perf_counter()
    torch.manual_seed(cfg.seed)
    data = load_digits(cfg.seed)
    init = QuantMLP((data[0].shape[1], cfg.hidden, 10), _identity).state_dict()
    init = {k: v.clone() for k, v in init.items()}
    if cfg.baseline == "fp32":
        base_q: Quantizer = _identity
    else:
        base_q = StoredIn("bf16", 127, "nearest", "ieee", cfg.seed)
    base = _train_one(cfg.baseline, base_q, init, data, cfg, log)
    run_q = StoredIn(cfg.format, cfg.bias, cfg.rounding, cfg.denormals, cfg.seed)
    label = f"{cfg.format} bias={cfg.bias}"
    run = _train_one(label, run_q, init, data, cfg, log)
    return {
        "dataset": "scikit-learn digits (8x8, 1797 images), 70/30 stratified split",
        "model": f"MLP 64-{cfg.hidden}-10, SGD momentum {cfg.momentum}, lr {cfg.lr}",
        "config": asdict(cfg),
        "final_accuracy": run.test_accuracy[-1],
        "final_loss": run.test_loss[-1],
        "baseline_final_accuracy": base.test_accuracy[-1],
        "baseline_final_loss": base.test_loss[-1],
        "accuracy_gap_points": 100.0 * (base.test_accuracy[-1] - run.test_accuracy[-1]),
        "curves": {"baseline": asdict(base), "format": asdict(run)},
        "seconds": round(time.perf_counter() - start, 2),
    }


def plot(result: dict, path: str) -> None:
    """Write the loss and accuracy curves of both runs side by side to ``path`` (PNG, SVG…)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for key in ("baseline", "format"):
        c = result["curves"][key]
        epochs = range(1, len(c["test_loss"]) + 1)
        ax1.plot(epochs, c["test_loss"], label=c["label"])
        ax2.plot(epochs, [100 * a for a in c["test_accuracy"]], label=c["label"])
    ax1.set(xlabel="epoch", ylabel="test loss", yscale="log", title="Loss")
    ax2.set(xlabel="epoch", ylabel="test accuracy (%)", title="Accuracy")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("dojosim numerics train: " + result["model"])
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
