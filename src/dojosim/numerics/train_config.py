"""Settings of ``dojosim numerics train`` and ``compare``, checked without importing torch."""

from __future__ import annotations

import os
from dataclasses import dataclass

from dojosim.errors import FormatError, nearest
from dojosim.numerics.recipes import Recipe, make_recipe


@dataclass(frozen=True)
class ModelDefaults:
    """What ``--model NAME`` means when options are left out."""

    format: str
    baseline: str
    steps: int | None  # None: the MLP counts epochs
    evals: int  # evaluation points per run (the MLP evaluates every epoch)
    title: str


MODELS: dict[str, ModelDefaults] = {
    "mlp": ModelDefaults("cfp8_143", "fp32", None, 25, "MLP on 8x8 digits"),
    "video": ModelDefaults("cfp8", "bf16", 2000, 10, "next-frame prediction on moving digits"),
    "charlm": ModelDefaults("cfp8", "bf16", 600, 10, "character-level transformer"),
}
MLP_EPOCHS = 25


@dataclass
class TrainConfig:
    """Settings of one comparison run; ``None`` takes the model's default.

    ``format`` and ``baseline`` name recipes (:mod:`.recipes`): ``fp32``, ``bf16``,
    ``cfp8`` (Dojo: 1-4-3 weights/activations, 1-5-2 gradients), ``fp8`` (OCP
    E4M3/E5M2 with amax scaling), ``cfp16``, or any single format name. ``bias`` is
    ``"auto"``, N, or (N, M) for (forward, backward) tensors. ``rounding`` applies to
    gradients. ``epochs`` is the MLP's unit; ``steps`` every model's.
    """

    model: str = "mlp"
    format: str | None = None
    bias: int | str | tuple[int, int] = "auto"
    baseline: str | None = None
    rounding: str = "nearest"
    denormals: str = "ieee"
    steps: int | None = None
    epochs: int | None = None
    seed: int = 0
    jobs: int | None = None
    evals: int | None = None  # evaluation points per run (the MLP: every epoch)
    hidden: int = 128
    batch_size: int | None = None
    lr: float | None = None
    momentum: float = 0.9


def check_model(name: str) -> ModelDefaults:
    if name not in MODELS:
        raise FormatError(
            f"unknown model {name!r}{nearest(name, list(MODELS))}; known: {', '.join(MODELS)}"
        )
    return MODELS[name]


def check_count(name: str, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or value < 1):
        raise FormatError(f"{name} must be at least 1, got {value}")


def resolve(cfg: TrainConfig) -> tuple[Recipe, Recipe]:
    """Check ``cfg`` and fill in the model's defaults; returns (format, baseline) recipes."""
    defaults = check_model(cfg.model)
    cfg.format = cfg.format or defaults.format
    cfg.baseline = cfg.baseline or defaults.baseline
    run = make_recipe(cfg.format, cfg.bias, cfg.rounding, cfg.denormals)
    base = make_recipe(cfg.baseline, "auto", "nearest", "ieee")
    if base.name not in ("fp32", "bf16"):
        raise FormatError(f"baseline must be 'fp32' or 'bf16', got {cfg.baseline!r}")
    cfg.format = run.name
    for name in ("steps", "epochs", "jobs", "evals", "hidden", "batch_size"):
        check_count(name, getattr(cfg, name))
    if cfg.model != "mlp" and cfg.epochs is not None:
        raise FormatError(f"--epochs applies to --model mlp; use --steps for {cfg.model}")
    if cfg.steps is not None and cfg.epochs is not None:
        raise FormatError("give --steps or --epochs, not both")
    if cfg.lr is not None and not cfg.lr > 0:
        raise FormatError(f"lr must be positive, got {cfg.lr}")
    return run, base


def default_jobs(model: str) -> int:
    """Runs side by side: one per core (at most 2) for the long models, 1 for the MLP
    (whose runs take seconds, less than starting a worker)."""
    if model == "mlp":
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(2, cores))


def check_config(cfg: TrainConfig) -> None:
    """Raise FormatError for settings that cannot run (fills in the defaults)."""
    resolve(cfg)
