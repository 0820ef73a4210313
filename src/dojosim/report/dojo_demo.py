"""The demo's Dojo section: an ExaPOD against Tesla's 2021 A100 cluster and a 10,000-H100 cluster.

Two jobs on each: one epoch of the FSD-style multi-camera network over the
10 M-clip fleet corpus (with video ingest: decode, storage and host links), and
GPT-3 175B. Every number comes from :func:`dojosim.estimate`; this module only
chooses the jobs and lays out the result.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table

from dojosim.perf.estimate import Estimate, estimate

# (label, system, chips, ingest entry): the three machines of the comparison.
MACHINES = (
    ("Dojo ExaPOD", "dojo-exapod", 3000, "dojo-exapod-ingest"),
    ("5,760 A100 (Tesla 2021)", "dgx-a100-80g", 5760, "dgx-a100-ingest"),
    ("10,000 H100", "dgx-h100", 10000, "dgx-h100-ingest"),
)
VIDEO_MODEL = "fsd-multicam-8cam"
LLM = "gpt3-175b"
# 3,000 sequences (6.1 M tokens): a batch every machine can split (3,000 = 2^3 x 3 x 5^3 dies).
LLM_BATCH = 3000
AUTO = ("tensor", "pipeline", "data", "micro_batch", "recompute", "zero")


def _par(batch: int, **extra: Any) -> dict[str, Any]:
    par: dict[str, Any] = dict.fromkeys(AUTO, "auto")
    par.update(global_batch=batch, **extra)
    return par


def video_epoch(system: str, chips: int, ingest: str) -> Estimate:
    """One epoch of the FSD-style network, one clip per chip per step, ingest included."""
    return estimate(
        {
            "name": f"{VIDEO_MODEL}-{system}",
            "model": VIDEO_MODEL,
            "system": system,
            "chips": chips,
            "parallelism": _par(chips),
            "data": {"ingest": ingest, "epochs": 1},
        }
    )


def llm_step(system: str, chips: int) -> Estimate:
    """GPT-3 175B with every knob searched."""
    return estimate(
        {
            "name": f"{LLM}-{system}",
            "model": LLM,
            "system": system,
            "chips": chips,
            "parallelism": _par(LLM_BATCH, interleave="auto", sequence_parallel="auto"),
        }
    )


def dojo_section() -> dict[str, Any]:
    """The comparison as one JSON-ready mapping."""
    rows = []
    for label, system, chips, ingest in MACHINES:
        v = video_epoch(system, chips, ingest)
        g = llm_step(system, chips)
        ing = v.ingest or {}
        compute_s = sum(x for k, x in v.limits.items() if k != "ingest")
        clips = float(ing.get("dataset_clips", 0.0)) or ing.get("epoch_s", 0.0) * v.samples_per_s
        rows.append(
            {
                "machine": label,
                "system": system,
                "chips": chips,
                "video": {
                    "model": VIDEO_MODEL,
                    "step_time_s": v.step_time_s,
                    "clips_per_s": v.samples_per_s,
                    "compute_clips_per_s": v.layout["global_batch"] / compute_s,
                    "epoch_s": ing.get("epoch_s"),
                    "epoch_clips": clips,
                    "bottleneck": v.bottleneck,
                    "ingest_limit": ing.get("limit"),
                    "mfu": v.mfu,
                    "layout": v.layout,
                },
                "gpt3": {
                    "model": LLM,
                    "step_time_s": g.step_time_s,
                    "mfu": g.mfu,
                    "tokens_per_s": g.tokens_per_s,
                    "bottleneck": g.bottleneck,
                    "fits_in_memory": g.fits_in_memory,
                    "layout": g.layout,
                },
            }
        )
    return {"global_batch_gpt3": LLM_BATCH, "machines": rows}


def _hours(s: float | None) -> str:
    return "-" if s is None else f"{s / 3600:,.1f} h"


def dojo_tables(section: dict[str, Any]) -> list[Table]:
    """Rich tables of :func:`dojo_section`."""
    video = Table(title="Dojo: one epoch of the FSD-style network over the 10 M-clip fleet corpus")
    for col in ("machine", "clips/s (compute)", "clips/s (with ingest)", "epoch", "limit", "MFU"):
        video.add_column(col, justify="left" if col in ("machine", "limit") else "right")
    llm = Table(title=f"Dojo: GPT-3 175B, {section['global_batch_gpt3']:,} sequences per step")
    for col in ("machine", "step", "MFU", "tokens/s", "limit", "layout (t/p/d/mb)"):
        llm.add_column(col, justify="left" if col in ("machine", "limit") else "right")
    for r in section["machines"]:
        v, g = r["video"], r["gpt3"]
        video.add_row(
            r["machine"],
            f"{v['compute_clips_per_s']:,.0f}",
            f"{v['clips_per_s']:,.0f}",
            _hours(v["epoch_s"]),
            v["bottleneck"],
            f"{v['mfu']:.1%}",
        )
        lay = g["layout"]
        llm.add_row(
            r["machine"],
            f"{g['step_time_s']:.2f} s",
            f"{g['mfu']:.1%}",
            f"{g['tokens_per_s']:,.0f}",
            g["bottleneck"] + ("" if g["fits_in_memory"] else " (does not fit)"),
            f"{lay['tensor']}/{lay['pipeline']}/{lay['data']}/{lay['micro_batch']}",
        )
    return [video, llm]


__all__ = ["dojo_section", "dojo_tables", "llm_step", "video_epoch"]
