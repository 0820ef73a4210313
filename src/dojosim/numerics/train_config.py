"""Settings of ``dojosim numerics train``, checked without importing torch."""

from __future__ import annotations

from dataclasses import dataclass

from dojosim.errors import FormatError
from dojosim.numerics.formats import get_format


@dataclass
class TrainConfig:
    """Settings of one comparison run; the defaults are the documented experiment."""

    format: str = "cfp8_143"
    bias: int | str = "auto"
    baseline: str = "fp32"
    rounding: str = "nearest"
    denormals: str = "ieee"
    epochs: int = 25
    hidden: int = 128
    batch_size: int = 32
    lr: float = 0.05
    momentum: float = 0.9
    seed: int = 0


def check_config(cfg: TrainConfig) -> None:
    """Raise FormatError for settings that cannot run."""
    fmt = get_format(cfg.format)
    cfg.format = fmt.name
    if isinstance(cfg.bias, str):
        if cfg.bias != "auto":
            raise FormatError(f"bias must be 'auto' or an integer 0..63, got {cfg.bias!r}")
        fmt.bind(None, cfg.denormals)
    else:
        fmt.bind(cfg.bias, cfg.denormals)
    if cfg.baseline not in ("fp32", "bf16"):
        raise FormatError(f"baseline must be 'fp32' or 'bf16', got {cfg.baseline!r}")
    if cfg.rounding not in ("nearest", "stochastic"):
        raise FormatError(f"rounding must be 'nearest' or 'stochastic', got {cfg.rounding!r}")
    for name in ("epochs", "hidden", "batch_size"):
        if getattr(cfg, name) < 1:
            raise FormatError(f"{name} must be at least 1, got {getattr(cfg, name)}")
