"""The goodput plot: time lost by cause, ETTR against the checkpoint interval, orbit capacity."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from dojosim.errors import SpecError

LABELS = {
    "checkpoint_save": "checkpoint save",
    "checkpoint_restore": "checkpoint restore",
    "lost_progress": "lost progress",
    "restart": "restart + init",
    "waiting_for_repair": "waiting for repair",
    "stragglers": "stragglers",
    "reduced_capacity": "reduced capacity",
}


def _badput(ax: Any, doc: dict[str, Any]) -> None:
    hours = {k: v / 3600.0 for k, v in doc["badput_s"].items()}
    names = [k for k in LABELS if hours.get(k, 0.0) > 0] or list(LABELS)
    ax.barh([LABELS[k] for k in names], [hours[k] for k in names], color="tab:red")
    ax.invert_yaxis()
    ax.set_xlabel("hours lost per run (mean)")
    e = doc["ettr"]
    ax.set_title(f"ETTR {e['mean']:.1%} (p10 {e['p10']:.1%}, p90 {e['p90']:.1%})", fontsize=10)


def _sweep(ax: Any, doc: dict[str, Any]) -> None:
    rows = doc["interval_sweep"]
    ck = doc["checkpoint_interval_s"]
    curve = doc.get("ettr_exact_curve") or []
    if curve:
        x = np.array([p["interval_s"] for p in curve]) / 60.0
        label = "exact (full capacity)" if doc.get("orbit") else "exact"
        ax.plot(x, [p["ettr"] for p in curve], "-", color="tab:blue", label=label)
    if rows:
        x = np.array([r["interval_s"] for r in rows]) / 60.0
        ax.plot(x, [r["ettr_simulated"] for r in rows], "o", color="tab:orange", label="simulated")
    if rows or curve:
        from matplotlib.ticker import NullFormatter, ScalarFormatter

        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
    for key, style in (("young_daly", ":"), ("exact", "--"), ("simulated", "-."), ("chosen", "-")):
        value = ck.get(key)
        if value is not None and np.isfinite(value):
            ax.axvline(value / 60.0, ls=style, color="grey", lw=1, label=key.replace("_", "/"))
    ax.set_xlabel("checkpoint interval (min)")
    ax.set_ylabel("ETTR")
    ax.legend(fontsize=7)
    ax.set_title("ETTR against the checkpoint interval", fontsize=10)


def _capacity(ax: Any, doc: dict[str, Any]) -> None:
    curve = doc["orbit"]["capacity_curve"]
    years = [p["t_s"] / 31557600.0 for p in curve]
    ax.plot(years, [p["capacity"] for p in curve], color="tab:green")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("mission time (years)")
    ax.set_ylabel("capacity (mean over runs)")
    ax.set_title("capacity in orbit", fontsize=10)


def plot_goodput(doc: dict[str, Any], path: Path) -> Path:
    """Write the plot of a ``dojosim goodput`` document; an existing file is replaced only whole."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    if not path.parent.is_dir():
        raise SpecError(f"cannot write the plot: no folder {str(path.parent)!r}", field="--plot")
    panels = 3 if doc.get("orbit") else 2
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 4.2))
    _badput(axes[0], doc)
    _sweep(axes[1], doc)
    if panels == 3:
        _capacity(axes[2], doc)
    fig.suptitle(f"{doc['scenario']}: {doc['runs']} runs over {doc['duration_s'] / 86400:.4g} days")
    fig.tight_layout()
    fd, tmp = tempfile.mkstemp(suffix=path.suffix or ".png", dir=path.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=110)
        os.replace(tmp, path)
    except (OSError, ValueError) as exc:
        raise SpecError(f"cannot write the plot: {exc}", field="--plot") from None
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
